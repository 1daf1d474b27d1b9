"""The local Neo4j that the project runs itself, with no Docker.

Neo4j Community's jars come from Maven Central: Maven resolves the dependency set of
``org.neo4j:neo4j`` (what the distribution's lib/ holds) and Neo4j Browser, pinned in
``graph/maven/pom.xml``, and copies them once into the project data folder. The server is
started with the machine's JDK as ``org.neo4j.server.CommunityEntryPoint``, bound to 127.0.0.1,
with authentication on and a generated password kept in a file only its owner can read.

A server is found by its pid file and by the processes running Neo4j from its folder, so that
one whose pid file was lost is still seen and stopped, never orphaned. Its ports are recorded
in the project data folder when it starts (schema/config.py), for commands run without them.
When it fails to start or to stop, the cause is read from its own logs (debug.log included,
the only one that names a full disk) and said.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import signal
import socket
import string
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from schema.config import Config, size_bytes, write_record
from schema.errors import Fault

# Package data: the pom ships with the code (the one path that is rightly relative to it).
POM = Path(__file__).with_name("maven") / "pom.xml"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"
SUPPORTED_JAVA = (17, 21)  # what Neo4j 5.26 LTS runs on

# The JVM options Neo4j's own launcher passes (from the distribution's neo4j.conf).
JVM_OPTIONS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "-XX:FlightRecorderOptions=stackdepth=256",
    "-XX:+UnlockDiagnosticVMOptions",
    "-XX:+DebugNonSafepoints",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
]


OWNER_ONLY_UMASK = 0o077  # files the server creates: readable and writable by their owner only
MIB = 1024 * 1024
TX_LOG_BYTES = 256 * MIB  # db.tx_log.rotation.size: each new transaction log file is preallocated
LOGS = ("console.log", "neo4j.log", "debug.log")  # what Neo4j says, debug.log the most

CHECKPOINT_FAILED = (re.compile(r"Checkpoint failed"), "its checkpoint failed")
# What a line of Neo4j's logs says went wrong, most telling first. The first match in what the
# logs gained since a start or stop began is quoted in the error.
CAUSES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"No space left on device|not enough space|ErrorCode=28", re.I), "the disk is full"),
    (re.compile(r"OutOfMemoryError|Java heap space"), "Neo4j ran out of memory"),
    (re.compile(r"Address already in use|BindException"), "a port is taken"),
    (re.compile(r"Permission denied|AccessDeniedException"), "permission was denied"),
    CHECKPOINT_FAILED,
    (re.compile(r"\bERROR\b"), "Neo4j logged an error"),
]
# The database states Neo4j reaches on its own while starting; any other (offline, dirty,
# quarantined) is a failure that waiting will not mend.
STARTING_STATES = {"initial", "starting", "unknown", "store copying"}


class ServerError(Fault):
    """Something the user can act on: the message says what went wrong and what to do."""


@dataclass(frozen=True)
class Cause:
    """Why Neo4j failed, as its logs say."""

    what: str  # "the disk is full", ...
    line: str  # the log line that says it
    log: str  # the file it is in

    def __str__(self) -> str:
        return f"{self.what}: {self.log} says {self.line!r}"


def pinned_versions() -> dict[str, str]:
    """The Neo4j and Neo4j Browser versions pinned in graph/maven/pom.xml."""
    text = POM.read_text()
    found = dict(re.findall(r"<(neo4j(?:-browser)?)\.version>([^<]+)<", text))
    return {"neo4j": found["neo4j"], "neo4j-browser": found["neo4j-browser"]}


@dataclass
class Status:
    running: bool  # a Neo4j process of this folder is alive
    answers: bool  # and it answers on Bolt with this folder's password
    pids: dict[int, str]  # each process, and how it was found
    listening: list[int]  # the ports its processes listen on, as the system says
    bolt_uri: str
    browser_url: str
    user: str
    password_file: Path
    home: Path
    data: Path
    version: str
    problems: list[str] = field(default_factory=list)  # what is wrong, said plainly

    @property
    def pid(self) -> int | None:
        return min(self.pids) if self.pids else None


class LocalServer:
    """The project's own Neo4j under the data folder (``.revgraph/neo4j`` by default)."""

    user = "neo4j"

    def __init__(self, config: Config,
                 free_bytes: Callable[[Path], int] | None = None) -> None:
        self.config = config
        self.root = config.home
        self.home = self.root / "neo4j"
        self.version = pinned_versions()["neo4j"]
        # The jars are the same for every project folder and clone: cached once per version.
        self.lib = config.cache / f"neo4j-{self.version}" / "lib"
        self.conf_dir = self.home / "conf"
        self.run_dir = self.home / "run"
        self.logs = self.home / "logs"
        self.data = self.home / "data"
        self.pid_file = self.run_dir / "neo4j.pid"
        self.password_file = self.root / "neo4j-password"
        self.bolt_port = config.bolt_port
        self.http_port = config.http_port
        self.heap = config.neo4j_heap
        self.pagecache = config.neo4j_pagecache
        self.database = config.neo4j_database
        # Injectable, so that a test can say the disk is full without filling one.
        self.free_bytes = free_bytes or _free_bytes

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def http_origin(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    # -- the password ---------------------------------------------------------------------

    def password(self) -> str:
        """The generated password; made on first use, readable only by its owner."""
        if self.password_file.exists():
            return self.password_file.read_text().strip()
        self.root.mkdir(parents=True, exist_ok=True)
        alphabet = string.ascii_letters + string.digits
        password = "".join(secrets.choice(alphabet) for _ in range(32))
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(password + "\n")
        return password

    # -- install: jars from Maven Central, once -------------------------------------------

    def installed(self) -> bool:
        return (self.lib / ".complete").exists()

    def install(self, echo: bool = True) -> None:
        """Resolve Neo4j's jars with Maven into the data folder, once per pinned version."""
        if self.installed():
            return
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError(
                "Maven (mvn) is not installed; it fetches Neo4j from Maven Central. "
                "Install it (Debian: apt-get install maven) and run this again."
            )
        if echo:
            print(f"Fetching Neo4j {self.version} and Neo4j Browser from Maven Central ...",
                  file=sys.stderr)
        self.lib.parent.mkdir(parents=True, exist_ok=True)
        staging = self.lib.with_name(f"{self.lib.name}.partial-{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        cmd = [
            mvn, "-B", "-q", "-f", str(POM), "dependency:copy-dependencies",
            f"-DoutputDirectory={staging}", "-DincludeScope=runtime",
        ]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(staging, ignore_errors=True)
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            raise ServerError(
                f"Maven could not fetch Neo4j {self.version} from Maven Central.\n{tail}\n"
                "Check the network access to Maven Central (or a mirror in ~/.m2/settings.xml) "
                "and run this again."
            )
        (staging / ".complete").write_text(self.version + "\n")
        try:
            staging.rename(self.lib)
        except OSError:  # another process finished first: keep its copy
            shutil.rmtree(staging, ignore_errors=True)

    # -- Java ----------------------------------------------------------------------------

    def java(self) -> str:
        """A java binary Neo4j can run on: JAVA_HOME, the default java, or /usr/lib/jvm."""
        candidates: list[Path] = []
        if os.environ.get("JAVA_HOME"):
            candidates.append(Path(os.environ["JAVA_HOME"]) / "bin" / "java")
        on_path = shutil.which("java")
        if on_path:
            candidates.append(Path(on_path))
        jvm = Path("/usr/lib/jvm")
        if jvm.is_dir():
            candidates.extend(sorted(jvm.glob("*/bin/java")))
        seen = []
        for java in candidates:
            major = _java_major(java)
            if major is not None:
                seen.append(f"{java} (Java {major})")
            if major in SUPPORTED_JAVA:
                return str(java)
        found = "; ".join(seen) if seen else "no java at all"
        raise ServerError(
            f"Neo4j {self.version} needs Java 17 or 21, and found {found}. Install one "
            "(Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME to one."
        )

    # -- finding it ----------------------------------------------------------------------

    def _pid_from_file(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if _neo4j_home(pid) is not None else None  # gone, or reused by another

    def processes(self) -> dict[int, str]:
        """Every live Neo4j of this folder, and how it was found: by the pid file, or by its
        command line naming this folder (whatever lost the pid file, or a Neo4j listening on
        this folder's ports)."""
        found: dict[int, str] = {}
        pid = self._pid_from_file()
        if pid is not None and _neo4j_home(pid) == self.home:
            found[pid] = "pid file"
        for pid, home in _neo4j_processes().items():
            if home == self.home and pid not in found:
                ports = sorted(_listening(pid) & {self.bolt_port, self.http_port})
                found[pid] = (f"listening on port {ports[0]}, running from {self.home}" if ports
                              else f"running from {self.home}")
        return found

    def pid(self) -> int | None:
        pids = self.processes()
        return min(pids) if pids else None

    def status(self) -> Status:
        pids = self.processes()
        listening = sorted(set().union(*(_listening(p) for p in pids))) if pids else []
        problems = []
        for port, var in ((self.bolt_port, "REVGRAPH_BOLT_PORT"),
                          (self.http_port, "REVGRAPH_HTTP_PORT")):
            holder = _port_holder(port)
            if holder is not None and holder not in pids:
                problems.append(f"port {port} ({var}) is held by another program: "
                                f"{_describe(holder)}")
            elif pids and port not in listening:
                problems.append(f"this folder's Neo4j does not listen on port {port} ({var}); "
                                f"it listens on {', '.join(map(str, listening)) or 'nothing'}")
        if len(pids) > 1:
            problems.append(f"{len(pids)} Neo4j processes run from {self.home}: "
                            "`revgraph neo4j stop` stops them all")
        if pids and self.pid_file.exists() and self._pid_from_file() not in pids:
            problems.append(f"the pid file {self.pid_file} names no process of this folder")
        answers = bool(pids) and self.bolt_port in listening and self._bolt_answers()
        if pids and self.bolt_port in listening and not answers:
            problems.append(f"Bolt on port {self.bolt_port} does not answer with the password in "
                            f"{self.password_file} (still starting, or its database failed: "
                            f"{self.logs / 'debug.log'})")
        return Status(running=bool(pids), answers=answers, pids=pids, listening=listening,
                      bolt_uri=self.bolt_uri, browser_url=self.browser_url, user=self.user,
                      password_file=self.password_file, home=self.home, data=self.data,
                      version=self.version, problems=problems)

    # -- starting -------------------------------------------------------------------------

    def start(self, timeout: float = 180.0, echo: bool = True) -> bool:
        """Start the server; return once its database is online, having recorded its ports.
        Returns False if it was running. A start that fails kills what it spawned and says
        why, from Neo4j's logs."""
        running = self.processes()
        if running:
            pid = min(running)
            listening = _listening(pid)
            if listening and self.bolt_port not in listening:
                raise ServerError(
                    f"This folder's Neo4j already runs (pid {pid}), on port(s) "
                    f"{', '.join(map(str, sorted(listening)))}, not on {self.bolt_port} "
                    "(REVGRAPH_BOLT_PORT). To move it, stop it first (`revgraph neo4j stop`); "
                    "to use it, leave REVGRAPH_BOLT_PORT unset: its ports are recorded in "
                    f"{self.root}.")
            if self._pid_from_file() != pid:
                with _disk_errors(self, "writing the pid file"):
                    self.pid_file.write_text(f"{pid}\n")  # a lost pid file, found again
            self._wait_until_ready(timeout, None, self._log_offsets())
            return False
        for port, var in ((self.bolt_port, "REVGRAPH_BOLT_PORT"),
                          (self.http_port, "REVGRAPH_HTTP_PORT")):
            if _port_open(port):
                raise ServerError(
                    f"Port {port} on 127.0.0.1 is already taken ({_describe(_port_holder(port))}). "
                    f"Stop it, or choose another port with {var}=..., or point revgraph at that "
                    f"server with NEO4J_URI=bolt://127.0.0.1:{port} and NEO4J_PASSWORD."
                )
        self.check_free_space()
        java = self.java()
        self.install(echo=echo)
        with _disk_errors(self, "preparing Neo4j's folder"):
            for d in (self.conf_dir, self.run_dir, self.logs, self.data,
                      self.home / "plugins", self.home / "import"):
                d.mkdir(parents=True, exist_ok=True)
            self._owner_only()
            self._write_conf()
            env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}
            if not (self.data / "dbms").exists():
                self._set_initial_password(java, env)
            offsets = self._log_offsets()
            console = os.fdopen(os.open(self.logs / "console.log",
                                        os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "ab")
        with console:
            process = subprocess.Popen(
                [java, f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_OPTIONS, "-cp",
                 f"{self.lib}/*", ENTRY_POINT, f"--home-dir={self.home}",
                 f"--config-dir={self.conf_dir}"],
                env=env, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                start_new_session=True, cwd=self.home,
                umask=OWNER_ONLY_UMASK,  # the store, logs and transactions Neo4j writes: owner-only
            )
        try:
            with _disk_errors(self, "writing the pid file"):
                self.pid_file.write_text(f"{process.pid}\n")
            if echo:
                print(f"Starting Neo4j {self.version} (pid {process.pid}) ...", file=sys.stderr)
            self._wait_until_ready(timeout, process, offsets)
            with _disk_errors(self, "recording the ports"):
                write_record(self.config, "bolt_port", "http_port")
        except BaseException:
            # Whatever failed (Neo4j, the disk, a Ctrl-C), what was spawned does not outlive it.
            _end({process.pid: process}, grace=20.0)
            self.pid_file.unlink(missing_ok=True)
            raise
        return True

    def check_free_space(self) -> None:
        """Refuse to start on a disk that is (nearly) full: Neo4j would start and its database
        would not, or fail at its first checkpoint."""
        need = size_bytes(self.config.neo4j_min_free)
        free = self.free_bytes(self.root)
        if free < need:
            raise ServerError(
                f"The disk holding {self.root} is full: {free / MIB:,.0f} MiB free, and Neo4j "
                f"needs at least {need / MIB:,.0f} MiB (REVGRAPH_NEO4J_MIN_FREE) for its "
                "transaction logs and checkpoints. Free some space on it (or move REVGRAPH_HOME "
                "to another disk) and run `revgraph neo4j start` again; the data it holds is "
                "kept."
            )

    def _set_initial_password(self, java: str, env: dict[str, str]) -> None:
        result = subprocess.run(
            [java, "-cp", f"{self.lib}/*", ADMIN_TOOL, "dbms", "set-initial-password",
             self.password()],
            env=env, capture_output=True, text=True, umask=OWNER_ONLY_UMASK,
        )
        if result.returncode != 0:
            raise ServerError(f"Could not set the initial password:\n{result.stderr}")

    def _wait_until_ready(self, timeout: float, process: subprocess.Popen[bytes] | None,
                          offsets: dict[Path, int]) -> None:
        """Until its database is online: Bolt answering is not enough (with a full disk the
        DBMS starts and its database does not)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise self._failed(f"Neo4j stopped while starting (exit code "
                                   f"{process.returncode})", offsets)
            state = self._database_state()
            if state is not None:
                status, message = state
                if status == "online":
                    return
                if status not in STARTING_STATES:
                    raise self._failed(f"Neo4j started, but its database {self.database!r} is "
                                       f"{status}" + (f" ({message})" if message else ""),
                                       offsets)
            time.sleep(0.5)
        raise self._failed(f"Neo4j did not answer on {self.bolt_uri} within {timeout:.0f} s",
                           offsets)

    def _database_state(self) -> tuple[str, str] | None:
        """The database's current status and message, or None while Bolt does not answer."""
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

        if not _port_open(self.bolt_port):
            return None
        try:
            with GraphDatabase.driver(self.bolt_uri, auth=(self.user, self.password())) as d:
                records, _, _ = d.execute_query(
                    "SHOW DATABASE $name YIELD currentStatus, statusMessage",
                    {"name": self.database}, database_="system")
        except AuthError as exc:
            raise ServerError(f"The Neo4j on {self.bolt_uri} refuses the password in "
                              f"{self.password_file}: {exc.message}") from None
        except (ServiceUnavailable, OSError, Neo4jError):
            return None  # not yet: the system database is starting
        if not records:
            return ("absent", f"Neo4j has no database {self.database!r} (NEO4J_DATABASE)")
        return records[0]["currentStatus"], records[0]["statusMessage"] or ""

    def _bolt_answers(self) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        try:
            with GraphDatabase.driver(self.bolt_uri, auth=(self.user, self.password())) as d:
                d.verify_connectivity()
            return True
        except (ServiceUnavailable, OSError, Neo4jError):
            return False

    # -- stopping -------------------------------------------------------------------------

    def stop(self, timeout: float = 60.0, grace: float = 15.0) -> bool:
        """Stop the server cleanly; returns False if it was not running. Raises ServerError,
        with the cause from Neo4j's logs, when it did not stop cleanly (its checkpoint failed,
        or it had to be killed)."""
        pids = self.processes()
        if not pids:
            self.pid_file.unlink(missing_ok=True)
            return False
        offsets = self._log_offsets()
        started = time.monotonic()
        killed = _end(dict.fromkeys(pids), grace=timeout,
                      failing=lambda: self._cause(offsets, errors=False) is not None,
                      after_failure=grace)
        self.pid_file.unlink(missing_ok=True)
        # A JVM's threads close its sockets after its main thread is gone: wait for them, so
        # that a start right after finds its ports free.
        deadline = time.monotonic() + 10
        while (_port_open(self.bolt_port) or _port_open(self.http_port)) and \
                time.monotonic() < deadline:
            time.sleep(0.2)
        if killed or self._cause(offsets, errors=False) is not None:
            raise self._unclean_stop(offsets, time.monotonic() - started if killed else None)
        return True

    def _unclean_stop(self, offsets: dict[Path, int],
                      killed_after: float | None) -> ServerError:
        cause = self._cause(offsets, errors=killed_after is not None)
        checkpoint = self._cause(offsets, only=CHECKPOINT_FAILED)
        full, free = self._disk_full()
        disk = full or (cause is not None and "disk" in cause.what)
        lines = ["Neo4j did not stop cleanly"
                 + (f": it was killed after {killed_after:.0f} s." if killed_after else ".")]
        if checkpoint is not None and checkpoint != cause:
            lines.append(f"Its checkpoint failed: {checkpoint.log} says {checkpoint.line!r}")
        if cause is not None:
            lines.append(f"Cause: {cause}")
        elif full:
            lines.append(f"Cause: the disk is full ({free / MIB:,.0f} MiB free).")
        else:
            lines.append("Its logs do not say why it did not end: something held it, such as a "
                         "query Neo4j cannot interrupt (one long reduce() or list comprehension) "
                         "or a full heap.")
        lines.append(f"The disk holding {self.root} has {free / MIB:,.0f} MiB free.")
        lines.append("What it had committed is in its transaction logs: the next start recovers "
                     "it" + (" once space is freed." if disk else "."))
        lines.append(f"Full logs: {self.logs}")
        return ServerError("\n".join(lines))

    # -- what its logs say ----------------------------------------------------------------

    def _log_offsets(self) -> dict[Path, int]:
        offsets = {}
        for name in LOGS:
            path = self.logs / name
            offsets[path] = path.stat().st_size if path.exists() else 0
        return offsets

    def _cause(self, offsets: dict[Path, int], errors: bool = True,
               only: tuple[re.Pattern[str], str] | None = None) -> Cause | None:
        """The most telling line the logs gained since ``offsets``; with ``errors`` False, only
        the causes that mean failure whatever else happens (no bare ERROR line)."""
        gained = {path: _read_from(path, offsets.get(path, 0)) for path in offsets}
        causes = [only] if only else CAUSES if errors else CAUSES[:-1]
        for pattern, what in causes:
            for path, text in gained.items():
                for line in text.splitlines():
                    match = pattern.search(line)
                    if match:
                        return Cause(what, _trim(line, match), path.name)
        return None

    def _disk_full(self) -> tuple[bool, int]:
        """Whether the disk holding the folder is (nearly) full, and its free bytes: less than
        REVGRAPH_NEO4J_MIN_FREE, or than one transaction log file, whatever that setting says."""
        free = self.free_bytes(self.root)
        return free < max(size_bytes(self.config.neo4j_min_free), TX_LOG_BYTES), free

    def _failed(self, headline: str, offsets: dict[Path, int]) -> ServerError:
        cause = self._cause(offsets)
        full, free = self._disk_full()
        lines = [headline + "."]
        if cause is not None:
            lines.append(f"Cause: {cause}")
        elif full:  # so full that Neo4j could not even log why
            lines.append(f"Cause: the disk is full ({free / MIB:,.0f} MiB free); Neo4j's logs "
                         "say nothing more, having no room to.")
        if full or (cause is not None and "disk" in cause.what):
            lines.append(f"The disk holding {self.root} has {free / MIB:,.0f} MiB free: free "
                         "some space on it and run `revgraph neo4j start` again.")
        elif cause is None:
            lines.append(self._log_tail())
        lines.append(f"Full logs: {self.logs}")
        return ServerError("\n".join(lines))

    def _log_tail(self, lines: int = 20) -> str:
        parts = []
        for name in ("console.log", "neo4j.log"):
            path = self.logs / name
            if path.exists():
                text = path.read_text(errors="replace").strip().splitlines()[-lines:]
                parts.append(f"--- {path} ---\n" + "\n".join(text))
        return "\n".join(parts)

    def _owner_only(self) -> None:
        """Neo4j's home readable by its owner only, and its store, logs and transaction files
        too (older folders were made world-readable)."""
        self.home.chmod(0o700)
        for top in (self.home / "data", self.logs, self.run_dir, self.conf_dir):
            for path in (top, *top.rglob("*")):
                if path.is_symlink():
                    continue
                mode = path.stat().st_mode & 0o777
                if mode & 0o077:
                    path.chmod(mode & 0o700)

    def transaction_limits(self) -> dict[str, str]:
        """Neo4j's own per-transaction bounds, from the settings: the same lines serve for
        another Neo4j's neo4j.conf (`revgraph settings --neo4j-conf`)."""
        return transaction_limits(self.config)

    def _write_conf(self) -> None:
        d = self.home
        conf = {
            "server.default_listen_address": "127.0.0.1",
            "server.default_advertised_address": "127.0.0.1",
            "server.bolt.listen_address": f"127.0.0.1:{self.bolt_port}",
            "server.bolt.advertised_address": f"127.0.0.1:{self.bolt_port}",
            "server.http.listen_address": f"127.0.0.1:{self.http_port}",
            "server.http.advertised_address": f"127.0.0.1:{self.http_port}",
            "server.https.enabled": "false",
            "server.directories.data": d / "data",
            "server.directories.logs": self.logs,
            "server.directories.run": self.run_dir,
            "server.directories.plugins": d / "plugins",
            "server.directories.import": d / "import",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            # Bounds on every transaction, so that one query cannot take the heap or run for
            # ever (schema/config.py says why each default; README, "Using another Neo4j").
            **self.transaction_limits(),
            "dbms.security.auth_enabled": "true",
            "dbms.usage_report.enabled": "false",
            "server.logs.gc.enabled": "false",
            # Neo4j sends Access-Control-Allow-Origin: * by default, so that any web page could
            # call its HTTP API from a browser; only its own origin (Neo4j Browser) may.
            "dbms.security.http_access_control_allow_origin": self.http_origin,
        }
        text = "# Written by revgraph (graph/server.py) at every start; edit that, not this.\n"
        text += "".join(f"{k}={v}\n" for k, v in conf.items())
        (self.conf_dir / "neo4j.conf").write_text(text)



def transaction_limits(config: Config) -> dict[str, str]:
    """db.memory.transaction.max, the two total limits and db.transaction.timeout, as
    neo4j.conf lines from the settings (sizes in MiB, shares of the heap worked out)."""
    def mib(setting: str) -> str:
        return f"{max(1, size_bytes(setting, config.neo4j_heap) // MIB)}m"

    return {
        "db.memory.transaction.max": mib(config.neo4j_tx_memory),
        "db.memory.transaction.total.max": mib(config.neo4j_tx_memory_total),
        "dbms.memory.transaction.total.max": mib(config.neo4j_tx_memory_total),
        "db.transaction.timeout": f"{config.neo4j_tx_timeout:g}s",
    }


def _free_bytes(path: Path) -> int:
    """Free space on the disk that holds ``path`` (or would: its nearest existing parent)."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return shutil.disk_usage(candidate).free
    return shutil.disk_usage("/").free


@contextmanager
def _disk_errors(server: LocalServer, doing: str) -> Iterator[None]:
    """An OSError of ours (a full disk, most often) as a ServerError that says so."""
    try:
        yield
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            free = server.free_bytes(server.root)
            raise ServerError(
                f"The disk holding {server.root} is full ({exc.strerror} while {doing}; "
                f"{free / MIB:,.0f} MiB free). Free some space on it and run this again."
            ) from None
        raise ServerError(f"{doing}: {exc}") from None


def _end(processes: Mapping[int, subprocess.Popen[bytes] | None], grace: float,
         failing: Callable[[], bool] | None = None, after_failure: float = 0.0) -> bool:
    """SIGTERM each process, wait up to ``grace`` seconds (``after_failure`` more once
    ``failing()`` says it will not end well), then SIGKILL what is left. True if any was
    killed. A Popen given with its pid is reaped, so it leaves no zombie."""
    for pid in processes:
        _signal(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    seen_failure = False
    killed = False
    while True:
        for process in processes.values():
            if process is not None:
                process.poll()
        alive = [pid for pid in processes if _alive(pid)]
        if not alive:
            return killed
        if failing is not None and not seen_failure and failing():
            seen_failure = True
            deadline = min(deadline, time.monotonic() + after_failure)
        if time.monotonic() >= deadline:
            if killed:  # SIGKILLed five seconds ago and still there: nothing more to do
                return True
            for pid in alive:
                _signal(pid, signal.SIGKILL)
            killed = True
            deadline = time.monotonic() + 5.0
        time.sleep(0.3)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def _neo4j_home(pid: int) -> Path | None:
    """The home folder of the Neo4j running as ``pid``, or None if it is no Neo4j of ours."""
    args = _cmdline(pid)
    if ENTRY_POINT not in args:
        return None
    for arg in args:
        if arg.startswith("--home-dir="):
            return Path(arg.removeprefix("--home-dir="))
    return None


def _neo4j_processes() -> dict[int, Path]:
    """Every Neo4j on this machine started as graph/server.py starts one, with its home."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            home = _neo4j_home(int(entry.name))
            if home is not None and _alive(int(entry.name)):
                found[int(entry.name)] = home
    return found


def _listening_sockets() -> dict[int, int]:
    """Socket inode: port, for every TCP socket listening on this machine."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == "0A":  # 0A: LISTEN
                found[int(fields[9])] = int(fields[1].rsplit(":", 1)[1], 16)
    return found


def _socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _listening(pid: int) -> set[int]:
    """The TCP ports ``pid`` listens on."""
    sockets = _listening_sockets()
    return {sockets[i] for i in _socket_inodes(pid) if i in sockets}


def _port_holder(port: int) -> int | None:
    """The process listening on ``port``, if this user may see it."""
    inodes = {i for i, p in _listening_sockets().items() if p == port}
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _socket_inodes(int(entry.name)) & inodes:
            return int(entry.name)
    return None


def describe_port_holder(port: int) -> str:
    """Who listens on ``port``, for an error message."""
    return _describe(_port_holder(port)) if _port_open(port) else "nothing listens on it"


def _describe(pid: int | None) -> str:
    """A process, as a person would want it named."""
    if pid is None:
        return "by a process this user cannot see"
    home = _neo4j_home(pid)
    if home is not None:
        return f"by the Neo4j of {home} (pid {pid})"
    args = _cmdline(pid)
    return f"by pid {pid}: {' '.join(args)[:120] or 'an unknown program'}"


def _read_from(path: Path, offset: int, limit: int = 4 * MIB) -> str:
    """What ``path`` gained after ``offset`` (its last ``limit`` bytes at most)."""
    try:
        with path.open("rb") as f:
            size = f.seek(0, os.SEEK_END)
            if size < offset:
                offset = 0  # rotated meanwhile: read it all
            f.seek(max(offset, size - limit))
            return f.read().decode(errors="replace")
    except OSError:
        return ""


def _trim(line: str, match: re.Match[str], width: int = 240) -> str:
    """The log line without its timestamp, cut to ``width`` around what matched."""
    stamp = re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+\d{4} ", line)
    start = stamp.end() if stamp else 0
    if len(line) - start <= width:
        return line[start:].strip()
    begin = max(start, min(match.start() - width // 2, len(line) - width))
    return ("... " if begin > start else "") + line[begin:begin + width].strip() + (
        " ..." if begin + width < len(line) else "")

def _java_major(java: Path) -> int | None:
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's: alive
    try:
        return ") Z " not in Path(f"/proc/{pid}/stat").read_text()  # Z: exited, not yet reaped
    except OSError:
        return False
