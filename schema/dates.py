"""Historical dates: the Julian (Old Style) and Gregorian (New Style) calendars.

Russia kept the Julian calendar until 31 January 1918 (O.S.); the next day was
14 February 1918 (N.S.). Every date in the data states its calendar. The graph keeps the
Gregorian date (so dates sort and compare), the precision and the calendar that was stated.

A date of month or year precision stands for a span of days. Its Gregorian ``earliest`` day is
what the graph indexes; ``latest`` is the last day of the span. In the Julian calendar the span
of "October 1917" runs from 14 October to 13 November 1917 in the Gregorian, which is why both
ends are kept.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import Enum

from schema.errors import InputError


class Calendar(str, Enum):
    GREGORIAN = "GREGORIAN"
    JULIAN = "JULIAN"


class Precision(str, Enum):
    DAY = "DAY"
    MONTH = "MONTH"
    YEAR = "YEAR"
    # Known only to lie between two bounds, each of any precision: "[1917-10-25..1918-01] O.S."
    # (EDTF's "one of a set"). ``earliest`` is the first day the lower bound allows, ``latest``
    # the last day the upper bound allows.
    RANGE = "RANGE"


CALENDAR_WORDS: dict[str, Calendar] = {
    "o.s.": Calendar.JULIAN,
    "os": Calendar.JULIAN,
    "julian": Calendar.JULIAN,
    "n.s.": Calendar.GREGORIAN,
    "ns": Calendar.GREGORIAN,
    "gregorian": Calendar.GREGORIAN,
}

_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?\s+(\S+)\s*$")
# A date known only between two bounds, each a day, month or year: "[1917-10-25..1918-01] O.S.".
_PART = r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?"
_RANGE_RE = re.compile(rf"^\s*\[\s*{_PART}\s*\.\.\s*{_PART}\s*\]\s+(\S+)\s*$")

DATE_FORMAT_HELP = (
    'a date with its calendar, like "1917-10-25 O.S.", "1917-11-07 N.S.", "1917-11 O.S." or "1918 N.S.", '
    'or one known only between two bounds, like "[1917-10-25..1918-01] O.S."'
)


class DateError(InputError):
    """A date string that cannot be read; the message says what was expected."""


# The years a date may have: far wider than the story (people born in the 1840s, sources of
# today), narrow enough that every day converts between the calendars.
YEARS = (1000, 2999)
# Russia's last Julian day; the next was 14 February 1918 (Gregorian).
LAST_JULIAN_DAY = (1918, 1, 31)


def _check_year(year: int) -> None:
    if not YEARS[0] <= year <= YEARS[1]:
        raise DateError(f"year {year} is out of range: give a year from {YEARS[0]} to {YEARS[1]}")


def graph_props(prefix: str) -> dict[str, str]:
    """The properties, besides ``prefix`` itself (the first day), that hold a date."""
    return {"latest": f"{prefix}Latest", "precision": f"{prefix}Precision",
            "calendar": f"{prefix}Calendar"}


def month_number(d: date) -> int:
    """A Gregorian day's month as one number, consecutive across years (January 1917 is
    23004): the key by which fighting is indexed month by month (loaders/fighting.py)."""
    return d.year * 12 + d.month - 1


def julian_to_gregorian(year: int, month: int, day: int) -> date:
    """The Gregorian date of a Julian calendar day (proleptic, for the years in YEARS)."""
    _check_year(year)
    if not 1 <= month <= 12:
        raise DateError(f"month {month} is not 1 to 12")
    julian_days_in_month = _calendar.monthrange(2000 if year % 4 == 0 else 2001, month)[1]
    if not 1 <= day <= julian_days_in_month:
        raise DateError(f"day {day} does not exist in month {month} of {year} (Julian)")
    # Julian Day Number of a Julian calendar date (Richards' algorithm).
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    jdn = day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083
    return date.fromordinal(jdn - 1721425)


def as_gregorian(day: date, calendar: Calendar) -> date:
    """A day given in ``calendar`` as the Gregorian day the graph stores; a Julian day that
    does not exist raises DateError, saying so."""
    if calendar is Calendar.GREGORIAN:
        return day
    try:
        return julian_to_gregorian(day.year, day.month, day.day)
    except DateError as exc:
        raise DateError(f"{day.isoformat()} is not a julian date: {exc}") from None


def gregorian_to_julian(d: date) -> tuple[int, int, int]:
    """The Julian calendar (year, month, day) of a Gregorian date."""
    jdn = d.toordinal() + 1721425
    c = jdn + 32082
    dd = (4 * c + 3) // 1461
    e = c - (1461 * dd) // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = dd - 4800 + m // 10
    return year, month, day


@dataclass(frozen=True)
class HistoricalDate:
    """A date as a source states it: a day, month or year, in the calendar the source used."""

    earliest: date  # Gregorian, the first day of the span
    latest: date  # Gregorian, the last day of the span
    precision: Precision
    calendar: Calendar  # the calendar the source stated

    @property
    def gregorian(self) -> date:
        return self.earliest

    @property
    def julian(self) -> str:
        """The earliest day in the Julian calendar, as yyyy-mm-dd (it may not exist as a
        Gregorian date, e.g. 1900-02-29, so it is a string)."""
        y, m, d = gregorian_to_julian(self.earliest)
        return f"{y:04d}-{m:02d}-{d:02d}"

    @property
    def edtf(self) -> str:
        """Extended Date/Time Format, in the Gregorian calendar: a day, a month, a year, or,
        for a month or year stated in the Julian calendar, the interval of Gregorian days."""
        if self.precision is Precision.DAY:
            return self.earliest.isoformat()
        if self.precision is Precision.RANGE:
            return f"[{self.earliest.isoformat()}..{self.latest.isoformat()}]"
        if self.calendar is Calendar.GREGORIAN:
            if self.precision is Precision.MONTH:
                return self.earliest.strftime("%Y-%m")
            return f"{self.earliest.year:04d}"
        return f"{self.earliest.isoformat()}/{self.latest.isoformat()}"

    @property
    def text(self) -> str:
        """The date as it was stated, e.g. "1917-10-25 O.S." (a range with its bounds as days:
        "[1917-10-25..1918-01-31] O.S.")."""
        suffix = "O.S." if self.calendar is Calendar.JULIAN else "N.S."
        if self.precision is Precision.RANGE:
            return f"[{self._stated(self.earliest)}..{self._stated(self.latest)}] {suffix}"
        y, m, d = self._parts(self.earliest)
        if self.precision is Precision.DAY:
            return f"{y:04d}-{m:02d}-{d:02d} {suffix}"
        if self.precision is Precision.MONTH:
            return f"{y:04d}-{m:02d} {suffix}"
        return f"{y:04d} {suffix}"

    def _parts(self, day: date) -> tuple[int, int, int]:
        if self.calendar is Calendar.JULIAN:
            return gregorian_to_julian(day)
        return day.year, day.month, day.day

    def _stated(self, day: date) -> str:
        y, m, d = self._parts(day)
        return f"{y:04d}-{m:02d}-{d:02d}"

    def to_graph(self, prefix: str) -> dict[str, object]:
        """The properties the graph stores for this date under ``prefix``."""
        props = graph_props(prefix)
        return {
            prefix: self.earliest,
            props["latest"]: self.latest,
            props["precision"]: self.precision.value,
            props["calendar"]: self.calendar.value,
        }

    @classmethod
    def from_graph(cls, props: dict[str, object], prefix: str) -> HistoricalDate | None:
        value = props.get(prefix)
        if value is None:
            return None
        names = graph_props(prefix)
        return cls(
            earliest=_as_date(value),
            latest=_as_date(props[names["latest"]]),
            precision=Precision(str(props[names["precision"]])),
            calendar=Calendar(str(props[names["calendar"]])),
        )


def _as_date(value: object) -> date:
    if isinstance(value, date):
        return value
    to_native = getattr(value, "to_native", None)  # neo4j.time.Date
    if to_native is not None:
        result = to_native()
        assert isinstance(result, date)
        return result
    raise TypeError(f"not a date: {value!r}")


def make_date(
    year: int, month: int | None, day: int | None, cal: Calendar
) -> HistoricalDate:
    """A HistoricalDate from its parts in the calendar ``cal``; raises DateError if the day
    does not exist in that calendar."""
    _check_year(year)
    if month is None:
        precision = Precision.YEAR
        first, last = (year, 1, 1), (year, 12, 31)
    elif day is None:
        precision = Precision.MONTH
        if not 1 <= month <= 12:
            raise DateError(f"month {month} is not 1 to 12")
        ndays = _month_length(year, month, cal)
        first, last = (year, month, 1), (year, month, ndays)
    else:
        precision = Precision.DAY
        first = last = (year, month, day)
    return HistoricalDate(
        earliest=_to_gregorian(*first, cal),
        latest=_to_gregorian(*last, cal),
        precision=precision,
        calendar=cal,
    )


def _month_length(year: int, month: int, cal: Calendar) -> int:
    if cal is Calendar.GREGORIAN:
        return _calendar.monthrange(year, month)[1]
    if month == 2:
        return 29 if year % 4 == 0 else 28
    return _calendar.monthrange(2001, month)[1]


def _to_gregorian(year: int, month: int, day: int, cal: Calendar) -> date:
    _check_year(year)
    if cal is Calendar.JULIAN:
        return julian_to_gregorian(year, month, day)
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise DateError(f"{year:04d}-{month:02d}-{day:02d} is not a Gregorian date: {exc}") from None


def parse_date(text: object) -> HistoricalDate:
    """Read a data-file date such as "1917-10-25 O.S." or "[1917-10-25..1918-01] O.S."; raise
    DateError saying what is wrong."""
    if isinstance(text, date):
        raise DateError(
            f"{text.isoformat()} states no calendar: write it as a quoted string with one, "
            f'e.g. "{text.isoformat()} O.S." or "{text.isoformat()} N.S."'
        )
    if isinstance(text, list):
        raise DateError(
            f"{text!r} reads as a YAML list: a date known only between two bounds must be "
            'quoted, e.g. "[1917-10-25..1918-01] O.S."')
    if not isinstance(text, (str, int)):
        raise DateError(f"expected {DATE_FORMAT_HELP}, got {text!r}")
    s = str(text)
    if not s.isascii():
        raise DateError(f"expected {DATE_FORMAT_HELP} in ASCII digits, got {s!r}")
    ranged = _RANGE_RE.match(s)
    if ranged:
        return _parse_range(s, ranged.groups())
    match = _DATE_RE.match(s)
    if not match:
        if re.fullmatch(r"\s*\d{4}(-\d{2}){0,2}\s*", s):
            raise DateError(f'"{s.strip()}" states no calendar: add O.S. (Julian) or N.S. (Gregorian)')
        raise DateError(f"expected {DATE_FORMAT_HELP}, got {s!r}")
    year_s, month_s, day_s, cal_s = match.groups()
    cal = _calendar_of(s, cal_s)
    year, month = int(year_s), int(month_s) if month_s else None
    day = int(day_s) if day_s else None
    _check_switch(s, cal, cal_s, year, month, day)
    return make_date(year, month, day, cal)


def _calendar_of(s: str, word: str) -> Calendar:
    cal = CALENDAR_WORDS.get(word.lower())
    if cal is None:
        raise DateError(f'unknown calendar "{word}" in {s!r}: use O.S. (Julian) or N.S. (Gregorian)')
    return cal


def _check_switch(s: str, cal: Calendar, word: str, year: int, month: int | None,
                  day: int | None) -> None:
    # Soviet Russia skipped from 31 January to 14 February 1918; an Old Style date after that is
    # most often a slip. Places that kept the Old Style longer (Transcaucasia, the Whites) are
    # dated with the explicit word "Julian".
    _check_year(year)
    late = month is not None and (year, month, day or 1) > LAST_JULIAN_DAY
    if cal is Calendar.JULIAN and late and word.lower() != "julian":
        raise DateError(
            f"{s.strip()!r} is after Russia's switch to the Gregorian calendar (the day after 31 "
            "January 1918 O.S. was 14 February 1918 N.S.): give the date in N.S., or, where the "
            f"source really counts in the Old Style after the switch, write "
            f"\"{s.strip().rsplit(' ', 1)[0]} Julian\"")


def _parse_range(s: str, groups: tuple[str | None, ...]) -> HistoricalDate:
    """"[A..B] CAL": some day from the first day A allows to the last day B allows."""
    cal = _calendar_of(s, str(groups[6]))
    bounds = []
    for y_s, m_s, d_s in (groups[0:3], groups[3:6]):
        year, month = int(str(y_s)), int(m_s) if m_s else None
        day = int(d_s) if d_s else None
        _check_switch(s, cal, str(groups[6]), year, month, day)
        bounds.append(make_date(year, month, day, cal))
    low, high = bounds
    if high.latest <= low.earliest:
        raise DateError(f"{s.strip()!r}: the lower bound must come before the upper bound")
    return HistoricalDate(earliest=low.earliest, latest=high.latest, precision=Precision.RANGE,
                          calendar=cal)


def parse_iso(text: str, cal: Calendar) -> date:
    """A date given as yyyy-mm-dd in ``cal`` (an export's option), as a Gregorian date."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not match:
        raise DateError(f"expected a date as yyyy-mm-dd, got {text!r:.40}")
    y, m, d = (int(g) for g in match.groups())
    return _to_gregorian(y, m, d, cal)
