"""Dates as the exports write them: both calendars, the precision, EDTF and the stated text.

All the calendar arithmetic is schema/dates.py's; this only lays its answers out, nested for
the JSON formats and flat (one column per part) for tables and graph attributes.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from graph.exports import DATE_PREFIXES
from schema import time
from schema.dates import HistoricalDate, gregorian_to_julian
from schema.model import KIND_BY_LABEL

# The parts of one date in the flat formats, after the date's own name (``startJulian``...).
FLAT_PARTS = ("Gregorian", "Julian", "LatestGregorian", "LatestJulian", "Precision", "Calendar",
              "Edtf", "Text")


def _julian(h: HistoricalDate, latest: bool) -> str:
    y, m, d = gregorian_to_julian(h.latest if latest else h.earliest)
    return f"{y:04d}-{m:02d}-{d:02d}"


def _key(props: dict[str, Any] | None, prefix: str) -> tuple[Any, ...] | None:
    if not props or props.get(prefix) is None:
        return None
    return (props[prefix], props.get(f"{prefix}Latest"), props.get(f"{prefix}Precision"),
            props.get(f"{prefix}Calendar"))


def nested(props: dict[str, Any] | None, prefix: str) -> dict[str, str] | None:
    """A date as the GraphQL API gives it: both calendars, precision, EDTF, as stated."""
    key = _key(props, prefix)
    return None if key is None else _nested(key)


# Many facts share a date, and the exports turn each date into the same eight strings: once.
@lru_cache(maxsize=8192)
def _nested(key: tuple[Any, ...]) -> dict[str, str]:
    value, latest, precision, cal = key
    h = HistoricalDate.from_graph({"d": value, "dLatest": latest, "dPrecision": precision,
                                   "dCalendar": cal}, "d")
    assert h is not None
    return {
        "gregorian": h.earliest.isoformat(),
        "julian": h.julian,
        "latestGregorian": h.latest.isoformat(),
        "latestJulian": _julian(h, latest=True),
        "precision": h.precision.value,
        "calendar": h.calendar.value,
        "edtf": h.edtf,
        "text": h.text,
    }


def flat(props: dict[str, Any] | None, prefix: str) -> dict[str, str]:
    """The same, one key per part: ``startGregorian``, ``startJulian``... (read-only)."""
    key = _key(props, prefix)
    return {} if key is None else _flat(prefix, key)


@lru_cache(maxsize=8192)
def _flat(prefix: str, key: tuple[Any, ...]) -> dict[str, str]:
    d = _nested(key)
    return {f"{prefix}{part}": d[part[0].lower() + part[1:]] for part in FLAT_PARTS}


def flat_all(props: dict[str, Any] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for prefix in DATE_PREFIXES:
        out.update(flat(props, prefix))
    return out


FLAT_COLUMNS: list[str] = [f"{prefix}{part}" for prefix in DATE_PREFIXES for part in FLAT_PARTS]


def possible_days(label: str | None, props: dict[str, Any] | None
                  ) -> tuple[date | None, date | None] | None:
    """The days a node of this label may hold on, as its kind's temporal shape says
    (schema/time.py): a closed interval, either end open (None); None for an undated kind
    (always there) or a dated one without dates."""
    kind = KIND_BY_LABEL.get(label or "")
    if kind is None or kind.temporal is None or not props:
        return None
    dates: dict[str, time.Bounds] = {}
    for name in kind.temporal.fields:
        prop = kind.field(name).prop
        if props.get(prop) is not None:
            dates[name] = time.Stored(_native(props[prop]),
                                      _native(props.get(f"{prop}Latest") or props[prop]))
    return time.days(kind.temporal, dates)


def _native(value: Any) -> date:
    to_native = getattr(value, "to_native", None)  # neo4j.time.Date
    return to_native() if to_native is not None else value


def spell(label: str | None, props: dict[str, Any] | None
          ) -> tuple[str | None, str | None] | None:
    """The Gregorian days a node or edge is present (Gephi's spell, both ends included): the
    days its kind's shape says it may hold on; None when undated (always present: a place, a
    party, a person whatever the years of their life; ``participation`` gives those the span
    they take part in the graph's facts)."""
    found = possible_days(label, props)
    if found is None or found == (None, None):
        return None
    first, last = found
    return (first.isoformat() if first else None, last.isoformat() if last else None)


def participation(days: list[list[Any]] | None) -> tuple[str | None, str | None] | None:
    """The Gregorian days an undated node takes part in the graph's dated facts and events: the
    hull of their [first, last] days (graph/exports.py), open at an end where one of them is, as
    a spell; None when it takes part in none, or in one open at both ends (always present)."""
    if not days:
        return None
    firsts = [d[0] for d in days]
    lasts = [d[1] for d in days]
    first = None if None in firsts else min(_native(d) for d in firsts)
    last = None if None in lasts else max(_native(d) for d in lasts)
    if first is None and last is None:
        return None
    return (first.isoformat() if first else None, last.isoformat() if last else None)
