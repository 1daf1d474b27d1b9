"""Every setting revgraph reads, declared once with its default and help (as Datasette's
SETTINGS). The environment is read in one place, ``Config.from_env``, called at the edge (the
CLI, the ASGI factory, the test fixtures) and the result passed in; no module reads the
environment at import.

Paths are relative to the working directory (where ``make run`` runs), never to the installed
code, so an installed wheel keeps its data beside the user's project and not in site-packages.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from schema.errors import InputError


class ConfigError(InputError):
    """A setting has a value that cannot be used; the message names it and what to give."""


def _setting(env: str, default: Any, help: str, *aliases: str,
             check: Callable[[Any], Any] | None = None) -> Any:
    """A setting: its variable, default and help; ``check`` raises ValueError on a value that
    parses but cannot be used (a size with no unit, say)."""
    return field(default=default,
                 metadata={"env": env, "help": help, "aliases": aliases, "check": check})


_UNITS = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def size_bytes(text: str, heap: str | None = None) -> int:
    """A size as Neo4j's configuration writes it ("512m", "2g", "1024k", bytes without a unit)
    or, given the heap, a share of it ("50%"). ValueError when it is neither."""
    text = text.strip().lower()
    if text.endswith("%"):
        if heap is None:
            raise ValueError(f"{text!r}: a share of what? Give a size such as 512m")
        share = float(text[:-1])
        if not 0 < share <= 100:
            raise ValueError(f"{text!r}: a share of the heap is between 0 and 100%")
        return int(size_bytes(heap) * share / 100)
    if text[-1:] in _UNITS:
        return int(float(text[:-1]) * _UNITS[text[-1]])
    return int(text)


def _size(text: str) -> str:
    size_bytes(text)
    return text


def _size_or_share(text: str) -> str:
    size_bytes(text, heap="1g")
    return text


def _port(port: int) -> int:
    if not 0 < port < 65536:
        raise ValueError(port)
    return port


@dataclass(frozen=True)
class Config:
    # -- which Neo4j ----------------------------------------------------------------------
    neo4j_uri: str = _setting(
        "NEO4J_URI", "",
        "Any Neo4j 5 (bolt://, neo4j://, neo4j+s:// ...). Empty: the project's own local server.")
    neo4j_user: str = _setting("NEO4J_USER", "neo4j", "The user for NEO4J_URI.", "NEO4J_USERNAME")
    neo4j_password: str = _setting("NEO4J_PASSWORD", "", "The password for NEO4J_URI.")
    neo4j_database: str = _setting("NEO4J_DATABASE", "neo4j", "The database to use.")
    # -- the local server -----------------------------------------------------------------
    home: Path = _setting(
        "REVGRAPH_HOME", Path(".revgraph"),
        "The project data folder: the local Neo4j's store, logs and password, the API's pid.")
    cache: Path = _setting(
        "REVGRAPH_CACHE", Path.home() / ".cache" / "revgraph",
        "Where Neo4j's jars from Maven Central are kept, once per version, for every clone.")
    bolt_port: int = _setting(
        "REVGRAPH_BOLT_PORT", 7687,
        "The local server's Bolt port. Recorded in REVGRAPH_HOME when it starts, so that every "
        "command finds it there unless this variable says otherwise.", check=_port)
    http_port: int = _setting(
        "REVGRAPH_HTTP_PORT", 7474,
        "The local server's HTTP port (Neo4j Browser); recorded as REVGRAPH_BOLT_PORT is.",
        check=_port)
    neo4j_heap: str = _setting("REVGRAPH_NEO4J_HEAP", "2g", "The local server's Java heap.",
                               check=_size)
    neo4j_pagecache: str = _setting("REVGRAPH_NEO4J_PAGECACHE", "1g",
                                    "The local server's page cache.", check=_size)
    neo4j_tx_memory: str = _setting(
        "REVGRAPH_NEO4J_TX_MEMORY", "25%",
        "The most heap one transaction of the local server may use (Neo4j's "
        "db.memory.transaction.max), as a size (512m) or a share of REVGRAPH_NEO4J_HEAP; a query "
        "beyond it fails with MemoryPoolOutOfMemoryError instead of starving the others.",
        check=_size_or_share)
    neo4j_tx_memory_total: str = _setting(
        "REVGRAPH_NEO4J_TX_MEMORY_TOTAL", "70%",
        "The most heap all transactions of the local server may use together (Neo4j's "
        "db.memory.transaction.total.max and dbms.memory.transaction.total.max), as a size or "
        "a share of REVGRAPH_NEO4J_HEAP; the rest is Neo4j's own.", check=_size_or_share)
    neo4j_tx_timeout: float = _setting(
        "REVGRAPH_NEO4J_TX_TIMEOUT", 300.0,
        "Seconds a transaction of the local server may run when its client sets no timeout of "
        "its own (Neo4j's db.transaction.timeout): Neo4j Browser, notebooks, cypher-shell, "
        "revgraph's loads and exports; 0: no limit. The API's queries carry their own, shorter "
        "timeouts.")
    neo4j_min_free: str = _setting(
        "REVGRAPH_NEO4J_MIN_FREE", "1g",
        "The least free space on the disk holding REVGRAPH_HOME for `revgraph neo4j start` to "
        "start the local server: Neo4j preallocates its transaction logs 256 MiB at a time "
        "(one per database) and needs room for checkpoints.", check=_size)
    # -- the data -------------------------------------------------------------------------
    data: Path = _setting("REVGRAPH_DATA", Path("data"),
                          "The data files' folder, loaded by `revgraph load` without arguments.")
    # -- the API --------------------------------------------------------------------------
    api_host: str = _setting(
        "REVGRAPH_API_HOST", "127.0.0.1",
        "The interface `revgraph serve` (and `make run`) binds the API to; recorded in "
        "REVGRAPH_HOME while it serves, as the ports of Neo4j are.")
    api_port: int = _setting(
        "REVGRAPH_API_PORT", 8000,
        "The API's port for `revgraph serve` and `make run` (`make run PORT=8001` sets it too).",
        check=_port)
    query_timeout: float = _setting("REVGRAPH_QUERY_TIMEOUT", 10.0,
                                    "Seconds a Cypher query of the API may run.")
    max_depth: int = _setting("REVGRAPH_MAX_DEPTH", 10, "The deepest GraphQL query accepted.")
    max_cost: int = _setting(
        "REVGRAPH_MAX_COST", 20000,
        "The highest estimated cost of a GraphQL query accepted (fields times list sizes).")
    cors_origins: tuple[str, ...] = _setting(
        "REVGRAPH_CORS_ORIGINS", (),
        "Origins allowed to call the API from a browser, comma-separated (none by default).")
    max_body: int = _setting("REVGRAPH_MAX_BODY", 100_000,
                             "The largest GraphQL request body accepted, in bytes (413 beyond).")
    max_tokens: int = _setting("REVGRAPH_MAX_TOKENS", 2_000,
                               "The most tokens a GraphQL document may have (graphql-core's parser).")
    max_aliases: int = _setting("REVGRAPH_MAX_ALIASES", 30,
                                "The most aliased fields a GraphQL document may have.")
    max_answer: int = _setting(
        "REVGRAPH_MAX_ANSWER", 16 * 1024 * 1024,
        "Bytes a GraphQL answer may have; a larger one is replaced by an error saying to ask "
        "for less (the cost limit refuses most such questions before they run).")
    request_deadline: float = _setting(
        "REVGRAPH_REQUEST_DEADLINE", 15.0,
        "Seconds a whole GraphQL request may take; its Cypher is cancelled after that (504).")
    cypher_per_request: int = _setting(
        "REVGRAPH_CYPHER_PER_REQUEST", 4,
        "How many Cypher queries one GraphQL request may run at the same time.")
    neo4j_concurrency: int = _setting(
        "REVGRAPH_NEO4J_CONCURRENCY", 0,
        "Cypher queries one API process runs on Neo4j at once; more wait their turn, first come "
        "first served, so a burst of costly ones cannot stretch every answer (0: twice this "
        "machine's cores plus two).")
    connect_timeout: float = _setting(
        "REVGRAPH_CONNECT_TIMEOUT", 2.0,
        "Seconds to wait for Neo4j before a request answers 503 (the database is unavailable).")
    cypher_timeout: float = _setting("REVGRAPH_CYPHER_TIMEOUT", 10.0,
                                     "Seconds a researcher's read-only Cypher (/cypher) may run.")
    cypher_max_rows: int = _setting("REVGRAPH_CYPHER_MAX_ROWS", 1000,
                                    "Rows /cypher returns at most; more are cut off (and said so).")
    cypher_max_query: int = _setting("REVGRAPH_CYPHER_MAX_QUERY", 20_000,
                                     "Characters of Cypher text /cypher accepts.")
    cypher_max_body: int = _setting("REVGRAPH_CYPHER_MAX_BODY", 256 * 1024,
                                    "Bytes of request body /cypher accepts (413 beyond).")
    cypher_max_bytes: int = _setting(
        "REVGRAPH_CYPHER_MAX_BYTES", 10 * 1024 * 1024,
        "Bytes of answer /cypher sends at most: the rows past it are cut off (and said so).")
    cypher_concurrency: int = _setting("REVGRAPH_CYPHER_CONCURRENCY", 4,
                                       "/cypher queries running at once (429 beyond).")
    export_concurrency: int = _setting(
        "REVGRAPH_EXPORT_CONCURRENCY", 2,
        "Exports one API process streams at once (503 with Retry-After beyond): each holds one "
        "of the Neo4j slots (REVGRAPH_NEO4J_CONCURRENCY) while it runs.")
    export_deadline: float = _setting(
        "REVGRAPH_EXPORT_DEADLINE", 120.0,
        "Seconds an export may take, its Neo4j transaction included; the transfer is cut after.")
    send_timeout: float = _setting(
        "REVGRAPH_SEND_TIMEOUT", 10.0,
        "Seconds a client may leave a streamed answer unread before it is cut off and its "
        "Neo4j transaction released.")
    response_cache: bool = _setting(
        "REVGRAPH_RESPONSE_CACHE", True,
        "Keep whole GraphQL answers until a load changes the graph (on or off).")
    cache_entries: int = _setting("REVGRAPH_CACHE_ENTRIES", 2048,
                                  "The response cache's most answers kept.")
    cache_mb: float = _setting("REVGRAPH_CACHE_MB", 64.0,
                               "The response cache's most megabytes kept.")
    cache_max_age: int = _setting("REVGRAPH_CACHE_MAX_AGE", 1,
                                  "Cache-Control max-age (seconds) of GET answers, for HTTP caches.")
    keep_alive: int = _setting(
        "REVGRAPH_KEEP_ALIVE", 65,
        "Seconds `revgraph serve` keeps an idle connection open: longer than clients' own pools "
        "(5 s for httpx and Node), so a client never sends on a connection being closed.")
    header_timeout: float = _setting(
        "REVGRAPH_HEADER_TIMEOUT", 10.0,
        "Seconds a connection may take to send a request's headers (from its first byte, or "
        "from opening) before `revgraph serve` closes it.")
    max_connections: int = _setting(
        "REVGRAPH_MAX_CONNECTIONS", 1000,
        "Connections and requests `revgraph serve` handles at once; more are answered 503.")
    log_format: str = _setting("REVGRAPH_LOG_FORMAT", "text",
                               "The API's request log: text (one line a request) or json.")
    public_url: str = _setting(
        "REVGRAPH_PUBLIC_URL", "",
        "The address the API is reached at from outside (https://revgraph.example.org): the "
        "base of the entity URIs in JSON-LD, Turtle and the reconciliation service, and of a "
        "release's dump. Empty: the address each request came to (for a release, "
        "http://127.0.0.1:8000).")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Config:
        """The settings, first that gives one: ``overrides`` by field name, ``environ``
        (default: the process environment), the ports recorded in REVGRAPH_HOME by the servers
        started from it (for the process environment only, so that a test's explicit
        environment stays explicit), the defaults."""
        values, _ = cls._layers(environ, overrides)
        return cls(**values).resolved()

    @classmethod
    def origins(cls, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        """Where each setting of ``from_env(environ)`` came from: the variable that set it,
        the record file, or "default"."""
        _, origins = cls._layers(environ, {})
        return origins

    @classmethod
    def _layers(cls, environ: Mapping[str, str] | None,
                overrides: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
        record = environ is None
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        origins: dict[str, str] = {}
        for f in dataclasses.fields(cls):
            for name in (f.metadata["env"], *f.metadata["aliases"]):
                raw = environ.get(name)
                if raw:
                    values[f.name] = _parse(f, name, raw)
                    origins[f.name] = name
                    break
        for name, value in overrides.items():
            values[name] = value
            origins[name] = "given"
        if record:
            home = Path(values.get("home", cls.home)).expanduser().resolve()
            path = home / RECORD_FILE
            fields = {f.metadata["env"]: f for f in dataclasses.fields(cls) if f.name in RECORDED}
            for env, raw in read_record(home).items():
                known = fields.get(env)
                if known is not None and known.name not in values:
                    values[known.name] = _parse(known, f"{env} in {path}", str(raw))
                    origins[known.name] = str(path)
        for f in dataclasses.fields(cls):
            origins.setdefault(f.name, "default")
        return values, origins

    def resolved(self) -> Config:
        """The same settings with every path made absolute (from the working directory)."""
        paths: dict[str, Any] = {f.name: Path(getattr(self, f.name)).expanduser().resolve()
                                 for f in dataclasses.fields(self) if isinstance(f.default, Path)}
        return dataclasses.replace(self, **paths)

    @property
    def local(self) -> bool:
        """Whether revgraph uses its own local server (no NEO4J_URI)."""
        return not self.neo4j_uri

    @property
    def neo4j_slots(self) -> int:
        """How many Cypher queries the API runs at once: the setting, or for 0 the pool size a
        database on this machine's cores serves best (HikariCP's rule, 2 x cores + spindles:
        docs/decisions/0001-neo4j-gate-and-reads.md)."""
        return self.neo4j_concurrency or 2 * (os.cpu_count() or 1) + 2

    def with_(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes).resolved()


# The settings a server records in REVGRAPH_HOME when it starts (graph/server.py for Neo4j's
# ports, `revgraph serve` for the API's): every command reads them there, so that a server
# started with REVGRAPH_BOLT_PORT=7787 is found by commands run without it.
RECORD_FILE = "ports.json"
RECORDED = ("bolt_port", "http_port", "api_host", "api_port")
_ENV = {f.name: f.metadata["env"] for f in dataclasses.fields(Config)}


def read_record(home: Path) -> dict[str, str]:
    """The settings recorded in ``home`` by the servers started from it (variable: value)."""
    path = home / RECORD_FILE
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path} cannot be read ({exc}); delete it, and start the servers "
                          "again to record their ports") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path} is not a JSON object; delete it, and start the servers again")
    return {str(k): str(v) for k, v in data.items()}


def write_record(config: Config, *names: str) -> Path:
    """Record the settings ``names`` (field names in RECORDED) of ``config`` in its home, beside
    those already there; written whole (a temporary file renamed), so a reader never sees half."""
    fields = {f.name: f for f in dataclasses.fields(Config)}
    data = read_record(config.home)
    data.update({fields[n].metadata["env"]: str(getattr(config, n)) for n in names})
    config.home.mkdir(parents=True, exist_ok=True)
    path = config.home / RECORD_FILE
    partial = path.with_name(f"{RECORD_FILE}.{os.getpid()}")
    partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    partial.replace(path)
    return path


def _parse(f: dataclasses.Field[Any], name: str, raw: str) -> Any:
    kind: Callable[[str], Any]
    default = f.default
    if isinstance(default, bool):
        kind = _boolean
    elif isinstance(default, int):
        kind = int
    elif isinstance(default, float):
        kind = float
    elif isinstance(default, Path):
        kind = Path
    elif isinstance(default, tuple):
        def kind(text: str) -> tuple[str, ...]:
            return tuple(p.strip() for p in text.split(",") if p.strip())
    else:
        kind = str
    try:
        value = kind(raw)
        if f.metadata["check"] is not None:
            f.metadata["check"](value)
        return value
    except ValueError:
        expected = type(default).__name__ if not isinstance(default, Path) else "path"
        raise ConfigError(f"{name}={raw!r}: expected a {expected} ({f.metadata['help']})") from None


def _boolean(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(text)


@dataclass(frozen=True)
class SettingDoc:
    env: str
    default: str
    help: str


def settings_markdown() -> str:
    """docs/settings.md: every setting, its default and what it does."""
    rows = "".join(f"| `{d.env}` | `{d.default}` | {d.help} |\n" for d in settings_docs())
    return ("# Settings\n\n*Generated from `schema/config.py` by `revgraph settings --markdown`; "
            "do not edit by hand.*\n\nEvery setting is an environment variable, read once when a "
            "command or the API starts. `revgraph settings` shows the values in force and where "
            "each came from.\n\n" + PRECEDENCE + "\n\n" + ANOTHER_NEO4J + "\n\n"
            "| variable | default | what it does |\n|---|---|---|\n" + rows)


PRECEDENCE = (
    "**Which value wins.** A variable set in the environment; else, for where the servers "
    f"listen ({', '.join(f'`{_ENV[n]}`' for n in RECORDED)}), the value recorded in "
    f"`REVGRAPH_HOME/{RECORD_FILE}` when the server last started from that folder (`revgraph "
    "neo4j start` records Neo4j's, `revgraph serve` the API's), so that a command run in "
    "another shell, without the variables, finds the server `make run` started; else the "
    "default. Setting a variable again and starting the server records the new value.")

ANOTHER_NEO4J = (
    "**The transaction bounds on another Neo4j.** `REVGRAPH_NEO4J_TX_MEMORY`, "
    "`REVGRAPH_NEO4J_TX_MEMORY_TOTAL` and `REVGRAPH_NEO4J_TX_TIMEOUT` are written into the "
    "local server's `neo4j.conf`. A server reached through `NEO4J_URI` keeps its own: "
    "`revgraph settings --neo4j-conf` prints the same lines (`db.memory.transaction.max`, "
    "`db.memory.transaction.total.max`, `dbms.memory.transaction.total.max`, "
    "`db.transaction.timeout`) for its `neo4j.conf`, read when it starts (shares of the heap "
    "are worked out from `REVGRAPH_NEO4J_HEAP`: set it to that server's heap). On Enterprise "
    "Edition they can also be changed while it runs, with "
    "`CALL dbms.setConfigValue('db.transaction.timeout', '300s')`; Aura sets its own.")


def settings_docs() -> Iterator[SettingDoc]:
    """Each setting's variable, default and help, for `revgraph settings` and the docs."""
    for f in dataclasses.fields(Config):
        default = f.default
        if isinstance(default, bool):
            shown = "on" if default else "off"
        elif isinstance(default, tuple):
            shown = ",".join(default) or "(none)"
        elif isinstance(default, Path) and default.is_absolute():
            shown = str(default).replace(str(Path.home()), "~")
        else:
            shown = str(default) if default != "" else "(empty)"
        names = " or ".join((f.metadata["env"], *f.metadata["aliases"]))
        yield SettingDoc(names, shown, f.metadata["help"])
