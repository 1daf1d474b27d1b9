"""The options every export takes, read once for the HTTP routes and the CLI alike.

``on`` (a day), ``calendar`` (how to read the days: julian or gregorian), ``from``/``to`` (a
window), ``kind`` (node kinds for the graph exports, place kinds for the place exports),
``around`` (an entity id) and ``depth`` (1 to 3 relationships from it). A bad value raises
``OptionError`` with a message that says what to change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.exports import LABELS, MAX_DEPTH
from schema.dates import Calendar, DateError, parse_iso
from schema.errors import InputError
from schema.model import KIND_BY_LABEL, KIND_BY_SECTION, PLACE_KINDS


class OptionError(InputError):
    """An export option that cannot be used; the message says what to change."""


@dataclass(frozen=True)
class Options:
    on: date | None = None  # all Gregorian
    from_: date | None = None
    to: date | None = None
    kinds: tuple[str, ...] = ()
    around: str | None = None
    depth: int = 1
    given: dict[str, str] = field(default_factory=dict)  # as the user wrote them

    def params(self) -> dict[str, Any]:
        """The query parameters of these options (``$ids`` comes from the neighbourhood)."""
        lo, hi = (self.on, self.on) if self.on else (self.from_, self.to)
        return {"on": self.on, "from": lo, "to": hi, "kinds": list(self.kinds) or None,
                "ids": None, "labels": LABELS}


def _calendar(text: str | None) -> Calendar:
    if text is None or not text.strip():
        return Calendar.GREGORIAN
    try:
        return Calendar(text.strip().upper())
    except ValueError:
        raise OptionError(f"calendar must be julian or gregorian, got {text!r}") from None


def _day(name: str, text: str | None, cal: Calendar) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return parse_iso(text, cal)
    except DateError as exc:
        raise OptionError(f"{name}: {exc} (read in the {cal.value.lower()} calendar; "
                          "set calendar=julian or calendar=gregorian)") from None


def _kinds(values: list[str], places: bool) -> tuple[str, ...]:
    words = [w.strip() for v in values for w in v.split(",") if w.strip()]
    if places:
        bad = [w for w in words if w.lower() not in PLACE_KINDS]
        if bad:
            raise OptionError(f"kind {', '.join(bad)} is not a kind of place: use "
                              f"{', '.join(PLACE_KINDS)}")
        return tuple(dict.fromkeys(w.lower() for w in words))
    by_word = {k.lower(): k for k in LABELS} | {s: k.name for s, k in KIND_BY_SECTION.items()}
    bad = [w for w in words if w.lower() not in by_word]
    if bad:
        raise OptionError(f"kind {', '.join(bad)} is not a kind of node: use "
                          f"{', '.join(KIND_BY_LABEL)}")
    return tuple(dict.fromkeys(by_word[w.lower()] for w in words))


def parse_options(*, on: str | None = None, calendar: str | None = None,
                  from_: str | None = None, to: str | None = None,
                  kind: list[str] | None = None, around: str | None = None,
                  depth: str | int | None = None, places: bool = False) -> Options:
    """Check and read the options; ``places`` says whether ``kind`` names kinds of place."""
    given = {k: str(v) for k, v in (("on", on), ("calendar", calendar), ("from", from_),
                                    ("to", to), ("around", around), ("depth", depth))
             if v not in (None, "")}
    if kind:
        given["kind"] = ",".join(kind)
    cal = _calendar(calendar)
    day, lo, hi = _day("on", on, cal), _day("from", from_, cal), _day("to", to, cal)
    if day and (lo or hi):
        raise OptionError("give either `on` (one day) or `from`/`to` (a window), not both")
    if lo and hi and hi < lo:
        raise OptionError(f"`to` ({to}) is before `from` ({from_})")
    n = 1
    if depth not in (None, ""):
        try:
            n = int(str(depth))
        except ValueError:
            raise OptionError(f"depth must be a whole number from 1 to {MAX_DEPTH}, got {depth!r}") \
                from None
        if not 1 <= n <= MAX_DEPTH:
            raise OptionError(f"depth must be from 1 to {MAX_DEPTH}, got {n}")
        if not around:
            raise OptionError("depth needs `around`: the id of the entity to start from")
    return Options(on=day, from_=lo, to=hi, kinds=_kinds(kind or [], places),
                   around=(around or "").strip() or None, depth=n, given=given)
