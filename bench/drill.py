"""The scale-out drill: several API processes behind HAProxy, one Neo4j, load through the
balancer, and Neo4j stopped and started in the middle.

What runs, all on 127.0.0.1 and all started and stopped by the drill:
  - a Neo4j of its own (`revgraph neo4j start` in a temporary REVGRAPH_HOME), loaded with
    `revgraph load`;
  - N API processes (`revgraph serve`, each on its own port, NEO4J_URI pointing at that Neo4j);
  - HAProxy from Debian's packages (scripts/system-deps.sh installs it), round robin over the
    processes, from a configuration the drill writes into the same temporary folder. It names
    the process that answered in an `X-Upstream` header. Its health check asks `/health`
    (liveness), not `/ready`: while Neo4j is down every process still answers, with its own
    503 and Retry-After, and a process that does not answer at all is taken out.

The timeline: `--warm` seconds of load, `revgraph neo4j stop`, `--down` seconds without it,
`revgraph neo4j start`, then `--after` seconds more from when Neo4j answers again. Load is
`--concurrency` clients asking the README's headline questions and a few heavier ones
(QUESTIONS) through the balancer, without pause.

It prints the answers per time bucket (statuses, p50, p99), then for each process when it
answered again: its first 200 on `/ready` (polled every 100 ms, directly) and its first GraphQL
200 through the balancer, both counted from the moment the drill's own Bolt probe first ran
`RETURN 1` on the restarted Neo4j. The drill passes when every answer was a 200 or a 503 with
Retry-After, no 200 carried GraphQL errors, and every process answered within `--bound`
seconds (5) of Neo4j. Exit code 0 when it passes, 1 when not.

The response cache is off unless `--cache on`: with it on, a repeated question is answered from
memory and never reaches Neo4j, so the drill would not exercise the path it is about.

    .venv/bin/python -m bench.drill                                  # about 4 minutes
    .venv/bin/python -m bench.drill --warm 5 --down 3 --after 8      # the test's short run
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
UPSTREAM = "x-upstream"          # set by HAProxy on what a process answered: its server name
BALANCER_ERROR = "x-balancer"    # on HAProxy's own error pages (no process could answer)
POLL = 0.1                       # seconds between probes of Neo4j and of each /ready


@dataclass(frozen=True)
class Question:
    name: str
    weight: int
    query: str


# The README's headline questions (cheap), beside a search and the map of a day (heavier).
# Every id is in data/ and in tests/fixtures/mini, so the drill runs on either.
QUESTIONS: tuple[Question, ...] = (
    Question("place by id", 4, '{ place(id: "kursk") { id name kind lat lon aliases } }'),
    Question("control of Kursk", 4, """{
  controlOf(place: "kursk", on: "1917-12-01", calendar: JULIAN) {
    controller { __typename id name } alignment disputed confidence
    start { gregorian julian precision edtf } end { gregorian julian }
    citations { source { id name } quote locator }
  }
}"""),
    Question("claims about October", 2, """{
  claimsAbout(id: "october-revolution") {
    stances disputed
    claims { stance summary by { name } citations { source { title year } quote } }
  }
}"""),
    Question("places with fighting", 2, """{
  placesWithFighting(from: "1917-11-07", to: "1918-03-31") {
    place { id name lat lon }
    events { id name start { gregorian julian precision } end { gregorian } }
  }
}"""),
    Question("search", 1, '{ search(text: "Krsk", limit: 10) { id name } }'),
    Question("map of a day", 1, """{
  controlPeriods(from: "1917-12-01", to: "1917-12-01", calendar: JULIAN, first: 100) {
    totalCount
    nodes { place { id name lat lon } controller { __typename id name } alignment disputed
            start { gregorian julian precision } end { gregorian julian } }
  }
}"""),
)


@dataclass(frozen=True)
class Options:
    apis: int = 2
    concurrency: int = 8
    warm: float = 60.0
    down: float = 30.0
    after: float = 60.0
    bound: float = 5.0
    data: Path = ROOT / "data"
    bolt_port: int = 0            # 0: a free port, here and for every port below
    http_port: int = 0
    api_port: int = 0             # the first API process's port; the others follow it
    balancer_port: int = 0
    heap: str = "1g"
    pagecache: str = "512m"
    cache: bool = False
    keep: bool = False            # keep the temporary folder (logs, haproxy.cfg, the store)
    seed: int = 1917


# -- what was measured ----------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    done: float                   # seconds since the load began
    ms: float
    status: int                   # 0: no HTTP answer at all (the connection failed)
    question: str
    upstream: str                 # the process that answered ("" when none did)
    retry_after: bool
    errors: bool                  # a 200 whose body carried GraphQL errors
    note: str = ""


@dataclass
class Timeline:
    """Seconds since the load began."""

    stop_sent: float = float("nan")
    stopped: float = float("nan")
    start_sent: float = float("nan")
    back: float = float("nan")    # the drill's own Bolt probe first ran RETURN 1 again
    end: float = float("nan")
    ready: dict[str, float] = field(default_factory=dict)  # process: first /ready 200


@dataclass
class Report:
    answers: list[Answer]
    timeline: Timeline
    processes: dict[str, int]     # name: port
    options: Options
    load: tuple[float, float] = (float("nan"), float("nan"))  # 1-minute load average, start, end

    def statuses(self) -> Counter[int]:
        return Counter(a.status for a in self.answers)

    def first_200(self, process: str) -> float:
        """The first GraphQL 200 through the balancer from ``process`` once Neo4j answered."""
        after = [a.done for a in self.answers
                 if a.upstream == process and a.status == 200 and a.done >= self.timeline.back]
        return min(after, default=float("inf"))

    def recovery(self) -> dict[str, tuple[float, float]]:
        """Per process: seconds from Neo4j answering to its first /ready 200 and to its first
        GraphQL 200 through the balancer (negative: already in flight when Neo4j answered)."""
        back = self.timeline.back
        return {p: (self.timeline.ready.get(p, float("inf")) - back, self.first_200(p) - back)
                for p in self.processes}

    def failures(self) -> list[str]:
        found = []
        other = {s: n for s, n in self.statuses().items() if s not in (200, 503)}
        if other:
            notes = _most_common(a for a in self.answers if a.status not in (200, 503))
            found.append(f"answers other than 200 or 503: {dict(sorted(other.items()))}; {notes}")
        bare = sum(1 for a in self.answers if a.status == 503 and not a.retry_after)
        if bare:
            found.append(f"{bare} 503 answers without Retry-After")
        errors = [a for a in self.answers if a.status == 200 and a.errors]
        if errors:
            states = sorted({_state(self.timeline, a.done) for a in errors})
            found.append(f"{len(errors)} 200 answers carried GraphQL errors, at {errors[0].done:.1f} "
                         f"to {errors[-1].done:.1f} s (Neo4j {', '.join(states)}): {_most_common(errors)} "
                         "(the processes' logs, kept with --keep, tell more)")
        if self.timeline.back != self.timeline.back:  # NaN: never measured
            found.append("Neo4j never answered again")
        for p, (ready, graphql) in self.recovery().items():
            if max(ready, graphql) > self.options.bound:
                found.append(f"{p} answered {ready:+.2f} s (/ready) and {graphql:+.2f} s (GraphQL) "
                             f"after Neo4j, more than {self.options.bound:g} s")
        return found


def _most_common(answers: Iterable[Answer]) -> str:
    counts = Counter(a.note for a in answers)
    return "; ".join(f"{n} x {note!r}" for note, n in counts.most_common(3))


# -- the parts: Neo4j, the API processes, HAProxy -------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _clean_env() -> dict[str, str]:
    """This environment without any Neo4j or revgraph setting (an exported NEO4J_URI must not
    send the drill's load to another graph), except where Neo4j's jars are cached."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith(("NEO4J_", "REVGRAPH_")) or k == "REVGRAPH_CACHE"}


def haproxy_binary() -> str:
    found = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists()
                                        else None)
    if found is None:
        raise RuntimeError("HAProxy is not installed: `scripts/system-deps.sh` (run by `make "
                           "test`) installs it from Debian's packages (apt-get install haproxy)")
    return found


def haproxy_config(port: int, processes: dict[str, int], error_page: Path) -> str:
    servers = "\n".join(f"    server {name} 127.0.0.1:{p} check" for name, p in processes.items())
    return f"""# Written by bench/drill.py for one drill; loopback only.
global
    maxconn 2048

defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # No process could be reached: HAProxy's own 503, with Retry-After (bench/drill.py).
    errorfile 503 {error_page}

frontend drill
    bind 127.0.0.1:{port}
    default_backend api
    http-response set-header X-Upstream %[srv_name]

backend api
    balance roundrobin
    # Liveness, not readiness: with Neo4j down every process still answers its own 503.
    option httpchk GET /health
    http-check expect status 200
    default-server inter 1s fall 2 rise 1
{servers}
"""


ERROR_PAGE = ("HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\n"
              "Content-Type: application/json\r\nRetry-After: 1\r\nX-Balancer: haproxy\r\n\r\n"
              '{"errors": [{"message": "no API process could answer; try again shortly"}]}\n')


class Stack:
    """Neo4j, the API processes and HAProxy, in one temporary folder; stopped by ``close``."""

    def __init__(self, opts: Options, folder: Path) -> None:
        self.opts = opts
        self.folder = folder
        self.bolt_port = opts.bolt_port or free_port()
        self.http_port = opts.http_port or free_port()
        self.balancer_port = opts.balancer_port or free_port()
        first = opts.api_port
        self.processes = {f"api{i + 1}": (first + i if first else free_port())
                          for i in range(opts.apis)}
        self.children: list[subprocess.Popen[bytes]] = []
        self.neo4j_started = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.balancer_port}"

    def neo4j_env(self) -> dict[str, str]:
        return {**_clean_env(), "REVGRAPH_HOME": str(self.folder / "neo4j-home"),
                "REVGRAPH_BOLT_PORT": str(self.bolt_port), "REVGRAPH_HTTP_PORT": str(self.http_port),
                "REVGRAPH_NEO4J_HEAP": self.opts.heap, "REVGRAPH_NEO4J_PAGECACHE": self.opts.pagecache}

    def revgraph(self, *args: str) -> str:
        """Run the revgraph command on the drill's Neo4j; its output, or an error with it."""
        result = subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=ROOT,
                                env=self.neo4j_env(), capture_output=True, text=True)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
            raise RuntimeError(f"revgraph {' '.join(args)} failed:\n{tail}")
        return result.stdout

    def start_neo4j(self) -> None:
        self.neo4j_started = True
        self.revgraph("neo4j", "start")
        self.revgraph("load", str(self.opts.data))

    def password(self) -> str:
        return (self.folder / "neo4j-home" / "neo4j-password").read_text().strip()

    def start_apis(self) -> None:
        for name, port in self.processes.items():
            env = {**_clean_env(), "NEO4J_URI": f"bolt://127.0.0.1:{self.bolt_port}",
                   "NEO4J_USER": "neo4j", "NEO4J_PASSWORD": self.password(),
                   "NEO4J_DATABASE": "neo4j", "REVGRAPH_HOME": str(self.folder / name),
                   "REVGRAPH_RESPONSE_CACHE": "on" if self.opts.cache else "off"}
            log = (self.folder / f"{name}.log").open("wb")
            self.children.append(subprocess.Popen(
                [sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1", "--port",
                 str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL))
        for name, port in self.processes.items():
            self._wait(f"http://127.0.0.1:{port}/ready", name)

    def warm_up(self) -> None:
        """Each question once on each process, unmeasured: Neo4j plans them and the API
        compiles them, so that the first seconds of load measure the steady state."""
        for port in self.processes.values():
            for q in QUESTIONS:
                httpx.post(f"http://127.0.0.1:{port}/graphql", json={"query": q.query}, timeout=60)

    def start_balancer(self) -> None:
        error_page = self.folder / "503.http"
        error_page.write_text(ERROR_PAGE)
        config = self.folder / "haproxy.cfg"
        config.write_text(haproxy_config(self.balancer_port, self.processes, error_page))
        binary = haproxy_binary()
        check = subprocess.run([binary, "-c", "-q", "-f", str(config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"HAProxy refused {config}:\n{check.stdout}{check.stderr}")
        log = (self.folder / "haproxy.log").open("wb")
        self.children.append(subprocess.Popen([binary, "-db", "-f", str(config)], stdout=log,
                                              stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL))
        self._wait(f"{self.url}/ready", "haproxy")

    def _wait(self, url: str, name: str, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for child in self.children:
                if child.poll() is not None:
                    raise RuntimeError(f"{child.args!r} exited ({child.returncode}); "
                                       f"see the logs in {self.folder} (--keep keeps them)")
            try:
                if httpx.get(url, timeout=3).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{name} did not answer 200 on {url} within {timeout:.0f} s")

    def close(self) -> None:
        for child in reversed(self.children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self.children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        if self.neo4j_started:
            self.revgraph("neo4j", "stop")


@contextmanager
def stack(opts: Options) -> Iterator[Stack]:
    folder = Path(tempfile.mkdtemp(prefix="revgraph-drill-"))
    s = Stack(opts, folder)
    try:
        s.start_neo4j()
        s.start_apis()
        s.warm_up()
        s.start_balancer()
        yield s
    finally:
        s.close()
        if opts.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


# -- the load and the timeline --------------------------------------------------------------

class Drill:
    def __init__(self, s: Stack) -> None:
        self.stack = s
        self.opts = s.opts
        self.t0 = time.monotonic()
        self.answers: list[Answer] = []
        self.timeline = Timeline()
        self.done = asyncio.Event()

    def now(self) -> float:
        return time.monotonic() - self.t0

    async def client(self, http: httpx.AsyncClient, rng: random.Random) -> None:
        weights = [q.weight for q in QUESTIONS]
        while not self.done.is_set():
            q = rng.choices(QUESTIONS, weights)[0]
            sent = time.monotonic()
            try:
                r = await http.post("/graphql", json={"query": q.query})
            except httpx.HTTPError as exc:
                self.answers.append(Answer(self.now(), (time.monotonic() - sent) * 1000, 0, q.name,
                                           "", False, False, type(exc).__name__))
                await asyncio.sleep(POLL)  # a refused connection must not spin
                continue
            ms = (time.monotonic() - sent) * 1000
            errors = r.json().get("errors") if r.status_code == 200 else None
            note = errors[0].get("message", "")[:120] if errors else (
                "" if r.status_code in (200, 503) else r.text[:120])
            upstream = r.headers.get(UPSTREAM, "") if BALANCER_ERROR not in r.headers else ""
            self.answers.append(Answer(self.now(), ms, r.status_code, q.name, upstream,
                                       "retry-after" in r.headers, bool(errors), note))

    async def neo4j_answers(self) -> float:
        """When the drill's own Bolt connection (a new one each time) first runs RETURN 1."""
        from neo4j import AsyncGraphDatabase

        uri = f"bolt://127.0.0.1:{self.stack.bolt_port}"
        auth = ("neo4j", self.stack.password())
        while True:
            try:
                # Generous waits: on a busy machine a first connection to a Neo4j that has just
                # started takes seconds, and a probe that gives up early reports it back late.
                async with asyncio.timeout(10), AsyncGraphDatabase.driver(
                        uri, auth=auth, connection_timeout=5) as driver:
                    async with driver.session(database="neo4j") as session:
                        await (await session.run("RETURN 1")).consume()
                return self.now()
            except Exception:  # noqa: BLE001 - not answering yet, whatever the error says
                await asyncio.sleep(POLL)

    async def ready(self, http: httpx.AsyncClient, name: str, port: int) -> None:
        while True:
            try:
                r = await http.get(f"http://127.0.0.1:{port}/ready", timeout=5)
                if r.status_code == 200:
                    self.timeline.ready[name] = self.now()
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(POLL)

    async def scenario(self) -> None:
        tl = self.timeline
        await asyncio.sleep(self.opts.warm)
        tl.stop_sent = self.now()
        await asyncio.to_thread(self.stack.revgraph, "neo4j", "stop")
        tl.stopped = self.now()
        await asyncio.sleep(self.opts.down)
        tl.start_sent = self.now()
        async with httpx.AsyncClient() as http:
            probes = [asyncio.create_task(self.ready(http, n, p))
                      for n, p in self.stack.processes.items()]
            back = asyncio.create_task(self.neo4j_answers())
            await asyncio.to_thread(self.stack.revgraph, "neo4j", "start")
            tl.back = await back
            # A process not ready within the after-phase is a failure, measured as never.
            await asyncio.wait(probes, timeout=self.opts.after)
            await asyncio.sleep(max(0.0, tl.back + self.opts.after - self.now()))
            for p in probes:
                p.cancel()
        tl.end = self.now()
        self.done.set()

    async def run(self) -> Report:
        load_before = os.getloadavg()[0]
        limits = httpx.Limits(max_connections=self.opts.concurrency)
        async with httpx.AsyncClient(base_url=self.stack.url, limits=limits, timeout=30) as http:
            rng = random.Random(self.opts.seed)
            clients = [asyncio.create_task(self.client(http, random.Random(rng.random())))
                       for _ in range(self.opts.concurrency)]
            try:
                await self.scenario()
            finally:
                self.done.set()
                await asyncio.gather(*clients)
        return Report(self.answers, self.timeline, dict(self.stack.processes), self.opts,
                      (load_before, os.getloadavg()[0]))


def run(opts: Options) -> Report:
    with stack(opts) as s:
        return asyncio.run(Drill(s).run())


# -- the printout ---------------------------------------------------------------------------

def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _state(tl: Timeline, t: float) -> str:
    if t < tl.stop_sent:
        return "up"
    if t < tl.stopped:
        return "stopping"
    if t < tl.start_sent:
        return "down"
    if t < tl.back:
        return "starting"
    return "back"


def table(report: Report, every: float) -> str:
    """Answers per bucket of ``every`` seconds (by when they arrived), with Neo4j's state at
    the bucket's start."""
    tl = report.timeline
    lines = [f"{'t (s)':>7} {'neo4j':>9} {'200':>6} {'503':>6} {'other':>6} {'req/s':>7} "
             f"{'p50 ms':>8} {'p99 ms':>8}", "-" * 62]
    buckets: dict[int, list[Answer]] = {}
    for a in report.answers:
        buckets.setdefault(int(a.done // every), []).append(a)
    for b in range(int(tl.end // every) + 1):
        got = buckets.get(b, [])
        counts = Counter(a.status for a in got)
        ms = [a.ms for a in got]
        lines.append(f"{b * every:>7.0f} {_state(tl, b * every):>9} {counts[200]:>6} {counts[503]:>6} "
                     f"{len(got) - counts[200] - counts[503]:>6} {len(got) / every:>7.1f} "
                     f"{_quantile(ms, 0.5):>8.1f} {_quantile(ms, 0.99):>8.1f}")
    return "\n".join(lines)


def summary(report: Report) -> str:
    tl, opts = report.timeline, report.options
    counts = report.statuses()
    balancer = sum(1 for a in report.answers if a.status == 503 and not a.upstream)
    lines = [
        f"{opts.apis} API processes behind HAProxy, concurrency {opts.concurrency}, response cache "
        f"{'on' if opts.cache else 'off'}, data {opts.data.name}/; machine: {os.cpu_count()} cores, "
        f"load average {report.load[0]:.1f} at the start, {report.load[1]:.1f} at the end",
        f"answers: {len(report.answers):,} in {tl.end:.0f} s; "
        + ", ".join(f"{s or 'no answer'} x {n:,}" for s, n in sorted(counts.items()))
        + f"; 503s from HAProxy itself: {balancer}",
        f"Neo4j: stop at {tl.stop_sent:.1f} s (down {tl.stopped - tl.stop_sent:.1f} s later), start at "
        f"{tl.start_sent:.1f} s, answering the drill's own Bolt probe at {tl.back:.1f} s "
        f"({tl.back - tl.start_sent:.1f} s to start)",
        "",
        f"{'phase':<34} {'answers':>8} {'200':>7} {'503':>7} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    phases = (("before the stop", 0.0, tl.stop_sent),
              ("stop sent to Neo4j answering", tl.stop_sent, tl.back),
              (f"Neo4j answering to +{opts.bound:g} s", tl.back, tl.back + opts.bound),
              (f"+{opts.bound:g} s to the end", tl.back + opts.bound, tl.end + 1))
    for name, lo, hi in phases:
        got = [a for a in report.answers if lo <= a.done < hi]
        c = Counter(a.status for a in got)
        ok = [a.ms for a in got if a.status == 200]
        lines.append(f"{name:<34} {len(got):>8,} {c[200]:>7,} {c[503]:>7,} "
                     f"{_quantile(ok, 0.5):>8.1f} {_quantile(ok, 0.99):>8.1f}")
    lines += ["", f"{'process':<8} {'port':>6} {'/ready 200':>11} {'GraphQL 200':>12} "
                  f"{'503 after':>10}   (seconds after Neo4j answered; 503s it sent after then)"]
    for p, (ready, graphql) in report.recovery().items():
        late = sum(1 for a in report.answers if a.upstream == p and a.status == 503 and a.done >= tl.back)
        lines.append(f"{p:<8} {report.processes[p]:>6} {ready:>+11.2f} {graphql:>+12.2f} {late:>10}")
    by_q = {q.name: [a.ms for a in report.answers if a.question == q.name and a.status == 200]
            for q in QUESTIONS}
    lines += ["", "p50 of 200 answers by question (ms): " + ", ".join(
        f"{n} {statistics.median(v):.1f}" for n, v in by_q.items() if v)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    d = Options()
    parser.add_argument("--apis", type=int, default=d.apis, help="API processes (at least 2).")
    parser.add_argument("--concurrency", type=int, default=d.concurrency)
    parser.add_argument("--warm", type=float, default=d.warm, help="Seconds of load before the stop.")
    parser.add_argument("--down", type=float, default=d.down, help="Seconds Neo4j stays stopped.")
    parser.add_argument("--after", type=float, default=d.after,
                        help="Seconds of load after Neo4j answers again.")
    parser.add_argument("--bound", type=float, default=d.bound,
                        help="Seconds each process may take to answer 200 after Neo4j does.")
    parser.add_argument("--data", type=Path, default=d.data, help="What `revgraph load` loads.")
    parser.add_argument("--every", type=float, default=5, help="Seconds per row of the table.")
    for name in ("bolt-port", "http-port", "api-port", "balancer-port"):
        parser.add_argument(f"--{name}", type=int, default=0, help="Default: a free port.")
    parser.add_argument("--heap", default=d.heap, help="The drill's Neo4j heap.")
    parser.add_argument("--pagecache", default=d.pagecache, help="The drill's Neo4j page cache.")
    parser.add_argument("--cache", choices=("on", "off"), default="off",
                        help="The API's response cache (off: every question reaches Neo4j).")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary folder.")
    parser.add_argument("--seed", type=int, default=d.seed)
    args = parser.parse_args()
    if args.apis < 2:
        parser.error("--apis: a scale-out drill needs at least 2 API processes")
    opts = Options(apis=args.apis, concurrency=args.concurrency, warm=args.warm, down=args.down,
                   after=args.after, bound=args.bound, data=args.data.resolve(),
                   bolt_port=args.bolt_port, http_port=args.http_port, api_port=args.api_port,
                   balancer_port=args.balancer_port, heap=args.heap, pagecache=args.pagecache,
                   cache=args.cache == "on", keep=args.keep, seed=args.seed)
    report = run(opts)
    print(table(report, args.every))
    print()
    print(summary(report))
    failures = report.failures()
    print()
    print("drill: PASS" if not failures else "drill: FAIL\n  " + "\n  ".join(failures))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
