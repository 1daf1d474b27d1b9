"""The compiled executor (api/graphql/execution.py) beside graphql-core's own execution, in one
run: the same app, the same prefetched walks, the same questions, the compiled path switched
on and off between interleaved rounds (docs/decisions/0007-compiled-executor.md).

    .venv/bin/python -m bench.executor --rounds 5 --repeat 20

Uses the Neo4j the settings name (the local one by default, loaded with data/ as `make run`
leaves it). Prints, per question, the median time of a request each way and their ratio; the
machine's noise is shared by both sides of a round.
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from starlette.testclient import TestClient

from api.app import create_app
from api.graphql.execution import LeanExecutionContext
from bench.questions import QUESTIONS as PEER_QUESTIONS
from schema.config import Config

# The questions of bench/peers.py, with their fixed parameters (the list page's first page:
# its cursor comes from the data in bench/peers.py).
QUESTIONS = {q.name: (q.revgraph, q.rev_vars({"after": None, **q.fixed}))
             for q in PEER_QUESTIONS}


def timed(client: TestClient, question: tuple[str, dict[str, Any]], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        answer = client.post("/graphql", json={"query": question[0], "variables": question[1]})
        out.append(time.perf_counter() - started)
        body = answer.json()
        if "errors" in body:
            raise SystemExit(f"the question failed: {body['errors'][0]['message']}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="Interleaved rounds of each side.")
    parser.add_argument("--repeat", type=int, default=20, help="Requests per question a round.")
    args = parser.parse_args()
    config = Config.from_env().with_(response_cache=False)  # measure execution, not the cache
    times: dict[tuple[str, bool], list[float]] = {}
    with TestClient(create_app(config)) as client:
        for query in QUESTIONS.values():  # warm both paths
            for enabled in (True, False):
                LeanExecutionContext.enabled = enabled
                timed(client, query, 3)
        for _ in range(args.rounds):
            for name, query in QUESTIONS.items():
                for enabled in (True, False):
                    LeanExecutionContext.enabled = enabled
                    times.setdefault((name, enabled), []).extend(timed(client, query, args.repeat))
    LeanExecutionContext.enabled = True
    print(f"{'question':32} {'compiled ms':>12} {'graphql-core ms':>16} {'ratio':>7}")
    for name in QUESTIONS:
        fast = statistics.median(times[(name, True)]) * 1000
        full = statistics.median(times[(name, False)]) * 1000
        print(f"{name:32} {fast:12.1f} {full:16.1f} {full / fast:6.2f}x")


if __name__ == "__main__":
    main()
