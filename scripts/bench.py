"""Benchmark: each headline question through the GraphQL API (HTTP, a uvicorn of its own)
and the same Cypher through the bare driver, in the same run.

"bolt" replays the very Cypher statements the API sends for the question (recorded from
the API's own context), through the bare synchronous driver: the ratio api/bolt is the cost
of the API layer (HTTP, GraphQL parsing, validation, resolvers, JSON). "1-query" is the same
answer written by hand as one Cypher query, for reference.

Prints medians, p99 and the ratio. Not a test: it asserts nothing.
Needs a Neo4j with the dataset loaded (``make bench`` does the set-up).

    .venv/bin/python scripts/bench.py [--runs 300] [--warmup 30]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import build_schema  # noqa: E402
from api.graphql.context import Context  # noqa: E402
from graph.db import open_driver, target  # noqa: E402
from schema.config import Config  # noqa: E402


class Recorder(Context):
    """The API's context, noting every Cypher statement it sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    async def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        self.sent.append((cypher, params))
        return await super().read(cypher, **params)


def record(graphql: str) -> list[tuple[str, dict[str, Any]]]:
    """The Cypher statements the API sends to answer ``graphql``."""
    import asyncio

    from neo4j import AsyncGraphDatabase

    async def run() -> list[tuple[str, dict[str, Any]]]:
        s = target(Config.from_env())
        async with AsyncGraphDatabase.driver(s.uri, auth=(s.user, s.password)) as driver:
            context = Recorder(driver=driver, database=s.database, timeout=10)
            result = await build_schema().execute(graphql, context_value=context)
            assert not result.errors, result.errors
            return context.sent

    return asyncio.run(run())

QUESTIONS: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "who held Kursk on 1 Dec 1917 O.S.",
        """{ controlOf(place: "kursk", on: "1917-12-01", calendar: JULIAN) {
              controller { id name } alignment disputed
              start { gregorian julian precision } end { gregorian julian }
              citations { source { id name } quote locator } } }""",
        """MATCH (p:Place {id: $place})<-[:OF_PLACE]-(c:Control)
           WHERE (c.start IS NULL OR c.start <= $on) AND (c.end IS NULL OR c.end > $on)
           MATCH (c)-[:BY]->(who)
           OPTIONAL MATCH (c)-[cite:CITES]->(s:Source)
           WITH c, who, cite, s ORDER BY c.start, cite.position
           RETURN c {.*}, who {.id, .name},
                  collect({source: s {.id, .name}, quote: cite.quote, locator: cite.locator})
                  AS citations""",
        {"place": "kursk", "on": date(1917, 12, 14)},
    ),
    (
        "fighting, Oct 1917 - Mar 1918",
        """{ placesWithFighting(from: "1917-11-07", to: "1918-03-31") {
              place { id name lat lon } events { id name start { gregorian julian } } } }""",
        """MATCH (e:Event) WHERE e.fighting = true AND e.start <= $to
             AND coalesce(e.endLatest, e.startLatest) >= $from
           MATCH (e)-[:AT]->(p:Place)
           WITH p, e ORDER BY e.start
           RETURN p {.id, .name, .lat, .lon}, collect(e {.id, .name, .start}) AS events
           ORDER BY p.name""",
        {"from": date(1917, 11, 7), "to": date(1918, 3, 31)},
    ),
    (
        "Pipes and Trotsky on October",
        """{ claimsAbout(id: "october-revolution") { stances disputed
              claims { stance summary by { name } citations { source { name } quote } } } }""",
        """MATCH (:Entity {id: $id})<-[:ABOUT]-(c:Claim)
           OPTIONAL MATCH (c)-[:BY]->(who:Person)
           OPTIONAL MATCH (c)-[cite:CITES]->(s:Source)
           WITH c, who, cite, s ORDER BY c.stance, cite.position
           RETURN c {.stance, .summary}, who.name,
                  collect({source: s.name, quote: cite.quote}) AS citations""",
        {"id": "october-revolution"},
    ),
    (
        "search 'Krasnoyask'",
        """{ search(text: "Krasnoyask") { id name } }""",
        """CALL db.index.fulltext.queryNodes('entity_search', $q, {limit: 40})
           YIELD node, score RETURN node.id, node.name LIMIT 10""",
        {"q": "(krasnoyask^4 OR krasnoyask*^2 OR krasnoyask~2)"},
    ),
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args()

    port = free_port()
    api = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "api.app:app_from_env", "--factory", "--host",
         "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=url, timeout=30) as client:
            for _ in range(200):
                try:
                    if client.get("/health").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            s = target(Config.from_env())
            with open_driver(s) as driver:
                print(f"Neo4j: {s.uri}   API: {url}   runs: {args.runs} "
                      f"(after {args.warmup} warm-up)\n")
                header = (f"{'question':34} {'api med':>9} {'api p99':>9} {'bolt med':>9} "
                          f"{'bolt p99':>9} {'ratio':>6} {'trips':>5} {'1-query':>9}")
                print(header)
                print("-" * len(header))
                for name, graphql, cypher, params in QUESTIONS:
                    sent = record(graphql)
                    api_times, bolt_times, one_times, trips = [], [], [], 0
                    for i in range(args.warmup + args.runs):
                        t0 = time.perf_counter()
                        body = client.post("/graphql", json={"query": graphql}).json()
                        t1 = time.perf_counter()
                        assert "errors" not in body, body
                        for statement, values in sent:
                            driver.execute_query(statement, values, database_=s.database)
                        t2 = time.perf_counter()
                        driver.execute_query(cypher, params, database_=s.database)
                        t3 = time.perf_counter()
                        if i >= args.warmup:
                            api_times.append((t1 - t0) * 1000)
                            bolt_times.append((t2 - t1) * 1000)
                            one_times.append((t3 - t2) * 1000)
                        trips = body["extensions"]["roundTrips"]
                    am, bm = statistics.median(api_times), statistics.median(bolt_times)
                    print(f"{name:34} {am:8.2f}ms {percentile(api_times, .99):8.2f}ms "
                          f"{bm:8.2f}ms {percentile(bolt_times, .99):8.2f}ms "
                          f"{am / bm:5.2f}x {trips:5d} {statistics.median(one_times):7.2f}ms")
        print("\napi: GraphQL over HTTP to uvicorn. bolt: the same Cypher statements the API "
              "sent, through the bare driver. ratio: api/bolt median (goal: at most 1.5x). "
              "1-query: the answer as one hand-written Cypher query, median.")
    finally:
        api.terminate()
        api.wait(timeout=10)


if __name__ == "__main__":
    main()
