"""Checks across the whole dataset for the mistakes a curator makes most easily: the same
thing recorded twice, one alias claimed by two things, a timeline with a hole in its dating, and
a vague date that reaches back before the event it follows.

Pure functions: each takes the validated records and returns the problems, each with the file,
the line, the field and what to do. No I/O, no Neo4j.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from unidecode import unidecode

from loaders.check import Record
from loaders.read import Problem
from schema.dates import Precision, parse_date
from schema.model import CONTROL, DISTINCT_FROM, SHARED_ALIASES, Alignment

# The October rising in Petrograd, 25 October 1917 O.S.: soviet (RED) power anywhere follows it.
RISING = parse_date("1917-10-25 O.S.")
_VAGUE = (Precision.MONTH, Precision.YEAR)

_DISTINCT = DISTINCT_FROM.name  # records keep references by field name, values by property
_SHARED = SHARED_ALIASES.prop


def fold(text: str) -> str:
    """A name as a comparison sees it: ASCII, lower case, single spaces."""
    return re.sub(r"\s+", " ", unidecode(text).lower()).strip()


def _names(r: Record) -> list[str]:
    return [str(r.props["name"])] if r.props.get("name") else []


def _aliases(r: Record) -> list[str]:
    return [str(a) for a in r.props.get("aliases") or []]


def _entities(records: Iterable[Record]) -> list[Record]:
    return [r for r in records if r.kind.category == "entity"]


def _distinct(a: Record, b: Record) -> bool:
    return b.id in a.refs.get(_DISTINCT, []) or a.id in b.refs.get(_DISTINCT, [])


def check_same_names(records: list[Record]) -> list[Problem]:
    """(a) Two entities of one kind whose folded name equals the other's name or an alias: the
    same thing recorded twice, unless one declares the other `distinct_from`."""
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for entries in _same_folded(records):
        for i, (a, field_a, text_a) in enumerate(entries):
            for b, field_b, text_b in entries[i + 1:]:
                if a.id == b.id or "name" not in (field_a, field_b) or _distinct(a, b):
                    continue
                pair = (min(a.id, b.id), max(a.id, b.id))
                if pair in seen:
                    continue
                seen.add(pair)
                later, earlier, field_l, text_l, text_e = (b, a, field_b, text_b, text_a)
                problems.append(Problem(
                    later.loc(field_l), field_l,
                    f"{later.kind.name} {later.id!r} ({text_l!r}) has the name of {earlier.id!r} "
                    f"({text_e!r}, at {earlier.location}): if they are the same, merge them into "
                    f"one record; if not, add '{_DISTINCT}: {earlier.id}' to {later.id!r}"))
    return problems


_Spelling = tuple[Record, str, str]  # an entity, "name" or "aliases", the text


def _same_folded(records: list[Record]) -> list[list[_Spelling]]:
    """The names and aliases that fold alike within one kind, in the records' order, where
    two or more do. Hundreds of thousands of entities each have a name of their own: a name
    seen once is kept as its record alone (the text is its name), not in a list of tuples."""
    by_kind: dict[str, dict[str, Record | _Spelling | list[_Spelling]]] = defaultdict(dict)
    for r in _entities(records):
        by_key = by_kind[r.kind.name]
        for field, texts in (("name", _names(r)), ("aliases", _aliases(r))):
            for text in texts:
                key = fold(text)
                entry: Record | _Spelling = r if field == "name" else (r, field, text)
                found = by_key.get(key)
                if found is None:
                    by_key[key] = entry
                else:
                    if not isinstance(found, list):
                        by_key[key] = found = [_spelling(found)]
                    found.append(_spelling(entry))
    return [entries for by_key in by_kind.values() for entries in by_key.values()
            if isinstance(entries, list)]


def _spelling(entry: Record | _Spelling) -> _Spelling:
    return entry if isinstance(entry, tuple) else (entry, "name", _names(entry)[0])


def check_shared_aliases(records: list[Record]) -> list[Problem]:
    """(d) One alias listed by two entities: allowed only when both list it, knowingly, in
    `shared_aliases` too."""
    by_alias: dict[str, list[tuple[Record, str]]] = defaultdict(list)
    for r in _entities(records):
        for key, alias in {fold(x): x for x in reversed(_aliases(r))}.items():
            by_alias[key].append((r, alias))  # once per entity: its own spellings may fold alike
    problems: list[Problem] = []
    for entries in by_alias.values():
        for i, (a, text_a) in enumerate(entries):
            for b, text_b in entries[i + 1:]:
                knowing = [r for r, text in ((a, text_a), (b, text_b))
                           if fold(text) in {fold(s) for s in r.props.get(_SHARED) or []}]
                if len(knowing) == 2:
                    continue
                problems.append(Problem(
                    b.loc("aliases"), "aliases",
                    f"the alias {text_b!r} of {b.id!r} is also an alias of {a.id!r} (at "
                    f"{a.location}): remove it from the one it does not name, or, if it names both, "
                    f"list {text_b!r} under '{SHARED_ALIASES.name}' in both {a.id!r} and {b.id!r}"))
    return problems


def _control_by_place(records: Iterable[Record]) -> dict[str, list[Record]]:
    by_place: dict[str, list[Record]] = defaultdict(list)
    for r in records:
        if r.kind is CONTROL:
            by_place[r.refs["place"][0]].append(r)
    return by_place


def check_missing_starts(records: list[Record]) -> list[Problem]:
    """(b) A control period with no start, while another period of the same place has one: it
    cannot be placed on the timeline (and `controlOf` lists it last)."""
    problems = []
    for place, periods in _control_by_place(records).items():
        dated = [r for r in periods if "start" in r.dates]
        if not dated:
            continue
        for r in periods:
            if "start" not in r.dates:
                problems.append(Problem(
                    r.loc("place"), "start",
                    f"this {r.props['alignment']} period of {place!r} has no start, while "
                    f"{len(dated)} other period(s) of the place have one (e.g. at "
                    f"{dated[0].location}): give the start a source states, at the precision it "
                    "states (a month or year will do), or remove the period"))
    return problems


def check_vague_starts_after_rising(records: list[Record]) -> list[Problem]:
    """(c) A month- or year-precision start of soviet (RED) power whose span begins before the
    October rising of 25 October 1917 O.S. while it ends after it: the period then claims days
    before the event it follows. "Attached" is read as: soviet power after 1917 follows the
    rising; a day-precision start before the rising is a deliberate statement and is left."""
    problems = []
    rising: date = RISING.earliest
    for r in records:
        start = r.dates.get("start")
        if (r.kind is not CONTROL or start is None or start.precision not in _VAGUE
                or r.props.get("alignment") != Alignment.RED.value):
            continue
        if start.earliest < rising <= start.latest:
            problems.append(Problem(
                r.loc("start"), "start",
                f"soviet power from {start.text!r} begins, at {start.precision.value.lower()} "
                f"precision, before the October rising ({RISING.text}): state the day a source "
                f"gives, or start it at the rising: start: \"{RISING.text}\" (with a note)"))
    return problems


CHECKS = (check_same_names, check_shared_aliases, check_missing_starts,
          check_vague_starts_after_rising)
