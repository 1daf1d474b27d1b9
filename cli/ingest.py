"""`revgraph ingest FILE`: a curator's dry run over a document. Nothing is written to Neo4j.

    revgraph ingest article.txt --json        one JSON object a line: each mention, date, number,
                                              and candidate (a name the graph does not hold)
    revgraph ingest article.txt --suggest     a YAML draft of candidate facts (stdout or -o FILE)
    revgraph ingest article.txt               a table of the mentions
    revgraph ingest --score tests/fixtures/gold
                                              precision and recall against texts annotated by
                                              reading, per text and per half (development,
                                              held-out), English and Russian apart

The linker's dictionary is every name and alias in the data files (validated, then cached in
.revgraph/ until a data file changes), so no Neo4j is needed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from schema.config import Config

err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def ingest(
    file: Annotated[Path | None, typer.Argument(
        help="The document: .txt, .md or .html, in UTF-8 (not with --score).")] = None,
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
    score: Annotated[Path | None, typer.Option(
        "--score", help="Score the linker against a gold file or folder (see "
        "tests/fixtures/gold/README.md) instead of reading a document.")] = None,
    show_errors: Annotated[bool, typer.Option(
        "--show-errors", help="With --score: list each extra and missed mention of the "
        "development texts.")] = False,
    show_heldout: Annotated[bool, typer.Option(
        "--show-heldout", help="With --show-errors: the held-out texts' too. Never tune the "
        "linker on what this shows.")] = False,
) -> None:
    """Find every mention of the graph's entities in a document, and its dates and figures,
    without writing anything: a dry run for a curator."""
    from loaders.documents.dates import find_dates, find_numbers
    from loaders.documents.dictionary import load_linker
    from loaders.documents.read import DocumentError, read_document
    from loaders.validate import ValidationFailed

    if (file is None) == (score is None):
        _fail("give a document to read, or --score GOLD (not both)", code=2)
    config = Config.from_env()  # the CLI is the edge that reads the environment
    paths = data or [config.data]
    try:
        linker = load_linker(paths, config.home / "cache" / "ingest-dictionary.json")
    except FileNotFoundError as exc:
        _fail(str(exc))
    except ValidationFailed as exc:
        _fail(f"the data files have {len(exc.problems)} problem(s); run `revgraph validate`",
              code=2)
    if score is not None:
        _score(linker, score, as_json, show_errors, show_heldout)
        return
    assert file is not None
    try:
        doc = read_document(file)
    except DocumentError as exc:
        _fail(str(exc), code=2)
    analysis = linker.analyse(doc.text, [(p.start, p.end) for p in doc.passages])
    mentions = analysis.mentions
    dates = find_dates(doc.text)
    numbers = find_numbers(doc.text, dates)
    if suggest:
        from loaders.documents.suggest import draft, to_yaml

        text = to_yaml(doc, draft(doc, mentions, dates, numbers, source, linker.entities))
        if output:
            output.write_text(text, encoding="utf-8")
            err.print(f"Wrote the draft to {output}")
        else:
            sys.stdout.write(text)
        return
    if as_json:
        rows = [m.as_json() for m in mentions] + [d.as_json() for d in dates] + [
            n.as_json() for n in numbers] + [c.as_json() for c in analysis.candidates]
        rows.sort(key=lambda r: (r["start"], r["end"]))
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    table = Table("start", "end", "text", "entity", "type", "method", "score",
                  title=f"{len(mentions)} mention(s) in {file} ({len(doc.passages)} passages)")
    for m in mentions:
        table.add_row(str(m.start), str(m.end), m.text, m.entity, m.label, m.method,
                      f"{m.score:.2f}")
    Console().print(table)
    if analysis.candidates:
        Console().print("Names the graph does not hold (candidates for new records): " + "; ".join(
            f"{c.text} ({c.label})" for c in analysis.candidates), highlight=False)
    Console().print(f"{len(dates)} date(s), {len(numbers)} figure(s): see --json or --suggest.")


def _score(linker: Any, gold: Path, as_json: bool, show_errors: bool, show_heldout: bool) -> None:
    """Print precision and recall of ``linker`` on the gold texts of ``gold``."""
    from loaders.documents.read import DocumentError, read_document
    from loaders.documents.score import GoldError, load_gold, score_gold, totals

    try:
        golds, known = load_gold(gold, Path.cwd())
        scores = score_gold(golds, known, frozenset(linker.entities), linker.spans,
                            read_document)
    except (GoldError, DocumentError, FileNotFoundError) as exc:
        _fail(str(exc), code=2)
    sums = totals(scores)
    if as_json:
        rows = [s.as_json() for s in scores] + [
            {**s.as_json(), "text": None, "total": True} for s in sums.values()]
        sys.stdout.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
        return
    table = Table("text", "lang", "half", "precision", "recall", "right", "extra", "missed",
                  "not counted", "candidates found", title=f"The linker on {gold}")
    for s in [*scores, *sums.values()]:
        table.add_row(s.id, s.language, s.split, f"{s.precision:.3f}", f"{s.recall:.3f}",
                      str(s.right), str(s.extra), str(s.missed), str(s.ignored + s.stale),
                      f"{s.candidates_found}/{s.candidates}",
                      style="bold" if s in sums.values() else None)
    out = Console(width=None if sys.stdout.isatty() else 160)  # a pipe: the whole table
    out.print(table)
    if show_errors:
        for g, s in zip(golds, scores, strict=True):
            if s.split == "dev" or show_heldout:
                text = read_document(g.path).text
                for kind, m in s.errors:
                    context = " ".join(text[max(0, m.start - 40):m.end + 40].split())
                    out.print(f"{s.id}  {kind:6} {m.label:32} {text[m.start:m.end]!r}  "
                              f"… {context} …", highlight=False, soft_wrap=True)
