"""Calendar conversion and the data files' date format."""

from datetime import date

import pytest

from schema.dates import (
    Calendar,
    DateError,
    Precision,
    gregorian_to_julian,
    julian_to_gregorian,
    parse_date,
)


def test_october_revolution_is_7_november_new_style():
    assert julian_to_gregorian(1917, 10, 25) == date(1917, 11, 7)


def test_the_day_after_31_january_1918_old_style_is_14_february_new_style():
    assert julian_to_gregorian(1918, 1, 31) == date(1918, 2, 13)
    assert julian_to_gregorian(1918, 2, 1) == date(1918, 2, 14)


def test_february_revolution_and_a_19th_century_date():
    assert julian_to_gregorian(1917, 2, 23) == date(1917, 3, 8)
    assert julian_to_gregorian(1870, 4, 10) == date(1870, 4, 22)  # Lenin's birth: 12 days then


def test_round_trip_over_the_years_of_interest():
    day = date(1916, 1, 1)
    while day < date(1922, 1, 1):
        assert julian_to_gregorian(*gregorian_to_julian(day)) == day
        day = day.fromordinal(day.toordinal() + 1)


def test_julian_leap_day_of_1900_exists_only_in_the_julian_calendar():
    assert julian_to_gregorian(1900, 2, 29) == date(1900, 3, 13)
    with pytest.raises(DateError):
        parse_date("1900-02-29 N.S.")


def test_day_precision_in_both_spellings():
    d = parse_date("1917-10-25 O.S.")
    assert (d.gregorian, d.julian, d.precision, d.calendar) == (
        date(1917, 11, 7), "1917-10-25", Precision.DAY, Calendar.JULIAN)
    assert d.edtf == "1917-11-07"
    assert d.text == "1917-10-25 O.S."
    assert parse_date("1917-11-07 gregorian").gregorian == date(1917, 11, 7)
    assert parse_date("1917-10-25 julian") == d
    assert parse_date("1917-10-25 OS") == d


def test_month_precision_in_the_julian_calendar_spans_gregorian_days():
    d = parse_date("1917-10 O.S.")
    assert d.precision is Precision.MONTH
    assert (d.earliest, d.latest) == (date(1917, 10, 14), date(1917, 11, 13))
    assert d.edtf == "1917-10-14/1917-11-13"
    assert d.text == "1917-10 O.S."


def test_month_and_year_precision_in_the_gregorian_calendar():
    m = parse_date("1918-03 N.S.")
    assert (m.earliest, m.latest, m.edtf) == (date(1918, 3, 1), date(1918, 3, 31), "1918-03")
    y = parse_date("1919 N.S.")
    assert (y.earliest, y.latest, y.edtf, y.precision) == (
        date(1919, 1, 1), date(1919, 12, 31), "1919", Precision.YEAR)


def test_julian_february_1916_has_29_days():
    assert parse_date("1916-02 O.S.").latest == julian_to_gregorian(1916, 2, 29)


@pytest.mark.parametrize("text", ["1917-10-25", "1917-10", "1917"])
def test_a_date_without_a_calendar_is_an_error(text):
    with pytest.raises(DateError, match="states no calendar"):
        parse_date(text)


def test_an_unquoted_yaml_date_is_an_error_that_says_what_to_write():
    with pytest.raises(DateError, match='"1917-10-25 O.S."'):
        parse_date(date(1917, 10, 25))


@pytest.mark.parametrize("text,message", [
    ("1917-13-01 O.S.", "month 13"),
    ("1917-02-30 O.S.", "day 30"),
    ("1917-10-25 AD", "unknown calendar"),
    ("25 October 1917 O.S.", "expected a date"),
])
def test_malformed_dates(text, message):
    with pytest.raises(DateError, match=message):
        parse_date(text)


def test_model_docs_are_current():
    """docs/model.md is generated from schema/model.py: run `revgraph model-docs`."""
    from schema.docs import render
    from tests.conftest import ROOT

    assert (ROOT / "docs" / "model.md").read_text() == render()
