"""The local Neo4j that the project runs itself, with no Docker.

Neo4j Community's jars come from Maven Central: Maven resolves the dependency set of
``org.neo4j:neo4j`` (what the distribution's lib/ holds) and Neo4j Browser, pinned in
``graph/maven/pom.xml``, and copies them once into the project data folder. The server is
started with the machine's JDK as ``org.neo4j.server.CommunityEntryPoint``, bound to 127.0.0.1,
with authentication on and a generated password kept in a file only its owner can read.
"""

from __future__ import annotations

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
from dataclasses import dataclass
from pathlib import Path

from schema.config import Config

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


class ServerError(RuntimeError):
    """Something the user can act on: the message says what went wrong and what to do."""


def pinned_versions() -> dict[str, str]:
    """The Neo4j and Neo4j Browser versions pinned in graph/maven/pom.xml."""
    text = POM.read_text()
    found = dict(re.findall(r"<(neo4j(?:-browser)?)\.version>([^<]+)<", text))
    return {"neo4j": found["neo4j"], "neo4j-browser": found["neo4j-browser"]}


@dataclass
class Status:
    running: bool
    pid: int | None
    bolt_uri: str
    browser_url: str
    user: str
    password_file: Path
    home: Path
    version: str


class LocalServer:
    """The project's own Neo4j under the data folder (``.revgraph/neo4j`` by default)."""

    user = "neo4j"

    def __init__(self, config: Config) -> None:
        self.root = config.home
        self.home = self.root / "neo4j"
        self.version = pinned_versions()["neo4j"]
        # The jars are the same for every project folder and clone: cached once per version.
        self.lib = config.cache / f"neo4j-{self.version}" / "lib"
        self.conf_dir = self.home / "conf"
        self.run_dir = self.home / "run"
        self.logs = self.home / "logs"
        self.pid_file = self.run_dir / "neo4j.pid"
        self.password_file = self.root / "neo4j-password"
        self.bolt_port = config.bolt_port
        self.http_port = config.http_port
        self.heap = config.neo4j_heap
        self.pagecache = config.neo4j_pagecache

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

    # -- running --------------------------------------------------------------------------

    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        cmdline = Path(f"/proc/{pid}/cmdline")
        if cmdline.exists() and ENTRY_POINT.encode() not in cmdline.read_bytes():
            return None  # the pid was reused by something else
        return pid

    def status(self) -> Status:
        pid = self.pid()
        return Status(
            running=pid is not None and _port_open(self.bolt_port),
            pid=pid,
            bolt_uri=self.bolt_uri,
            browser_url=self.browser_url,
            user=self.user,
            password_file=self.password_file,
            home=self.home,
            version=self.version,
        )

    def start(self, timeout: float = 180.0, echo: bool = True) -> bool:
        """Start the server and return once Bolt answers. Returns False if it was running."""
        if self.pid() is not None:
            self._wait_for_bolt(timeout, self.pid())
            return False
        for port, var in ((self.bolt_port, "REVGRAPH_BOLT_PORT"),
                          (self.http_port, "REVGRAPH_HTTP_PORT")):
            if _port_open(port):
                raise ServerError(
                    f"Port {port} on 127.0.0.1 is already taken (another Neo4j, or another "
                    f"program). Stop it, or choose another port with {var}=..., or point "
                    "revgraph at that server with NEO4J_URI=bolt://127.0.0.1:"
                    f"{port} and NEO4J_PASSWORD."
                )
        java = self.java()
        self.install(echo=echo)
        for d in (self.conf_dir, self.run_dir, self.logs, self.home / "data",
                  self.home / "plugins", self.home / "import"):
            d.mkdir(parents=True, exist_ok=True)
        self._owner_only()
        self._write_conf()
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.conf_dir)}
        classpath = f"{self.lib}/*"
        if not (self.home / "data" / "dbms").exists():
            result = subprocess.run(
                [java, "-cp", classpath, ADMIN_TOOL, "dbms", "set-initial-password",
                 self.password()],
                env=env, capture_output=True, text=True, umask=OWNER_ONLY_UMASK,
            )
            if result.returncode != 0:
                raise ServerError(f"Could not set the initial password:\n{result.stderr}")
        console = os.fdopen(os.open(self.logs / "console.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND,
                                    0o600), "ab")
        process = subprocess.Popen(
            [java, f"-Xms{self.heap}", f"-Xmx{self.heap}", *JVM_OPTIONS, "-cp", classpath,
             ENTRY_POINT, f"--home-dir={self.home}", f"--config-dir={self.conf_dir}"],
            env=env, stdout=console, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=self.home,
            umask=OWNER_ONLY_UMASK,  # the store, logs and transactions Neo4j writes: owner-only
        )
        self.pid_file.write_text(f"{process.pid}\n")
        if echo:
            print(f"Starting Neo4j {self.version} (pid {process.pid}) ...", file=sys.stderr)
        self._wait_for_bolt(timeout, process.pid, process)
        return True

    def _wait_for_bolt(self, timeout: float, pid: int | None,
                       process: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process is not None and process.poll() is not None:
                raise ServerError(
                    f"Neo4j stopped while starting (exit code {process.returncode}).\n"
                    f"{self._log_tail()}\nFull logs: {self.logs}"
                )
            if _port_open(self.bolt_port) and self._bolt_answers():
                return
            time.sleep(0.5)
        raise ServerError(
            f"Neo4j did not answer on {self.bolt_uri} within {timeout:.0f}s.\n"
            f"{self._log_tail()}\nFull logs: {self.logs}"
        )

    def _bolt_answers(self) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import Neo4jError, ServiceUnavailable

        try:
            with GraphDatabase.driver(self.bolt_uri, auth=(self.user, self.password())) as d:
                d.verify_connectivity()
            return True
        except (ServiceUnavailable, OSError):
            return False
        except Neo4jError:
            return True  # it answers; the error is for the caller to see

    def _log_tail(self, lines: int = 20) -> str:
        parts = []
        for name in ("console.log", "neo4j.log"):
            path = self.logs / name
            if path.exists():
                text = path.read_text(errors="replace").strip().splitlines()[-lines:]
                parts.append(f"--- {path} ---\n" + "\n".join(text))
        return "\n".join(parts)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly; returns False if it was not running."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                break
            time.sleep(0.3)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

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
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists() and ") Z " in stat.read_text():
        return False  # a zombie: exited, waiting for its parent
    return True
