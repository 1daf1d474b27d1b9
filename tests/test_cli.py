"""The command line, and the local server's lifecycle."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import MINI

REVGRAPH = [sys.executable, "-m", "cli.main"]


def run(args: list[str], settings, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "NEO4J_URI": settings.uri, "NEO4J_USER": settings.user,
                   "NEO4J_PASSWORD": settings.password, "NEO4J_DATABASE": settings.database,
                   "COLUMNS": "200", **env}
    return subprocess.run([*REVGRAPH, *args], capture_output=True, text=True, env=environment,
                          cwd=Path(__file__).parent.parent, timeout=300)


def test_cypher_prints_a_table_and_json(neo4j_settings):
    result = run(["cypher", "RETURN 40 + 2 AS answer"], neo4j_settings)
    assert result.returncode == 0, result.stderr
    assert "answer" in result.stdout and "42" in result.stdout
    result = run(["cypher", "--json", "RETURN $x * 2 AS y", "-p", "x=21"], neo4j_settings)
    assert json.loads(result.stdout) == [{"y": 42}]


def test_cypher_is_read_only_unless_asked(neo4j_settings, empty_graph):
    result = run(["cypher", "CREATE (:Scratch) RETURN 1"], neo4j_settings)
    assert result.returncode == 2  # refused by graph/readonly.py (tests/test_cypher_guard.py)
    assert "refused" in result.stderr
    result = run(["cypher", "--write", "CREATE (:Scratch) RETURN 1 AS one"], neo4j_settings)
    assert result.returncode == 0, result.stderr


def test_validate_load_report(neo4j_settings, empty_graph, tmp_path):
    assert run(["validate", str(MINI)], neo4j_settings).returncode == 0
    first = run(["load", str(MINI)], neo4j_settings)
    assert first.returncode == 0, first.stderr
    assert "Graph updated." in first.stdout
    second = run(["load", str(MINI)], neo4j_settings)
    assert "Graph unchanged." in second.stdout
    assert "Fighting by month" in first.stdout and "Fighting by month" not in second.stdout
    report = json.loads(run(["report", "--json"], neo4j_settings).stdout)
    assert {"kind": "Control", "count": 2} in report["kinds"]
    assert report["placesWithoutControl"] == ["tver"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("places:\n  - id: x\n    name: X\n    kind: village\n")
    result = run(["load", str(MINI), str(bad)], neo4j_settings)
    assert result.returncode == 2
    assert "bad.yaml:4: kind: 'village' is not one of" in result.stderr.replace("\n", "")
    assert "nothing was written" in result.stderr


def test_help_is_useful():
    """`revgraph --help` lists every command with the first line of what it does, and each
    command's own help shows its options."""
    from cli.main import app

    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run([*REVGRAPH, "--help"], capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    for command in app.registered_commands:
        name = command.name or command.callback.__name__.replace("_", "-")
        summary = (command.callback.__doc__ or "").strip().splitlines()[0].replace("`", "")
        assert name in result.stdout, name
        assert summary[:40] in " ".join(result.stdout.split()), (name, summary)
    load = subprocess.run([*REVGRAPH, "load", "--help"], capture_output=True, text=True, env=env)
    assert load.returncode == 0 and "all or nothing" in load.stdout and "paths" in load.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _falls_idle(pid: int, within: float) -> float | None:
    """Seconds until ``pid`` uses less than a third of a core over two one-second samples."""
    start = time.monotonic()
    samples: list[float] = []
    last = _cpu_seconds(pid)
    while time.monotonic() - start < within:
        time.sleep(1.0)
        now = _cpu_seconds(pid)
        samples.append(now - last)
        last = now
        if len(samples) >= 2 and max(samples[-2:]) < 0.33:
            return time.monotonic() - start
    return None


@pytest.mark.neo4j
@pytest.mark.skipif(bool(os.environ.get("NEO4J_TEST_URI")), reason="uses the local server")
def test_local_server_start_twice_stop_start_keeps_data(tmp_path):
    env = {"REVGRAPH_HOME": str(tmp_path / "home"), "REVGRAPH_BOLT_PORT": str(_free_port()),
           "REVGRAPH_HTTP_PORT": str(_free_port()),
           # A 3 s server-side timeout instead of the shipped 300 s, so that the runaway query
           # below is ended within the test's bounds.
           "REVGRAPH_NEO4J_TX_TIMEOUT": "3"}
    environment = {**os.environ, **env, "COLUMNS": "200"}
    environment.pop("NEO4J_URI", None)
    # Another shell: the same folder, none of the port variables.
    elsewhere = {k: v for k, v in environment.items()
                 if k not in ("REVGRAPH_BOLT_PORT", "REVGRAPH_HTTP_PORT")}

    def cli(*args: str, where: dict[str, str] = environment) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*REVGRAPH, *args], capture_output=True, text=True,
                              env=where, timeout=300)

    try:
        first = cli("neo4j", "start")
        assert first.returncode == 0, first.stderr
        assert "started" in first.stdout
        again = cli("neo4j", "start")
        assert "already running" in again.stdout
        status = cli("neo4j", "status")
        assert status.returncode == 0 and "yes" in status.stdout
        password_file = tmp_path / "home" / "neo4j-password"
        assert oct(password_file.stat().st_mode & 0o777) == "0o600"
        assert cli("cypher", "--write", "CREATE (:Keep {v: 1})").returncode == 0

        # The ports are recorded: a command without them finds this server, not 7687.
        found = cli("cypher", "--json", "MATCH (k:Keep) RETURN k.v AS v", where=elsewhere)
        assert json.loads(found.stdout) == [{"v": 1}], found.stderr
        status = cli("neo4j", "status", where=elsewhere)
        bolt = env["REVGRAPH_BOLT_PORT"]
        assert status.returncode == 0, status.stdout + status.stderr
        assert f"bolt://127.0.0.1:{bolt}" in status.stdout and "ports.json" in status.stdout
        assert f"{env['REVGRAPH_HTTP_PORT']}, {bolt}" in status.stdout or \
            f"{bolt}, {env['REVGRAPH_HTTP_PORT']}" in status.stdout  # what it listens on

        # A runaway read with no timeout of its own: the server's db.transaction.timeout ends
        # it, and Neo4j's CPU falls back to idle.
        pid_file = tmp_path / "home" / "neo4j" / "run" / "neo4j.pid"
        pid = int(pid_file.read_text())
        began = time.monotonic()
        runaway = cli("cypher", "--write",
                      "UNWIND range(1, 10000000000) AS x WITH x WHERE x % 7 = 3 RETURN count(*)")
        assert runaway.returncode == 1 and time.monotonic() - began < 30, runaway.stderr
        assert "Transaction" in runaway.stderr and "timeout" in " ".join(runaway.stderr.split())
        assert _falls_idle(pid, within=30) is not None

        # A server whose pid file is lost is still found, and stopped.
        pid_file.unlink()
        status = cli("neo4j", "status")
        assert status.returncode == 0 and str(pid) in status.stdout, status.stdout
        assert "Neo4j stopped." in cli("neo4j", "stop").stdout
        assert cli("neo4j", "status").returncode == 3
        assert cli("neo4j", "start").returncode == 0
        kept = cli("cypher", "--json", "MATCH (k:Keep) RETURN k.v AS v")
        assert json.loads(kept.stdout) == [{"v": 1}]
        browser = subprocess.run(["curl", "-s", f"http://127.0.0.1:{env['REVGRAPH_HTTP_PORT']}"
                                  "/browser/"], capture_output=True, text=True)
        assert "Neo4j Browser" in browser.stdout
    finally:
        cli("neo4j", "stop")


def test_a_taken_port_is_a_clear_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        environment = {**os.environ, "REVGRAPH_HOME": str(tmp_path / "home"),
                       "REVGRAPH_BOLT_PORT": str(port), "REVGRAPH_HTTP_PORT": str(_free_port())}
        environment.pop("NEO4J_URI", None)
        result = subprocess.run([*REVGRAPH, "neo4j", "start"], capture_output=True, text=True,
                                env=environment, timeout=120)
    assert result.returncode == 1
    assert f"Port {port} on 127.0.0.1 is already taken" in result.stderr.replace("\n", " ")
