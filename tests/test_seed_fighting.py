"""The fighting the seed thread asserts (quoting Figes) is fighting the API returns: the
thirteen towns come back from `placesWithFighting` for the months after the October rising,
each with an event that cites a source."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("loaded_graph")

# Moscow, and the towns of seed 002's two Figes passages, in the order the seed names them.
SEED_TOWNS = ("moscow", "novgorod", "pskov", "tver", "orel", "kursk", "voronezh", "astrakhan",
              "chernigov", "odessa", "kherson", "ekaterinoslav", "sevastopol")

FIGHTING = """
query ($from: Date, $to: Date, $calendar: Calendar = GREGORIAN) {
  placesWithFighting(from: $from, to: $to, calendar: $calendar) {
    place { id }
    events { id fighting citations { source { id name } quote } }
  }
}"""


def _fighting(api, variables: dict) -> dict[str, list[dict]]:
    response = api.post("/graphql", json={"query": FIGHTING, "variables": variables})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return {row["place"]["id"]: row["events"] for row in body["data"]["placesWithFighting"]}


def test_the_thirteen_seed_towns_fought_between_november_1917_and_march_1918(api):
    found = _fighting(api, {"from": "1917-11-07", "to": "1918-03-31"})
    missing = [town for town in SEED_TOWNS if town not in found]
    assert missing == []
    for town in SEED_TOWNS:
        events = found[town]
        assert all(e["fighting"] for e in events)
        assert any(c["source"]["id"] for e in events for c in e["citations"]), town


def test_the_seed_towns_each_have_figes_or_the_seed_thread_saying_so(api):
    found = _fighting(api, {"from": "1917-10-25", "to": "1918-02-18", "calendar": "JULIAN"})
    figes = {"figes-1996", "seed-history-se-thread"}
    without = [town for town in SEED_TOWNS if town != "moscow" and not any(
        c["source"]["id"] in figes and c["quote"] for e in found.get(town, [])
        for c in e["citations"])]
    assert without == []


PAGE = """
query ($first: Int, $after: ID) {
  placesWithFighting(from: "1917-11-07", to: "1918-03-31", first: $first, after: $after) {
    place { id } events { id }
  }
}"""


def _page(api, variables: dict) -> dict:
    response = api.post("/graphql", json={"query": PAGE, "variables": variables})
    assert response.status_code == 200, response.text
    return response.json()


def test_pages_of_the_places_with_fighting_are_the_whole_answer_in_turn(api):
    """`first` and `after` page the same answer, in the same order, with the same events."""
    whole = _page(api, {})["data"]["placesWithFighting"]
    assert len(whole) > 8
    paged, after = [], None
    while True:
        page = _page(api, {"first": 4, "after": after})["data"]["placesWithFighting"]
        assert len(page) <= 4
        paged += page
        if len(page) < 4:
            break
        after = page[-1]["place"]["id"]
    assert paged == whole


@pytest.mark.parametrize("variables,words", [
    ({"first": 4, "after": "atlantis"}, "unknown place id 'atlantis'"),
    ({"after": "kursk"}, "give `first` between 1 and 100"),
    ({"first": 0}, "give `first` between 1 and 100"),
])
def test_a_wrong_page_of_places_with_fighting_says_what_to_give(api, variables, words):
    body = _page(api, variables)
    assert body["data"] is None or body["data"]["placesWithFighting"] is None
    assert words in body["errors"][0]["message"]
