"""Time, as docs/model.md's "Time" table says: every shape at its edges, in both calendars,
through the API; the same answer from ``on`` and from a window of one day; a date known only
between bounds shown with its bounds."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from schema import time
from schema.dates import parse_date
from schema.model import CONTROL, EVENT, KINDS
from tests.conftest import _holding

TIME = Path(__file__).parent / "fixtures" / "time"


@pytest.fixture
def time_graph(driver, neo4j_settings):
    return _holding(driver, neo4j_settings.database, TIME)


def data(api, query: str, variables: dict | None = None) -> dict:
    response = api.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


# -- the model ---------------------------------------------------------------------------------

def test_every_dated_kind_declares_a_shape_over_its_own_date_fields():
    for kind in KINDS:
        if kind.temporal is None:
            continue
        for name in kind.temporal.fields:
            assert kind.field(name).type == "date", (kind.name, name)


def _days(kind, **dates):
    return time.days(kind.temporal, {k: parse_date(v) for k, v in dates.items()})


def test_a_span_includes_its_last_day_and_a_period_does_not():
    span = _days(EVENT, start="1917-02-23 O.S.", end="1917-03-02 O.S.")
    assert span == (date(1917, 3, 8), date(1917, 3, 15))
    period = _days(CONTROL, start="1917-03-02 O.S.", end="1917-10-25 O.S.")
    assert period == (date(1917, 3, 15), date(1917, 11, 6))
    assert time.matches(span, date(1917, 3, 15), date(1917, 3, 15))
    assert not time.matches(period, date(1917, 11, 7), date(1917, 11, 7))


def test_bounds_widen_the_days_a_fact_may_hold():
    assert _days(EVENT, start="[1917-10-25..1918-01] O.S.") == (date(1917, 11, 7),
                                                                 date(1918, 2, 13))
    assert _days(CONTROL, start="1917-11 O.S.") == (date(1917, 11, 14), None)
    assert time.days(EVENT.temporal, {}) is None  # an undated event matches no range
    assert time.matches(None, None, None)


# -- through the API: a span -------------------------------------------------------------------

EVENTS_ON = """query ($on: Date, $calendar: Calendar) {
  place(id: "petrograd") { events(on: $on, calendar: $calendar) { id } } }"""
EVENTS_IN = """query ($from: Date, $to: Date, $calendar: Calendar) {
  events(from: $from, to: $to, calendar: $calendar) { nodes { id } } }"""


@pytest.mark.parametrize(("day", "calendar", "held"), [
    ("1917-02-23", "JULIAN", True), ("1917-02-22", "JULIAN", False),
    ("1917-03-02", "JULIAN", True), ("1917-03-03", "JULIAN", False),
    ("1917-03-08", "GREGORIAN", True), ("1917-03-15", "GREGORIAN", True),
    ("1917-03-16", "GREGORIAN", False),
])
def test_an_event_happens_on_its_first_and_last_day(api, time_graph, day, calendar, held):
    on = data(api, EVENTS_ON, {"on": day, "calendar": calendar})["place"]["events"]
    window = data(api, EVENTS_IN, {"from": day, "to": day, "calendar": calendar})["events"]
    assert ({"id": "february-revolution"} in on) is held
    assert ({"id": "february-revolution"} in window["nodes"]) is held


def test_petrograd_on_2_march_1917_old_style_includes_the_february_revolution(api, loaded_graph):
    on = data(api, EVENTS_ON, {"on": "1917-03-02", "calendar": "JULIAN"})["place"]["events"]
    assert {"id": "february-revolution"} in on


# -- a half-open period ------------------------------------------------------------------------

CONTROL_ON = """query ($on: Date, $calendar: Calendar) {
  controlOf(place: "petrograd", on: $on, calendar: $calendar) { controller { id } }
  place(id: "petrograd") { control(on: $on, calendar: $calendar) { controller { id } } }
  controlPeriods(from: $on, to: $on, calendar: $calendar) { nodes { controller { id } } } }"""


@pytest.mark.parametrize(("day", "calendar", "who"), [
    ("1917-10-24", "JULIAN", "provisional-government"),
    ("1917-10-25", "JULIAN", "petrograd-soviet"),  # over on its end day: one holder, not two
    ("1917-11-06", "GREGORIAN", "provisional-government"),
    ("1917-11-07", "GREGORIAN", "petrograd-soviet"),
    ("1917-03-01", "JULIAN", None),
    ("1917-03-02", "JULIAN", "provisional-government"),
])
def test_a_period_is_over_on_its_end_day_whichever_way_it_is_asked(api, time_graph, day,
                                                                  calendar, who):
    got = data(api, CONTROL_ON, {"on": day, "calendar": calendar})
    want = [{"controller": {"id": who}}] if who else []
    assert got["controlOf"] == want
    assert got["place"]["control"] == want
    assert got["controlPeriods"]["nodes"] == want


# -- an instant of month precision -------------------------------------------------------------

COMPOSITION = """query ($on: Date, $calendar: Calendar) {
  soviet(id: "petrograd-soviet") { composition(on: $on, calendar: $calendar) { party { id } } }
  compositions(from: $on, to: $on, calendar: $calendar) { nodes { party { id } } } }"""


@pytest.mark.parametrize(("day", "calendar", "held"), [
    ("1917-09-01", "JULIAN", True), ("1917-09-30", "JULIAN", True),
    ("1917-08-31", "JULIAN", False), ("1917-10-01", "JULIAN", False),
    ("1917-09-14", "GREGORIAN", True), ("1917-10-13", "GREGORIAN", True),
    ("1917-10-14", "GREGORIAN", False),
])
def test_an_instant_holds_on_every_day_its_date_may_be(api, time_graph, day, calendar, held):
    got = data(api, COMPOSITION, {"on": day, "calendar": calendar})
    assert bool(got["soviet"]["composition"]) is held
    assert bool(got["compositions"]["nodes"]) is held


# -- a date known only between bounds ----------------------------------------------------------

BOUNDED = """{ event(id: "undated-fighting") { start {
  precision edtf text calendar gregorian julian
  earliest { gregorian julian } latest { gregorian julian } } } }"""
FIGHTING = """query ($from: Date, $to: Date, $calendar: Calendar) {
  placesWithFighting(from: $from, to: $to, calendar: $calendar) { events { id } } }"""


def test_a_date_between_bounds_says_both_in_both_calendars(api, time_graph):
    start = data(api, BOUNDED)["event"]["start"]
    assert start == {
        "precision": "RANGE", "edtf": "[1917-11-07..1918-02-13]",
        "text": "[1917-10-25..1918-01-31] O.S.", "calendar": "JULIAN",
        "gregorian": "1917-11-07", "julian": "1917-10-25",
        "earliest": {"gregorian": "1917-11-07", "julian": "1917-10-25"},
        "latest": {"gregorian": "1918-02-13", "julian": "1918-01-31"}}


@pytest.mark.parametrize(("day", "calendar", "held"), [
    ("1917-10-25", "JULIAN", True), ("1917-10-24", "JULIAN", False),
    ("1918-01-31", "JULIAN", True), ("1918-02-13", "GREGORIAN", True),
    ("1918-02-14", "GREGORIAN", False),
])
def test_fighting_between_bounds_may_be_on_any_day_within_them(api, time_graph, day, calendar,
                                                                held):
    ids = [e["id"] for p in data(api, FIGHTING, {"from": day, "to": day, "calendar": calendar})[
        "placesWithFighting"] for e in p["events"]]
    assert ("undated-fighting" in ids) is held
    paged = data(api, FIGHTING.replace("calendar: $calendar)", "calendar: $calendar, first: 5)"),
                 {"from": day, "to": day, "calendar": calendar})
    assert ("undated-fighting" in [e["id"] for p in paged["placesWithFighting"]
                                   for e in p["events"]]) is held


def test_the_map_export_gives_each_period_the_days_it_may_hold(api, time_graph):
    features = api.get("/export/places.geojson").json()["features"]
    periods = {p["controller"]["id"]: p for f in features for p in f["properties"]["control"]}
    end = date(1917, 11, 7) - timedelta(days=1)
    assert periods["provisional-government"]["firstDay"] == "1917-03-15"
    assert periods["provisional-government"]["lastDay"] == end.isoformat()
    assert periods["petrograd-soviet"]["lastDay"] is None
