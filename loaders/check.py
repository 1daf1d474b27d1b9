"""The model's rules, applied to raw records from any reader.

Each rule is declared in ``schema/model.py`` beside the field it constrains (types, choices,
ranges, lengths, references and their targets, relationships that may not form a cycle, what an
event kind implies, which periods may not overlap); nothing here names a field of the model.
Every problem says where (file and line), which field, and what to do.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from loaders.read import LineDict, Location, Problem, RawRecord
from schema import time
from schema.dates import DateError, HistoricalDate, parse_date
from schema.model import (
    CITATION_FIELDS,
    CITATIONS,
    ID_PATTERN,
    KIND_BY_SECTION,
    Field,
    Kind,
)

CITATION_KEYS = tuple(f.name for f in CITATION_FIELDS)
_FIELDS = {f.name: f for f in CITATION_FIELDS}
CITATION_TEXTS = tuple(f.name for f in CITATION_FIELDS if not f.is_ref)  # quote, locator, via
INT64 = 2**63 - 1
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


# Slots: a large dataset holds millions of these (a dict per instance would double them).
@dataclass(slots=True)
class Citation:
    source: str
    quote: str | None
    locator: str | None
    via: str | None  # the source whose stored text the quotation was read in, if not its own
    # Where it stands: its file and line, kept apart rather than as a Location (an object
    # more for each of millions of citations).
    file: str
    line: int

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)


@dataclass(slots=True)
class Record:
    """One checked record: what the graph will hold for it."""

    kind: Kind
    id: str
    props: dict[str, Any]  # the graph's properties, but for dates (``record_props``)
    # By field name, each target's id. Read-only, like ``dates`` and ``citations``: a record
    # without any shares one empty value (most records of a large dataset have no references,
    # dates or citations, and an empty dict or list for each is some 180 bytes a record).
    refs: Mapping[str, tuple[str, ...]]
    citations: tuple[Citation, ...]
    dates: Mapping[str, HistoricalDate]  # by field name; as graph properties: ``record_props``
    file: str  # where it starts: file and line (``location``), apart like a Citation's
    line: int
    # Each field's line, as its offset from the record's: a dict, or packed (_pack_lines).
    lines: dict[str, int] | bytes = field(default_factory=dict)
    # False for a record with problems of its own: it is kept only so that the checks across
    # records know its id and check its references (every problem at once), never written.
    valid: bool = True

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)

    def loc(self, field_name: str) -> Location:
        lines = self.lines
        if isinstance(lines, dict):
            offset = lines.get(field_name, 0)
        else:
            slot = _info(self.kind).slots.get(field_name)
            offset = lines[slot] - 1 if slot is not None and lines[slot] else 0
        return Location(self.file, self.line + offset)


def suggest(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


# -- one record ------------------------------------------------------------------------------

def check_record(raw: RawRecord, problems: list[Problem]) -> Record | None:
    """The record a raw record stands for, with its problems added to ``problems``. A record
    with problems comes back marked not ``valid`` (its id and references are still checked
    across records); None when even its kind is unknown."""
    item, display = raw.values, raw.location.file
    problems.extend(raw.problems)
    kind = KIND_BY_SECTION.get(raw.section)
    if kind is None:
        problems.append(Problem(Location(display, raw.section_line or raw.location.line),
                                raw.section, f"unknown section{suggest(raw.section, KIND_BY_SECTION)}"
                                f"; expected one of: {', '.join(KIND_BY_SECTION)}"))
        return None
    start = len(problems) - len(raw.problems)

    def bad(key: str, message: str) -> None:
        problems.append(Problem(Location(display, item.line_of(key)), key, message))

    info = _info(kind)
    known = info.known
    for key in item:
        if key not in known:
            bad(key, f"unknown field for {kind.section}{suggest(key, known)}; "
                     f"expected one of: {', '.join(sorted(known))}")

    props: dict[str, Any] = {}
    refs: dict[str, list[str]] = {}
    dates: dict[str, HistoricalDate] = {}
    checking = [""]  # the field whose value is checked: one reporter for all (report)

    def report(message: str) -> None:
        bad(checking[0], message)

    get = item.get
    for f, prop, store in info.fields:
        value = get(f.name)
        if value is None or (value == [] and not f.required):
            if f.required and not (f.name == "id" and kind.category == "fact"):
                bad(f.name, f"required field is missing ({f.description})")
            elif f.default is not None and store is not _REF:
                # An empty list by default (aliases) is the model's one empty tuple, shared by
                # every record that gives none; ``record_props`` writes it as a list.
                props[prop] = f.default
            continue
        checking[0] = f.name
        checked = check_value(f, value, report)
        if checked is None:
            continue
        if store is _REF:
            refs[f.name] = checked
        elif store is _DATE:  # its graph properties are made when written (record_props)
            dates[f.name] = checked
        else:
            props[prop] = checked

    for rule in kind.implies:
        if props.get(kind.field(rule.field).prop) in rule.values:
            then = kind.field(rule.then)
            if then.name in item and item[then.name] != rule.value:
                bad(then.name, f"a {kind.section} record with {rule.field} "
                               f"{props[kind.field(rule.field).prop]!r} has {then.name} "
                               f"{rule.value!r}: remove '{then.name}: {item[then.name]}'")
            props[then.prop] = rule.value

    for f in info.not_above:
        if f.not_above and f.prop in props and kind.field(f.not_above).prop in props:
            limit = props[kind.field(f.not_above).prop]
            if props[f.prop] > limit:
                bad(f.name, f"{f.name} {props[f.prop]} is more than {f.not_above} {limit}")

    citations = _check_citations(kind, item, display, problems)

    if kind.name_from and "name" not in props and kind.name_from in item:
        props["name"] = props.get(kind.name_from)

    if len(problems) == start:
        _check_span(kind, dates, bad)
    valid = len(problems) == start
    given_id = item.get("id") if isinstance(item.get("id"), str) else None
    if not valid and "id" not in props and given_id is not None:
        return None  # an id that is not one: nothing can refer to it
    record_id = sys.intern(props.get("id") or derived_id(kind, item))
    props["id"] = record_id
    # A large dataset holds millions of records: one string per enum value and id, however
    # many records repeat it (property names are the model's, interned once in _info).
    for k in info.shared.intersection(props):
        if isinstance(props[k], str):
            props[k] = sys.intern(props[k])
    for c in citations:
        c.source = sys.intern(c.source)
    return Record(kind, record_id, props,
                  {name: tuple(map(sys.intern, targets)) for name, targets in refs.items()}
                  if refs else _EMPTY, tuple(citations), dates or _EMPTY, display,
                  raw.location.line,
                  _pack_lines(info, item.key_lines, raw.location.line), valid)


# What a record without references or dates holds: one empty mapping that cannot be changed.
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _check_span(kind: Kind, dates: dict[str, HistoricalDate], bad: Callable[[str, str], None]
                ) -> None:
    """A span ends after it starts. A half-open period (schema/time.py: over on its end day)
    of a kind that ``must_hold`` must be able to end after its start's first day: an end that
    is, at its latest, on or before that day leaves it no day to hold on."""
    start, end = dates.get("start"), dates.get("end")
    if start is None or end is None:
        return
    if end.latest < start.earliest:
        bad("end", f"ends ({end.text}) before it starts ({start.text})")
    elif (kind.must_hold and kind.temporal is not None
          and kind.temporal.shape is time.Shape.PERIOD and end.latest <= start.earliest):
        bad("end", f"ends ({end.text}) on the day it starts ({start.text}), so it holds on no "
                   f"day: a {kind.section} period's end is the first day it no longer holds; "
                   "give the day after its last day")


def _pack_lines(info: _KindInfo, key_lines: dict[str, int], base: int) -> dict[str, int] | bytes:
    """A record's field lines in a few bytes (a dict would take five times as many): byte i is
    1 + the offset from the record's line of the field in slot i, 0 for a field not given. A
    field more than 254 lines below its record's start keeps the dict."""
    packed = bytearray(len(info.slots))
    for key, line in key_lines.items():
        slot, offset = info.slots.get(key), line - base
        if slot is None or not 0 <= offset < 255:
            return {k: n - base for k, n in key_lines.items()}
        packed[slot] = offset + 1
    # Records of one kind written alike (the same fields in the same order) have the same
    # bytes: one object for each layout, as sys.intern does for text.
    lines = bytes(packed)
    return _LAYOUTS.setdefault(lines, lines) if len(_LAYOUTS) < 100_000 else lines


_LAYOUTS: dict[bytes, bytes] = {}


@dataclass(frozen=True)
class _KindInfo:
    """What checking a record of one kind needs of the model, computed once per kind (the
    model builds property names afresh on each call)."""

    known: frozenset[str]  # the field names a record may give
    fields: tuple[tuple[Field, str, str], ...]  # each field, its property name, where it goes
    shared: frozenset[str]  # properties of few values (enums)
    slots: dict[str, int]  # each field name's place in a record's packed lines
    list_defaults: tuple[str, ...]  # properties that are a list, empty by default
    not_above: tuple[Field, ...]  # the fields bounded by another


# Where a field's checked value goes: a reference, a date, or (else) a property.
_REF, _DATE, _PROP = "ref", "date", "prop"


def _store(f: Field) -> str:
    return _REF if f.is_ref else _DATE if f.type == "date" else _PROP


_INFO: dict[str, _KindInfo] = {}


def _info(kind: Kind) -> _KindInfo:
    info = _INFO.get(kind.name)
    if info is None:
        shared = {f.prop for f in kind.fields if f.type == "enum"}
        info = _INFO[kind.name] = _KindInfo(
            frozenset({f.name for f in kind.fields} | {CITATIONS}),
            tuple((f, sys.intern(f.prop), _store(f)) for f in kind.fields), frozenset(shared),
            {name: i for i, name in enumerate([*(f.name for f in kind.fields), CITATIONS])},
            tuple(f.prop for f in kind.fields if isinstance(f.default, tuple)),
            tuple(f for f in kind.fields if f.not_above))
    return info


def _reporter(bad: Callable[[str, str], None], key: str) -> Callable[[str], None]:
    """``bad`` with the field's name filled in: what a value check reports through."""
    def report(message: str) -> None:
        bad(key, message)
    return report


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


def _text(f: Field, value: Any, bad: Callable[[str], None]) -> str | None:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        bad(f"expected text, got {value!r:.80}")
        return None
    text = str(value).strip()
    if len(text) > f.max_length:
        bad(f"{len(text):,} characters, over the limit of {f.max_length:,} for {f.name}: "
            "shorten it (a quotation is a short passage, not the whole text)")
        return None
    if _CONTROL.search(text):
        bad("contains a control character (such as a NUL byte): remove it")
        return None
    return text


def _number(f: Field, value: Any, bad: Callable[[str], None]) -> bool:
    low = f.minimum if f.minimum is not None else -INT64
    high = f.maximum if f.maximum is not None else INT64
    if not low <= value <= high:
        bad(f"{value} is out of range: {f.name} is from {low:g} to {high:g}")
        return False
    return True


def check_value(f: Field, value: Any, bad: Callable[[str], None]) -> Any:
    """The value a field holds, checked against its type and the model's limits, or None."""
    t = f.type
    if t in ("str", "text"):
        text = _text(f, value, bad)
        if text is not None and f.name == "id" and not ID_PATTERN.match(text):
            bad(f"{text!r} is not a valid id: use lowercase letters, digits and hyphens, "
                "like 'kursk-soviet'")
            return None
        return text
    if t == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            bad(f"expected a whole number, got {value!r:.80}")
            return None
        return value if _number(f, value, bad) else None
    if t == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            bad(f"expected a number, got {value!r:.80}")
            return None
        return float(value) if _number(f, value, bad) else None
    if t == "bool":
        if not isinstance(value, bool):
            bad(f"expected true or false, got {value!r:.80}")
            return None
        return value
    if t == "enum":
        if str(value) not in f.choices:
            bad(f"{value!r:.80} is not one of: {', '.join(f.choices)}"
                f"{suggest(str(value), f.choices)}")
            return None
        return str(value)
    if t == "date":
        try:
            return _date(value)
        except DateError as exc:
            bad(str(exc))
            return None
    if t == "strs":
        values = value if isinstance(value, list) else None
        if values is None or not all(isinstance(v, (str, int)) for v in values):
            bad(f"expected a list of text, like [Petrograd, St Petersburg], got {value!r:.80}")
            return None
        texts = [_text(f, v, bad) for v in values]
        return None if None in texts else texts
    if t == "ref":
        if not isinstance(value, str):
            bad(f"expected the id of a {' or '.join(f.targets)}, got {value!r:.80}")
            return None
        return [value]
    if t == "refs":
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            bad(f"expected a list of ids of {' or '.join(f.targets)}, got {value!r:.80}")
            return None
        return values
    raise AssertionError(t)


_DATES: dict[Any, HistoricalDate] = {}


def _date(value: Any) -> HistoricalDate:
    """The date a value states, one object per distinct text: a large dataset states the same
    few thousand days over and over (a HistoricalDate is immutable, so it can be shared)."""
    try:
        return _DATES[value]
    except (KeyError, TypeError):  # TypeError: a value that cannot be a key (parse_date says why)
        pass
    parsed = parse_date(value)
    if len(_DATES) < 200_000:
        _DATES[value] = parsed
    return parsed


def _check_citations(kind: Kind, item: LineDict, display: str,
                     problems: list[Problem]) -> list[Citation]:
    value = item.get(CITATIONS)
    line = item.line_of(CITATIONS)
    if value is None or value == []:
        if kind.cites_required:
            problems.append(Problem(Location(display, item.line), CITATIONS,
                                    "missing citation: every fact and event cites at least one "
                                    "source (citations: [{source: SOURCE-ID, quote: ...}])"))
        return []
    if not isinstance(value, list):
        problems.append(Problem(Location(display, line), CITATIONS,
                                "expected a list of citations"))
        return []
    out = []
    for c in value:
        if isinstance(c, str):
            out.append(Citation(c, None, None, None, display, line))
            continue
        if not isinstance(c, LineDict):
            problems.append(Problem(Location(display, line), CITATIONS,
                                    f"expected a citation {{source, quote, locator}}, got {c!r:.80}"))
            continue
        where = Location(display, c.line)  # c: the citation's mapping, a LineDict
        for key in c:
            if key not in CITATION_KEYS:
                problems.append(Problem(Location(display, c.line_of(key)), f"{CITATIONS}.{key}",
                                        f"unknown field; expected {', '.join(CITATION_KEYS)}"))
        source = c.get("source")
        if not isinstance(source, str):
            problems.append(Problem(where, f"{CITATIONS}.source",
                                    "required: the id of the source cited"))
            continue
        texts: dict[str, str | None] = {}
        for key in CITATION_TEXTS:
            if c.get(key) is None:
                texts[key] = None
                continue
            at = Location(display, c.line_of(key))

            def bad(name: str, message: str, at: Location = at) -> None:
                problems.append(Problem(at, f"{CITATIONS}.{name}", message))
            texts[key] = _text(_FIELDS[key], c[key], _reporter(bad, key))
        if texts["via"] is not None and texts["quote"] is None:
            problems.append(Problem(Location(display, c.line_of("via")), f"{CITATIONS}.via",
                                    "via says where a quotation was read: give the quote"))
        out.append(Citation(source, texts["quote"], texts["locator"], texts["via"], display,
                            c.line))
    return out


# -- across records ----------------------------------------------------------------------------

@dataclass(frozen=True)
class UnknownReference(Problem):
    """A reference to an id no record has (validate.py groups these when a file could not be
    read to its end: the id may be in the part not read)."""

    target: str = ""


def check_dataset(records: list[Record]) -> list[Problem]:
    """Checks across records: duplicate ids, unknown references, cycles, overlaps. The ids
    and references of records with problems of their own (not ``valid``) are checked too, so
    that one run reports every problem; the other checks take the valid records alone."""
    problems: list[Problem] = []
    first: dict[str, Record] = {}
    for r in records:
        if r.id in first:
            other = first[r.id]
            problems.append(Problem(r.loc("id"), "id",
                                    f"duplicate id {r.id!r}: already defined at {other.location}"))
        else:
            first[r.id] = r
    close = _Suggestions(first)
    for r in records:
        for f in r.kind.refs:
            for target in r.refs.get(f.name, []):
                to = first.get(target)
                if to is None or to.kind.name not in f.targets:  # else nothing to say
                    problems.extend(_check_ref(r, f.name, f.targets, target, first, close))
        for c in r.citations:
            to = first.get(c.source)
            if to is None or to.kind.name not in _SOURCE_TARGETS:
                problems.extend(_check_ref(r, f"{CITATIONS}.source", _SOURCE_TARGETS,
                                           c.source, first, close, c.location))
    valid = [r for r in records if r.valid]
    if len(valid) < len(records):
        first = {i: r for i, r in first.items() if r.valid}
    problems.extend(_check_cycles(valid, first))
    problems.extend(_check_overlaps(valid))
    return problems


_SOURCE_TARGETS = _FIELDS["source"].targets


class _Suggestions:
    """"Did you mean" for unknown references, bounded: difflib compares a word with every
    candidate, so among many ids only those sharing its first two characters are compared,
    and only for the first few hundred unknown references (a file of hundreds of thousands of
    records with a broken section would otherwise take hours)."""

    MAX_CANDIDATES = 5000
    MAX_CALLS = 500

    def __init__(self, known: dict[str, Record]) -> None:
        self.known = known
        self.by_prefix: dict[str, list[str]] | None = None
        self.calls = 0

    def __call__(self, word: str) -> str:
        self.calls += 1
        if self.calls > self.MAX_CALLS:
            return ""
        if len(self.known) <= self.MAX_CANDIDATES:
            return suggest(word, self.known)
        if self.by_prefix is None:
            self.by_prefix = defaultdict(list)
            for i in self.known:
                self.by_prefix[i[:2]].append(i)
        return suggest(word, self.by_prefix.get(word[:2], [])[:self.MAX_CANDIDATES])


def _check_ref(r: Record, name: str, targets: tuple[str, ...], target: str,
               known: dict[str, Record], close: Callable[[str], str],
               where: Location | None = None) -> list[Problem]:
    loc = where or r.loc(name.split(".")[0])
    other = known.get(target)
    if other is None:
        return [UnknownReference(loc, name, f"unknown reference {target!r}: no "
                                            f"{' or '.join(targets)} has this id{close(target)}",
                                 target)]
    if other.kind.name not in targets:
        return [Problem(loc, name, f"{target!r} is a {other.kind.name} (at {other.location}); "
                                   f"expected a {' or '.join(targets)}")]
    return []


def _check_cycles(records: list[Record], by_id: dict[str, Record]) -> list[Problem]:
    """A field marked acyclic (a place in a province, a faction of a party) may not lead back
    to where it started."""
    problems = []
    for r in records:
        for f in r.kind.refs:
            if not f.acyclic or not r.refs.get(f.name):
                continue
            seen, current = [r.id], r
            while current.refs.get(f.name):
                nxt = by_id.get(current.refs[f.name][0])
                if nxt is None or nxt.kind is not r.kind:
                    break
                if nxt.id == r.id:
                    chain = " -> ".join([*seen, r.id])
                    problems.append(Problem(r.loc(f.name), f.name,
                                            f"a cycle: {chain}; one of these is wrong"))
                    break
                if nxt.id in seen:
                    break  # a cycle that does not pass through r: reported from its members
                seen.append(nxt.id)
                current = nxt
    return problems


def _check_overlaps(records: list[Record]) -> list[Problem]:
    """Periods that a kind says may not overlap (control of one place) must both be marked
    (disputed) when they do: when they may hold on a common day, as the kind's temporal shape
    says (schema/time.py), the same rule by which the API answers ``on``."""
    problems = []
    for key, periods in _overlap_groups(records):
        rule = periods[0].kind.no_overlap
        assert rule is not None
        unless = periods[0].kind.field(rule.unless).prop
        # A period whose start is unknown cannot be placed in time: it is not compared.
        spans = sorted(((_days(r), r) for r in periods if "start" in r.dates),
                       key=lambda x: (x[0][0], x[1].id))
        for i, ((_, a_last), a) in enumerate(spans):
            for (b_first, _), b in spans[i + 1:]:
                if b_first > a_last:
                    break
                if not (a.props.get(unless) and b.props.get(unless)):
                    problems.append(Problem(
                        b.loc("start"), rule.unless,
                        f"{b.kind.section} of {key!r} by {b.refs[rule.who][0]!r} overlaps the "
                        f"period by {a.refs[rule.who][0]!r} at {a.location}: mark both "
                        f"'{rule.unless}: true', or correct the dates"))
    return problems


def _overlap_groups(records: list[Record]) -> list[tuple[str, list[Record]]]:
    """The periods of each group (a place's control) that has more than one. Most groups of
    a large dataset have one period: it is kept alone, not in a list, and the groups of each
    kind by their key alone (not a tuple of kind and key for each)."""
    by_kind: dict[str, dict[str, Record | list[Record]]] = defaultdict(dict)
    for r in records:
        rule = r.kind.no_overlap
        if rule is None:
            continue
        groups, key = by_kind[r.kind.name], r.refs[rule.group_by][0]
        found = groups.get(key)
        if found is None:
            groups[key] = r
        elif isinstance(found, list):
            found.append(r)
        else:
            groups[key] = [found, r]
    return [(key, periods) for groups in by_kind.values() for key, periods in groups.items()
            if isinstance(periods, list)]


def _days(r: Record) -> tuple[date, date]:
    """A period's possible days, unbounded ends as the widest days."""
    assert r.kind.temporal is not None
    found = time.days(r.kind.temporal, dict(r.dates))
    lo, hi = found if found else (None, None)
    return lo or date.min, hi or date.max


def record_props(r: Record) -> dict[str, Any]:
    """A record's properties as the graph stores them: its own, and each date's earliest day,
    latest day, precision and calendar (schema/dates.py ``to_graph``), made here rather than
    kept with every record."""
    props = dict(r.props)
    info = _info(r.kind)
    for prop in info.list_defaults:
        if type(props.get(prop)) is tuple:
            props[prop] = list(props[prop])
    if r.dates:
        for f, prop, store in info.fields:
            date = r.dates.get(f.name) if store is _DATE else None
            if date is not None:
                props.update(date.to_graph(prop))
    return props
