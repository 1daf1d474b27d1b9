"""Fighting by month (loaders/fighting.py): what the loader derives from the fighting events,
how it follows the files, and the page of placesWithFighting read from it, which must give the
same places in the same order as the whole answer."""

from __future__ import annotations

import random
import shutil
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest

from graph import queries
from graph.writes import FIGHTING_MONTHS
from loaders.fighting import fighting_months
from loaders.validate import validate_paths
from loaders.write import load, native
from schema.dates import month_number
from schema.model import FIGHTING_MONTH_LABEL, FIGHTING_OPEN_START
from tests.test_api import data
from tests.test_plans import SORTS, operators, sorted_on

MINI = Path(__file__).parent / "fixtures" / "mini" / "mini.yaml"

# Three fighting events at Tver: one over a new year, one within a day, one with no date.
EXTRA = """
events:
  - id: tver-winter
    name: Winter fighting in Tver
    kind: fighting
    places: [tver, kursk]
    start: "1917-12-20 N.S."
    end: "1918-02-03 N.S."
    citations: [{source: figes-1996}]
  - id: tver-skirmish
    name: A skirmish in Tver
    kind: battle
    places: [tver]
    start: "1918-01-05 N.S."
    citations: [{source: figes-1996}]
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.yaml")
    (folder / "extra.yaml").write_text(textwrap.dedent(EXTRA))
    return folder


def months_of(rows, place: str) -> dict[int, tuple[date | None, date]]:
    return {r["month"]: (r.get("first"), r["last"]) for r in rows if r["place"] == place}


def test_each_place_has_a_node_for_every_month_its_fighting_spans(data_dir):
    rows = fighting_months(validate_paths([data_dir]).records)
    tver = months_of(rows, "tver")
    # Tver's October fighting (1917-10 O.S.: 13 October to 13 November N.S.), the winter one
    # from December to February, the skirmish in January.
    assert sorted(tver) == [month_number(date(1917, m, 1)) for m in (10, 11, 12)] + [
        month_number(date(1918, m, 1)) for m in (1, 2)]
    jan = tver[month_number(date(1918, 1, 1))]
    assert jan == (date(1917, 12, 20), date(1918, 2, 3))  # the earliest start, the latest end
    kursk = months_of(rows, "kursk")
    assert month_number(date(1918, 2, 1)) in kursk  # an event at two places is at both
    # The October revolution is fighting at no place: it has no node.
    assert {r["place"] for r in rows} == {"tver", "kursk"}
    assert all(r["month"] != FIGHTING_OPEN_START for r in rows)
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)


def _stored(driver, database) -> list[dict]:
    records, _, _ = driver.execute_query(FIGHTING_MONTHS, database_=database)
    rows = [native(r["props"]) for r in records]
    return sorted(rows, key=lambda r: r["id"])


def _expected(folder: Path) -> list[dict]:
    return [{k: v for k, v in r.items() if v is not None}
            for r in fighting_months(validate_paths([folder]).records)]


def test_the_nodes_follow_the_files(empty_graph, data_dir):
    """A load writes them; a change of dates, of a place's name or an event removed moves
    them in the same load; a second load changes nothing."""
    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    assert _stored(driver, database) == _expected(data_dir)
    assert not load(driver, database, validate_paths([data_dir])).changed

    extra = (data_dir / "extra.yaml").read_text()
    (data_dir / "extra.yaml").write_text(
        extra.replace("1918-02-03 N.S.", "1918-04-10 N.S.").replace(
            "  - id: tver-skirmish", "  - id: tver-skirmish-gone").replace(
            "places: [tver]\n    start: \"1918-01-05", "places: [kursk]\n    start: \"1918-01-05"))
    mini = (data_dir / "mini.yaml").read_text()
    (data_dir / "mini.yaml").write_text(mini.replace("name: Tver", "name: Tver (Kalinin)", 1))
    assert load(driver, database, validate_paths([data_dir])).changed
    stored = _stored(driver, database)
    assert stored == _expected(data_dir)
    assert month_number(date(1918, 4, 1)) in months_of(stored, "tver")
    assert {r["name"] for r in stored if r["place"] == "tver"} == {"Tver (Kalinin)"}



def test_a_graph_without_them_is_named_at_start_up(empty_graph, neo4j_settings, data_dir,
                                                   caplog):
    """A graph loaded before the loader derived them gets a warning that says what to run,
    and none once a load has written them."""
    from starlette.testclient import TestClient

    from api.app import create_app
    from api.web import logs
    from schema.config import Config

    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))

    def warnings() -> list[str]:
        caplog.clear()
        app = create_app(Config(response_cache=False), neo4j_settings)
        logs.log.propagate = True  # for caplog
        with caplog.at_level("WARNING", logger="revgraph.api"), TestClient(app):
            pass
        return [r.getMessage() for r in caplog.records if "fighting by month" in r.getMessage()]

    assert warnings() == []
    driver.execute_query(f"MATCH (f:{FIGHTING_MONTH_LABEL}) DELETE f", database_=database)
    assert [m for m in warnings() if "`revgraph load`" in m]
    load(driver, database, validate_paths([data_dir]))
    assert warnings() == []


RANGES = 40


def _page_through(api, start: date, end: date, first: int) -> list[tuple[str, list[str]]]:
    query = """query ($from: Date, $to: Date, $first: Int, $after: ID) {
      placesWithFighting(from: $from, to: $to, first: $first, after: $after) {
        place { id } events { id } } }"""
    found, after = [], None
    while True:
        page = data(api, query, {"from": start.isoformat(), "to": end.isoformat(),
                                 "first": first, "after": after})["placesWithFighting"]
        found += [(r["place"]["id"], [e["id"] for e in r["events"]]) for r in page]
        if len(page) < first:
            return found
        after = page[-1]["place"]["id"]


def test_pages_read_by_month_give_the_whole_answer_in_order(loaded_graph, api):
    """Seeded ranges of one day to over a year, the edges anywhere in a month: the pages,
    followed to the end, are the whole answer, place for place and event for event."""
    rnd = random.Random(17)
    whole_query = """query ($from: Date, $to: Date) {
      placesWithFighting(from: $from, to: $to) { place { id } events { id } } }"""
    for _ in range(RANGES):
        start = date(1917, 1, 1) + timedelta(days=rnd.randrange(0, 1600))
        end = start + timedelta(days=rnd.choice([0, 3, 30, 75, 180, 400]))
        whole = data(api, whole_query, {"from": start.isoformat(), "to": end.isoformat()})
        expected = [(r["place"]["id"], [e["id"] for e in r["events"]])
                    for r in whole["placesWithFighting"]]
        assert _page_through(api, start, end, rnd.choice([1, 4, 10])) == expected, (start, end)


def _params(start: date, end: date, after: str | None) -> dict:
    return {"from": start, "to": end, "first": 10, "after": after,
            **queries.by_month_params(month_number(start), month_number(end))}


@pytest.mark.parametrize("after", [None, "kursk"], ids=["first page", "after a place"])
def test_a_month_is_read_from_its_index_in_name_order(loaded_graph, after):
    """Each month is a seek of the (month, name, place) index from the cursor that stops at
    the page's size: no scan of the label and no sort of a month's nodes."""
    driver, database = loaded_graph
    plan = driver.execute_query(
        "EXPLAIN " + queries.fighting_by_month(after is not None),
        _params(date(1917, 11, 7), date(1918, 3, 31), after), database_=database).summary.plan
    ops = operators(plan)
    assert "NodeIndexSeek" in ops, ops
    assert not {"NodeByLabelScan", "AllNodesScan", "Union"} & set(ops), ops

    assert sorted_on(plan, "f.name", SORTS | {"PartialSort"}) == [], ops
