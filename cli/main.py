"""The ``revgraph`` command line: the local Neo4j, loading, Cypher, reports and the API."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from schema.config import Config, ConfigError

app = typer.Typer(
    help="revgraph: a research graph of the Russian revolution's spread (Neo4j + GraphQL).\n\n"
    "Without NEO4J_URI, commands use the project's own local Neo4j "
    "(`revgraph neo4j start`).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
)
from cli.export import export  # noqa: E402 - after `app`, which it does not need

app.command("export")(export)
from cli.synth import synth  # noqa: E402

app.command("synth")(synth)
from cli.release import release  # noqa: E402

app.command("release")(release)
neo4j_app = typer.Typer(help="The local Neo4j server that revgraph runs itself.",
                        no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")

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
        from graph.db import target

        fail(f"cannot reach Neo4j at {target(config()).uri}: {exc}\n"
             "Start the local server with `revgraph neo4j start`, or set NEO4J_URI.")
    except AuthError as exc:
        fail(f"Neo4j refused the credentials: {exc.message}\n"
             "Check NEO4J_USER and NEO4J_PASSWORD (or the local password file).")
    except Neo4jError as exc:
        fail(f"{exc.code}: {exc.message}")


# -- neo4j ---------------------------------------------------------------------------------


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local Neo4j (fetching it from Maven Central the first time); returns when
    Bolt answers. Running it again while the server runs does nothing."""
    from graph.server import LocalServer

    with handled():
        server = LocalServer(config())
        started = server.start()
        s = server.status()
        word = "started" if started else "already running"
        out.print(f"Neo4j {s.version} {word}: {s.bolt_uri} (pid {s.pid})")
        out.print(f"Browser: {s.browser_url}  user: {s.user}  password file: {s.password_file}")
        from graph.db import connect
        from graph.migrations import migrate

        with connect(config()) as (driver, database):
            migrate(driver, database)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly (its data is kept)."""
    from graph.server import LocalServer

    with handled():
        stopped = LocalServer(config()).stop()
        out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j runs, where, and how to log in. Exit code 0 if it runs,
    3 if not."""
    from graph.server import LocalServer

    with handled():
        s = LocalServer(config()).status()
        table = Table(show_header=False, box=None)
        table.add_row("running", "[green]yes[/]" if s.running else "[red]no[/]")
        if s.pid and s.running:
            table.add_row("pid", str(s.pid))
        table.add_row("version", f"Neo4j Community {s.version}")
        table.add_row("bolt", s.bolt_uri)
        table.add_row("browser", s.browser_url)
        table.add_row("user", s.user)
        table.add_row("password file", str(s.password_file))
        table.add_row("home", str(s.home))
        out.print(table)
        raise typer.Exit(0 if s.running else 3)


@neo4j_app.command("password")
def neo4j_password() -> None:
    """Print the local server's generated password (for Neo4j Browser)."""
    from graph.server import LocalServer

    out.print(LocalServer(config()).password(), highlight=False)


# -- cypher --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """Driver values as JSON-friendly Python values."""
    from neo4j.graph import Node, Path, Relationship

    if isinstance(value, Node):
        return {"labels": sorted(value.labels), **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, **{k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return [_plain(n) for n in value.nodes]
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "iso_format"):
        return value.iso_format()
    return value


@app.command()
def cypher(
    query: Annotated[str, typer.Argument(help="The Cypher query, e.g. \"RETURN 40 + 2 AS answer\"")],
    write: Annotated[bool, typer.Option("--write", help="Allow the query to write.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="A parameter as NAME=VALUE (VALUE read as JSON when it parses).")
    ] = None,
) -> None:
    """Run a Cypher query against the configured Neo4j and print the rows as a table.

    Read-only unless `--write` is given. Example:

    `revgraph cypher "MATCH (p:Place {id: 'kursk'})<-[:OF_PLACE]-(c:Control) RETURN c.alignment, c.start"`
    """
    from neo4j import Query, RoutingControl

    from graph.db import connect

    params: dict[str, Any] = {}
    for p in param or []:
        name, sep, raw = p.partition("=")
        if not sep:
            fail(f"--param {p!r}: expected NAME=VALUE")
        try:
            params[name] = json.loads(raw)
        except json.JSONDecodeError:
            params[name] = raw
    summary: Any
    with handled(), connect(config()) as (driver, database):
        if write:
            records, summary, keys = driver.execute_query(
                Query(query), params, database_=database, routing_=RoutingControl.WRITE)
        else:  # the read-only rules of the HTTP /cypher endpoint (graph/readonly.py)
            records, summary, keys = _read_only(driver, database, query, params)
        rows = [{k: _plain(r[k]) for k in keys} for r in records]
        if as_json:
            sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2, default=str) + "\n")
            return
        table = Table(*keys, show_lines=False)
        for row in rows:
            table.add_row(*(_cell(row[k]) for k in keys))
        out.print(table)
        counters = summary.counters if summary is not None else None
        if counters is not None and counters.contains_updates:
            out.print(f"[dim]{counters}[/]")
        out.print(f"[dim]{len(rows)} row(s)[/]")


def _read_only(driver: Any, database: str, query: str,
               params: dict[str, Any]) -> tuple[list[Any], None, list[str]]:
    """The query under graph/readonly.py's rules; a refusal ends the command with exit code 2."""
    from graph.readonly import Limits, QueryError, Refused, TimedOut, run

    try:
        limits = Limits.from_config(config())
        result = run(driver, database, query, params, limits)
    except Refused as exc:
        fail(f"refused: {exc}", code=2)
    except TimedOut as exc:
        fail(f"{exc} (after {limits.timeout:g} s; REVGRAPH_CYPHER_TIMEOUT sets it)")
    except QueryError as exc:
        fail(f"{exc.code}: {exc}")
    except ValueError as exc:  # a bad REVGRAPH_CYPHER_* setting
        fail(str(exc))
    if result.truncated:
        err.print(f"[yellow]only the first {limits.max_rows} rows are shown "
                  "(REVGRAPH_CYPHER_MAX_ROWS sets the limit)[/]")
    return result.records, None, result.keys


def _cell(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


# -- data ----------------------------------------------------------------------------------

PathsArg = Annotated[list[Path] | None, typer.Argument(
    help="Data files or folders (default: the project's data/ folder).")]


def _validated(paths: list[Path] | None) -> Any:
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


@app.command()
def validate(paths: PathsArg = None) -> None:
    """Check the data files without writing: every problem with its file, line and field."""
    dataset = _validated(paths)
    counts: dict[str, int] = {}
    for r in dataset.records:
        counts[r.kind.section] = counts.get(r.kind.section, 0) + 1
    out.print(f"[green]OK[/]: {len(dataset.files)} file(s), {len(dataset.records)} record(s): "
              + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())))


@app.command()
def load(
    paths: PathsArg = None,
    bulk: Annotated[bool | None, typer.Option(
        "--bulk/--incremental",
        help="How to write. Default: --bulk when the database holds none of revgraph's nodes "
        "(a first load), --incremental otherwise. --bulk writes in many transactions of a few "
        "thousand rows, so a large first load never sits whole in the server's heap; if it "
        "fails, what it wrote is deleted again and the database is left empty. --incremental "
        "writes only what changed, in one transaction (all or nothing). --bulk on a database "
        "that holds data is refused.")] = None,
) -> None:
    """Validate the data files, then write them to Neo4j, all or nothing.

    A first load into an empty database takes the bulk path; later loads write only the
    changes. A second load of the same files changes nothing; a record removed from the files
    is removed from the graph."""
    from graph.db import connect
    from loaders.bulk import BulkLoadFailed
    from loaders.write import load as write
    from loaders.write import work_units

    dataset = _validated(paths)
    with handled(), connect(config()) as (driver, database):
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("loading", total=work_units(dataset))

            def step(stage: str, n: int) -> None:
                bar.update(task, advance=n, description=f"writing {stage}")

            try:
                summary = write(driver, database, dataset, step, bulk=bulk)
            except BulkLoadFailed as exc:
                fail(str(exc))
    table = Table("kind", "created", "updated", "deleted", "unchanged", title="load summary")
    labels = sorted(set(summary.created) | set(summary.updated) | set(summary.deleted)
                    | set(summary.unchanged))
    for label in labels:
        table.add_row(label, str(summary.created.get(label, 0)), str(summary.updated.get(label, 0)),
                      str(summary.deleted.get(label, 0)), str(summary.unchanged.get(label, 0)))
    out.print(table)
    if summary.derived:
        out.print(f"Fighting by month (derived from the events): {summary.derived:,} "
                  "node(s) written or removed.")
    out.print("Graph unchanged." if not summary.changed else "Graph updated.",
              f"Data version {summary.data_version} (what answers and releases cite).")


@app.command()
def migrate() -> None:
    """Apply the model's constraints and indexes (idempotent)."""
    from graph.db import connect
    from graph.migrations import migrate as run

    with handled(), connect(config()) as (driver, database):
        n = run(driver, database)
    out.print(f"{n} constraint and index statements applied.")


@app.command()
def report(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    quality: Annotated[bool, typer.Option("--quality", help="The data-quality figures instead.")] = False,
) -> None:
    """Counts per kind, facts per source, places without control data, low-confidence facts."""
    from graph.db import connect
    from graph.queries import report as query

    if quality:
        from graph.quality import quality as query  # the same printing, other figures

    with handled(), connect(config()) as (driver, database):
        data = query(driver, database)
    if as_json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if quality:
        from graph.quality import render

        sys.stdout.write("".join(line + "\n" for line in render(data)))  # unwrapped, for diffs
        return
    t = Table("kind", "count", title="nodes per kind")
    for row in data["kinds"]:
        t.add_row(row["kind"], str(row["count"]))
    out.print(t)
    t = Table("source", "facts citing it", title="facts per source")
    for row in data["sources"]:
        t.add_row(f"{row['id']}: {row['title']}", str(row["facts"]))
    out.print(t)
    places = data["placesWithoutControl"]
    out.print(f"[bold]Cities and towns without control data[/] ({len(places)}): "
              + (", ".join(places) or "none"))
    low = data["lowConfidence"]
    t = Table("fact", "confidence", "note", title=f"low-confidence facts ({len(low)})")
    for row in low:
        t.add_row(row["id"], row["confidence"], row["note"] or "")
    out.print(t)


@app.command("model-docs")
def model_docs(
    output: Annotated[Path, typer.Option(help="Where to write it.")] = Path("docs/model.md"),
) -> None:
    """Write the model's documentation for Cypher users (docs/model.md) from schema/."""
    from schema.docs import render

    output.write_text(render())
    out.print(f"Wrote {output}")


@app.command()
def codegen(
    types: Annotated[Path, typer.Option(help="Where to write the GraphQL types.")] = Path(
        "api/graphql/generated.py"),
    sdl: Annotated[Path, typer.Option(help="Where to write the schema's SDL.")] = Path(
        "schema.graphql"),
) -> None:
    """Write the GraphQL types of the model (api/graphql/generated.py) and the schema's SDL
    (schema.graphql) after a change to schema/model.py; tests fail while either is stale."""
    import importlib

    from api.graphql import codegen as generator

    types.write_text(generator.render())
    out.print(f"Wrote {types}")
    import api.graphql.generated

    importlib.reload(api.graphql.generated)
    from api.app import sdl as render_sdl

    sdl.write_text(render_sdl())
    out.print(f"Wrote {sdl}")


@app.command()
def settings(
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Print docs/settings.md (the defaults, not the values in force).")
    ] = False,
) -> None:
    """Every setting revgraph reads from the environment, its value now, its default and what
    it does."""
    import dataclasses

    from schema.config import settings_docs, settings_markdown

    if markdown:
        sys.stdout.write(settings_markdown())
        return
    current = config()
    table = Table("variable", "value", "default", "what it does")
    for f, doc in zip(dataclasses.fields(current), settings_docs(), strict=True):
        value = getattr(current, f.name)
        shown = "(hidden)" if "password" in f.name and value else str(value)
        table.add_row(doc.env, shown, doc.default, doc.help)
    out.print(table)


# -- the API -------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8000,
    reload: Annotated[bool, typer.Option(help="Reload on code changes.")] = False,
    workers: Annotated[int, typer.Option(
        min=1, help="API processes sharing the port (each with its own driver and response "
        "cache; see docs/scaling.md).")] = 1,
) -> None:
    """Serve the GraphQL API and its playground at http://HOST:PORT/graphql."""
    import os

    import uvicorn

    if workers > 1 and reload:
        raise typer.BadParameter("--reload runs one process: leave out --workers", param_hint="--workers")

    pid_file = config().home / "api.pid"
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{os.getpid()}\n")
    out.print(f"GraphQL API and playground: http://{host}:{port}/graphql")
    out.print(f"Explorer (map, timelines, network): http://{host}:{port}/explore")
    try:
        # uvicorn's default keep-alive (5 s) equals common clients' pool expiry: a request sent
        # as the server closes the idle connection was dropped (1.5% of fuzzed requests).
        # Each worker builds the app from the same environment (app_from_env), so every
        # setting this process was given reaches all of them.
        uvicorn.run("api.app:app_from_env", factory=True, host=host, port=port, reload=reload,
                    workers=workers, timeout_keep_alive=config().keep_alive,
                    access_log=False)  # the API logs one line a request itself (api/web/logs.py)
    finally:
        pid_file.unlink(missing_ok=True)


@app.command()
def stop() -> None:
    """Stop what `make run` started: the API (if it runs in the background) and the local
    Neo4j."""
    import os
    import signal

    from graph.server import LocalServer

    pid_file = config().home / "api.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            out.print("API stopped.")
        except (ProcessLookupError, ValueError):
            pass
        pid_file.unlink(missing_ok=True)
    with handled():
        stopped = LocalServer(config()).stop()
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


from cli.ingest import ingest  # noqa: E402  (documents: a curator's dry run, cli/ingest.py)

app.command()(ingest)

if __name__ == "__main__":
    app()
