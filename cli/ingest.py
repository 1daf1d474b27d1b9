"""`revgraph ingest FILE`: a curator's dry run over a document. Nothing is written to Neo4j.

    revgraph ingest article.txt --json        one JSON object a line: each mention, date, number
    revgraph ingest article.txt --suggest     a YAML draft of candidate facts (stdout or -o FILE)
    revgraph ingest article.txt               a table of the mentions

The linker's dictionary is every name and alias in the data files (validated, then cached in
.revgraph/ until a data file changes), so no Neo4j is needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from schema.config import Config

err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def ingest(
    file: Annotated[Path, typer.Argument(help="The document: .txt, .md or .html, in UTF-8.")],
    source: Annotated[str | None, typer.Option(
        help="The id of the Source the document belongs to (written into --suggest's "
             "citations).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a line.")] = False,
    suggest: Annotated[bool, typer.Option(
        "--suggest", help="Write a YAML draft of candidate facts.")] = False,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="Where --suggest writes its draft (default: standard output).")
    ] = None,
    data: Annotated[list[Path] | None, typer.Option(
        help="Data files or folders whose entities are linked (default: data/).")] = None,
) -> None:
    """Find every mention of the graph's entities in a document, and its dates and figures,
    without writing anything: a dry run for a curator."""
    from loaders.documents.dates import find_dates, find_numbers
    from loaders.documents.dictionary import load_linker
    from loaders.documents.read import DocumentError, read_document
    from loaders.validate import ValidationFailed

    try:
        doc = read_document(file)
    except DocumentError as exc:
        _fail(str(exc), code=2)
    config = Config.from_env()  # the CLI is the edge that reads the environment
    paths = data or [config.data]
    try:
        linker = load_linker(paths, config.home / "cache" / "ingest-dictionary.json")
    except FileNotFoundError as exc:
        _fail(str(exc))
    except ValidationFailed as exc:
        _fail(f"the data files have {len(exc.problems)} problem(s); run `revgraph validate`",
              code=2)
    mentions = linker.link(doc.text, [(p.start, p.end) for p in doc.passages])
    dates = find_dates(doc.text)
    numbers = find_numbers(doc.text, dates)
    if suggest:
        from loaders.documents.suggest import draft, to_yaml

        text = to_yaml(doc, draft(doc, mentions, dates, numbers, source))
        if output:
            output.write_text(text, encoding="utf-8")
            err.print(f"Wrote the draft to {output}")
        else:
            sys.stdout.write(text)
        return
    if as_json:
        rows = [m.as_json() for m in mentions] + [d.as_json() for d in dates] + [
            n.as_json() for n in numbers]
        rows.sort(key=lambda r: (r["start"], r["end"]))
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    table = Table("start", "end", "text", "entity", "type", "method", "score",
                  title=f"{len(mentions)} mention(s) in {file} ({len(doc.passages)} passages)")
    for m in mentions:
        table.add_row(str(m.start), str(m.end), m.text, m.entity, m.label, m.method,
                      f"{m.score:.2f}")
    Console().print(table)
    Console().print(f"{len(dates)} date(s), {len(numbers)} figure(s): see --json or --suggest.")
