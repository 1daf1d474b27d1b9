"""`revgraph export FORMAT [-o FILE]`: the same exports as /export/*, with the same options,
through the sync driver and the same formatters."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer

from api.exports.catalog import CLI_FORMATS, EXPORTS, plan, resolve
from api.exports.options import OptionError, parse_options
from api.exports.render import provenance, render, sync_rows


def export(
    fmt: Annotated[str, typer.Argument(
        metavar="FORMAT", help=f"One of: {', '.join(CLI_FORMATS)}.")],
    output: Annotated[Path | None, typer.Option(
        "-o", "--output", help="Where to write it (default: standard output). For csv: a "
        "folder, which gets nodes.csv, edges.csv and provenance.json.")] = None,
    on: Annotated[str | None, typer.Option(help="A day, yyyy-mm-dd in --calendar.")] = None,
    calendar: Annotated[str, typer.Option(help="How to read the days: julian or gregorian.")
                        ] = "gregorian",
    from_: Annotated[str | None, typer.Option("--from", help="A window's first day.")] = None,
    to: Annotated[str | None, typer.Option(help="A window's last day.")] = None,
    kind: Annotated[list[str] | None, typer.Option(
        help="Kinds of node (Place, Control...) or, for geojson/lpf/periods, of place (city...); "
        "repeat or separate with commas.")] = None,
    around: Annotated[str | None, typer.Option(help="Only the neighbourhood of this id.")] = None,
    depth: Annotated[int | None, typer.Option(help="How many relationships from --around: 1-3.")
                     ] = None,
) -> None:
    """Write an export of the graph: GeoJSON or Linked Places of the places, GeoJSON of the
    control periods (periods), GEXF, GraphML,
    Cytoscape.js JSON or CSV tables of the graph."""
    from cli.common import config, fail, handled
    from graph.db import connect

    names = CLI_FORMATS.get(fmt.lower())
    if names is None:
        fail(f"unknown format {fmt!r}: use one of {', '.join(CLI_FORMATS)}")
        return
    if len(names) > 1 and output is None:
        fail(f"{fmt} writes {len(names)} files ({', '.join(names)}): give a folder with -o")
        return
    exports = [EXPORTS[n] for n in names]
    try:
        options = parse_options(on=on, calendar=calendar, from_=from_, to=to, kind=kind,
                                around=around, depth=depth, places=exports[0].places)
    except OptionError as exc:
        fail(str(exc))
        return
    with handled(), connect(config()) as (driver, database):
        try:
            ids = resolve(driver, database, options)
        except OptionError as exc:
            fail(str(exc))
            return
        request = "revgraph export " + " ".join(sys.argv[2:] if len(sys.argv) > 2 else [fmt])
        for export_ in exports:
            fmt_obj = export_.make(options)
            the_plan = plan(export_, options, ids)
            prov = provenance(the_plan, request, fmt_obj.sections)
            chunks = render(fmt_obj, the_plan, prov, sync_rows(driver, database))
            if output is None:
                for chunk in chunks:
                    sys.stdout.buffer.write(chunk)
                sys.stdout.buffer.flush()
                continue
            target = output / export_.name if len(exports) > 1 else output
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
            if len(exports) > 1:
                (output / "provenance.json").write_bytes(
                    orjson.dumps(prov, option=orjson.OPT_INDENT_2))
            typer.echo(f"wrote {target}", err=True)
