"""The scale benchmark (docs/decisions/0004-synthetic-scale.md): the same questions on synthetic
graphs 1x, 10x, 100x ... the real one's size, p50 and p99 at each concurrency, and how much each
grew from the smallest scale.

    python -m bench.scale --scales 1,10 --seconds 5

For each scale: the `revgraph synth --scale N` files (written when missing, deterministic from
--seed), loaded into a Neo4j of their own (the local server under --home, default
.revgraph-scale/: never the real data's store; its ports and memory from REVGRAPH_BOLT_PORT,
REVGRAPH_HTTP_PORT, REVGRAPH_NEO4J_HEAP and REVGRAPH_NEO4J_PAGECACHE), the API served by uvicorn
against it (response cache off), and each question asked for --seconds at each concurrency with
wrk (or the asyncio client), its parameters drawn from that scale's graph as the peer benchmark
draws them (bench/questions.py). Besides those questions: page 1 and a deep page of places (page
1,000, or the last page where the graph has fewer), and `connection` between the farthest-apart
pairs among sampled places.

A benchmark, not a test: it asserts nothing about speed and prints what it measured.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from neo4j.exceptions import Neo4jError

from bench.peers import Cell, run_httpx, run_wrk, servers
from bench.questions import FIGHTING, LIST, PAGE, POOLS_CYPHER, QUESTIONS, Question, mix, pools_from
from bench.where import PROJECT_ROOT
from graph.db import Target, open_driver, read
from schema.config import Config

DEEP_PAGE = 1000
SETTLE_MAX = 15  # seconds at most between two cells
PAGE_REV = """query Page($after: String) {
  places(first: PAGE, after: $after) { nodes { id name kind lat lon } pageInfo { hasNextPage } }
}""".replace("PAGE", str(PAGE))
CONNECTION_REV = """query Connection($from: ID!, $to: ID!) {
  connection(from: $from, to: $to) { length nodes { id } steps { type } }
}"""


@dataclass
class Asked:
    """A question as the benchmark sends it: a name and its request bodies."""

    name: str
    bodies: list[str]


def _body(query: str, variables: dict[str, Any]) -> str:
    return json.dumps({"query": query, "variables": variables})


def headline(q: Question, pools: dict[str, list[str]], variants: int, seed: int) -> Asked:
    params = mix(q, pools, variants, seed)
    return Asked(q.name, [_body(q.revgraph, q.rev_vars(p)) for p in params])


# Pages of the places-with-fighting question: 10 is about the whole answer's size at 1x (so the
# same amount of answer at every scale), 100 the largest page.
FIGHTING_PAGES = (10, 100)


def paged_fighting(pools: dict[str, list[str]], variants: int, seed: int, first: int) -> Asked:
    """The places-with-fighting question, its first page of ``first``: the whole answer grows
    with the graph, a page need not."""
    query = FIGHTING.revgraph.replace("placesWithFighting(from: $from, to: $to)",
                                      f"placesWithFighting(from: $from, to: $to, first: {first})")
    assert query != FIGHTING.revgraph
    return Asked(f"fighting, {first} a page",
                 [_body(query, FIGHTING.rev_vars(p)) for p in mix(FIGHTING, pools, variants, seed)])


def answer_sizes(url: str, asked: list[Asked]) -> str:
    """How much answer the fighting questions give on average (each body asked once): a
    page's time is compared across scales for the same amount of answer."""
    parts = []
    with httpx.Client(timeout=120) as client:
        for a in asked:
            if "fighting" not in a.name:
                continue
            answers = [client.post(url, content=b, headers={"content-type": "application/json"})
                       for b in a.bodies]
            places = statistics.mean(len(r.json()["data"]["placesWithFighting"]) for r in answers)
            kb = statistics.mean(len(r.content) for r in answers) / 1024
            parts.append(f"{a.name} {places:,.1f} places ({kb:,.1f} KB)")
    return "answers on average: " + ", ".join(parts)


def pages(pools: dict[str, list[str]]) -> tuple[Asked, Asked, int]:
    """Page 1 of places and the deepest page up to DEEP_PAGE (1-based), by the list's own cursors."""
    count = len(pools["place_order_ids"])
    deep = min(DEEP_PAGE, max(1, (count - 1) // PAGE + 1))
    after = LIST.rev_vars({"after": _after(pools, (deep - 1) * PAGE)})
    return (Asked("places page 1", [_body(PAGE_REV, {"after": None})]),
            Asked(f"places page {deep:,}", [_body(PAGE_REV, after)]), deep)


def _after(pools: dict[str, list[str]], skip: int) -> str | None:
    from bench.questions import with_cursor

    return with_cursor(LIST, {"skip": skip}, pools)["after"]


def far_apart(api: str, t: Target, pools: dict[str, list[str]], seed: int, candidates: int,
              keep: int) -> Asked:
    """`connection` between the pairs of places farthest apart among ``candidates`` sampled pairs
    (each asked once through the API to learn its length)."""
    rng = random.Random(f"{seed}:connection")
    places = pools["places"]
    found: list[tuple[int, str]] = []
    with httpx.Client(timeout=120) as client:
        for _ in range(candidates):
            a, b = rng.sample(places, 2)
            body = _body(CONNECTION_REV, {"from": a, "to": b})
            got = client.post(api, content=body, headers={"content-type": "application/json"})
            path = (got.json().get("data") or {}).get("connection")
            if path:
                found.append((int(path["length"]), body))
    if len(found) < keep:  # a big graph: random pairs are rarely within maxLength of each other
        found += walked_apart(api, t, pools, seed, candidates, keep - len(found))
    found.sort(key=lambda x: -x[0])
    chosen = found[:keep]
    lengths = sorted({n for n, _ in chosen})
    return Asked(f"connection (length {lengths[0]}-{lengths[-1]})" if chosen else "connection",
                 [b for _, b in chosen])


# From a place, a walk of WALK steps along the model's relationships (citations excluded, as in
# `connection`) to another place: a pair whose shortest connection is at most that long.
WALK = 6
WALK_CYPHER = """
MATCH (a:{Place} {id: $from})
CALL (a) {
  MATCH (a)-[:{rels}*{steps}]-(b:{Place}) WHERE b <> a
  RETURN b LIMIT 1
}
RETURN b.id AS to"""


def walked_apart(api: str, t: Target, pools: dict[str, list[str]], seed: int, candidates: int,
                 keep: int) -> list[tuple[int, str]]:
    """Pairs of places a walk apart (WALK_CYPHER), each asked once through the API to learn
    its length: at 1000x, sampled pairs are mostly further apart than `connection` looks."""
    from api.graphql.query import REL_TYPES
    from graph.cypher import cypher

    query = cypher(WALK_CYPHER, rels="|".join(REL_TYPES), steps=str(WALK))
    rng = random.Random(f"{seed}:walk")
    found: list[tuple[int, str]] = []
    with open_driver(t) as driver, httpx.Client(timeout=120) as client:
        for a in rng.sample(pools["places"], min(candidates, len(pools["places"]))):
            rows = read(driver, t.database, query, timeout=30, **{"from": a})
            if not rows:
                continue
            body = _body(CONNECTION_REV, {"from": a, "to": rows[0]["to"]})
            got = client.post(api, content=body, headers={"content-type": "application/json"})
            path = (got.json().get("data") or {}).get("connection")
            if path:
                found.append((int(path["length"]), body))
            if len(found) >= keep:
                break
    return found



# -- one scale -------------------------------------------------------------------------------

def synthetic(scale: float, seed: int) -> Path:
    folder = PROJECT_ROOT / ".revgraph-synth" / f"scale-{scale:g}"
    if not any(folder.glob("*.yaml")):
        subprocess.run([str(Path(sys.executable).parent / "revgraph"), "synth", "--scale",
                        f"{scale:g}", "--seed", str(seed), "-o", str(folder)], check=True,
                       cwd=PROJECT_ROOT)
    return folder


def fill(t: Target, folder: Path, marker: Path, reuse: bool) -> tuple[int, float | None]:
    """Empty the database and load the folder; (records, seconds). With ``reuse``, a database
    that ``marker`` says holds this folder's load completed is kept as it is (seconds None):
    a 1000x load takes about 20 minutes."""
    from loaders.validate import validate_paths
    from loaders.write import load

    if reuse and marker.exists():
        held = json.loads(marker.read_text())
        if held.get("folder") == str(folder):
            return int(held["records"]), None
    marker.unlink(missing_ok=True)
    with open_driver(t) as driver:
        with driver.session(database=t.database) as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
                        ).consume()
        began = time.perf_counter()
        dataset = validate_paths([folder])
        load(driver, t.database, dataset)
        marker.write_text(json.dumps({"folder": str(folder), "records": len(dataset.records)}))
        return len(dataset.records), time.perf_counter() - began


def measure(api: str, asked: list[Asked], concurrency: list[int], seconds: float,
            work: Path, rounds: int = 1) -> dict[tuple[str, int], Cell]:
    """Each question at each concurrency for ``seconds``, in ``rounds`` interleaved rounds: a
    cell's p50 and p99 are the medians over its rounds (one slow moment of a shared machine
    moves one round, not the figure)."""
    runs: dict[tuple[str, int], list[Cell]] = {}
    for r in range(rounds):
        for key, cell in _measure_once(api, asked, concurrency, seconds, work, warm=r == 0).items():
            runs.setdefault(key, []).append(cell)
    return {key: Cell(sum(c.requests for c in cells), sum(c.seconds for c in cells),
                      statistics.median(c.p50_ms for c in cells),
                      statistics.median(c.p99_ms for c in cells), sum(c.errors for c in cells))
            for key, cells in runs.items()}


def _measure_once(api: str, asked: list[Asked], concurrency: list[int], seconds: float,
                  work: Path, warm: bool) -> dict[tuple[str, int], Cell]:
    load = run_wrk if shutil.which("wrk") else run_httpx
    out: dict[tuple[str, int], Cell] = {}
    with httpx.Client(timeout=120) as client:
        for a in asked if warm else ():
            for body in a.bodies:  # once each: warm the caches, and fail on an error
                got = client.post(api, content=body, headers={"content-type": "application/json"})
                if got.json().get("errors"):
                    raise SystemExit(f"{a.name}: {got.text[:600]}")
    for i, a in enumerate(asked):
        path = work / f"{i}.jsonl"
        path.write_text("\n".join(a.bodies) + "\n")
        for c in concurrency:
            cell = out[(a.name, c)] = load(api, path, c, seconds)
            # The requests still running when the client stops (seconds each for an answer
            # that grows with the graph) would slow the next cell: let them finish first.
            time.sleep(min(SETTLE_MAX, 2 * cell.p99_ms / 1000))
            print(f"\r  {a.name:36} c={c}", end="", flush=True)
    print()
    return out


def store_mb(home: Path, database: str) -> float:
    """The database's store on disk (nodes, relationships, properties, indexes; the transaction
    logs aside): what the page cache would hold to keep it all in memory. Stores do not shrink
    when emptied, so after a larger scale this is at least that scale's."""
    folder = home / "neo4j" / "data" / "databases" / database
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def _took(seconds: float | None) -> str:
    return "kept from an earlier run's load" if seconds is None else f"loaded in {seconds:.0f} s"


# -- the report --------------------------------------------------------------------------------

def _key(name: str) -> str:
    """A question's name without what varies by scale (which deep page, which path lengths)."""
    if name.startswith("places page") and name != "places page 1":
        return "places deep page"
    return name.split(" (")[0]


def table(results: dict[float, dict[tuple[str, int], Cell]], notes: dict[float, str],
          concurrency: list[int]) -> str:
    scales = sorted(results)
    first, last = scales[0], scales[-1]
    names = [n for n in dict.fromkeys(_key(n) for n, _ in results[first])  # those every scale has
             if all(any(_key(m) == n for m, _ in results[s]) for s in scales)]
    head = f"{'question':28} {'c':>2} " + "".join(
        f"{f'p50 {s:g}x':>10}{f'p99 {s:g}x':>10}" for s in scales)
    head += f"{f'p50 x{last / first:g}':>10}{f'p99 x{last / first:g}':>10}" if len(scales) > 1 else ""
    lines = [head, "-" * len(head)]
    for name in names:
        for c in concurrency:
            cells = {s: next(v for (n, cc), v in results[s].items() if _key(n) == name and cc == c)
                     for s in scales}
            row = f"{name:28} {c:>2} " + "".join(
                f"{cells[s].p50_ms:>10.2f}{cells[s].p99_ms:>10.2f}" for s in scales)
            if len(scales) > 1:
                row += (f"{cells[last].p50_ms / cells[first].p50_ms:>10.2f}"
                        f"{cells[last].p99_ms / cells[first].p99_ms:>10.2f}")
            errors = sum(cells[s].errors for s in scales)
            lines.append(row + (f"  ({errors} errors)" if errors else ""))
    lines.append("")
    lines += [f"{s:g}x: {notes[s]}" for s in scales]
    lines.append("p50, p99: milliseconds, the medians over the rounds of each question and "
                 "concurrency; the "
                 f"last two columns: {last:g}x over {first:g}x (growth factors).")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--scales", default="1,10", help="Comma-separated, smallest first.")
    parser.add_argument("--seconds", type=float, default=5, help="Length of a cell.")
    parser.add_argument("--rounds", type=int, default=1,
                        help="Rounds of every cell; p50 and p99 are the medians over them.")
    parser.add_argument("--concurrency", default="1,8")
    parser.add_argument("--variants", type=int, default=50, help="Parameter sets per question.")
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--pairs", type=int, default=30,
                        help="Place pairs sampled to find far-apart ones for `connection`.")
    parser.add_argument("--home", type=Path, default=PROJECT_ROOT / ".revgraph-scale",
                        help="The scale runs' own local Neo4j (its store is wiped per scale).")
    parser.add_argument("--port", type=int, default=8200, help="The API's port.")
    parser.add_argument("--reuse", action="store_true",
                        help="Keep a scale already loaded by an earlier run of this benchmark "
                        "(noted in --home) instead of loading it again. Scales are measured in "
                        "the order given and shown smallest first.")
    args = parser.parse_args()
    scales = [float(s) for s in args.scales.split(",")]
    concurrency = [int(c) for c in args.concurrency.split(",")]

    config = Config.from_env(home=args.home, neo4j_uri="")
    from graph.server import LocalServer

    server = LocalServer(config)
    started = server.start()
    t = Target(server.bolt_uri, server.user, server.password(), config.neo4j_database, local=True)
    marker = args.home / "loaded.json"
    env = {"NEO4J_URI": t.uri, "NEO4J_USER": t.user, "NEO4J_PASSWORD": t.password,
           "NEO4J_DATABASE": t.database}
    results: dict[float, dict[tuple[str, int], Cell]] = {}
    notes: dict[float, str] = {}
    try:
        for scale in scales:
            try:
                records, took = fill(t, synthetic(scale, args.seed), marker, args.reuse)
            except Neo4jError as exc:  # the figures of the smaller scales are still worth having
                print(f"scale {scale:g}: the load failed, so no larger scale is measured: "
                      f"{exc.code}: {str(exc.message)[:300]}")
                break
            with open_driver(t) as driver:
                pools = pools_from(read(driver, t.database, POOLS_CYPHER)[0])
            api = servers(args.port, env)["revgraph"]
            with tempfile.TemporaryDirectory() as tmp:
                api.start(Path(tmp))
                try:
                    api.wait()
                    print(f"scale {scale:g}: {records:,} records {_took(took)}; "
                          f"{len(pools['places']):,} places", flush=True)
                    first, deep, page = pages(pools)
                    asked = [headline(q, pools, args.variants, args.seed)
                             for q in QUESTIONS if q is not FIGHTING]
                    asked += [first, deep, far_apart(api.url, t, pools, args.seed, args.pairs,
                                                     10)]
                    if not asked[-1].bodies:  # the other figures are still worth having
                        print(f"no two of {args.pairs} sampled places are connected: "
                              "connection is not measured (give more --pairs)")
                        asked.pop()
                    # Last in each round: at 1000x the whole answer takes seconds, and its
                    # requests still running in Neo4j slowed the cells measured after it.
                    asked += [headline(FIGHTING, pools, args.variants, args.seed),
                              *(paged_fighting(pools, args.variants, args.seed, n)
                                for n in FIGHTING_PAGES)]
                    results[scale] = measure(api.url, asked, concurrency, args.seconds, Path(tmp),
                                             args.rounds)
                    notes[scale] = (f"{records:,} records {_took(took)}, store "
                                    f"{store_mb(args.home, t.database):,.0f} MB, "
                                    f"{len(pools['places']):,} places, deep page {page:,}; "
                                    + next((a.name for a in asked
                                            if a.name.startswith("connection")),
                                           "connection not measured")
                                    + "; " + answer_sizes(api.url, asked))
                finally:
                    api.stop()
            print(table(results, notes, concurrency) + "\n", flush=True)  # so far
        if len(results) > 1:
            print(table(results, notes, concurrency))
    finally:
        if started:
            server.stop()


if __name__ == "__main__":
    main()
