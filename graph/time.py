"""The temporal predicates, as Cypher: schema/time.py's interval of possible days, written once.

Every query that asks "on a day", "from ... to ..." or "in order of time" builds its condition
here, from the kind's declared shape, so an event found by ``place.events(on:)`` is found by
``events(from:, to:)`` and by ``placesWithFighting`` alike, and a control period that the map
shows on a day is the one ``controlOf(on:)`` gives. ``$``-parameters are passed in by name and
may be null (no bound).
"""

from __future__ import annotations

from schema.dates import graph_props
from schema.model import Kind
from schema.time import Shape, Temporal


def _latest(prop: str) -> str:
    return graph_props(prop)["latest"]


def first_day(var: str, t: Temporal, kind: Kind) -> str:
    """The first day a fact may hold (null: unknown, it may have held any time before)."""
    return f"{var}.{kind.field(t.first).prop}"


def last_day(var: str, kind: Kind) -> str:
    """The last day a fact may hold (null: it goes on, or an undated instant or span), as
    schema/time.py's ``days`` says: an instant's latest day, a span's end's latest (its start's
    own span without an end), the day before a period's end."""
    t = _temporal(kind)
    first = kind.field(t.first).prop
    if t.shape is Shape.INSTANT:
        return f"{var}.{_latest(first)}"
    last = kind.field(t.last).prop  # type: ignore[arg-type]  # a span or period has one
    if t.shape is Shape.SPAN:
        return f"coalesce({var}.{_latest(last)}, {var}.{_latest(first)})"
    return f"{var}.{last} - duration({{days: 1}})"


def _reaches(var: str, kind: Kind, since: str) -> str:
    """The fact may still hold on ``since`` (its last possible day is on or after it)."""
    t = _temporal(kind)
    first = kind.field(t.first).prop
    if t.shape is Shape.INSTANT:
        return f"{var}.{_latest(first)} >= {since}"
    assert t.last is not None  # a span or a period has one
    last = kind.field(t.last).prop
    if t.shape is Shape.SPAN:
        return f"coalesce({var}.{_latest(last)}, {var}.{_latest(first)}) >= {since}"
    return f"({var}.{last} IS NULL OR {var}.{last} > {since})"


def _begins(var: str, kind: Kind, until: str) -> str:
    """The fact may have begun by ``until``."""
    t = _temporal(kind)
    first = kind.field(t.first).prop
    if t.shape is Shape.INSTANT:
        return f"{var}.{first} <= {until}"
    return f"({var}.{first} IS NULL OR {var}.{first} <= {until})"


def within(var: str, kind: Kind, since: str, until: str) -> str:
    """The fact ``var`` of ``kind`` may hold on a day of [since, until] (Cypher expressions or
    parameters; a null bound is open)."""
    return (f"({until} IS NULL OR {_begins(var, kind, until)}) "
            f"AND ({since} IS NULL OR {_reaches(var, kind, since)})")


def on(var: str, kind: Kind, day: str) -> str:
    """The fact may hold on ``day``; a null ``day`` asks nothing."""
    return f"({day} IS NULL OR ({_begins(var, kind, day)} AND {_reaches(var, kind, day)}))"


def order(var: str, kind: Kind) -> str:
    """Oldest first: by the first possible day (unknown last), then id."""
    first = first_day(var, _temporal(kind), kind)
    return f"{first} IS NULL, {first}, {var}.id"


def _temporal(kind: Kind) -> Temporal:
    if kind.temporal is None:
        raise ValueError(f"{kind.name} is not dated: it has no temporal shape")
    return kind.temporal
