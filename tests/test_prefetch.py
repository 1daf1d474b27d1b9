"""Lookups and list pages fetch everything selected below them in one Cypher query
(api/graphql/prefetch.py, graph/select.py), and answer exactly as the batched loaders do."""

from __future__ import annotations

import pytest

from api.graphql.prefetch import Plan

pytestmark = pytest.mark.usefixtures("mini_graph")

MAP = """query ($on: Date) { places(kind: CITY, first: 100) {
  nodes { id name lat lon control(on: $on) { alignment start { gregorian text }
                                             controller { __typename id name } } } } }"""

# Each query once with the prefetch, once with the loaders alone: the same data.
SAME = {
    "map of cities on a day": (MAP, {"on": "1918-01-01"}),
    "map without a day": (MAP, {}),
    "a place, nested both ways": ("""{ place(id: "kursk") {
        id name kind aliases note in { id name in { name } }
        contains { id name control { alignment } }
        control { alignment disputed confidence start { gregorian julian precision edtf calendar }
                  end { gregorian } controller { id name } citations { quote source { id } } }
        events { id name start { text } } } }""", {}),
    "aliases asking different days, one asking the same twice": ("""
        query ($a: Date, $b: Date) { place(id: "kursk") {
          a: control(on: $a) { id } b: control(on: $b) { id } c: control(on: $a) { alignment } } }""",
        {"a": "1917-12-01", "b": "1918-06-01"}),
    "a julian day, a literal and a variable": ("""query ($on: Date) { place(id: "kursk") {
          j: control(on: $on, calendar: JULIAN) { id } g: control(on: "1917-12-14") { id } } }""",
        {"on": "1917-12-01"}),
    "fragments, inline and named, on the type and its interface": ("""
        fragment Named on Entity { name aliases }
        fragment Held on Place { control { id controller { ...Named } } }
        { places(first: 5, sortBy: NAME) { edges { cursor node { id ...Named ...Held
            ... on Place { lat } ... on Node { note } } } totalCount } }""", {}),
    "an interface-typed field below": ("""{ controlPeriods(first: 5) { nodes { id
          place { id name } controller { __typename id ... on Soviet { place { name } } } } } }""",
        {}),
    "places with fighting, each place's control on a day and each event's places": ("""
        query ($on: Date) { placesWithFighting(from: "1917-11-07", to: "1918-03-31") {
          place { id name control(on: $on) { alignment controller { __typename id } } }
          events { name start { julian edtf } places { name } } } }""", {"on": "1918-01-01"}),
    "a fragment on the connection type": ("""
        fragment Page on PlaceConnection { nodes { id name control { alignment } } }
        { places(first: 5, sortBy: NAME) { ...Page edges { node { kind } } } }""", {}),
    "a page of places with fighting, fragments on the item": ("""
        fragment Where on FightingAtPlace { place { name kind } }
        { placesWithFighting(from: "1917-11-07", to: "1918-03-31", first: 3, after: "kursk") {
            ...Where ... on FightingAtPlace { events { id end { text } } } } }""", {}),
}


def post(api, query: str, variables: dict) -> dict:
    response = api.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body


@pytest.mark.parametrize("name", list(SAME))
def test_same_answer_as_the_loaders(api, monkeypatch, name):
    query, variables = SAME[name]
    fetched = post(api, query, variables)
    monkeypatch.setattr(Plan, "enabled", False)
    loaded = post(api, query, variables)
    assert fetched["data"] == loaded["data"]
    assert fetched["extensions"]["roundTrips"] <= loaded["extensions"]["roundTrips"]


def test_the_map_is_one_round_trip(api):
    body = post(api, MAP, {"on": "1918-01-01"})
    assert body["extensions"]["roundTrips"] == 1
    cities = body["data"]["places"]["nodes"]
    assert any(p["control"] for p in cities)


def test_places_with_fighting_fetch_what_is_selected_in_one_round_trip(api):
    body = post(api, """{ placesWithFighting(from: "1917-11-07", to: "1918-03-31") {
        place { name control(on: "1918-01-01") { alignment } } events { name } } }""", {})
    assert body["extensions"]["roundTrips"] == 1
    assert any(p["place"]["control"] for p in body["data"]["placesWithFighting"])


def test_a_nested_lookup_is_one_round_trip(api):
    body = post(api, """{ place(id: "kursk") { name in { name } control(on: "1917-12-14") {
        alignment controller { name } } soviets { name } } }""", {})
    assert body["extensions"]["roundTrips"] == 1


def test_a_bad_day_below_a_page_is_still_the_resolvers_error(api):
    response = api.post("/graphql", json={"query": """{ places(first: 2) { nodes {
        control(on: "0900-01-01", calendar: JULIAN) { id } } } }"""})
    body = response.json()
    assert "not a julian date" in body["errors"][0]["message"]
