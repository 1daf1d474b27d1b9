"""The GraphQL API against a real Neo4j: the contract, both calendars, pagination, limits,
errors, and the number of Cypher round trips."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("mini_graph")


def gql(api, query: str, variables: dict | None = None, status: int = 200) -> dict:
    response = api.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == status, response.text
    return response.json()


def data(api, query: str, variables: dict | None = None) -> dict:
    body = gql(api, query, variables)
    assert "errors" not in body, body["errors"]
    return body["data"]


CONTROL = """
query ($on: Date, $calendar: Calendar = GREGORIAN) {
  controlOf(place: "kursk", on: $on, calendar: $calendar) {
    controller { __typename id name }
    alignment disputed
    start { gregorian julian precision edtf calendar text }
    end { gregorian julian }
    citations { source { id name } quote locator }
  }
}"""


def test_control_of_kursk_on_1_december_1917_old_style(api):
    periods = data(api, CONTROL, {"on": "1917-12-01", "calendar": "JULIAN"})["controlOf"]
    assert [p["controller"]["id"] for p in periods] == ["kursk-mrc"]
    assert periods[0]["start"] == {
        "gregorian": "1917-12-09", "julian": "1917-11-26", "precision": "DAY",
        "edtf": "1917-12-09", "calendar": "JULIAN", "text": "1917-11-26 O.S."}
    assert periods[0]["end"] is None
    periods = data(api, CONTROL, {"on": "1917-11-01", "calendar": "JULIAN"})["controlOf"]
    assert [p["controller"]["id"] for p in periods] == ["provisional-government"]
    period = periods[0]
    assert period["alignment"] == "PROVISIONAL"
    assert period["end"] == {"gregorian": "1917-12-09", "julian": "1917-11-26"}
    assert period["start"]["precision"] == "MONTH"
    assert period["start"]["edtf"] == "1917-03-14/1917-04-13"
    assert period["citations"][0]["source"]["id"] == "figes-1996"


def test_the_same_day_in_either_calendar_gives_the_same_answer(api):
    julian = data(api, CONTROL, {"on": "1917-11-26", "calendar": "JULIAN"})["controlOf"]
    gregorian = data(api, CONTROL, {"on": "1917-12-09"})["controlOf"]
    assert julian == gregorian
    assert [p["controller"]["id"] for p in julian] == ["kursk-mrc"]  # periods are half-open


def test_control_timeline_oldest_first(api):
    periods = data(api, CONTROL)["controlOf"]
    assert [p["alignment"] for p in periods] == ["PROVISIONAL", "RED"]
    assert periods[1]["start"]["text"] == "1917-11-26 O.S."


def test_places_with_fighting_in_both_calendars(api):
    query = """query ($from: Date, $to: Date, $calendar: Calendar = GREGORIAN) {
      placesWithFighting(from: $from, to: $to, calendar: $calendar) {
        place { id name lat lon } events { id fighting start { julian } } } }"""
    all_ = data(api, query)["placesWithFighting"]
    assert [p["place"]["id"] for p in all_] == ["kursk", "tver"]
    late = data(api, query, {"from": "1917-11-14", "to": "1918-03-31"})["placesWithFighting"]
    assert [p["place"]["id"] for p in late] == ["kursk"]
    early = data(api, query, {"from": "1917-10-01", "to": "1917-10-31",
                              "calendar": "JULIAN"})["placesWithFighting"]
    assert [p["place"]["id"] for p in early] == ["tver"]
    assert early[0]["events"][0]["fighting"] is True


@pytest.mark.parametrize("text,expected", [
    ("Kursk", "kursk"), ("kursk", "kursk"), ("Kurks", "kursk"), ("Курск", "kursk"),
    ("Tver", "tver"), ("Kalinin", "tver"), ("Orlando Figes", "figes"),
])
def test_search_forgives(api, text, expected):
    found = data(api, 'query ($t: String!) { search(text: $t) { id name aliases } }',
                 {"t": text})["search"]
    assert found and found[0]["id"] == expected


def test_place_and_its_neighbours(api):
    place = data(api, """{ place(id: "kursk") {
        id name aliases kind lat lon in { id kind }
        control { alignment } events { id } organizations { id }
        citations { quote } } }""")["place"]
    assert place["aliases"] == ["Курск"]
    assert place["kind"] == "CITY"
    assert place["in"] == {"id": "kursk-province", "kind": "PROVINCE"}
    assert [c["alignment"] for c in place["control"]] == ["PROVISIONAL", "RED"]
    assert place["events"] == [{"id": "kursk-fighting-1917"}]
    assert place["organizations"] == [{"id": "kursk-mrc"}]


def test_unknown_ids(api):
    assert data(api, '{ place(id: "atlantis") { id } }')["place"] is None
    body = gql(api, '{ controlOf(place: "atlantis") { alignment } }')
    assert "unknown place id 'atlantis'" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_malformed_date_and_unknown_calendar(api):
    body = gql(api, '{ controlOf(place: "kursk", on: "1917-13-45") { alignment } }')
    assert "Date" in body["errors"][0]["message"]
    body = gql(api, '{ controlOf(place: "kursk", on: "1917-12-01", calendar: MAYAN) { alignment } }')
    assert "MAYAN" in body["errors"][0]["message"]


def test_lists_filter_sort_and_paginate(api):
    query = """query ($after: String) { places(first: 2, after: $after, sortBy: NAME) {
        totalCount nodes { id } pageInfo { hasNextPage endCursor } } }"""
    first = data(api, query)["places"]
    assert first["totalCount"] == 4
    assert [n["id"] for n in first["nodes"]] == ["kursk", "kursk-province"]
    second = data(api, query, {"after": first["pageInfo"]["endCursor"]})["places"]
    assert [n["id"] for n in second["nodes"]] == ["russian-empire", "tver"]
    assert second["pageInfo"]["hasNextPage"] is False
    cities = data(api, '{ places(kind: CITY, order: DESC) { nodes { id } } }')["places"]
    assert [n["id"] for n in cities["nodes"]] == ["tver", "kursk"]
    red = data(api, '{ controlPeriods(alignment: RED) { totalCount nodes { place { id } } } }')
    assert red["controlPeriods"]["totalCount"] == 1
    cited = data(api, '{ events(source: "figes-1996", fighting: true) { totalCount } }')
    assert cited["events"]["totalCount"] == 2
    dated = data(api, """{ events(from: "1917-10-01", to: "1917-10-31", calendar: JULIAN) {
        nodes { id } } }""")["events"]["nodes"]
    assert {n["id"] for n in dated} == {"october-revolution", "tver-fighting-1917"}


def test_page_size_limit(api):
    body = gql(api, '{ places(first: 1000) { totalCount } }')
    assert "first must be between 0 and 100" in body["errors"][0]["message"]


def test_claims_about_and_historians(api):
    claims = data(api, """{ claimsAbout(id: "october-revolution") {
        entity { name } stances disputed
        claims { stance summary by { name } citations { source { id } quote } } } }""")
    about = claims["claimsAbout"]
    assert about["stances"] == ["coup"] and about["disputed"] is False
    assert about["claims"][0]["by"]["name"] == "Richard Pipes"
    pipes = data(api, '{ person(id: "pipes") { historian works { id } claimsMade { stance } } }')
    assert pipes["person"] == {"historian": True, "works": [{"id": "pipes-1990"}],
                               "claimsMade": [{"stance": "coup"}]}


def test_connection_between_two_entities(api):
    path = data(api, """{ connection(from: "kursk-mrc", to: "kursk-province") {
        length nodes { id } steps { type from to } } }""")["connection"]
    assert path["length"] == 2
    assert [n["id"] for n in path["nodes"]] == ["kursk-mrc", "kursk", "kursk-province"]
    assert [s["type"] for s in path["steps"]] == ["BASED_IN", "PART_OF"]


def test_source_facts(api):
    source = data(api, '{ source(id: "figes-1996") { title year facts { id } } }')["source"]
    assert source["year"] == 1996
    assert len(source["facts"]) == 4


def test_round_trips_do_not_grow_with_items(api):
    """Batched loaders: a request costs a bounded number of Cypher round trips."""
    query = """{ places(first: %d) { nodes { id in { id } control { controller { name }
        citations { source { name } } } events { id } } } }"""
    small = gql(api, query % 1)["extensions"]["roundTrips"]
    large = gql(api, query % 4)["extensions"]["roundTrips"]
    assert large == small <= 7


def test_depth_limit(api):
    deep = "{ place(id: \"kursk\") { " + "in { " * 12 + "id" + " }" * 12 + " } }"
    body = gql(api, deep)
    assert "query too deep: 14 levels, over the limit of 10" in body["errors"][0]["message"]


def test_cost_limit(api):
    # Pages inside pages: their sizes are the document's own, whatever the graph holds (the
    # other lists cost what the graph's largest has: tests/test_hardening.py).
    costly = """{ places(first: 100) { nodes { mentions(first: 100) { nodes { text } } } } }"""
    body = gql(api, costly)
    assert body["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY"


def test_get_and_post(api):
    response = api.get("/graphql", params={"query": '{ place(id: "tver") { name } }'})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["data"]["place"]["name"] == "Tver"


def test_the_api_never_writes(api):
    body = gql(api, 'mutation { x }')
    assert "mutation operation is not supported" in body["errors"][0]["message"]
    response = api.get("/graphql", params={"query": "{ __schema { mutationType { name } } }"})
    assert response.json()["data"]["__schema"]["mutationType"] is None


def test_bad_json_is_a_400(api):
    response = api.post("/graphql", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_every_type_and_field_has_a_description(api):
    body = data(api, """{ __schema { types { name kind description
        fields { name description } } } }""")
    missing = []
    for t in body["__schema"]["types"]:
        if t["name"].startswith("__") or t["kind"] == "SCALAR":
            continue
        if not t["description"]:
            missing.append(t["name"])
        for f in t["fields"] or []:
            if not f["description"]:
                missing.append(f"{t['name']}.{f['name']}")
    assert missing == []


def test_cors_is_configurable(neo4j_settings):
    from starlette.testclient import TestClient

    from api.app import create_app
    from schema.config import Config

    config = Config.from_env({"REVGRAPH_CORS_ORIGINS": "https://maps.example"})
    with TestClient(create_app(config, neo4j_settings)) as client:
        response = client.options("/graphql", headers={
            "Origin": "https://maps.example", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type"})
        assert response.headers["access-control-allow-origin"] == "https://maps.example"
        other = client.options("/graphql", headers={
            "Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in other.headers


def test_health(api):
    assert api.get("/health").json() == {"ok": True}
