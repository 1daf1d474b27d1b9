"""The soak: revgraph's API under steady load on the realistic mix, for a long time, to see
whether its memory and its tail latency stay flat.

Every question's seeded mix (bench/questions.py), shuffled together, at concurrency 8 for 30
minutes by default, measured in consecutive windows (5 minutes) after an unmeasured warm-up.
Prints each window's req/s, p50, p99 and the server's RSS, then the goals: RSS at the end
within 10% of the RSS after warm-up, p99 of the last window within 20% of the first.
The response cache is off unless ``--cache on`` (with it on, the mix is served from memory).
Not a test: it prints whether the goals hold and exits 0 either way (1 with ``--strict``).

    make bench-soak                                              # 30 minutes
    .venv/bin/python -m bench.soak --minutes 3 --window 1 --warmup 20    # a short look
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

from bench.peers import Server, bodies, neo4j, rss_mb, run_httpx, run_wrk
from bench.questions import POOLS_CYPHER, QUESTIONS, mix, pools_from
from bench.where import settings
from graph.db import open_driver, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30, help="Measured length.")
    parser.add_argument("--window", type=float, default=5, help="Minutes per window.")
    parser.add_argument("--warmup", type=int, default=60, help="Unmeasured seconds first.")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--variants", type=int, default=300, help="Parameter sets per question.")
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--cache", choices=("on", "off"), default="off")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8100")))
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--keep-neo4j", action="store_true")
    parser.add_argument("--strict", action="store_true", help="Exit 1 when a goal fails.")
    args = parser.parse_args()
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    load = run_wrk if client == "wrk" else run_httpx
    windows = max(1, round(args.minutes / args.window))
    seconds = int(args.window * 60)

    with neo4j(args.keep_neo4j) as neo4j_env, tempfile.TemporaryDirectory() as tmp:
        s = settings()
        with open_driver(s) as driver:
            pools = pools_from(read(driver, s.database, POOLS_CYPHER)[0])
        lines = [b for q in QUESTIONS for b in bodies(q, "revgraph",
                                                      mix(q, pools, args.variants, args.seed))]
        random.Random(args.seed).shuffle(lines)
        body_file = Path(tmp) / "mix.jsonl"
        body_file.write_text("\n".join(lines) + "\n")
        port = args.port
        api = Server("revgraph", f"http://127.0.0.1:{port}/graphql",
                     [sys.executable, "-m", "uvicorn", "api.app:app_from_env", "--factory", "--host",
                      "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                     {**os.environ, **neo4j_env, "REVGRAPH_RESPONSE_CACHE": args.cache},
                     f"http://127.0.0.1:{port}/health")
        api.start(Path(tmp))
        try:
            api.wait()
            print(f"Soak: revgraph (cache {args.cache}), {len(lines)} requests of the mix in turn, "
                  f"c={args.concurrency}, client {client}; warm-up {args.warmup} s, then "
                  f"{windows} window(s) of {seconds} s", flush=True)
            print(f"RSS at start: {rss_mb(api.pid):.1f} MB", flush=True)
            if args.warmup:
                load(api.url, body_file, args.concurrency, args.warmup)
            rss0 = rss_mb(api.pid)
            print(f"RSS after warm-up: {rss0:.1f} MB\n", flush=True)
            print(f"{'window':>6} {'minutes':>9} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
                  f"{'rss MB':>7} {'errors':>6}", flush=True)
            cells = []
            for w in range(windows):
                cell = load(api.url, body_file, args.concurrency, seconds)
                cell.rss_mb = rss_mb(api.pid)
                cells.append(cell)
                span = f"{w * args.window:g}-{(w + 1) * args.window:g}"
                print(f"{w + 1:6d} {span:>9} {cell.requests / cell.seconds:8.1f} "
                      f"{cell.p50_ms:8.2f} {cell.p99_ms:8.2f} {cell.rss_mb:7.1f} {cell.errors:6d}",
                      flush=True)
        finally:
            api.stop()
    first, last = cells[0], cells[-1]
    rss_change = (last.rss_mb - rss0) / rss0
    p99_change = (last.p99_ms - first.p99_ms) / first.p99_ms
    rss_ok, p99_ok = abs(rss_change) <= 0.10, p99_change <= 0.20
    print(f"\nRSS: {rss0:.1f} MB after warm-up, {last.rss_mb:.1f} MB at the end "
          f"({rss_change:+.1%}): {'holds' if rss_ok else 'FAILS'} (goal: within 10%)")
    print(f"p99: {first.p99_ms:.1f} ms in the first window, {last.p99_ms:.1f} ms in the last "
          f"({p99_change:+.1%}): {'holds' if p99_ok else 'FAILS'} (goal: at most 20% higher)")
    if args.strict and not (rss_ok and p99_ok):
        sys.exit(1)


if __name__ == "__main__":
    main()
