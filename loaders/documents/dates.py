"""Dates and figures found in a text: suggestions for a curator, never facts by themselves.

Dates: "25 October", "7 November 1917", "February 10 (23)", "1 December 1917 (O.S.)",
"December 29, 1917", "April 1917", "March of 1918", a bare year "1917". Each is read with its
calendar: *stated* when the text says it (O.S., N.S., Old Style, Julian...), *dual* when it
gives both days ("February 10 (23)": Julian 10, Gregorian 23), otherwise *inferred*: Julian for
a day before 14 February 1918 (N.S.), when Russia changed calendars, since the texts this graph
reads are about Russia; Gregorian after. A date with no year takes the last year the text
stated before it, and says so. The calendar arithmetic is schema/dates.py's.

Figures: numbers that look like counts ("700 soviets", "1,429", "up to 10,000 people", "170
million"), with a qualifier read from the words before them (up to, more than, about...) and
the word after them as what is counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from schema.dates import Calendar, DateError, HistoricalDate, make_date

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_FULL = [m for m in MONTHS if len(m) > 4 or m in ("may", "june", "july")]
_ABBR = [m for m in MONTHS if m not in _FULL]
_MONTH = (r"(?P<month>(?:" + "|".join(sorted(_FULL, key=len, reverse=True)) + r")\b|(?:"
          + "|".join(sorted(_ABBR, key=len, reverse=True)) + r")\b\.?)")
_CAL = (r"(?:,?\s*\(?(?P<cal>O\.\s?S\.|N\.\s?S\.|Old Style|New Style|Julian|Gregorian|os|ns)"
        r"(?![A-Za-z])\)?)?")
_YEAR = r"(?P<year>1[6-9]\d\d|20\d\d)"
_DAY = r"(?P<day>[12]?\d|3[01])"
_OTHER_MONTH = _MONTH.replace("?P<month>", "?:")
# "10 (23)", "Oct. 29 (Nov. 11)": the Julian day, then the Gregorian in brackets.
_DUAL = rf"(?:\s*\((?:{_OTHER_MONTH}\s+)?(?P<day2>[12]?\d|3[01])\))?"
DATE_PATTERNS = [
    # 1 December 1917 (O.S.), 10 (23) February 1918, 25 October
    re.compile(rf"\b{_DAY}(?:st|nd|rd|th)?{_DUAL}\s+(?:of\s+)?{_MONTH}(?:,?\s+{_YEAR})?{_CAL}",
               re.I),
    # February 10 (23), December 29, 1917, March 9
    re.compile(rf"\b{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?\b{_DUAL}(?:,?\s+{_YEAR})?{_CAL}", re.I),
    # April 1917, March of 1918
    re.compile(rf"\b{_MONTH}\s+(?:of\s+)?{_YEAR}{_CAL}", re.I),
    # 1917 (a year alone)
    re.compile(rf"(?<![\d,.]){_YEAR}(?!\d|,\d)(?:\s*\((?P<cal>O\.\s?S\.|N\.\s?S\.)\))?"),
]
STATED = {"o.s.": Calendar.JULIAN, "os": Calendar.JULIAN, "old style": Calendar.JULIAN,
          "julian": Calendar.JULIAN, "n.s.": Calendar.GREGORIAN, "ns": Calendar.GREGORIAN,
          "new style": Calendar.GREGORIAN, "gregorian": Calendar.GREGORIAN}
# The first day of the Gregorian calendar in Russia (1 February 1918 O.S. never happened).
SWITCH = make_date(1918, 2, 14, Calendar.GREGORIAN).earliest


@dataclass(frozen=True)
class DateFound:
    start: int
    end: int
    text: str
    year: int | None
    month: int | None
    day: int | None
    calendar: Calendar | None
    calendar_basis: str  # stated, dual or inferred
    year_basis: str  # stated, inferred (from an earlier year in the text) or unknown
    date: HistoricalDate | None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": "date", "start": self.start, "end": self.end, "text": self.text,
            "year": self.year, "month": self.month, "day": self.day,
            "calendar": self.calendar.value if self.calendar else None,
            "calendarBasis": self.calendar_basis, "yearBasis": self.year_basis,
        }
        if self.date:
            out.update(value=self.date.text, precision=self.date.precision.value,
                       gregorian=self.date.edtf, julian=self.date.julian)
        return out


@dataclass(frozen=True)
class NumberFound:
    start: int
    end: int
    text: str
    value: float
    qualifier: str  # exact, approximate, at-least, at-most (schema's FIGURE_QUALIFIERS)
    measure: str | None  # the word after it: soviets, people, miles...

    def as_json(self) -> dict[str, Any]:
        return {"kind": "number", "start": self.start, "end": self.end, "text": self.text,
                "value": self.value, "qualifier": self.qualifier, "measure": self.measure}


def find_dates(text: str) -> list[DateFound]:
    """Every date in ``text``, left to right; overlapping readings give way to the longest."""
    raw: list[tuple[int, int, re.Match[str]]] = []
    for pattern in DATE_PATTERNS:
        for m in pattern.finditer(text):
            raw.append((m.start(), m.end(), m))
    raw.sort(key=lambda x: (x[0], -(x[1] - x[0])))
    out: list[DateFound] = []
    last_end = -1
    last_year: int | None = None
    for start, end, m in raw:
        if start < last_end:
            continue
        found = _reading(text, start, end, m, last_year)
        if found is None:
            continue
        out.append(found)
        last_end = end
        if found.year_basis == "stated":
            last_year = found.year
    return out


def _reading(text: str, start: int, end: int, m: re.Match[str],
             last_year: int | None) -> DateFound | None:
    g = m.groupdict()
    month = MONTHS[g["month"].lower().rstrip(".")] if g.get("month") else None
    day = int(g["day"]) if g.get("day") else None
    day2 = int(g["day2"]) if g.get("day2") else None
    if g.get("year"):
        year: int | None = int(g["year"])
        year_basis = "stated"
    elif last_year is not None:
        year, year_basis = last_year, "inferred"
    else:
        year, year_basis = None, "unknown"
    if month is None and day is None and g.get("cal") is None and not _looks_like_year(text, start):
        return None
    cal_text = (g.get("cal") or "").lower().replace(". ", ".")
    if cal_text:
        calendar: Calendar | None = STATED[cal_text]
        basis = "stated"
    elif day2 is not None:
        calendar, basis = Calendar.JULIAN, "dual"  # "10 (23)": the Julian day first
    else:
        calendar, basis = None, "inferred"
    date = None
    if year is not None:
        if calendar is None:
            calendar = _inferred_calendar(year, month, day)
        try:
            date = make_date(year, month, day, calendar)
        except DateError:
            return None  # "31 February": not a date
    return DateFound(start, end, text[start:end].rstrip(), year, month, day, calendar, basis,
                     year_basis, date)


def _looks_like_year(text: str, start: int) -> bool:
    """A bare number 1600-2099 is a year when no figure word follows ("1917", not "1917 men")."""
    after = text[start + 4:start + 20].lstrip()
    return not re.match(r"(?:soviets|people|men|delegates|workers|soldiers|deputies)\b", after)


def _inferred_calendar(year: int, month: int | None, day: int | None) -> Calendar:
    """Julian before Russia's switch (14 February 1918 N.S., i.e. 1 February 1918 O.S.)."""
    as_julian = (year, month or 12, day or 28)
    return Calendar.JULIAN if as_julian < (1918, 2, 1) else Calendar.GREGORIAN


_NUMBER = re.compile(
    r"(?P<qual>\b(?:up to|more than|over|well over|at least|at most|fewer than|less than|"
    r"about|around|some|approximately|nearly|almost|roughly|c\.|circa)[ \t]+)?"
    r"(?<![\w,.])(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?!\w|,\d|\.\d)"
    r"(?:[ \t]+(?P<scale>million|thousand|hundred))?"
    r"(?:[ \t]+(?P<measure>(?-i:[a-z]+)(?:[’'][a-z]+)?))?", re.I)
QUALIFIERS = {
    "up to": "at-most", "at most": "at-most", "fewer than": "at-most", "less than": "at-most",
    "more than": "at-least", "over": "at-least", "well over": "at-least", "at least": "at-least",
}
SCALES = {"million": 1e6, "thousand": 1e3, "hundred": 1e2}
# Words after a number that make it something other than a count of things.
_NOT_MEASURES = frozenset({"years", "year", "months", "month", "weeks", "week", "days", "day",
                           "hours", "per", "percent", "and", "or", "to", "of", "the", "in"})


def find_numbers(text: str, dates: list[DateFound] | None = None) -> list[NumberFound]:
    """Numbers that look like figures; those inside a date, durations and list markers not."""
    in_dates = [(d.start, d.end) for d in (dates if dates is not None else find_dates(text))]
    out: list[NumberFound] = []
    pos = 0
    while (m := _NUMBER.search(text, pos)) is not None:
        n_start, n_end = m.span("num")
        pos = m.end()
        inside = next((b for a, b in in_dates if a <= n_start < b), None)
        if inside is not None:
            pos = inside  # read on after the date: "1918 up to 3,000" has a figure
            continue
        value = float(m.group("num").replace(",", ""))
        measure = (m.group("measure") or "").lower() or None
        if measure in _NOT_MEASURES:
            measure = None
            if m.group("measure") and m.group("measure").lower() in ("years", "months", "weeks",
                                                                      "days", "year", "month"):
                continue  # "100 years ago": a duration, not a figure
        if value < 10 and not m.group("scale") and not measure:
            continue  # "1." a list marker, "(23)" a day
        if m.group("scale"):
            value *= SCALES[m.group("scale").lower()]
        qual = (m.group("qual") or "").strip().lower()
        qualifier = QUALIFIERS.get(qual, "approximate" if qual else "exact")
        start = m.start("qual") if m.group("qual") else n_start
        end = m.end("measure") if measure else (m.end("scale") if m.group("scale") else n_end)
        out.append(NumberFound(start, end, text[start:end], value, qualifier, measure))
    return out
