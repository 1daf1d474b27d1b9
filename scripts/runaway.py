"""Measurement: does Neo4j stop computing a runaway query once it is refused?

Each shape of runaway read runs on a fresh scratch local server (its own folder and ports,
started with the project's shipped neo4j.conf, graph/server.py), with no timeout of its own, so
that the server's ``db.transaction.timeout`` ends it (a client's timeout, such as /cypher's,
ends a transaction the same way: Neo4j marks it terminated and the query stops at its next
check). Neo4j's CPU is sampled every second from /proc: the table says when the client got its
answer and when the CPU fell back to idle (its own idle level, measured before, plus 0.15 of
a core, over two samples), counted from the timeout. A shape still busy ``--wait`` seconds
after the timeout is reported as such, and its server killed.

    .venv/bin/python scripts/runaway.py [--timeout 10] [--wait 60] [--shapes rows,memory,...]

The server's timeout is 10 s here (``--timeout``), not the shipped 300 s
(REVGRAPH_NEO4J_TX_TIMEOUT), so that a run takes minutes; the memory limits are the shipped
ones. Uses REVGRAPH_HOME / REVGRAPH_BOLT_PORT / REVGRAPH_HTTP_PORT when REVGRAPH_BOLT_PORT is
set (else .revgraph-runaway, bolt 25012, http 25013). Not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from neo4j import Query  # noqa: E402

from graph.db import Target, open_driver  # noqa: E402
from graph.server import LocalServer, ServerError  # noqa: E402
from schema.config import Config  # noqa: E402

SHAPES = {
    # Row by row: Neo4j checks for termination between rows.
    "rows": "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(*) AS n",
    # Memory held by an operator (collect): tracked against db.memory.transaction.max.
    "memory": "UNWIND range(1, 1000000000) AS x RETURN size(collect(toString(x))) AS n",
    # One expression over a long list: neither checked for termination nor tracked.
    "comprehension": "RETURN size([x IN range(1, 50000000) | toString(x)]) AS n",
    # The one users met: quadratic string building in one expression.
    "reduce": "RETURN size(reduce(s = '', x IN range(1, 10000000) | s + 'xxxxxxxxxx')) AS n",
}
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Outcome:
    shape: str
    answer: str = "none (the server was killed)"
    answered: float | None = None  # seconds after the start
    idle: float | None = None  # seconds after the timeout
    busy: float = 0.0  # mean cores while it ran
    serving: str = ""  # whether a `RETURN 1` was answered after it, and how soon
    stopped: str = ""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def run_shape(name: str, config: Config, timeout: float, wait: float) -> Outcome:
    server = LocalServer(config)
    server.start(echo=False)
    pid = server.pid()
    assert pid is not None
    outcome = Outcome(name)
    target = Target(server.bolt_uri, server.user, server.password(), "neo4j", local=True)
    driver = open_driver(target)
    try:
        baseline = idle_level(pid)
        started = time.monotonic()

        def query() -> None:
            try:
                with driver.session(database="neo4j") as session:
                    session.run(SHAPES[name]).consume()
                answer = "result"
            except Exception as exc:  # noqa: BLE001 - what came back is the measurement
                answer = getattr(exc, "code", None) or type(exc).__name__
            if time.monotonic() - started < timeout + wait:  # not the kill at the end
                outcome.answer, outcome.answered = answer, time.monotonic() - started

        threading.Thread(target=query, daemon=True).start()
        samples: list[float] = []
        last = cpu_seconds(pid)
        while time.monotonic() - started < timeout + wait:
            time.sleep(1.0)
            now = cpu_seconds(pid)
            samples.append(now - last)
            last = now
            after = time.monotonic() - started - timeout
            if after > 0 and len(samples) >= 2 and max(samples[-2:]) < baseline + 0.15:
                outcome.idle = max(0.0, after - 2.0)  # idle since the first of the two
                break
        outcome.busy = sum(samples[: int(timeout)]) / max(1, min(len(samples), int(timeout)))
        outcome.serving = still_serving(target)
    finally:
        try:
            server.stop(timeout=20.0)
            outcome.stopped = "stopped"
        except ServerError as exc:
            outcome.stopped = str(exc).splitlines()[0]
        driver.close()
    return outcome


def still_serving(target: Target) -> str:
    """Whether another client is still served: a `RETURN 1` within 10 s."""
    began = time.monotonic()
    try:
        with open_driver(target, connection_timeout=10.0) as driver, \
                driver.session(database="neo4j") as session:
            session.run(Query("RETURN 1", timeout=10.0)).consume()
        return f"yes, {time.monotonic() - began:.1f} s"
    except Exception as exc:  # noqa: BLE001 - the failure is the measurement
        return f"no ({getattr(exc, 'code', None) or type(exc).__name__})"


def idle_level(pid: int, seconds: int = 4) -> float:
    first = cpu_seconds(pid)
    time.sleep(seconds)
    return (cpu_seconds(pid) - first) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="The server's db.transaction.timeout for the run, in seconds.")
    parser.add_argument("--wait", type=float, default=60.0,
                        help="Seconds after the timeout to wait for the CPU to fall idle.")
    parser.add_argument("--shapes", default=",".join(SHAPES))
    args = parser.parse_args()
    if os.environ.get("REVGRAPH_BOLT_PORT"):
        config = Config.from_env(neo4j_tx_timeout=args.timeout)
    else:
        config = Config.from_env({}, home=ROOT / ".revgraph-runaway", bolt_port=25012,
                                 http_port=25013, neo4j_tx_timeout=args.timeout)
    limits = LocalServer(config).transaction_limits()
    print(f"heap {config.neo4j_heap}; " + ", ".join(f"{k}={v}" for k, v in limits.items()))
    outcomes = [run_shape(name, config, args.timeout, args.wait)
                for name in args.shapes.split(",")]
    print(f"\n{'shape':<14} {'answer':<58} {'answered':>9} {'cores':>6} "
          f"{'idle after timeout':>19}  RETURN 1 after it")
    for o in outcomes:
        answered = f"{o.answered:.1f} s" if o.answered is not None else "never"
        idle = f"{o.idle:.0f} s" if o.idle is not None else f"busy at {args.wait:.0f} s"
        print(f"{o.shape:<14} {o.answer[:58]:<58} {answered:>9} {o.busy:>6.2f} {idle:>19}  "
              f"{o.serving}")
        if o.stopped != "stopped":
            print(f"{'':<14} stop: {o.stopped}")
    print("\nanswered: seconds from the start until the client had its answer; cores: Neo4j's "
          "mean CPU before the timeout;\nidle after timeout: seconds from the timeout until its "
          "CPU fell back to idle; RETURN 1 after it: whether another client was then served.")


if __name__ == "__main__":
    main()
