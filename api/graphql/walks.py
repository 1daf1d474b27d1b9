"""What a walk's arguments ask, read in one place (the walks and their arguments are declared in
schema/walks.py): the window of days the nodes it reaches must meet, and the key under which
those nodes are filed on the node walked from.

The prefetching (api/graphql/prefetch.py), the resolvers (api/graphql/resolve.py) and the
compiled executor (api/graphql/execution.py) all call ``window`` and ``walk_key``, so a walk's
nodes fetched ahead are found again by whichever path answers the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from graphql import GraphQLError

from schema import dates as d
from schema.walks import Walk

Window = tuple[date | None, date | None]  # Gregorian days, either end open
WalkKey = tuple[str, date | None, date | None]
OPEN: Window = (None, None)


class Unreadable(GraphQLError):
    """An argument the resolver will refuse, with the message it will give."""


def walk_key(name: str, window: Window = OPEN) -> WalkKey:
    """How a walked field's nodes are filed on the node it starts from: its GraphQL name and
    the window of days asked for (aliases asking the same are one walk)."""
    return (name, *window)


def window(walk: Walk, args: Mapping[str, Any]) -> Window:
    """The Gregorian days a walk's arguments ask for: ``on`` a day, or ``from``/``to``, given
    in ``calendar``. Values come as the resolver has them (a date, a Calendar) or as a selection
    holds them (text); an argument that cannot be read raises Unreadable, saying why."""
    if not walk.args:
        return OPEN
    calendar = _calendar(args.get("calendar"))
    on, since, until = (_day(args.get(name), calendar) for name in ("on", "from", "to"))
    if on is not None:
        if since is not None or until is not None:
            raise Unreadable("give `on`, or `from` and `to`, not both")
        return (on, on)
    if since is not None and until is not None and since > until:
        raise Unreadable(f"`from` ({since}) is after `to` ({until})")
    return (since, until)


def _calendar(value: Any) -> d.Calendar:
    if value is None:
        return d.Calendar.GREGORIAN
    if isinstance(value, d.Calendar):
        return value
    found = d.Calendar.__members__.get(str(value))
    if found is None:
        raise Unreadable(f"unknown calendar {value!r}: JULIAN or GREGORIAN")
    return found


def _day(value: Any, calendar: d.Calendar) -> date | None:
    if value is None:
        return None
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise Unreadable(f"{value!r:.40} is not a date as yyyy-mm-dd") from None
    try:
        return d.as_gregorian(day, calendar)
    except d.DateError as exc:
        raise Unreadable(str(exc)) from None
