"""The ``revgraph`` command line: the local Neo4j, loading, Cypher, reports and the API."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cli.common import config, err, fail, handled, out, validated
from schema.config import RECORD_FILE, Config

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

API_PID = "api.pid"  # in REVGRAPH_HOME while `revgraph serve` runs



# -- neo4j ---------------------------------------------------------------------------------


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local Neo4j (fetching it from Maven Central the first time); returns when
    its database is online, with its ports recorded in REVGRAPH_HOME. Running it again while
    the server runs does nothing."""
    from graph.db import connect
    from graph.migrations import migrate
    from graph.server import LocalServer

    with handled():
        cfg = config()
        server = LocalServer(cfg)
        started = server.start()
        with connect(cfg.with_(neo4j_uri="")) as (driver, database):  # this server, whatever NEO4J_URI says
            migrate(driver, database)
        s = server.status()
        word = "started" if started else "already running"
        out.print(f"Neo4j {s.version} {word}: {s.bolt_uri} (pid {s.pid}), data in {s.data}")
        out.print(f"Browser: {s.browser_url}  user: {s.user}  password file: {s.password_file}")
        for problem in s.problems:
            err.print(f"[yellow]warning:[/] {escape(problem)}", highlight=False)
        if started:
            out.print(f"Ports recorded in {cfg.home / RECORD_FILE}: commands run without "
                      "REVGRAPH_BOLT_PORT and REVGRAPH_HTTP_PORT find this server.")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j cleanly (its data is kept). Exit code 1, with the cause from
    Neo4j's logs, when it did not stop cleanly (a failed checkpoint, or it had to be killed)."""
    from graph.server import LocalServer

    with handled():
        stopped = LocalServer(config()).stop()
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Say whether the local Neo4j runs (found by its pid file or by its folder), on which
    ports, whether it answers, where its data is and how to log in. Exit code 0 if it runs and
    answers, 1 if it runs and does not answer, 3 if it does not run."""
    from graph.server import LocalServer

    with handled():
        cfg = config()
        s = LocalServer(cfg).status()
        origins = Config.origins()
        table = Table(show_header=False, box=None)
        table.add_row("running", "[green]yes[/]" if s.running else "[red]no[/]")
        for pid, how in sorted(s.pids.items()):
            table.add_row("pid", f"{pid} (found by its {how})" if how == "pid file"
                          else f"{pid} ({how})")
        if s.running:
            table.add_row("answers", "[green]yes[/]" if s.answers else "[red]no[/]")
            table.add_row("listening on", ", ".join(map(str, s.listening)) or "no port")
        table.add_row("version", f"Neo4j Community {s.version}")
        table.add_row("bolt", f"{s.bolt_uri}  [dim]({_origin(origins['bolt_port'])})[/]")
        table.add_row("browser", f"{s.browser_url}  [dim]({_origin(origins['http_port'])})[/]")
        table.add_row("user", s.user)
        table.add_row("password file", str(s.password_file))
        table.add_row("data", str(s.data))
        table.add_row("logs", str(s.home / "logs"))
        table.add_row("api", _api_line(cfg))
        if not cfg.local:
            table.add_row("note", f"NEO4J_URI is set: commands use {cfg.neo4j_uri}, not this server")
        out.print(table)
        for problem in s.problems:
            err.print(f"[yellow]warning:[/] {escape(problem)}", highlight=False)
        raise typer.Exit(0 if s.running and s.answers else 1 if s.running else 3)


def _origin(origin: str) -> str:
    return "default" if origin == "default" else f"from {origin}"


def _api_line(cfg: Config) -> str:
    pid = _api_pid(cfg)
    url = f"http://{cfg.api_host}:{cfg.api_port}/graphql"
    return f"{url} (pid {pid})" if pid else f"not running (`revgraph serve` would serve {url})"


def _api_pid(cfg: Config) -> int | None:
    """The pid of this folder's `revgraph serve`, if it runs."""
    try:
        pid = int((cfg.home / API_PID).read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b"serve" in cmdline else None  # not a pid reused by another program


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


@app.command()
def validate(paths: PathsArg = None) -> None:
    """Check the data files without writing: every problem with its file, line and field."""
    dataset = validated(paths)
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
        "writes only what changed: in one transaction (all or nothing) up to 20,000 rows, in "
        "batches beyond, the graph marked unfinished until the last one. --bulk on a database "
        "that holds data is refused.")] = None,
) -> None:
    """Validate the data files, then write them to Neo4j.

    A first load into an empty database takes the bulk path; later loads write only the
    changes. A second load of the same files changes nothing; a record removed from the files
    is removed from the graph. A load that did not finish (Neo4j stopped midway) is marked so
    in the graph, and the next `revgraph load` finishes it."""
    from graph.db import connect
    from graph.loadstate import load_state
    from loaders.nodes import LoadFailed
    from loaders.write import load as write
    from loaders.write import work_units

    dataset = validated(paths)
    with handled(), connect(config()) as (driver, database):
        state = load_state(driver, database)
        if state.state in ("writing", "unverified"):
            err.print(f"[yellow]warning:[/] {escape(state.message)}. Repairing: writing what is "
                      "missing.", highlight=False)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task("loading", total=work_units(dataset))

            def step(stage: str, n: int) -> None:
                bar.update(task, advance=n, description=f"writing {stage}")

            try:
                summary = write(driver, database, dataset, step, bulk=bulk)
            except LoadFailed as exc:
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
    if summary.repaired:
        out.print("Graph repaired: the unfinished load is complete now.")
    else:
        out.print("Graph unchanged." if not summary.changed else "Graph updated.")
    out.print(f"Data version {summary.data_version} (what answers and releases cite).")


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
        _warn_if_unfinished(driver, database)
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


def _warn_if_unfinished(driver: Any, database: str) -> None:
    """A warning on stderr when the graph's last load did not finish (graph/loadstate.py)."""
    from graph.loadstate import load_state

    state = load_state(driver, database)
    if state.state in ("writing", "unverified"):
        err.print(f"[yellow]warning:[/] {escape(state.message)}.", highlight=False)


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
    neo4j_conf: Annotated[bool, typer.Option(
        "--neo4j-conf", help="Print the per-transaction bounds the local server is given, as "
        "neo4j.conf lines for another Neo4j (NEO4J_URI).")] = False,
) -> None:
    """Every setting revgraph reads from the environment, its value now, where it came from
    (the variable, the ports recorded in REVGRAPH_HOME, or the default) and what it does."""
    import dataclasses

    from schema.config import settings_docs, settings_markdown

    if markdown:
        sys.stdout.write(settings_markdown())
        return
    current = config()
    if neo4j_conf:
        from graph.server import transaction_limits

        sys.stdout.write("".join(f"{k}={v}\n" for k, v in transaction_limits(current).items()))
        return
    origins = Config.origins()
    table = Table("variable", "value", "from", "default", "what it does")
    for f, doc in zip(dataclasses.fields(current), settings_docs(), strict=True):
        value = getattr(current, f.name)
        shown = "(hidden)" if "password" in f.name and value else str(value)
        origin = origins[f.name]
        if origin.endswith(RECORD_FILE):  # the full path is REVGRAPH_HOME's row's value
            origin = f"recorded ({RECORD_FILE})"
        table.add_row(doc.env, shown, origin, doc.default, doc.help)
    out.print(table)


# -- the API -------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(
        help="Interface to bind [default: REVGRAPH_API_HOST, 127.0.0.1].", show_default=False)
    ] = None,
    port: Annotated[int | None, typer.Option(
        help="Port [default: REVGRAPH_API_PORT, 8000].", show_default=False)] = None,
    reload: Annotated[bool, typer.Option(help="Reload on code changes.")] = False,
    workers: Annotated[int, typer.Option(
        min=1, help="API processes sharing the port (each with its own driver and response "
        "cache; see docs/scaling.md).")] = 1,
) -> None:
    """Serve the GraphQL API and its playground at http://HOST:PORT/graphql, recording the
    host and port in REVGRAPH_HOME. SIGTERM (`revgraph stop`) or Ctrl-C ends it, exit code 0."""
    import os

    import uvicorn

    from schema.config import write_record

    if workers > 1 and reload:
        raise typer.BadParameter("--reload runs one process: leave out --workers", param_hint="--workers")
    cfg = config()
    cfg = cfg.with_(api_host=host or cfg.api_host, api_port=port or cfg.api_port)
    _check_api_port(cfg)
    pid_file = cfg.home / API_PID
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    pid_file.write_text(f"{os.getpid()}\n")
    write_record(cfg, "api_host", "api_port")
    url = f"http://{cfg.api_host}:{cfg.api_port}"
    out.print(f"GraphQL API and playground: {url}/graphql")
    out.print(f"Explorer (map, timelines, network): {url}/explore")
    from api.web.server import uvicorn_options

    try:
        with _ending_quietly():
            # Connections bounded in number and time (api/web/server.py). uvicorn's default
            # keep-alive (5 s) equals common clients' pool expiry: a request sent as the server
            # closes the idle connection was dropped (1.5% of fuzzed requests), hence a longer
            # one. Each worker builds the app from the same environment (app_from_env), so
            # every setting this process was given reaches all of them.
            uvicorn.run("api.app:app_from_env", factory=True, host=cfg.api_host,
                        port=cfg.api_port, reload=reload, workers=workers,
                        **uvicorn_options(cfg, importable=True))
    finally:
        pid_file.unlink(missing_ok=True)


def _check_api_port(cfg: Config) -> None:
    """A taken port said plainly, with the setting that changes it (uvicorn only logs it)."""
    import socket

    from graph.server import describe_port_holder

    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            s.bind((cfg.api_host, cfg.api_port))
        except OSError as exc:
            fail(f"cannot serve on {cfg.api_host}:{cfg.api_port}: {exc.strerror} "
                 f"({describe_port_holder(cfg.api_port)}). Choose another port with "
                 "REVGRAPH_API_PORT=... (or `make run PORT=...`).")


@contextmanager
def _ending_quietly() -> Iterator[None]:
    """SIGTERM and SIGINT end the server with exit code 0. uvicorn shuts down gracefully on
    either, then raises the signal again under the handler it found: these handlers, so that a
    `make run` ended by `make stop` or Ctrl-C is not reported by make as an error."""
    import signal

    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@app.command()
def stop() -> None:
    """Stop what `make run` started: the API (in the foreground or not) and the local Neo4j.
    Exit code 1 when Neo4j did not stop cleanly (`revgraph neo4j stop`)."""
    import os
    import signal
    import time

    from graph.server import LocalServer

    cfg = config()
    pid = _api_pid(cfg)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while _api_pid(cfg) == pid and time.monotonic() < deadline:
            time.sleep(0.2)  # its open requests end, then it removes its pid file
        out.print("API stopped.")
    (cfg.home / API_PID).unlink(missing_ok=True)
    with handled():
        stopped = LocalServer(cfg).stop()
    out.print("Neo4j stopped." if stopped else "Neo4j was not running.")


from cli.ingest import ingest  # noqa: E402  (documents: a curator's dry run, cli/ingest.py)

app.command()(ingest)

if __name__ == "__main__":
    app()
