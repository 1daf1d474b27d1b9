"""The event loop's longest stall while the API builds one of the largest answers its shipped
limits allow, and how long a cheap question from another client waits meanwhile.

    .venv/bin/python -m bench.stall --rounds 5

Serves the app with uvicorn (as `revgraph serve` does) in a process of its own, with a probe
task on its loop that sleeps 1 ms at a time and records how late each wake-up is: the loop's
stalls. Each round asks the large question once and, while it runs, a cheap one again and
again from another client (the cheap one reads Neo4j: the response cache is off, so that
every round builds its answers). The rounds alternate between the shipped path, in turns
(api/graphql/turns.py), and every answer made in one go on the loop (``Turn.length``
infinite), so both sides share the machine's noise. Uses the Neo4j the settings name (the
local one by default, loaded with data/ as `make run` leaves it).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing
import socket
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

import httpx

from api.graphql.turns import TURN, Turn
from api.web.server import server as shipped_server
from schema.config import Config


def large_question(aliases: int = 16, prefix: str = "a") -> str:
    """One of the largest answers the shipped limits allow: the text of every passage of a
    hundred documents, asked ``aliases`` times over (the four orders of the list, in turn).
    Its estimated cost, 19,216 on data/ (REVGRAPH_MAX_COST is 20,000), counts the passages of
    a document at the guess of 10 (the graph's statistics do not size that list), while a
    document has up to 2,953: about 7 MB, under REVGRAPH_MAX_ANSWER's 16 MB. Another
    ``prefix`` for the aliases is another question for the response cache."""
    orders = [(by, order) for by in ("NAME", "ID") for order in ("ASC", "DESC")]
    fields = [f"{prefix}{i}: documents(first: 100, sortBy: {orders[i % 4][0]}, "
              f"order: {orders[i % 4][1]}) {{ nodes {{ passages {{ text }} }} }}"
              for i in range(aliases)]
    return "{\n  " + "\n  ".join(fields) + "\n}"


LARGE = large_question()
CHEAP = '{ place(id: "kursk") { id name lat lon } }'


@dataclass
class Probe:
    """The loop's lateness, measured by a task that sleeps ``every`` seconds at a time."""

    every: float = 0.001
    stalls: list[tuple[float, float]] = field(default_factory=list)  # (when, how late)
    running: bool = True

    async def run(self) -> None:
        while self.running:
            before = time.perf_counter()
            await asyncio.sleep(self.every)
            late = time.perf_counter() - before - self.every
            self.stalls.append((before, late))

    def longest(self, start: float, end: float) -> float:
        """The longest stall that began between ``start`` and ``end`` (perf_counter)."""
        return max((late for when, late in self.stalls if start <= when <= end), default=0.0)


def _serve(config: Config, neo4j: Any, port: int, conn: Connection) -> None:
    """The server process: the app on uvicorn with a ``Probe`` on its loop; answers the
    parent's questions over ``conn`` (a thread of its own, blocked on the pipe meanwhile)."""
    from api.app import create_app

    server = shipped_server(create_app(config, neo4j), config, "127.0.0.1", port,
                            log_level="warning")
    probe = Probe()

    def answer() -> None:
        while True:
            what, *args = conn.recv()
            if what == "longest":
                conn.send(probe.longest(*args))
            elif what == "turn":
                Turn.length = args[0]
                conn.send(None)
            elif what == "started":
                conn.send(server.started)
            else:
                server.should_exit = True
                conn.send(None)
                return

    async def main() -> None:
        task = asyncio.create_task(probe.run())
        try:
            await server.serve()
        finally:
            probe.running = False
            await task

    threading.Thread(target=answer, daemon=True).start()
    asyncio.run(main())


class Served:
    """The app served by another process (so that the clients here share no interpreter lock
    with its loop), as `revgraph serve` runs it, with a ``Probe`` on its loop."""

    def __init__(self, url: str, conn: Connection) -> None:
        self.url = url
        self._conn = conn

    def _ask(self, *what: Any) -> Any:
        self._conn.send(what)
        return self._conn.recv()

    def longest(self, start: float, end: float) -> float:
        """The loop's longest stall that began between ``start`` and ``end`` (perf_counter:
        one clock for both processes)."""
        return float(self._ask("longest", start, end))

    def turn(self, length: float) -> None:
        """Set ``Turn.length`` in the server (math.inf: every answer in one go)."""
        self._ask("turn", length)


@contextmanager
def served(config: Config, neo4j: Any = None) -> Iterator[Served]:
    """The app served by uvicorn in a process of its own, with a ``Probe`` on its loop."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mine, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(config, neo4j, port, theirs), daemon=True)
    process.start()
    there = Served(f"http://127.0.0.1:{port}", mine)
    try:
        deadline = time.monotonic() + 120
        while not there._ask("started"):
            if time.monotonic() > deadline or not process.is_alive():
                raise RuntimeError("the API did not start")
            time.sleep(0.1)
        yield there
    finally:
        if process.is_alive():
            mine.send(("stop",))
            process.join(timeout=30)
        if process.is_alive():
            process.kill()


@dataclass
class Round:
    large_s: float  # the large answer's time
    large_bytes: int
    stall_s: float  # the loop's longest stall meanwhile
    cheap_s: list[float]  # each cheap answer's time meanwhile


def one_round(there: Served, large: dict[str, Any]) -> Round:
    """The large question once, and cheap ones from another client until it is answered."""
    done = threading.Event()
    cheap: list[float] = []
    failures: list[str] = []

    def ask_cheap() -> None:
        with httpx.Client(base_url=there.url, timeout=30) as client:
            while not done.is_set():
                started = time.perf_counter()
                answer = client.post("/graphql", json={"query": CHEAP})
                took = time.perf_counter() - started
                if answer.status_code != 200 or "errors" in answer.json():
                    failures.append(answer.text[:200])
                if not done.is_set():
                    cheap.append(took)
                time.sleep(0.01)

    with httpx.Client(base_url=there.url, timeout=60) as client:
        client.post("/graphql", json={"query": CHEAP})  # a connection open, the app warm
        other = threading.Thread(target=ask_cheap)
        started = time.perf_counter()
        other.start()
        answer = client.post("/graphql", json=large)
        ended = time.perf_counter()
        done.set()
        other.join()
    body = answer.json()
    if answer.status_code != 200 or "errors" in body:
        raise RuntimeError(f"the large question failed: {answer.text[:300]}")
    if failures:
        raise RuntimeError(f"a cheap question failed: {failures[0]}")
    return Round(ended - started, len(answer.content), there.longest(started, ended), cheap)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="Interleaved rounds of each side.")
    args = parser.parse_args()
    config = Config.from_env().with_(response_cache=False)  # every round builds its answer
    large = {"query": LARGE}
    rounds: dict[bool, list[Round]] = {True: [], False: []}
    with served(config) as there:
        for yields in (True, False):  # warm both paths
            there.turn(TURN if yields else math.inf)
            one_round(there, large)
        for _ in range(args.rounds):
            for yields in (True, False):
                there.turn(TURN if yields else math.inf)
                rounds[yields].append(one_round(there, large))
    print(f"large answer: {rounds[True][0].large_bytes:,} bytes; {args.rounds} rounds each way")
    print(f"{'path':12} {'large ms':>9} {'stall ms':>9} {'max stall':>10} "
          f"{'cheap n':>8} {'cheap p50':>10} {'cheap max':>10}")
    for yields, name in ((True, "yielding"), (False, "one go")):
        rs = rounds[yields]
        cheap = [c for r in rs for c in r.cheap_s] or [float("nan")]
        print(f"{name:12} {statistics.median(r.large_s for r in rs) * 1000:9.1f} "
              f"{statistics.median(r.stall_s for r in rs) * 1000:9.1f} "
              f"{max(r.stall_s for r in rs) * 1000:10.1f} {len(cheap):8} "
              f"{statistics.median(cheap) * 1000:10.1f} {max(cheap) * 1000:10.1f}")
    for yields, name in ((True, "yielding"), (False, "one go")):
        print(f"{name}: the longest stall of each round (ms): "
              f"{', '.join(f'{r.stall_s * 1000:.0f}' for r in rounds[yields])}")


if __name__ == "__main__":
    main()
