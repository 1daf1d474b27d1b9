"""Benchmark: each export of the whole graph beside the bare Cypher that reads the same rows,
in the same run.

"export" is what `revgraph export` does: the export's queries in read transactions, every row
formatted and written (to a sink that only counts the bytes). "cypher" is the same queries
through the same driver and read transactions, the rows only read (``record.data()``, so the
export's formatting is all the difference). The ratio export/cypher is the cost of formatting;
the goal is at most 2. Peak memory is Python's (tracemalloc) in a separate round, so that its
tracing does not slow the timed ones; it shows that the export holds a chunk, not the graph.

Prints medians over several rounds, alternating the two so that drift hits both alike, and
the best round of each (on a loaded machine the best is the steadier figure).
Not a test: it asserts nothing. Needs a Neo4j with the dataset loaded (``make load``).

    .venv/bin/python scripts/bench_exports.py [--rounds 9] [--warmup 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from api.exports.catalog import EXPORTS, plan  # noqa: E402
from api.exports.options import parse_options  # noqa: E402
from api.exports.render import provenance, render, sync_rows  # noqa: E402
from graph import exports as q  # noqa: E402
from graph.db import connect  # noqa: E402
from schema.config import Config  # noqa: E402


def export_once(driver: Any, database: str, name: str) -> int:
    export = EXPORTS[name]
    options = parse_options(places=export.places)
    fmt = export.make(options)
    the_plan = plan(export, options, None)
    prov = provenance(the_plan, f"bench {name}", fmt.sections)
    return sum(len(chunk) for chunk in render(fmt, the_plan, prov, sync_rows(driver, database)))


def cypher_once(driver: Any, database: str, name: str) -> int:
    export = EXPORTS[name]
    fmt = export.make(parse_options(places=export.places))
    the_plan = plan(export, parse_options(places=export.places), None)
    cypher = {s.name: s.cypher for s in the_plan.sections}
    rows = 0
    for section in fmt.sections:
        for _ in q.stream(driver, database, cypher[section], the_plan.params):
            rows += 1
    return rows


def timed(fn: Any, *args: Any) -> tuple[float, Any]:
    t = time.perf_counter()
    out = fn(*args)
    return time.perf_counter() - t, out


def peak(fn: Any, *args: Any) -> int:
    tracemalloc.start()
    try:
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=2)
    args = parser.parse_args()
    with connect(Config.from_env()) as (driver, database):
        print(f"{'export':18} {'rows':>6} {'bytes':>9} {'cypher ms':>10} {'export ms':>10} "
              f"{'ratio':>6} {'best c/e ms':>14} {'ratio':>6} {'cypher peak':>12} {'export peak':>12}")
        ratios, best_ratios = [], []
        for name in EXPORTS:
            for _ in range(args.warmup):
                cypher_once(driver, database, name)
                export_once(driver, database, name)
            bare, full = [], []
            rows = size = 0
            for _ in range(args.rounds):
                t, rows = timed(cypher_once, driver, database, name)
                bare.append(t)
                t, size = timed(export_once, driver, database, name)
                full.append(t)
            b, f = statistics.median(bare), statistics.median(full)
            bb, bf = min(bare), min(full)
            ratios.append(f / b)
            best_ratios.append(bf / bb)
            mem_b = peak(cypher_once, driver, database, name)
            mem_f = peak(export_once, driver, database, name)
            best = f"{bb * 1000:.0f}/{bf * 1000:.0f}"
            print(f"{name:18} {rows:>6} {size:>9} {b * 1000:>10.1f} {f * 1000:>10.1f} "
                  f"{f / b:>6.2f} {best:>14} {bf / bb:>6.2f} {mem_b / 1e6:>10.2f}MB "
                  f"{mem_f / 1e6:>10.2f}MB")
        print(f"medians and best of {args.rounds} rounds after {args.warmup} warm-up; worst ratio "
              f"{max(ratios):.2f} of medians, {max(best_ratios):.2f} of bests (goal: at most 2)")


if __name__ == "__main__":
    main()
