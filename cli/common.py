"""What every command shares: the consoles, the settings as the CLI reads them, and errors a
person can act on (a message and an exit code, never a traceback)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from schema.config import Config, ConfigError

out = Console()
err = Console(stderr=True)


def fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    raise typer.Exit(code)


def config() -> Config:
    """The settings, read from the environment: the CLI is the edge that reads them."""
    try:
        return Config.from_env()
    except ConfigError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


@contextmanager
def handled() -> Iterator[None]:
    """Turn the errors a user can act on into a clear message and exit code 1."""
    from neo4j.exceptions import AuthError, Neo4jError, ServiceUnavailable

    from graph.server import ServerError
    from schema.errors import RevgraphError

    try:
        yield
    except ServerError as exc:
        fail(str(exc))
    except RevgraphError as exc:  # every error raised on purpose says what to change
        fail(exc.message)
    except ServiceUnavailable as exc:
        fail(f"cannot reach Neo4j at {_where()}: {exc}\n"
             "Start the local server with `revgraph neo4j start`, or set NEO4J_URI."
             + _local_hint())
    except AuthError as exc:
        fail(f"Neo4j at {_where()} refused the credentials: {exc.message}\n"
             "Check NEO4J_USER and NEO4J_PASSWORD (or the local password file)." + _local_hint())
    except Neo4jError as exc:
        fail(f"{exc.code}: {exc.message}" + _local_hint())


def _where() -> str:
    """The server the commands use, and which setting says so."""
    from graph.db import target

    cfg = config()
    if not cfg.local:
        return f"{cfg.neo4j_uri} (NEO4J_URI)"
    origin = Config.origins()["bolt_port"]
    said = "the default port" if origin == "default" else f"port from {origin}"
    return f"{target(cfg).uri} ({said})"


def _local_hint() -> str:
    """For the local server: who holds its Bolt port, if not its own Neo4j, and a full disk."""
    from graph.server import LocalServer, ServerError

    cfg = config()
    if not cfg.local:
        return ""
    server = LocalServer(cfg)
    hints = [p for p in server.status().problems if "held by another program" in p]
    try:
        server.check_free_space()
    except ServerError as exc:
        hints.append(str(exc))
    return "".join(f"\n{h}" for h in hints)


def validated(paths: list[Path] | None) -> Any:
    from loaders.validate import ValidationFailed, validate_paths

    try:
        return validate_paths(paths or [config().data])
    except FileNotFoundError as exc:
        fail(str(exc))
    except ValidationFailed as exc:
        for p in exc.problems:
            err.print(f"[red]{escape(str(p.location))}[/]: [bold]{escape(p.field or '-')}[/]: "
                      f"{escape(p.message)}", highlight=False, soft_wrap=True)
        fail(f"{len(exc.problems)} problem(s) found; nothing was written.", code=2)
