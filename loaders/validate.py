"""Validate the data files against the model, reporting every error at once.

Each error names the file, the line, the field and what was expected. Nothing is written to
the graph unless every file is valid.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loaders.documents.check import check_documents
from loaders.files import LineDict, Location, YamlError, data_files, read_yaml
from schema.dates import DateError, HistoricalDate, parse_date
from schema.model import (
    FIGHTING_EVENT_KINDS,
    ID_PATTERN,
    KIND_BY_SECTION,
    Field,
    Kind,
    citations_required,
)

CITATION_KEYS = ("source", "quote", "locator")


@dataclass(frozen=True)
class Problem:
    location: Location
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.location}"
        what = f" {self.field}:" if self.field else ""
        return f"{where}:{what} {self.message}"


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.location.file, p.location.line))
        super().__init__(f"{len(problems)} problem(s) in the data")


@dataclass
class Citation:
    source: str
    quote: str | None
    locator: str | None
    location: Location


@dataclass
class Record:
    """One validated record: what the graph will hold for it."""

    kind: Kind
    id: str
    props: dict[str, Any]
    refs: dict[str, list[str]]
    citations: list[Citation]
    dates: dict[str, HistoricalDate]
    location: Location
    lines: dict[str, int] = field(default_factory=dict)

    def loc(self, field_name: str) -> Location:
        return Location(self.location.file, self.lines.get(field_name, self.location.line))


@dataclass
class Dataset:
    records: list[Record]
    files: list[str]
    # Documents (loaders/documents/check.py): their texts by id, and where each quotation
    # citing a document's source stands in it, by (record id, citation index).
    texts: dict[str, Any] = field(default_factory=dict)
    spans: dict[tuple[str, int], Any] = field(default_factory=dict)

    def by_id(self) -> dict[str, Record]:
        return {r.id: r for r in self.records}


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def validate_paths(paths: list[Path]) -> Dataset:
    """Read and check every data file; raise ValidationFailed listing all the problems."""
    problems: list[Problem] = []
    records: list[Record] = []
    files = data_files(paths)
    for path in files:
        display = _display(path)
        try:
            doc = read_yaml(path, display)
        except YamlError as exc:
            problems.append(Problem(exc.location, None, exc.message))
            continue
        records.extend(_check_file(doc, display, problems))
    problems.extend(check_dataset(records))
    doc_problems, texts, spans = check_documents(records, {_display(p): p for p in files}, Problem)
    problems.extend(doc_problems)
    if problems:
        raise ValidationFailed(problems)
    return Dataset(records, [_display(p) for p in files], texts, spans)


def _check_file(doc: Any, display: str, problems: list[Problem]) -> list[Record]:
    if doc is None:
        return []
    if not isinstance(doc, LineDict):
        problems.append(Problem(Location(display, 1), None,
                                "expected a mapping of sections (sources:, places:, ...)"))
        return []
    records = []
    for section, items in doc.items():
        line = doc.line_of(section)
        kind = KIND_BY_SECTION.get(section)
        if kind is None:
            problems.append(Problem(Location(display, line), section,
                                    f"unknown section{_suggest(section, KIND_BY_SECTION)}; "
                                    f"expected one of: {', '.join(KIND_BY_SECTION)}"))
            continue
        if items is None:
            continue
        if not isinstance(items, list):
            problems.append(Problem(Location(display, line), section,
                                    "expected a list of records (each starting with '- ')"))
            continue
        for item in items:
            if not isinstance(item, LineDict):
                problems.append(Problem(Location(display, line), section,
                                        f"expected a record (a mapping), got {item!r}"))
                continue
            record = _check_record(kind, item, display, problems)
            if record is not None:
                records.append(record)
    return records


def _suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _check_record(kind: Kind, item: LineDict, display: str,
                  problems: list[Problem]) -> Record | None:
    here = Location(display, item.line)
    start = len(problems)

    def bad(key: str, message: str) -> None:
        problems.append(Problem(Location(display, item.line_of(key)), key, message))

    known = {f.name for f in kind.fields} | {"citations"}
    for key in item:
        if key not in known:
            bad(key, f"unknown field for {kind.section}{_suggest(key, known)}; "
                     f"expected one of: {', '.join(sorted(known))}")

    props: dict[str, Any] = {}
    refs: dict[str, list[str]] = {}
    dates: dict[str, HistoricalDate] = {}
    for f in kind.fields:
        value = item.get(f.name)
        if value is None or (value == [] and not f.required):
            if f.required and not (f.name == "id" and kind.category == "fact"):
                bad(f.name, f"required field is missing ({f.description})")
            elif f.default is not None and not f.is_ref:
                props[f.prop] = list(f.default) if isinstance(f.default, tuple) else f.default
            continue
        checked = _check_value(f, value, lambda msg, k=f.name: bad(k, msg))
        if checked is None:
            continue
        if f.is_ref:
            refs[f.name] = checked
        elif f.type == "date":
            dates[f.name] = checked
            props.update(checked.to_graph(f.prop))
        else:
            props[f.prop] = checked

    if kind.name == "Event" and props.get("kind") in FIGHTING_EVENT_KINDS:
        if item.get("fighting") is False:
            bad("fighting", f"an event of kind {props['kind']!r} is fighting: "
                            "remove 'fighting: false'")
        props["fighting"] = True

    citations = _check_citations(kind, item, display, problems)

    if kind.name_from and "name" not in props and kind.name_from in item:
        props["name"] = props.get(kind.name_from)

    if len(problems) > start:
        return None
    record_id = props.get("id") or derived_id(kind, item)
    props["id"] = record_id
    if "start" in dates and "end" in dates and dates["end"].latest < dates["start"].earliest:
        bad("end", f"ends ({dates['end'].text}) before it starts ({dates['start'].text})")
        return None
    return Record(kind, record_id, props, refs, citations, dates, here, dict(item.key_lines))


def derived_id(kind: Kind, item: dict[str, Any]) -> str:
    """A fact's id when the file gives none: its kind and key fields, readable where short."""
    parts = []
    for name in kind.id_from:
        value = item.get(name)
        if isinstance(value, list):
            value = "+".join(str(v) for v in value)
        text = re.sub(r"[^a-z0-9.+-]+", "-", str(value if value is not None else "").lower())
        text = text.strip("-")
        if len(text) > 40:
            text = hashlib.sha1(text.encode()).hexdigest()[:10]
        parts.append(text or "none")
    return "/".join([kind.section, *parts])


def _check_value(f: Field, value: Any, bad: Any) -> Any:
    t = f.type
    if t == "str" or t == "text":
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            bad(f"expected text, got {value!r}")
            return None
        text = str(value).strip()
        if f.name == "id" and not ID_PATTERN.match(text):
            bad(f"{text!r} is not a valid id: use lowercase letters, digits and hyphens, "
                "like 'kursk-soviet'")
            return None
        return text
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            bad(f"expected a whole number, got {value!r}")
            return None
        return value
    if t == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            bad(f"expected a number, got {value!r}")
            return None
        if f.name == "lat" and not -90 <= value <= 90:
            bad(f"latitude {value} is not between -90 and 90")
            return None
        if f.name == "lon" and not -180 <= value <= 180:
            bad(f"longitude {value} is not between -180 and 180")
            return None
        if f.name == "share" and not 0 <= value <= 1:
            bad(f"a share is a fraction from 0 to 1, got {value}")
            return None
        return float(value)
    if t == "bool":
        if not isinstance(value, bool):
            bad(f"expected true or false, got {value!r}")
            return None
        return value
    if t == "enum":
        if str(value) not in f.choices:
            bad(f"{value!r} is not one of: {', '.join(f.choices)}"
                f"{_suggest(str(value), f.choices)}")
            return None
        return str(value)
    if t == "date":
        try:
            return parse_date(value)
        except DateError as exc:
            bad(str(exc))
            return None
    if t == "strs":
        values = value if isinstance(value, list) else None
        if values is None or not all(isinstance(v, (str, int)) for v in values):
            bad(f"expected a list of text, like [Petrograd, St Petersburg], got {value!r}")
            return None
        return [str(v) for v in values]
    if t == "ref":
        if not isinstance(value, str):
            bad(f"expected the id of a {' or '.join(f.targets)}, got {value!r}")
            return None
        return [value]
    if t == "refs":
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            bad(f"expected a list of ids of {' or '.join(f.targets)}, got {value!r}")
            return None
        return values
    raise AssertionError(t)


def _check_citations(kind: Kind, item: LineDict, display: str,
                     problems: list[Problem]) -> list[Citation]:
    value = item.get("citations")
    line = item.line_of("citations")
    if value is None or value == []:
        if citations_required(kind):
            problems.append(Problem(Location(display, item.line), "citations",
                                    "missing citation: every fact and event cites at least one "
                                    "source (citations: [{source: SOURCE-ID, quote: ...}])"))
        return []
    if not isinstance(value, list):
        problems.append(Problem(Location(display, line), "citations",
                                "expected a list of citations"))
        return []
    out = []
    for c in value:
        if isinstance(c, str):
            out.append(Citation(c, None, None, Location(display, line)))
            continue
        if not isinstance(c, LineDict):
            problems.append(Problem(Location(display, line), "citations",
                                    f"expected a citation {{source, quote, locator}}, got {c!r}"))
            continue
        where = Location(display, c.line)
        for key in c:
            if key not in CITATION_KEYS:
                problems.append(Problem(Location(display, c.line_of(key)), f"citations.{key}",
                                        f"unknown field; expected {', '.join(CITATION_KEYS)}"))
        source = c.get("source")
        if not isinstance(source, str):
            problems.append(Problem(where, "citations.source",
                                    "required: the id of the source cited"))
            continue
        quote, locator = c.get("quote"), c.get("locator")
        for key, v in (("quote", quote), ("locator", locator)):
            if v is not None and not isinstance(v, (str, int)):
                problems.append(Problem(Location(display, c.line_of(key)), f"citations.{key}",
                                        f"expected text, got {v!r}"))
        out.append(Citation(source, _text(quote), _text(locator), where))
    return out


def _text(v: Any) -> str | None:
    return None if v is None else str(v).strip()


def check_dataset(records: list[Record]) -> list[Problem]:
    """Checks across records: duplicate ids, unknown references, overlapping control."""
    problems: list[Problem] = []
    first: dict[str, Record] = {}
    for r in records:
        if r.id in first:
            other = first[r.id]
            problems.append(Problem(r.loc("id"), "id",
                                    f"duplicate id {r.id!r}: already defined at {other.location}"))
        else:
            first[r.id] = r
    for r in records:
        for f in r.kind.refs:
            for target in r.refs.get(f.name, []):
                problems.extend(_check_ref(r, f.name, f.targets, target, first))
        for c in r.citations:
            problems.extend(_check_ref(r, "citations.source", ("Source",), c.source, first,
                                       c.location))
    problems.extend(_check_overlaps(records))
    return problems


def _check_ref(r: Record, name: str, targets: tuple[str, ...], target: str,
               known: dict[str, Record], where: Location | None = None) -> list[Problem]:
    loc = where or r.loc(name.split(".")[0])
    other = known.get(target)
    if other is None:
        return [Problem(loc, name, f"unknown reference {target!r}: no {' or '.join(targets)} "
                                   f"has this id{_suggest(target, known)}")]
    if other.kind.name not in targets:
        return [Problem(loc, name, f"{target!r} is a {other.kind.name} (at {other.location}); "
                                   f"expected a {' or '.join(targets)}")]
    return []


def _check_overlaps(records: list[Record]) -> list[Problem]:
    """Two control periods of one place that overlap must both be marked disputed."""
    by_place: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.kind.name == "Control":
            by_place[r.refs["place"][0]].append(r)
    problems = []
    for place, periods in by_place.items():
        # A period whose start is unknown cannot be placed in time: it is not compared.
        periods = sorted((r for r in periods if "start" in r.dates), key=_start)
        for i, a in enumerate(periods):
            for b in periods[i + 1:]:
                if _start(b) >= _end(a):
                    break
                if not (a.props.get("disputed") and b.props.get("disputed")):
                    problems.append(Problem(
                        b.loc("start"), "disputed",
                        f"control of {place!r} by {b.refs['controller'][0]!r} overlaps the "
                        f"period by {a.refs['controller'][0]!r} at {a.location}: mark both "
                        "'disputed: true', or correct the dates"))
    return problems


_MIN = "0001-01-01"


def _start(r: Record) -> str:
    d = r.dates.get("start")
    return d.earliest.isoformat() if d else _MIN


def _end(r: Record) -> str:
    d = r.dates.get("end")
    return d.earliest.isoformat() if d else "9999-12-31"
