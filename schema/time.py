"""What a date means, by the kind of thing it dates: the model's one account of time.

Every dated kind declares its temporal shape (``Kind.temporal``):

- an **instant** (a party's share in a soviet on a day, a figure, a vote): one date, which may
  be a day, a month, a year or a range known only between bounds;
- an **inclusive span** (an event, a congress, a life): from its start to its end, and it
  happens on its last day too; without an end it lasts its start's own span (a day, a month);
- a **half-open period** (control of a place, an office): in force from its start until its
  end, and over on its end day; without an end it goes on (unknown, or beyond the data).

Each stored date carries bounds: the first and the last day it may be (``HistoricalDate``'s
``earliest`` and ``latest``: equal for a day, a month's first and last for a month, the two
bounds for a range). From the shape and the bounds comes the one question every filter asks:
on which days may the fact hold? ``days()`` answers it as a closed interval of Gregorian days,
either end open (None) where the data sets no bound. Then

- ``on: D`` matches a fact whose days include D;
- ``from: A, to: B`` matches a fact whose days meet [A, B];
- facts are ordered by their first possible day (unknown first days last), then id.

A period's start is taken at its earliest and its end at its earliest too ("over by the first
day its end allows"), so two periods of one place that meet on a day never both hold on it:
the rule the dataset's overlap check (loaders/check.py) and the API share. graph/time.py writes
the same interval as Cypher, for every query; docs/model.md has the table (schema/docs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Protocol


class Shape(str, Enum):
    INSTANT = "instant"
    SPAN = "span"
    PERIOD = "period"


# What each shape means, for the docs and the API's descriptions.
MEANING: dict[Shape, str] = {
    Shape.INSTANT: "one date (a day, a month, a year, or a range between bounds): the fact "
    "holds on every day that date may be",
    Shape.SPAN: "an inclusive span: from the first day its start may be to the last day its end "
    "may be, the end day included; without an end, its start's own span",
    Shape.PERIOD: "a half-open period: from the first day its start may be until the first day "
    "its end may be, over on that day; without an end it goes on",
}


@dataclass(frozen=True)
class Temporal:
    """A kind's temporal shape and the date fields that bound it (``last`` for a span or a
    period)."""

    shape: Shape
    first: str
    last: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.first,) if self.last is None else (self.first, self.last)

    @property
    def meaning(self) -> str:
        return MEANING[self.shape]


def instant(field: str) -> Temporal:
    return Temporal(Shape.INSTANT, field)


def span(first: str, last: str) -> Temporal:
    return Temporal(Shape.SPAN, first, last)


def period(first: str, last: str) -> Temporal:
    return Temporal(Shape.PERIOD, first, last)


class Bounds(Protocol):
    """One date's first and last possible day (Gregorian): a HistoricalDate, or a stored date
    read back (``stored``)."""

    @property
    def earliest(self) -> date: ...

    @property
    def latest(self) -> date: ...


@dataclass(frozen=True)
class Stored:
    earliest: date
    latest: date


def days(temporal: Temporal, dates: dict[str, Bounds]) -> tuple[date | None, date | None] | None:
    """The closed interval of days on which a fact of this shape may hold, given its dates by
    field name; None for an end unbounded. None altogether when the fact has no date a range
    can be compared with (an undated instant or span matches no range)."""
    first = dates.get(temporal.first)
    last = dates.get(temporal.last) if temporal.last else None
    lo = first.earliest if first else None
    if temporal.shape is Shape.INSTANT:
        return None if first is None else (first.earliest, first.latest)
    if temporal.shape is Shape.SPAN:
        hi = last.latest if last else (first.latest if first else None)
        return None if hi is None else (lo, hi)
    # A period: over on its end's first possible day; without an end, it goes on.
    return lo, (last.earliest - timedelta(days=1) if last else None)


def matches(interval: tuple[date | None, date | None] | None, since: date | None,
            until: date | None) -> bool:
    """Whether a fact with these possible days meets [since, until] (either bound open)."""
    if interval is None:
        return since is None and until is None
    lo, hi = interval
    return ((until is None or lo is None or lo <= until)
            and (since is None or hi is None or hi >= since))
