"""Fighting by month: what the loader derives from the fighting events so that a page of
placesWithFighting costs the same whatever share of the places fought in the range.

A page lists places in name order. Walking every place in that order and keeping those that
fought costs the page's size over the share that fought, which is high where few did (at 1000x,
most of 187,000 places for a quiet range). Walking the fighting events instead costs every
event in the range. So the loader keeps one node per place and month with fighting there,
indexed by (month, name, place): a page seeks each month of the range from the cursor in name
order and stops at the page's size (graph/queries.py ``fighting_by_month``).

The months of an event are those from its first day's to its last day's (its end's last day,
or its start's when it has no end: an event's shape in schema/time.py, as every query reads it). An event
whose start is unknown may have begun any time: it goes in one bucket of its own,
FIGHTING_OPEN_START, which every page reads. An event with no date at all matches no range and
has no node.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from loaders.check import Record, record_props
from schema import time
from schema.dates import graph_props, month_number
from schema.model import EVENT, FIGHTING_MONTH_PROPS, FIGHTING_OPEN_START, PLACE

_FIGHTING = EVENT.field("fighting").prop
_PLACES = EVENT.field("places").name


def span(props: dict[str, Any]) -> tuple[date | None, date | None]:
    """An event's first and last possible day as its temporal shape says (schema/time.py;
    None where unknown)."""
    assert EVENT.temporal is not None
    dates: dict[str, time.Bounds] = {}
    for name in EVENT.temporal.fields:
        prop = EVENT.field(name).prop
        if props.get(prop) is not None:
            dates[name] = time.Stored(props[prop], props[graph_props(prop)["latest"]])
    return time.days(EVENT.temporal, dates) or (None, None)


def months(first: date | None, last: date) -> Iterable[int]:
    """The month numbers a span falls in (the open bucket when its start is unknown)."""
    if first is None:
        return (FIGHTING_OPEN_START,)
    return range(month_number(first), month_number(last) + 1)


def fighting_months(records: Iterable[Record]) -> list[dict[str, Any]]:
    """The FightingMonth nodes the records call for, as property maps, ordered by id."""
    records = list(records)
    names = {r.id: r.props["name"] for r in records if r.kind is PLACE}
    found: dict[tuple[str, int], list[Any]] = {}
    for r in records:
        if r.kind is not EVENT or not r.props.get(_FIGHTING):
            continue
        first, last = span(record_props(r))
        if last is None:
            continue
        for place in r.refs.get(_PLACES, []):
            for month in months(first, last):
                seen = found.setdefault((place, month), [first, last])
                if first is not None and (seen[0] is None or first < seen[0]):
                    seen[0] = first
                seen[1] = max(seen[1], last)
    return [dict(zip(FIGHTING_MONTH_PROPS,
                     (f"{place}@{month}", month, place, names[place], first, last), strict=True))
            for (place, month), (first, last) in sorted(found.items())]
