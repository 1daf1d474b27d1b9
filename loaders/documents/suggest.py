"""A YAML draft of candidate facts found in a document, for a curator to check and move into
data/. Nothing here is a fact: each candidate quotes the sentence it came from, says how its
date was read, and is marked as a draft.

A sentence yields an event candidate when it names a place and says what happened there in a
word the model knows ("seized", "fighting", "soviet", "strike"...); it yields a figure
candidate when it states a number of something and names what the number is about.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from loaders.documents.dates import DateFound, NumberFound
from loaders.documents.link import Mention
from loaders.documents.read import Document
from schema.model import EVENT, PLACE

SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z\"“(\[])")
# A word of the text -> the kind of event it suggests (schema/model.py's EVENT_KINDS).
EVENT_WORDS = {
    "seized": "uprising", "seize": "uprising", "seizure": "uprising", "took power": "uprising",
    "take power": "uprising", "uprising": "uprising", "insurrection": "uprising",
    "rising": "uprising", "fighting": "fighting", "fought": "fighting", "battle": "battle",
    "strike": "strike", "demonstration": "demonstration", "congress": "congress",
    "elections": "election", "elected": "election", "mutiny": "mutiny", "occupied": "occupation",
    "captured": "occupation", "declared": "declaration", "decree": "decree",
    "soviet": "other", "soviets": "other",
}
_EVENT_RE = re.compile(r"\b(" + "|".join(sorted(EVENT_WORDS, key=len, reverse=True)) + r")\b",
                       re.I)


def sentences(doc: Document) -> list[tuple[int, int]]:
    out = []
    for p in doc.passages:
        start = p.start
        for m in SENTENCE_END.finditer(doc.text, p.start, p.end):
            out.append((start, m.start()))
            start = m.end()
        out.append((start, p.end))
    return out


def draft(doc: Document, mentions: list[Mention], dates: list[DateFound],
          numbers: list[NumberFound], source: str | None) -> dict[str, list[dict[str, Any]]]:
    events: list[dict[str, Any]] = []
    figures: list[dict[str, Any]] = []
    for start, end in sentences(doc):
        quote = " ".join(doc.text[start:end].split())
        inside = [m for m in mentions if start <= m.start < end]
        places = list(dict.fromkeys(m.entity for m in inside if m.label == PLACE.name))
        when = next((d for d in dates if start <= d.start < end and d.date), None)
        words = [w.lower() for w in _EVENT_RE.findall(doc.text[start:end])]
        citation = {"source": source or "TODO-SOURCE-ID", "quote": quote}
        if places and words and (when or set(words) - {"soviet", "soviets"}):
            kind = next((EVENT_WORDS[w] for w in words if EVENT_WORDS[w] != "other"), "other")
            event: dict[str, Any] = {
                "id": f"draft-{places[0]}-{len(events) + 1}",
                "name": f"TODO: what happened ({', '.join(words)})",
                "kind": kind,
                "places": places,
            }
            if when and when.date:
                event["start"] = when.date.text
            event["citations"] = [citation]
            event["note"] = _note(doc, start, end, when, inside)
            events.append(event)
        for n in (n for n in numbers if start <= n.start < end and n.measure):
            about = next((m for m in inside if m.label != EVENT.name), None)
            figure: dict[str, Any] = {
                "about": about.entity if about else "TODO-ENTITY-ID",
                "measure": n.measure,
                "label": f"TODO: {n.text}",
                "value": n.value,
                "qualifier": n.qualifier,
                "date": when.date.text if when and when.date else "TODO-DATE",
                "citations": [dict(citation)],  # a copy: YAML would print an anchor
                "note": _note(doc, start, end, when, inside),
            }
            figures.append(figure)
    return {"events": events, "figures": figures}


def _note(doc: Document, start: int, end: int, when: DateFound | None,
          inside: list[Mention]) -> str:
    parts = [f"DRAFT from {doc.file}, characters {start}-{end}."]
    if when:
        parts.append(f"Date read from {when.text!r}: calendar {when.calendar_basis}"
                     f"{', year from earlier in the text' if when.year_basis == 'inferred' else ''}.")
    if inside:
        parts.append("Mentions: " + ", ".join(f"{m.text} = {m.entity}" for m in inside) + ".")
    return " ".join(parts) + " Check every field against the text."


def to_yaml(doc: Document, candidates: dict[str, list[dict[str, Any]]]) -> str:
    head = (f"# Candidate facts drafted by `revgraph ingest --suggest` from {doc.file}.\n"
            "# Nothing here is checked: read each quotation in the text, correct or delete the\n"
            "# candidate, give it a real id and name, and move it into a file under data/.\n")
    body = {k: v for k, v in candidates.items() if v}
    if not body:
        return head + "# No candidates found.\n"
    return head + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)
