"""Every setting revgraph reads, declared once with its default and help (as Datasette's
SETTINGS). The environment is read in one place, ``Config.from_env``, called at the edge (the
CLI, the ASGI factory, the test fixtures) and the result passed in; no module reads the
environment at import.

Paths are relative to the working directory (where ``make run`` runs), never to the installed
code, so an installed wheel keeps its data beside the user's project and not in site-packages.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting has a value that cannot be used; the message names it and what to give."""


def _setting(env: str, default: Any, help: str, *aliases: str) -> Any:
    return field(default=default, metadata={"env": env, "help": help, "aliases": aliases})


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
    bolt_port: int = _setting("REVGRAPH_BOLT_PORT", 7687, "The local server's Bolt port.")
    http_port: int = _setting("REVGRAPH_HTTP_PORT", 7474,
                              "The local server's HTTP port (Neo4j Browser).")
    neo4j_heap: str = _setting("REVGRAPH_NEO4J_HEAP", "2g", "The local server's Java heap.")
    neo4j_pagecache: str = _setting("REVGRAPH_NEO4J_PAGECACHE", "1g",
                                    "The local server's page cache.")
    # -- the data -------------------------------------------------------------------------
    data: Path = _setting("REVGRAPH_DATA", Path("data"),
                          "The data files' folder, loaded by `revgraph load` without arguments.")
    # -- the API --------------------------------------------------------------------------
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
        """The settings from ``environ`` (default: the process environment), then
        ``overrides`` by field name."""
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            for name in (f.metadata["env"], *f.metadata["aliases"]):
                raw = environ.get(name)
                if raw:
                    values[f.name] = _parse(f, name, raw)
                    break
        values.update(overrides)
        return cls(**values).resolved()

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
        measured in the issue 9 note, 6 on 2 cores halves search's p99 at c=32)."""
        return self.neo4j_concurrency or 2 * (os.cpu_count() or 1) + 2

    def with_(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes).resolved()


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
        return kind(raw)
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
            "command or the API starts. `revgraph settings` shows the values in force.\n\n"
            "| variable | default | what it does |\n|---|---|---|\n" + rows)


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
