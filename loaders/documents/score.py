"""Scoring the linker against texts annotated by reading (tests/fixtures/gold/README.md).

A gold file is JSON: the text's path (relative to the project), its language, its half
(``dev`` or ``heldout``), its mentions (``start``, ``end``, ``entity``) and its candidates (names of
things the graph lacks: ``start``, ``end``, ``kind``). The counting rules are the README's:

- a mention is right when its span and its entity both match; a leading article or title
  ("the", "General", "Tsar"...) is stripped from either span first;
- a link to an entity the gold's annotator could not know (not in the snapshot of ids taken
  when the gold was made) is not counted, nor is a gold mention of an entity since removed
  from the data (reported as ``stale``);
- a link strictly inside a candidate is not counted; a link covering a candidate is an extra.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPLITS = ("dev", "heldout")
SNAPSHOT = "entities-at-annotation.txt"
# Words a span may begin with that are not part of the name (README: "How the scorer counts").
_LEADING = re.compile(
    r"^(?:(?:the|The|General|Admiral|Tsar|Tsarina|Emperor|Empress|Ataman|Colonel|Col\.|Lt\.|"
    r"Baron|Premier|Grand Duke|Field Marshal|Comrade|Citizen|Mr\.)\s+)+")


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    label: str  # the entity id of a mention, the kind of a candidate


@dataclass(frozen=True)
class GoldText:
    id: str
    path: Path
    language: str
    split: str
    kind: str
    mentions: tuple[Span, ...]
    candidates: tuple[Span, ...]


@dataclass
class TextScore:
    id: str
    language: str
    split: str
    right: int = 0
    extra: int = 0
    missed: int = 0
    ignored: int = 0  # links to entities added after the gold, or inside a candidate
    stale: int = 0  # gold mentions of entities no longer in the data
    candidates: int = 0
    candidates_found: int = 0
    errors: list[tuple[str, Span]] = field(default_factory=list)  # ("extra"|"missed", span)

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.extra) if self.right + self.extra else 1.0

    @property
    def recall(self) -> float:
        return self.right / (self.right + self.missed) if self.right + self.missed else 1.0

    def add(self, other: TextScore) -> None:
        for name in ("right", "extra", "missed", "ignored", "stale", "candidates",
                     "candidates_found"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def as_json(self) -> dict[str, Any]:
        return {"text": self.id, "language": self.language, "split": self.split,
                "precision": round(self.precision, 4), "recall": round(self.recall, 4),
                "right": self.right, "extra": self.extra, "missed": self.missed,
                "ignored": self.ignored, "stale": self.stale,
                "candidates": self.candidates, "candidatesFound": self.candidates_found}


class GoldError(ValueError):
    """A gold file that cannot be read; the message names the file and what is wrong."""


def load_gold(path: Path, project: Path) -> tuple[list[GoldText], frozenset[str] | None]:
    """The gold texts of ``path`` (one JSON file or a folder of them), with the snapshot of
    entity ids the folder's annotators worked from (None when it has none)."""
    files = sorted(path.glob("*.json")) if path.is_dir() else [path]
    if not files:
        raise GoldError(f"{path}: no gold files (*.json) here")
    folder = path if path.is_dir() else path.parent
    snapshot = folder / SNAPSHOT
    known = frozenset(snapshot.read_text(encoding="utf-8").split()) if snapshot.exists() else None
    return [_gold_text(f, project) for f in files], known


def _gold_text(file: Path, project: Path) -> GoldText:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        split = raw.get("split", "dev")
        if split not in SPLITS:
            raise GoldError(f"{file}: split {split!r} is not one of {', '.join(SPLITS)}")
        return GoldText(
            file.stem, project / raw["document"], raw.get("language", "en"), split,
            raw.get("kind", ""),
            tuple(Span(m["start"], m["end"], m.get("text", ""), m["entity"])
                  for m in raw["mentions"]),
            tuple(Span(c["start"], c["end"], c.get("text", ""), c["kind"])
                  for c in raw.get("candidates", [])))
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        raise GoldError(f"{file}: not a gold file ({exc!s}): expected JSON with 'document' "
                        "and 'mentions' [{start, end, entity}]") from None


def trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """(start, end) without a leading article or title."""
    m = _LEADING.match(text[start:end])
    return (start + m.end(), end) if m and start + m.end() < end else (start, end)


def score_text(gold: GoldText, text: str, mentions: Iterable[Span],
               reported: Iterable[tuple[int, int]], known: frozenset[str] | None,
               current: frozenset[str]) -> TextScore:
    """``mentions``: the linker's (span, entity id); ``reported``: the spans it reports as
    candidates for new records; ``current``: the entity ids the data holds now."""
    out = TextScore(gold.id, gold.language, gold.split)
    wanted: dict[tuple[int, int], Span] = {}
    for m in gold.mentions:
        if m.label not in current:
            out.stale += 1
        else:
            wanted[trimmed(text, m.start, m.end)] = m
    inside = [(c.start, c.end) for c in gold.candidates]
    for m in mentions:
        key = trimmed(text, m.start, m.end)
        g = wanted.get(key)
        if g is not None and g.label == m.label:
            out.right += 1
            del wanted[key]
        elif g is None and ((known is not None and m.label not in known) or any(
                a <= m.start and m.end <= b and (a, b) != (m.start, m.end) for a, b in inside)):
            out.ignored += 1
        else:
            out.extra += 1
            out.errors.append(("extra", m))
    out.missed = len(wanted)
    out.errors += [("missed", m) for m in wanted.values()]
    out.errors.sort(key=lambda e: e[1].start)
    found = {trimmed(text, s, e) for s, e in reported}
    out.candidates = len(gold.candidates)
    out.candidates_found = sum(trimmed(text, c.start, c.end) in found for c in gold.candidates)
    return out


def totals(scores: list[TextScore]) -> dict[tuple[str, str], TextScore]:
    """Sums by (half, language), and by (half, "all")."""
    out: dict[tuple[str, str], TextScore] = {}
    for s in scores:
        for key in ((s.split, s.language), (s.split, "all")):
            out.setdefault(key, TextScore(f"{key[0]} {key[1]}", key[1], key[0])).add(s)
    return dict(sorted(out.items()))


Linked = tuple[list[Span], list[tuple[int, int]]]


def score_gold(golds: list[GoldText], known: frozenset[str] | None, current: frozenset[str],
               link: Callable[[str, list[tuple[int, int]]], Linked],
               read: Callable[[Path], Any]) -> list[TextScore]:
    """Score every gold text; ``read`` reads a document (read.py's read_document), ``link``
    links its text and passages into (mentions, candidate spans)."""
    out = []
    for g in golds:
        doc = read(g.path)
        mentions, reported = link(doc.text, [(p.start, p.end) for p in doc.passages])
        out.append(score_text(g, doc.text, mentions, reported, known, current))
    return out
