"""Benchmark: the reconciliation service's data extension and batch reconciliation of 100 rows,
each beside the bare Cypher it runs, in the same run.

"extend" is a spreadsheet's request: POST /reconcile with ``extend`` for 100 places, their
controller on 1 December 1917 O.S., through HTTP to the app served by uvicorn in this process.
Its baseline "cypher" is the same two queries through the bare driver (the nodes by id, then
who held each place that day: graph/queries.py NODES_BY_ID and ``incoming``), the rows only
read. "reconcile" is a batch of 100 names (the same places', a third of them misspelt) with
type Place; its baseline is the 100 full-text searches through the bare driver, one after
another. The ratios are the service's own cost over the graph's; the product's bound is an
extension of 100 rows answered within a second.

Prints the median, the best and the slowest of several rounds, alternating the targets so that
drift hits all alike. Not a test: it asserts nothing. Needs a Neo4j with the dataset loaded
(``make load``), found as every command finds it (NEO4J_URI, or the local server).

    .venv/bin/python scripts/bench_reconcile.py [--rounds 9] [--warmup 2] [--rows 100]
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.app import create_app  # noqa: E402
from api.graphql.context import LABELS  # noqa: E402
from api.graphql.inputs import lucene  # noqa: E402
from graph import queries  # noqa: E402
from graph.db import connect, read  # noqa: E402
from schema import dates as d  # noqa: E402
from schema.config import Config  # noqa: E402
from schema.model import CONTROL, PLACE  # noqa: E402

DAY = "1917-12-01"  # O.S.
PLACES = """MATCH (p:Place)<-[:OF_PLACE]-(:Control) WITH DISTINCT p ORDER BY p.id
LIMIT $rows RETURN p.id AS id, p.name AS name"""


def serve(config: Config) -> tuple[str, uvicorn.Server]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port,
                                           log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server


def misspelt(name: str, i: int) -> str:
    """Every third name with two letters swapped, as spreadsheets have them."""
    if i % 3 or len(name) < 5:
        return name
    return name[:2] + name[3] + name[2] + name[4:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100)
    args = parser.parse_args()
    config = Config.from_env()
    with connect(config) as (driver, database):
        places = read(driver, database, PLACES, rows=args.rows)
        ids = [p["id"] for p in places]
        names = [misspelt(p["name"], i) for i, p in enumerate(places)]
        on = d.julian_to_gregorian(*(int(x) for x in DAY.split("-")))
        url, server = serve(config)
        client = httpx.Client(base_url=url, timeout=60)
        extend = {"extend": json.dumps({"ids": ids, "properties": [
            {"id": "controller", "settings": {"on": DAY, "calendar": "julian"}}]})}
        batch = {"queries": json.dumps({f"q{i}": {"query": n, "type": PLACE.name}
                                        for i, n in enumerate(names)})}
        controllers = queries.incoming(PLACE.name, CONTROL, CONTROL.field("place"))

        def api_extend() -> Any:
            r = client.post("/reconcile", data=extend)
            r.raise_for_status()
            return r.json()

        def cypher_extend() -> Any:
            read(driver, database, queries.NODES_BY_ID, ids=ids, labels=LABELS)
            return read(driver, database, controllers, ids=ids, on=on, labels=LABELS)

        def api_reconcile() -> Any:
            r = client.post("/reconcile", data=batch)
            r.raise_for_status()
            return r.json()

        def cypher_reconcile() -> Any:
            return [read(driver, database, queries.SEARCH, lucene=lucene(n), limit=25,
                         labels=LABELS) for n in names]

        targets: dict[str, Callable[[], Any]] = {
            "extend": api_extend, "extend cypher": cypher_extend,
            "reconcile": api_reconcile, "reconcile cypher": cypher_reconcile}
        answer = api_extend()
        held = sum(1 for row in answer["rows"].values() if row["controller"])
        matched = sum(1 for q in api_reconcile().values()
                      if any(c["match"] for c in q["result"]))
        times: dict[str, list[float]] = {name: [] for name in targets}
        for round_ in range(args.warmup + args.rounds):
            for name, fn in targets.items():
                t = time.perf_counter()
                fn()
                if round_ >= args.warmup:
                    times[name].append(time.perf_counter() - t)
        server.should_exit = True
    print(f"{len(ids)} places; {held} held by someone on {DAY} O.S.; {matched} of {len(names)} "
          f"names matched (a third misspelt); {args.rounds} rounds after {args.warmup} warm-up")
    print(f"{'target':<18}{'median ms':>11}{'best ms':>10}{'worst ms':>10}")
    for name, ts in times.items():
        print(f"{name:<18}{statistics.median(ts) * 1000:>11.1f}{min(ts) * 1000:>10.1f}"
              f"{max(ts) * 1000:>10.1f}")
    for what in ("extend", "reconcile"):
        ratio = statistics.median(times[what]) / statistics.median(times[f"{what} cypher"])
        print(f"{what}: {ratio:.2f}x its bare Cypher (medians)")
    worst = max(times["extend"])
    print(f"extend of {len(ids)} rows: slowest round {worst * 1000:.0f} ms "
          f"({'within' if worst < 1 else 'over'} the product's second)")


if __name__ == "__main__":
    main()
