"""Keyset pagination through the API: every node once and in order, in both orders and over a
sort field with gaps (nodes without the value come last, by id); cursors stable when a node is
written before them; a cursor of another sort refused; totalCount counted only when asked."""

from __future__ import annotations

import base64

import pytest

from graph.cypher import cypher
from tests.test_api import data, gql

PLACE_IDS = "MATCH (n:{Place}) RETURN n.id AS id ORDER BY n.name {order}, n.id"
# The order the API promises: nodes with the value first (in the order asked), then the rest by id.
BY_FIELD = "MATCH (n:{kind}) RETURN n.id AS id ORDER BY n.{prop} IS NULL, n.{prop} {order}, n.id"

LIST = """query ($after: String, $order: Order!) {
  %s(first: 7, after: $after, sortBy: %s, order: $order) {
    nodes { id } pageInfo { hasNextPage hasPreviousPage endCursor } } }"""


def walk(api, field: str, sort: str, order: str) -> list[str]:
    """Every id of a list, page by page (first: 7), checking the page info on the way."""
    ids: list[str] = []
    after = None
    while True:
        got = data(api, LIST % (field, sort), {"after": after, "order": order})[field]
        ids += [n["id"] for n in got["nodes"]]
        assert got["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not got["pageInfo"]["hasNextPage"]:
            return ids
        assert len(got["nodes"]) == 7
        after = got["pageInfo"]["endCursor"]


def ids_of(driver, database: str, query: str) -> list[str]:
    return [r["id"] for r in driver.execute_query(query, database_=database).records]


@pytest.mark.parametrize("order", ["ASC", "DESC"])
def test_every_place_once_in_order(loaded_graph, api, order):
    driver, database = loaded_graph
    want = ids_of(driver, database, cypher(PLACE_IDS, order=order))
    assert len(want) > 50
    assert walk(api, "places", "NAME", order) == want


@pytest.mark.parametrize("order", ["ASC", "DESC"])
@pytest.mark.parametrize("field,kind,sort,prop", [
    ("events", "Event", "START", "start"),
    ("people", "Person", "BORN", "born"),
])
def test_a_sort_field_with_gaps(loaded_graph, api, field, kind, sort, prop, order):
    driver, database = loaded_graph
    want = ids_of(driver, database, BY_FIELD.format(kind=kind, prop=prop, order=order))
    lacking = ids_of(driver, database, f"MATCH (n:{kind}) WHERE n.{prop} IS NULL RETURN n.id AS id")
    assert lacking and len(lacking) < len(want)  # the data has both, so both stretches are walked
    assert walk(api, field, sort, order) == want


def test_a_node_written_before_the_cursor_does_not_shift_the_page(mini_graph, api):
    driver, database = mini_graph
    query = """query ($after: String) { places(first: 2, after: $after, sortBy: NAME) {
        nodes { id } pageInfo { endCursor } } }"""
    first = data(api, query)["places"]
    assert [n["id"] for n in first["nodes"]] == ["kursk", "kursk-province"]
    driver.execute_query(cypher("CREATE (:{Place}:{Entity} {id: 'aachen', name: 'Aachen'})"),
                         database_=database)
    try:
        second = data(api, query, {"after": first["pageInfo"]["endCursor"]})["places"]
        assert [n["id"] for n in second["nodes"]] == ["russian-empire", "tver"]
    finally:
        driver.execute_query(cypher("MATCH (n:{Place} {id: 'aachen'}) DETACH DELETE n"),
                             database_=database)


def test_total_count_only_when_asked(mini_graph, api):
    without = gql(api, "{ places(first: 2) { nodes { id } } }")
    counted = gql(api, "{ places(first: 2) { totalCount nodes { id } } }")
    assert counted["data"]["places"]["totalCount"] == 4
    # Counted in the page's own query: no extra round trip (and without it, no count at all:
    # tests/test_list_plans.py reads those plans).
    assert counted["extensions"]["roundTrips"] == without["extensions"]["roundTrips"] == 1
    twice = gql(api, "{ places(first: 2) { a: totalCount b: totalCount } }")
    assert twice["data"]["places"] == {"a": 4, "b": 4}
    assert twice["extensions"]["roundTrips"] == counted["extensions"]["roundTrips"]


def test_first_zero_and_the_last_page(mini_graph, api):
    empty = data(api, "{ places(first: 0) { nodes { id } pageInfo { hasNextPage endCursor } } }")
    assert empty["places"] == {"nodes": [], "pageInfo": {"hasNextPage": True, "endCursor": None}}
    last = data(api, "{ places(first: 4) { nodes { id } pageInfo { hasNextPage } } }")["places"]
    assert len(last["nodes"]) == 4 and last["pageInfo"]["hasNextPage"] is False


def _cursor(api, query: str) -> str:
    return data(api, query)["places"]["pageInfo"]["endCursor"]


@pytest.mark.parametrize("after,words", [
    ("not a cursor", "invalid cursor"),
    (base64.b64encode(b"offset:3").decode(), "invalid cursor"),
    (base64.b64encode(b'["keyset","Place.NAME.ASC",{"x":1},"kursk"]').decode(), "invalid cursor"),
    (base64.b64encode(b'["keyset","Place.NAME.ASC",null,"kursk"]').decode(), "invalid cursor"),
])
def test_a_bad_cursor_says_so(mini_graph, api, after, words):
    body = gql(api, "query ($a: String) { places(after: $a) { nodes { id } } }", {"a": after})
    assert words in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_a_cursor_of_another_sort_is_refused(mini_graph, api):
    by_name = _cursor(api, "{ places(first: 1, sortBy: NAME) { pageInfo { endCursor } } }")
    for other in ("sortBy: ID", "order: DESC"):
        query = "query ($a: String) { places(after: $a, OTHER) { nodes { id } } }"
        body = gql(api, query.replace("OTHER", other), {"a": by_name})
        message = body["errors"][0]["message"]
        assert "belongs to a list of Place sorted by NAME ASC" in message, message
        assert "leave out `after`" in message
    on_persons = gql(api, "query ($a: String) { people(after: $a) { nodes { id } } }",
                     {"a": by_name})
    assert "not of Person sorted by NAME ASC" in on_persons["errors"][0]["message"]
