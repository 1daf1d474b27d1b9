"""Validating the documents of a dataset: their texts read, their quotations located.

A document's ``path`` is relative to its data folder: the nearest folder, from the data file
that declares it upwards, that has a ``documents/`` folder (data/ for data/regions/east.yaml).
The text must be a file under that ``documents/`` folder; reading it may fail as read.py says,
and each failure is a validation problem at the record's ``path`` line.

Every citation of a source that has a document, and that carries a quotation, is located in
the document's text (or, when the citation says ``via``, in the text of the source it names:
a book's sentence read where a stored thread quotes it): verbatim first, else word for word
(case, quote marks, dashes and line breaks aside). A quotation found nowhere is a validation
problem: it keeps quotations honest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loaders.documents.fold import tokens
from loaders.documents.read import Document as Text
from loaders.documents.read import DocumentError, read_document
from schema.model import DOCUMENT


@dataclass(frozen=True)
class Span:
    """Where a citation's quotation stands in a document's text."""

    document: str
    start: int
    end: int


def data_root(data_file: Path) -> Path:
    for folder in [data_file.parent, *data_file.parent.parents]:
        if (folder / "documents").is_dir():
            return folder
    return data_file.parent


def check_documents(records: list[Any], file_paths: dict[str, Path], problem: Any
                    ) -> tuple[list[Any], dict[str, Text], dict[tuple[str, int], Span]]:
    """(problems, the texts by document id, the located quotations by (record id, citation
    index)). ``file_paths`` maps each record's file (as displayed) to its path; ``problem``
    makes a problem from (location, field, message)."""
    problems: list[Any] = []
    texts: dict[str, Text] = {}
    by_source: dict[str, list[str]] = defaultdict(list)
    for r in records:
        if r.kind.name != DOCUMENT.name:
            continue
        declared = file_paths.get(r.location.file)
        root = data_root(declared) if declared else Path.cwd()
        rel = str(r.props["path"])
        try:
            texts[r.id] = read_document(root / rel, within=root / "documents", display=rel)
        except DocumentError as exc:
            problems.append(problem(r.loc("path"), "path", f"{exc} (relative to {root})"))
            continue
        by_source[r.refs["source"][0]].append(r.id)
    spans: dict[tuple[str, int], Span] = {}
    for r in records:
        for i, c in enumerate(r.citations):
            if c.via is not None and c.via not in by_source:
                problems.append(problem(
                    c.location, "citations.via",
                    f"{c.via!r} is not a source whose text the graph stores: name the source "
                    "whose stored text quotes this passage"))
                continue
            read_in = c.via or c.source  # the source whose text the quotation was copied from
            if not c.quote or read_in not in by_source:
                continue
            span = next((s for d in by_source[read_in] if (s := locate(c.quote, d, texts[d]))),
                        None)
            if span is None:
                problems.append(problem(
                    c.location, "citations.quote",
                    f"quotation not found in the text of {', '.join(by_source[read_in])} (the "
                    f"document of source {read_in!r}): copy it verbatim from the text"))
            else:
                spans[(r.id, i)] = span
    return problems, texts, spans


def locate(quote: str, document_id: str, text: Text) -> Span | None:
    at = text.text.find(quote)
    if at >= 0:
        return Span(document_id, at, at + len(quote))
    words = [t.text for t in tokens(quote)]
    if not words:
        return None
    toks = tokens(text.text)
    joined = " " + " ".join(t.text for t in toks) + " "
    at = joined.find(" " + " ".join(words) + " ")
    if at < 0:
        return None
    first = joined.count(" ", 0, at + 1) - 1  # the index of the token the match begins with
    return Span(document_id, toks[first].start, toks[first + len(words) - 1].end)

