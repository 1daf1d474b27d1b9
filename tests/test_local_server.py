"""The local server's operations (graph/server.py, cli/main.py): the settings a command finds
(the environment, the ports recorded in REVGRAPH_HOME, the defaults), Neo4j's own transaction
bounds in the config the project writes, a full disk said as such when Neo4j starts and stops,
and no Neo4j process left behind by a failed start or found only by its folder.

A stand-in for Java (``fake_java``) is used where the test is about processes, not Neo4j: a
Python process with Neo4j's command line, which a start spawns and must not leave behind. What
Neo4j itself does on a full disk is tested on a real Neo4j and a real (small) filesystem in
test_full_disk_start_and_stop.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph.server import ENTRY_POINT, MIB, LocalServer, ServerError, _neo4j_processes
from schema.config import RECORD_FILE, Config, ConfigError, write_record

pytestmark = pytest.mark.unit

# The settings these tests set: cleared first, so that the developer's own environment (a dev
# server's REVGRAPH_BOLT_PORT, say) does not leak in.
VARIABLES = ("REVGRAPH_HOME", "REVGRAPH_BOLT_PORT", "REVGRAPH_HTTP_PORT", "REVGRAPH_API_HOST",
             "REVGRAPH_API_PORT", "REVGRAPH_NEO4J_HEAP", "REVGRAPH_NEO4J_TX_MEMORY",
             "REVGRAPH_NEO4J_TX_MEMORY_TOTAL", "REVGRAPH_NEO4J_TX_TIMEOUT",
             "REVGRAPH_NEO4J_MIN_FREE", "NEO4J_URI")

# What Neo4j 5.26 wrote in debug.log when its database could not preallocate a transaction log
# on a full disk (copied from a real run on a full tmpfs).
FULL_DISK_LINE = (
    "2026-12-07 16:00:33.729+0000 ERROR [o.n.k.i.t.l.f.LogFileChannelNativeAccessor] "
    "[neo4j/2529c637] Warning! System is running out of disk space. Failed to preallocate log "
    "file since disk does not have enough space left. Please provision more space to avoid "
    "that. Allocation failure details: ErrorCode=28, errorMessage='No space left on device'\n")
CHECKPOINT_LINES = (
    "2026-12-07 16:01:54.088+0000 ERROR [o.n.k.i.t.l.c.CheckPointerImpl] [neo4j/122cd90f] "
    "Checkpoint failed\n"
    "java.io.UncheckedIOException: java.io.IOException: No space left on device\n")


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A clean process environment whose REVGRAPH_HOME is a scratch folder."""
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    monkeypatch.setenv("REVGRAPH_HOME", str(home))
    return home


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# -- which server a command finds -----------------------------------------------------------


def test_recorded_ports_are_found_and_the_environment_wins(environment, monkeypatch):
    started = Config.from_env().with_(bolt_port=7787, http_port=7484, api_port=8001)
    path = write_record(started, "bolt_port", "http_port")
    write_record(started, "api_host", "api_port")  # `revgraph serve`, beside Neo4j's
    assert json.loads(path.read_text()) == {
        "REVGRAPH_BOLT_PORT": "7787", "REVGRAPH_HTTP_PORT": "7484",
        "REVGRAPH_API_HOST": "127.0.0.1", "REVGRAPH_API_PORT": "8001"}

    found = Config.from_env()  # a command in another shell, without the variables
    assert (found.bolt_port, found.http_port, found.api_port) == (7787, 7484, 8001)
    assert Config.origins()["bolt_port"] == str(environment / RECORD_FILE)
    assert Config.origins()["neo4j_heap"] == "default"

    monkeypatch.setenv("REVGRAPH_BOLT_PORT", "7999")  # the environment says otherwise
    assert Config.from_env().bolt_port == 7999
    assert Config.origins()["bolt_port"] == "REVGRAPH_BOLT_PORT"
    assert Config.from_env(bolt_port=7111).bolt_port == 7111  # and a caller's override wins
    # An explicit environment (a test's) is taken as it is, without the record.
    assert Config.from_env({"REVGRAPH_HOME": str(environment)}).bolt_port == 7687


def test_a_damaged_record_or_setting_is_a_clear_error(environment, monkeypatch):
    environment.mkdir(parents=True)
    (environment / RECORD_FILE).write_text("{not json")
    with pytest.raises(ConfigError, match=f"{RECORD_FILE} cannot be read .*delete it"):
        Config.from_env()
    (environment / RECORD_FILE).write_text('{"REVGRAPH_BOLT_PORT": "seven"}')
    with pytest.raises(ConfigError, match="REVGRAPH_BOLT_PORT in .*'seven': expected a int"):
        Config.from_env()
    (environment / RECORD_FILE).unlink()
    monkeypatch.setenv("REVGRAPH_NEO4J_TX_MEMORY", "lots")
    with pytest.raises(ConfigError, match="REVGRAPH_NEO4J_TX_MEMORY='lots'"):
        Config.from_env()
    monkeypatch.setenv("REVGRAPH_NEO4J_TX_MEMORY", "25%")
    monkeypatch.setenv("REVGRAPH_API_PORT", "80000")
    with pytest.raises(ConfigError, match="REVGRAPH_API_PORT='80000'"):
        Config.from_env()


def test_cli_commands_find_the_recorded_server(environment):
    """`revgraph settings` and `neo4j status` in a shell without the port variables name the
    recorded ports and say where they come from."""
    write_record(Config.from_env().with_(bolt_port=_free_port(), http_port=_free_port()),
                 "bolt_port", "http_port")
    bolt = Config.from_env().bolt_port
    env = {**os.environ, "COLUMNS": "250"}
    settings = subprocess.run([sys.executable, "-m", "cli.main", "settings"], env=env,
                              capture_output=True, text=True, timeout=60)
    assert settings.returncode == 0, settings.stderr
    row = next(line for line in settings.stdout.splitlines() if "REVGRAPH_BOLT_PORT" in line)
    assert str(bolt) in row and RECORD_FILE in row
    status = subprocess.run([sys.executable, "-m", "cli.main", "neo4j", "status"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 3, status.stderr  # nothing runs there
    assert f"bolt://127.0.0.1:{bolt}" in status.stdout and RECORD_FILE in status.stdout
    assert str(environment / "neo4j" / "data") in status.stdout


# -- Neo4j's own bounds in the config the project writes -------------------------------------


def _conf(server: LocalServer) -> dict[str, str]:
    server.conf_dir.mkdir(parents=True, exist_ok=True)
    server._write_conf()
    lines = (server.conf_dir / "neo4j.conf").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if "=" in line and not line.startswith("#"))


def test_the_conf_bounds_every_transaction(tmp_path):
    """The shipped defaults with the shipped 2 GiB heap: a quarter of the heap per transaction
    (a load of the real data needs 26 MiB, of 10x 128-256 MiB), Neo4j's own 70% for all of
    them, and 300 s for a transaction whose client sets no timeout."""
    conf = _conf(LocalServer(Config(home=tmp_path / "home").resolved()))
    assert conf["db.memory.transaction.max"] == "512m"
    assert conf["db.memory.transaction.total.max"] == "1433m"
    assert conf["dbms.memory.transaction.total.max"] == "1433m"
    assert conf["db.transaction.timeout"] == "300s"
    # Shares follow the heap; a size is taken as it is.
    other = Config(home=tmp_path / "home", neo4j_heap="4g", neo4j_tx_memory="1g",
                   neo4j_tx_timeout=0).resolved()
    conf = _conf(LocalServer(other))
    assert conf["db.memory.transaction.max"] == "1024m"
    assert conf["db.memory.transaction.total.max"] == "2867m"
    assert conf["db.transaction.timeout"] == "0s"  # no limit


def test_settings_print_the_bounds_for_another_neo4j(environment):
    result = subprocess.run([sys.executable, "-m", "cli.main", "settings", "--neo4j-conf"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "db.memory.transaction.max=512m", "db.memory.transaction.total.max=1433m",
        "dbms.memory.transaction.total.max=1433m", "db.transaction.timeout=300s"]


# -- a full disk, said as such ---------------------------------------------------------------


def test_a_full_disk_refuses_the_start_before_java_runs(tmp_path):
    server = LocalServer(Config(home=tmp_path / "home", bolt_port=_free_port(),
                                http_port=_free_port()).resolved(),
                         free_bytes=lambda path: 10 * MIB)

    def no_java() -> str:
        raise AssertionError("Java must not be looked for, let alone run")

    setattr(server, "java", no_java)  # noqa: B010 - a method replaced for this test
    with pytest.raises(ServerError) as failure:
        server.start(echo=False)
    message = str(failure.value)
    assert f"The disk holding {server.root} is full: 10 MiB free" in message
    assert "REVGRAPH_NEO4J_MIN_FREE" in message and "Free some space" in message


def test_the_cause_of_a_failed_start_is_read_from_debug_log(tmp_path):
    """Only debug.log names the full disk; what the logs held before the start is not news."""
    server = LocalServer(Config(home=tmp_path / "home").resolved(),
                         free_bytes=lambda path: 40 * MIB)
    server.logs.mkdir(parents=True)
    (server.logs / "debug.log").write_text("2026-12-06 10:00:00.000+0000 ERROR an old error\n")
    offsets = server._log_offsets()
    with (server.logs / "debug.log").open("a") as f:
        f.write("2026-12-07 16:00:33.648+0000 INFO  [o.n.k.a.DatabaseAvailabilityGuard] ...\n")
        f.write(FULL_DISK_LINE)
    (server.logs / "neo4j.log").write_text("2026-12-07 16:00:35.528+0000 INFO  Started.\n")
    message = str(server._failed("Neo4j started, but its database 'neo4j' is offline", offsets))
    assert "Cause: the disk is full: debug.log says" in message
    assert "No space left on device" in message and "an old error" not in message
    assert f"The disk holding {server.root} has 40 MiB free" in message


# -- no orphan: a stand-in for Java, spawned and found like Neo4j ----------------------------


def fake_java(tmp_path: Path, behaviour: str = "pass") -> Path:
    """An executable that stands for `java`: a Python process whose command line is Neo4j's
    (so it is found as Neo4j is), running ``behaviour`` then sleeping."""
    script = tmp_path / "fake-java"
    script.write_text("\n".join([
        f"#!{sys.executable}",
        "import signal, sys, time",
        "from pathlib import Path",
        "home = Path(next(a for a in sys.argv if a.startswith('--home-dir='))[11:])",
        behaviour,
        "time.sleep(300)",
        ""]))
    script.chmod(0o755)
    return script


def prepared(tmp_path: Path, java: Path, **settings: object) -> LocalServer:
    """A server of a scratch folder whose `java` is ``java`` and whose jars are 'installed'."""
    config = Config(home=tmp_path / "home", bolt_port=_free_port(), http_port=_free_port(),
                    **settings).resolved()  # type: ignore[arg-type]
    server = LocalServer(config)
    setattr(server, "java", lambda: str(java))  # noqa: B010 - methods replaced for the test
    setattr(server, "install", lambda echo=True: None)  # noqa: B010
    (server.data / "dbms").mkdir(parents=True)  # the initial password is already set
    return server


def mine(server: LocalServer) -> list[int]:
    return [pid for pid, home in _neo4j_processes().items() if home == server.home]


@pytest.fixture
def reaper() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test spawns itself, killed if the test fails before it ends them."""
    spawned: list[subprocess.Popen[bytes]] = []
    yield spawned
    for process in spawned:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_a_start_that_fails_after_spawning_java_kills_it(tmp_path):
    server = prepared(tmp_path, fake_java(tmp_path))
    server.pid_file = tmp_path / "gone" / "neo4j.pid"  # cannot be written
    with pytest.raises(ServerError, match="writing the pid file"):
        server.start(echo=False)
    assert mine(server) == []


def test_a_start_interrupted_while_waiting_kills_what_it_spawned(tmp_path):
    server = prepared(tmp_path, fake_java(tmp_path))

    def interrupted() -> None:
        raise KeyboardInterrupt  # the user's Ctrl-C while Neo4j starts

    server._database_state = interrupted
    with pytest.raises(KeyboardInterrupt):
        server.start(timeout=30, echo=False)
    assert mine(server) == [] and not server.pid_file.exists()


def test_a_java_that_dies_while_starting_is_reported_with_its_cause(tmp_path):
    java = fake_java(tmp_path, behaviour="\n".join([
        "with (home / 'logs' / 'debug.log').open('a') as log:",
        f"    log.write({FULL_DISK_LINE!r})",
        "sys.exit(3)"]))
    server = prepared(tmp_path, java)
    with pytest.raises(ServerError) as failure:
        server.start(timeout=60, echo=False)
    message = str(failure.value)
    assert "Neo4j stopped while starting (exit code 3)" in message
    assert "Cause: the disk is full: debug.log says" in message
    assert mine(server) == []


def test_status_and_stop_find_a_server_that_lost_its_pid_file(tmp_path, reaper):
    java = fake_java(tmp_path)
    server = prepared(tmp_path, java)
    process = subprocess.Popen([str(java), ENTRY_POINT, f"--home-dir={server.home}"])
    reaper.append(process)
    deadline = time.monotonic() + 10
    while not mine(server) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server.pid_file.exists()
    status = server.status()
    assert status.running and status.pids == {process.pid: f"running from {server.home}"}
    assert server.stop() is True
    assert process.wait(timeout=10) == -signal.SIGTERM
    assert server.status().running is False


def test_stop_reports_a_failed_checkpoint_and_kills_nothing_silently(tmp_path, reaper):
    """Neo4j on a full disk: SIGTERM, its shutdown checkpoint fails, and it hangs. The stop
    says so, with the cause, and kills it soon after (not 60 s later)."""
    java = fake_java(tmp_path, behaviour="\n".join([
        "def failed_checkpoint(*_):",  # and go on running, as Neo4j did
        "    with (home / 'logs' / 'debug.log').open('a') as log:",
        f"        log.write({CHECKPOINT_LINES!r})",
        "signal.signal(signal.SIGTERM, failed_checkpoint)"]))
    server = prepared(tmp_path, java)
    server.logs.mkdir(parents=True)
    server.free_bytes = lambda path: 0
    process = subprocess.Popen([str(java), ENTRY_POINT, f"--home-dir={server.home}"])
    reaper.append(process)
    server.pid_file.parent.mkdir(parents=True)
    server.pid_file.write_text(f"{process.pid}\n")
    time.sleep(0.5)  # its handler in place
    started = time.monotonic()
    with pytest.raises(ServerError) as failure:
        server.stop(timeout=60, grace=2)
    assert time.monotonic() - started < 20
    message = str(failure.value)
    assert message.startswith("Neo4j did not stop cleanly: it was killed after")
    assert "Checkpoint failed" in message and "Cause: the disk is full" in message
    assert "the next start recovers it once space is freed" in message
    assert process.wait(timeout=10) == -signal.SIGKILL
    assert mine(server) == []


# -- the API: its port, and an end that make does not report as an error --------------------


def _serve(port: int) -> subprocess.Popen[str]:
    """`revgraph serve` on ``port``, its Neo4j unreachable (the API serves 503s meanwhile)."""
    env = {**os.environ, "REVGRAPH_API_PORT": str(port),
           "NEO4J_URI": f"bolt://127.0.0.1:{_free_port()}", "NEO4J_PASSWORD": "unused"}
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve"], env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"revgraph serve did not listen on {port}: {process.communicate()[0]}")


@pytest.mark.parametrize("ending", [signal.SIGTERM, signal.SIGINT], ids=["make stop", "Ctrl-C"])
def test_serve_records_its_port_and_ends_with_exit_code_0(environment, ending):
    """`make run` ends with `revgraph serve`: a signal that ends it must leave exit code 0, or
    make reports an error for an ordinary stop."""
    port = _free_port()
    process = _serve(port)
    try:
        assert Config.from_env().api_port == port  # recorded: other shells find it
        assert (environment / "api.pid").read_text().strip() == str(process.pid)
        process.send_signal(ending)
        output = process.communicate(timeout=30)[0]
        assert process.returncode == 0, output
        assert "Traceback" not in output
        assert not (environment / "api.pid").exists()
    finally:
        if process.poll() is None:
            process.kill()


def test_revgraph_stop_ends_a_serve_started_elsewhere(environment):
    process = _serve(_free_port())
    try:
        result = subprocess.run([sys.executable, "-m", "cli.main", "stop"], capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "API stopped." in result.stdout and "Neo4j was not running." in result.stdout
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


def test_serve_on_a_taken_port_names_the_setting(environment):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "cli.main", "serve"], capture_output=True,
                                text=True, timeout=60,
                                env={**os.environ, "REVGRAPH_API_PORT": str(port)})
    said = " ".join(result.stderr.split())
    assert result.returncode == 1
    assert f"cannot serve on 127.0.0.1:{port}" in said and "REVGRAPH_API_PORT" in said
    assert f"pid {os.getpid()}" in said  # who holds it


def test_a_start_asking_for_other_ports_than_the_running_server_says_so(tmp_path, reaper):
    """The folder's Neo4j runs on one port; REVGRAPH_BOLT_PORT asks for another: the start
    says where it runs and how to move it, instead of waiting on a port nobody listens on."""
    java = fake_java(tmp_path, behaviour="\n".join([
        "import socket",
        "listener = socket.socket()",
        "listener.bind(('127.0.0.1', 0))",
        "listener.listen()",
        "print(listener.getsockname()[1], flush=True)"]))
    server = prepared(tmp_path, java)
    process = subprocess.Popen([str(java), ENTRY_POINT, f"--home-dir={server.home}"],
                               stdout=subprocess.PIPE, text=True)
    reaper.append(process)
    assert process.stdout is not None
    port = int(process.stdout.readline())
    with pytest.raises(ServerError) as failure:
        server.start(timeout=5, echo=False)
    message = " ".join(str(failure.value).split())
    assert f"already runs (pid {process.pid}), on port(s) {port}, not on {server.bolt_port}" \
        in message
    assert "revgraph neo4j stop" in message
