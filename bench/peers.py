"""revgraph beside its peers, in one run on the same Neo4j and data.

Targets (each its own server process):
  revgraph        the API, response cache off (REVGRAPH_RESPONSE_CACHE=off)
  revgraph+cache  the API, response cache on (the default)
  peer            @neo4j/graphql on Apollo Server (bench/peers/, generated filters, no @cypher)
  bare-rev        the bare async driver running revgraph's own Cypher (bench/bare.py)
  bare-hand       the bare async driver running one hand-written query per question
  floor           an ASGI app that does nothing on the same uvicorn (bench/floor.py), named in
                  --targets: the machine's own latency spread, under any p99 over p50

First it checks that revgraph and the peer give the same answers (bench/questions.py says what
is compared), then it measures every question at each concurrency with a load client (wrk with
bench/wrk.lua when installed, else an asyncio+httpx client), cells interleaved (the targets'
order rotates) over several rounds, with fixed parameters (the README's) and a seeded mix.
Server CPU per request comes from /proc/<pid>/stat of the server (and of Neo4j: "db"), RSS
from /proc/<pid>/status at the end of a cell. Not a test: it asserts nothing about speed.

    make bench-peers                                   # the real run (see --help for its length)
    .venv/bin/python -m bench.peers --seconds 3 --rounds 1          # a smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.peer_schema import type_defs
from bench.questions import (
    POOLS_CYPHER,
    QUESTIONS,
    Question,
    agree,
    mix,
    peer_answer_for,
    pools_from,
    with_cursor,
)
from bench.where import PROJECT_ROOT, settings
from graph.db import open_driver, read
from schema.config import Config

BENCH = PROJECT_ROOT / "bench"
PEERS = BENCH / "peers"
TICK = os.sysconf("SC_CLK_TCK")
TARGETS = ("revgraph", "revgraph+cache", "peer", "bare-rev", "bare-hand")
FLOOR = "floor"  # bench/floor.py, served when named in --targets


# -- processes ------------------------------------------------------------------------------

def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (and its waited-for children) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    utime, stime, cutime, cstime = (int(x) for x in fields[11:15])
    return (utime + stime + cutime + cstime) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


@dataclass
class Server:
    name: str
    url: str  # where the questions are POSTed
    argv: list[str]
    env: dict[str, str]
    ready: str  # a URL that answers once the server is up
    proc: subprocess.Popen[bytes] | None = None
    cwd: Path = PROJECT_ROOT

    def start(self, log_dir: Path) -> None:
        log = open(log_dir / f"{self.name}.log", "wb")
        self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdout=log,
                                     stderr=subprocess.STDOUT)

    def wait(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.proc.returncode}: see its log")
            try:
                httpx.get(self.ready, timeout=2)
                return
            except httpx.TransportError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer at {self.ready} within {timeout:.0f} s")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


BASELINE = "revgraph@base"  # the baseline checkout, response cache off
CACHED_BASELINE = "revgraph+cache@base"  # the same, response cache on (named in --targets)
BASELINES = {BASELINE: "off", CACHED_BASELINE: "on"}


def servers(port: int, neo4j_env: dict[str, str], baseline: Path | None = None,
            baselines: tuple[str, ...] = (BASELINE,), floor: bool = False) -> dict[str, Server]:
    """The HTTP servers of a run, each on its port from ``port`` on. ``baseline``: another
    checkout of revgraph (a git worktree of an earlier commit) served beside this one as the
    targets ``baselines``, so that a change is measured before and after in the same run, on
    the same machine load."""
    py = sys.executable
    uvicorn = [py, "-m", "uvicorn", "api.app:app_from_env", "--factory", "--host", "127.0.0.1",
               "--log-level", "warning", "--port"]
    env = {**os.environ, **neo4j_env}
    out = {
        "revgraph": Server("revgraph", f"http://127.0.0.1:{port}/graphql", [*uvicorn, str(port)],
                           {**env, "REVGRAPH_RESPONSE_CACHE": "off"},
                           f"http://127.0.0.1:{port}/health"),
        "revgraph+cache": Server("revgraph+cache", f"http://127.0.0.1:{port + 1}/graphql",
                                 [*uvicorn, str(port + 1)],
                                 {**env, "REVGRAPH_RESPONSE_CACHE": "on"},
                                 f"http://127.0.0.1:{port + 1}/health"),
        "peer": Server("peer", f"http://127.0.0.1:{port + 2}/", ["node", str(PEERS / "server.mjs")],
                       {**env, "PORT": str(port + 2), "NODE_ENV": "production"},
                       f"http://127.0.0.1:{port + 2}/"),
        "bare": Server("bare", f"http://127.0.0.1:{port + 3}", [py, "-m", "bench.bare", "--port",
                                                                  str(port + 3)], env,
                       f"http://127.0.0.1:{port + 3}/"),
    }
    for i, name in enumerate(baselines if baseline is not None else ()):
        # Its own modules first on the path; the same virtualenv and the same Neo4j.
        at = port + 4 + i
        out[name] = Server(name, f"http://127.0.0.1:{at}/graphql", [*uvicorn, str(at)],
                           {**env, "REVGRAPH_RESPONSE_CACHE": BASELINES[name],
                            "PYTHONPATH": str(baseline.resolve())},
                           f"http://127.0.0.1:{at}/health")
        out[name].cwd = baseline.resolve()
    if floor:
        at = port + 6
        out[FLOOR] = Server(FLOOR, f"http://127.0.0.1:{at}/graphql",
                            [py, "-m", "uvicorn", "bench.floor:app", "--host", "127.0.0.1",
                             "--log-level", "warning", "--port", str(at)], env,
                            f"http://127.0.0.1:{at}/health")
    return out


def url_of(target: str, procs: dict[str, Server]) -> str:
    if target == "bare-rev":
        return procs["bare"].url + "/revgraph"
    if target == "bare-hand":
        return procs["bare"].url + "/hand"
    return procs[target].url


def process_of(target: str) -> str:
    return "bare" if target.startswith("bare") else target


@contextmanager
def neo4j(keep: bool) -> Iterator[dict[str, str]]:
    """The Neo4j to use: NEO4J_URI when set, else the project's local server (started, then
    loaded with data/ by `revgraph load`; stopped afterwards if this run started it)."""
    s = settings()
    if not s.local:
        yield {"NEO4J_URI": s.uri, "NEO4J_USER": s.user, "NEO4J_PASSWORD": s.password}
        return
    from graph.server import LocalServer

    server = LocalServer(Config.from_env())
    started = server.start()
    try:
        subprocess.run([str(Path(sys.executable).parent / "revgraph"), "load"], check=True,
                       cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL)
        yield {"NEO4J_URI": server.bolt_uri, "NEO4J_USER": server.user,
               "NEO4J_PASSWORD": server.password()}
    finally:
        if started and not keep:
            server.stop()


def neo4j_pid() -> int | None:
    s = settings()
    if not s.local:
        return None
    from graph.server import LocalServer

    return LocalServer(Config.from_env()).pid()


# -- request bodies -------------------------------------------------------------------------

def bodies(q: Question, target: str, params: list[dict[str, Any]]) -> list[str]:
    if target in ("revgraph", "revgraph+cache", "bare-rev", FLOOR, *BASELINES):
        return [json.dumps({"query": q.revgraph, "variables": q.rev_vars(p)}) for p in params]
    if target == "peer":
        return [json.dumps({"query": q.peer, "variables": q.peer_vars(p)}) for p in params]
    return [json.dumps({"q": q.name, "params": q.hand_params(p)}) for p in params]


def check(procs: dict[str, Server], sets: dict[tuple[str, str], list[dict[str, Any]]],
          per_question: int, base_differs: set[str] | None = None) -> int:
    """Compare revgraph's and the peer's answers (and the cached API's with the uncached);
    return the number of differences, printing the first of each question. The questions a
    baseline answers otherwise (a changed contract, such as another cursor format) are added
    to ``base_differs``: the baseline is not measured on them."""
    bad = 0
    with httpx.Client(timeout=60) as client:
        for q in QUESTIONS:
            params = sets[(q.name, "fixed")] + sets[(q.name, "mix")][:per_question]
            same = 0
            for p in params:
                rev = client.post(procs["revgraph"].url,
                                  json={"query": q.revgraph, "variables": q.rev_vars(p)}).json()
                cached = client.post(procs["revgraph+cache"].url,
                                     json={"query": q.revgraph, "variables": q.rev_vars(p)}).json()
                peer = client.post(procs["peer"].url,
                                   json={"query": q.peer, "variables": q.peer_vars(p)}).json()
                for who, body in (("revgraph", rev), ("peer", peer)):
                    if body.get("errors"):
                        raise SystemExit(f"{q.name} {p}: {who} answered with errors: "
                                         f"{json.dumps(body['errors'])[:800]}")
                a, b = q.rev_answer(rev["data"]), peer_answer_for(q, p, peer["data"])
                for name in (b for b in BASELINES if b in procs and base_differs is not None):
                    base = client.post(procs[name].url, json={
                        "query": q.revgraph, "variables": q.rev_vars(p)}).json()
                    if base.get("data") != rev["data"] and q.name not in base_differs:
                        print(f"  the baseline answers {q.name} otherwise "
                              f"({json.dumps(base)[:200]}): not measured on it")
                        base_differs.add(q.name)
                if agree(q, a, b) and cached.get("data") == rev["data"]:
                    same += 1
                    continue
                print(f"  DIFFERENT: {q.name} {p}\n    revgraph: {json.dumps(a)[:600]}\n"
                      f"    peer:     {json.dumps(b)[:600]}")
                bad += 1
            print(f"  {q.name:24} {same}/{len(params)} answers identical")
    return bad


# -- load clients ---------------------------------------------------------------------------

@dataclass
class Cell:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    cpu_s: float = 0.0
    db_cpu_s: float = 0.0
    rss_mb: float = 0.0


def run_wrk(url: str, body_file: Path, conc: int, seconds: float) -> Cell:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{conc}", f"-d{int(seconds)}s", "--timeout", "30s", "-s",
         str(BENCH / "wrk.lua"), url, "--", str(body_file)],
        capture_output=True, text=True, check=True).stdout
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    r = json.loads(line[len("RESULT "):])
    return Cell(r["requests"], r["duration_us"] / 1e6, r["p50_us"] / 1000, r["p99_us"] / 1000,
                r["status_errors"] + r["other_errors"])


def _quantile(ordered: list[float], f: float) -> float:
    return ordered[min(len(ordered) - 1, int(f * len(ordered)))] * 1000 if ordered else math.nan


def run_httpx(url: str, body_file: Path, conc: int, seconds: float) -> Cell:
    """The fallback client: ``conc`` connections in one asyncio loop, for ``seconds``."""
    lines = body_file.read_text().splitlines()

    async def go() -> Cell:
        latencies: list[float] = []
        errors = 0
        counter = 0
        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
        async with httpx.AsyncClient(timeout=30, limits=limits) as client:
            end = time.perf_counter() + seconds

            async def worker() -> None:
                nonlocal counter, errors
                while time.perf_counter() < end:
                    body = lines[counter % len(lines)]
                    counter += 1
                    t0 = time.perf_counter()
                    r = await client.post(url, content=body,
                                          headers={"content-type": "application/json"})
                    latencies.append(time.perf_counter() - t0)
                    errors += r.status_code >= 400

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(conc)))
            took = time.perf_counter() - t0
        latencies.sort()
        return Cell(len(latencies), took, _quantile(latencies, 0.5), _quantile(latencies, 0.99),
                    errors)

    return asyncio.run(go())


# -- the report -----------------------------------------------------------------------------

@dataclass
class Figures:
    cells: list[Cell] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return sum(c.requests for c in self.cells) / max(1e-9, sum(c.seconds for c in self.cells))

    @property
    def p50(self) -> float:
        return statistics.median(c.p50_ms for c in self.cells)

    @property
    def p99(self) -> float:
        return statistics.median(c.p99_ms for c in self.cells)

    def per_request_ms(self, attr: str) -> float:
        n = sum(c.requests for c in self.cells)
        return 1000 * sum(getattr(c, attr) for c in self.cells) / n if n else math.nan

    @property
    def rss(self) -> float:
        return max(c.rss_mb for c in self.cells)

    @property
    def errors(self) -> int:
        return sum(c.errors for c in self.cells)

    @property
    def answered(self) -> bool:
        """Whether any request finished within the cells (a slow question at c=32 in short
        cells may have none: its figures are then unknown, not zero)."""
        return any(c.requests for c in self.cells)


def geomean(values: list[float]) -> float:
    values = [v for v in values if v > 0 and math.isfinite(v)]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else math.nan


RATIOS = (("rev/peer", "revgraph", "peer"), ("rev/bare", "revgraph", "bare-rev"),
          ("rev/hand", "revgraph", "bare-hand"), ("cache/peer", "revgraph+cache", "peer"),
          ("cache/rev", "revgraph+cache", "revgraph"), ("rev/base", "revgraph", BASELINE),
          ("cache/base", "revgraph+cache", CACHED_BASELINE))


def report(results: dict[tuple[str, str, int, str], Figures], modes: list[str],
           concurrency: list[int], targets: list[str], questions: list[Question]) -> str:
    lines = [f"{'question':24} {'params':6} {'c':>3} {'target':19} {'req/s':>8} {'p50 ms':>8} "
             f"{'p99 ms':>8} {'p99/p50':>7} {'cpu ms/req':>10} {'db ms/req':>9} {'rss MB':>7} "
             f"{'errors':>6}"]
    lines.append("-" * len(lines[0]))
    for q in questions:
        for mode in modes:
            for c in concurrency:
                for t in targets:
                    f = results.get((q.name, mode, c, t))
                    if not f or not f.cells:
                        continue
                    if not f.answered:
                        lines.append(f"{q.name:24} {mode:6} {c:3d} {t:19} no request finished "
                                     f"within a cell (rss {f.rss:.1f} MB)")
                        continue
                    lines.append(f"{q.name:24} {mode:6} {c:3d} {t:19} {f.rps:8.1f} {f.p50:8.2f} "
                                 f"{f.p99:8.2f} {f.p99 / f.p50:7.2f} "
                                 f"{f.per_request_ms('cpu_s'):10.2f} "
                                 f"{f.per_request_ms('db_cpu_s'):9.2f} {f.rss:7.1f} {f.errors:6d}")
    ratios = [(name, a, b) for name, a, b in RATIOS if a in targets and b in targets]
    head = f"{'question':24} {'params':6} {'c':>3} " + " ".join(f"{n:>10}" for n, _, _ in ratios)
    lines += ["", "req/s ratios", head, "-" * len(head)]
    per: dict[tuple[str, int, str], list[float]] = defaultdict(list)
    for q in questions:
        for mode in modes:
            for c in concurrency:
                row = []
                for name, a, b in ratios:
                    fa, fb = results.get((q.name, mode, c, a)), results.get((q.name, mode, c, b))
                    ok = fa and fb and fa.answered and fb.answered
                    v = fa.rps / fb.rps if ok else math.nan  # type: ignore[union-attr]
                    per[(mode, c, name)].append(v)
                    row.append(f"{v:10.2f}")
                lines.append(f"{q.name:24} {mode:6} {c:3d} " + " ".join(row))
    lines += ["", "geometric means over the questions (nan ratios left out)",
              head.replace("question", "        "), "-" * len(head)]
    for mode in modes:
        for c in concurrency:
            lines.append(f"{'':24} {mode:6} {c:3d} " + " ".join(
                f"{geomean(per[(mode, c, name)]):10.2f}" for name, _, _ in ratios))
    return "\n".join(lines)


# -- main -----------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="The default run: 7 questions x 2 parameter sets x "
                                     "3 concurrencies x 5 targets x 3 rounds of 10 s cells, "
                                     "about 1 h 50 min.")
    parser.add_argument("--seconds", type=int, default=10, help="Length of a cell.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds of interleaved cells.")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--modes", default="fixed,mix", help="fixed, mix or both.")
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--questions", default="",
                        help="Comma-separated question numbers (1-7); default all.")
    parser.add_argument("--variants", type=int, default=300, help="Parameter sets in the mix.")
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--check", type=int, default=20,
                        help="Mix parameter sets per question whose answers are compared.")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8100")),
                        help="First of the servers' ports: this one to +3, +4 and +5 for "
                        "--baseline, +6 for the floor.")
    parser.add_argument("--client", choices=("auto", "wrk", "httpx"), default="auto")
    parser.add_argument("--save", type=Path, help="Also write every cell's figures to this JSON.")
    parser.add_argument("--keep-neo4j", action="store_true",
                        help="Leave the local Neo4j running if this run started it.")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="Also serve the revgraph checked out in DIR (e.g. `git worktree add "
                        f"DIR HEAD~1`) as the target {BASELINE}, and print revgraph's ratio to it: "
                        "a change measured before and after in one run. Name "
                        f"{CACHED_BASELINE} in --targets to serve it with its response cache "
                        "on as well (or instead).")
    args = parser.parse_args()

    concurrency = [int(x) for x in args.concurrency.split(",")]
    modes = [m for m in args.modes.split(",") if m]
    targets = [t for t in args.targets.split(",") if t]
    if args.baseline and not any(b in targets for b in BASELINES):
        targets.append(BASELINE)
    baselines = tuple(b for b in BASELINES if b in targets)
    questions = ([QUESTIONS[int(i) - 1] for i in args.questions.split(",")] if args.questions
                 else list(QUESTIONS))
    client = args.client if args.client != "auto" else ("wrk" if shutil.which("wrk") else "httpx")
    load = run_wrk if client == "wrk" else run_httpx
    if not (PEERS / "node_modules" / "@neo4j" / "graphql").exists():
        raise SystemExit("The peer is not installed: run `make bench-peers` (npm ci in bench/peers).")
    sdl = PEERS / "typeDefs.graphql"
    if sdl.read_text() != type_defs():  # the model changed since it was generated
        sdl.write_text(type_defs())
        print(f"{sdl.relative_to(PROJECT_ROOT)} regenerated from schema/model.py: commit it.")

    with neo4j(args.keep_neo4j) as neo4j_env, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        s = settings()
        with open_driver(s) as driver:
            pools = pools_from(read(driver, s.database, POOLS_CYPHER)[0])
        sets = {(q.name, "fixed"): [with_cursor(q, q.fixed, pools)] for q in QUESTIONS}
        sets |= {(q.name, "mix"): mix(q, pools, args.variants, args.seed) for q in QUESTIONS}
        procs = servers(args.port, neo4j_env, args.baseline, baselines, FLOOR in targets)
        try:
            for p in procs.values():
                p.start(work)
            for p in procs.values():
                p.wait()
            db_pid = neo4j_pid()
            print(f"Neo4j {s.uri}; client: {client} (1 thread); cells of {args.seconds:g} s, "
                  f"{args.rounds} round(s), concurrency {concurrency}, modes {modes}, "
                  f"{args.variants} mix parameter sets (seed {args.seed})")
            print("Checking that revgraph and the peer give the same answers:")
            base_differs: set[str] = set()
            if check(procs, sets, args.check, base_differs):
                raise SystemExit("The answers differ: no figures (fix the difference first).")
            files: dict[tuple[str, str, str], Path] = {}
            for q in questions:
                for mode in modes:
                    for t in targets:
                        path = work / f"{QUESTIONS.index(q)}-{mode}-{t}.jsonl"
                        path.write_text("\n".join(bodies(q, t, sets[(q.name, mode)])) + "\n")
                        files[(q.name, mode, t)] = path
            print("Warming up (every body once, to every target) ...", flush=True)
            with httpx.Client(timeout=60) as http:
                for (_, _, t), path in files.items():
                    for body in path.read_text().splitlines():
                        http.post(url_of(t, procs), content=body,
                                  headers={"content-type": "application/json"})
            results: dict[tuple[str, str, int, str], Figures] = defaultdict(Figures)
            total = args.rounds * len(concurrency) * len(questions) * len(modes) * len(targets)
            done = 0
            for r in range(args.rounds):
                for c in concurrency:
                    for qi, q in enumerate(questions):
                        for mode in modes:
                            shift = (r + qi) % len(targets)
                            for t in targets[shift:] + targets[:shift]:
                                if t in BASELINES and q.name in base_differs:
                                    continue
                                pid = procs[process_of(t)].pid
                                cpu0 = cpu_seconds(pid)
                                db0 = cpu_seconds(db_pid) if db_pid else 0.0
                                cell = load(url_of(t, procs), files[(q.name, mode, t)], c,
                                            args.seconds)
                                cell.cpu_s = cpu_seconds(pid) - cpu0
                                cell.db_cpu_s = (cpu_seconds(db_pid) - db0) if db_pid else math.nan
                                cell.rss_mb = rss_mb(pid)
                                results[(q.name, mode, c, t)].cells.append(cell)
                                done += 1
                                print(f"\r  cell {done}/{total}", end="", flush=True)
            print("\n")
            if args.save:
                args.save.write_text(json.dumps({"|".join(map(str, k)): [vars(c) for c in f.cells]
                                                 for k, f in results.items()}, indent=1))
            print(report(results, modes, concurrency, targets, questions))
            print(f"\nclient: {client}; req/s = requests / seconds over all rounds; p50 and p99: "
                  "the median over rounds of each cell's percentile; cpu: the server process, "
                  "db: Neo4j, per request; rss: the largest at the end of a cell. bare-rev: "
                  "revgraph's own Cypher through the bare driver; bare-hand: one hand-written "
                  "query; floor: an ASGI app that does nothing (bench/floor.py). Ratios are of req/s.")
        finally:
            for p in procs.values():
                p.stop()


if __name__ == "__main__":
    main()
