"""The curated dataset's invariants, checked in the graph it loads into."""

from __future__ import annotations

from loaders.validate import validate_paths
from loaders.write import load
from tests.conftest import DATA


def rows(driver, database, cypher):
    records, _, _ = driver.execute_query(cypher, database_=database)
    return [r.data() for r in records]


def test_every_fact_and_event_cites_a_source(loaded_graph):
    uncited = rows(*loaded_graph, """
        MATCH (n) WHERE (n:Fact OR n:Event) AND NOT (n)-[:CITES]->(:Source)
        RETURN n.id AS id""")
    assert uncited == []


def test_every_place_has_coordinates(loaded_graph):
    missing = rows(*loaded_graph, """
        MATCH (p:Place) WHERE p.lat IS NULL OR p.lon IS NULL RETURN p.id AS id""")
    assert missing == []


def test_no_dangling_references(loaded_graph):
    # every fact reaches what it is about: a control period its place and its controller
    dangling = rows(*loaded_graph, """
        MATCH (c:Control) WHERE NOT (c)-[:OF_PLACE]->(:Place) OR NOT (c)-[:BY]->(:Entity)
        RETURN c.id AS id
        UNION
        MATCH (f:Figure) WHERE NOT (f)-[:ABOUT]->(:Entity) RETURN f.id AS id
        UNION
        MATCH (c:Claim) WHERE NOT (c)-[:ABOUT]->(:Entity) RETURN c.id AS id""")
    assert dangling == []


def test_no_overlapping_undisputed_control(loaded_graph):
    overlaps = rows(*loaded_graph, """
        MATCH (p:Place)<-[:OF_PLACE]-(a:Control), (p)<-[:OF_PLACE]-(b:Control)
        WHERE a.id < b.id AND a.start IS NOT NULL AND b.start IS NOT NULL
          AND a.start < coalesce(b.end, date('9999-12-31'))
          AND b.start < coalesce(a.end, date('9999-12-31'))
          AND NOT (a.disputed AND b.disputed)
        RETURN p.id AS place, a.id AS a, b.id AS b""")
    assert overlaps == []


def test_every_date_says_its_calendar(loaded_graph):
    bad = rows(*loaded_graph, """
        MATCH (n) WHERE (n.start IS NOT NULL AND n.startCalendar IS NULL)
                     OR (n.end IS NOT NULL AND n.endCalendar IS NULL)
                     OR (n.date IS NOT NULL AND n.dateCalendar IS NULL)
        RETURN n.id AS id""")
    assert bad == []


def test_coverage(loaded_graph):
    [row] = rows(*loaded_graph, """
        MATCH (p:Place)<-[:OF_PLACE]-(c:Control)
        WHERE p.kind IN ['city', 'town']
        WITH p, collect(c) AS periods
        RETURN
          size([p IN collect({p: p, periods: periods})
                WHERE any(c IN p.periods WHERE c.start <= date('1918-04-13'))]) AS transfer,
          size([p IN collect({p: p, periods: periods})
                WHERE any(c IN p.periods WHERE c.start >= date('1918-04-14')
                          AND c.start <= date('1920-12-31'))]) AS civil_war""")
    assert row["transfer"] >= 80
    assert row["civil_war"] >= 40


def test_the_seed_misspellings_are_aliases(loaded_graph):
    found = rows(*loaded_graph, """
        MATCH (p:Place) WHERE any(a IN p.aliases WHERE a IN
          ['Krasnoyask', 'Tsaitzyn', 'Ivonovo-Voznesensk'])
        RETURN p.id AS id ORDER BY id""")
    assert [r["id"] for r in found] == ["ivanovo-voznesensk", "krasnoyarsk", "tsaritsyn"]


def test_the_two_readings_of_october_stand_side_by_side(loaded_graph):
    stances = rows(*loaded_graph, """
        MATCH (:Event {id: 'october-revolution'})<-[:ABOUT]-(c:Claim)-[:CITES]->(s:Source)
        RETURN DISTINCT c.stance AS stance, s.id AS source""")
    pairs = {(r["stance"], r["source"]) for r in stances}
    assert ("coup", "pipes-1990") in pairs
    assert ("mass-movement", "seed-socialist-worker-2017") in pairs


def test_loading_the_dataset_again_changes_nothing(loaded_graph):
    driver, database = loaded_graph
    summary = load(driver, database, validate_paths([DATA]))
    assert not summary.changed


def test_search_forgives_the_seed_misspellings_and_transliterations(loaded_graph, api):
    for text, expected in [("Krasnoyask", "krasnoyarsk"), ("Tsaitzyn", "tsaritsyn"),
                           ("Ekaterinoslav", "ekaterinoslav"), ("Yekaterinoslav", "ekaterinoslav"),
                           ("Ivonovo-Voznesensk", "ivanovo-voznesensk"), ("Tiflis", "tiflis"),
                           ("Tbilisi", "tiflis"), ("Helsinki", "helsingfors"),
                           ("Krasnojarsk", "krasnoyarsk"), ("Kharkiv", "kharkov")]:
        body = api.post("/graphql", json={
            "query": "query ($t: String!) { search(text: $t, limit: 3) { id } }",
            "variables": {"t": text}}).json()
        assert body["data"]["search"][0]["id"] == expected, (text, body)


def test_places_a_party_held_on_a_day(loaded_graph, api):
    body = api.post("/graphql", json={"query": """{
        placesHeld(party: "bolsheviks", on: "1917-12-01", calendar: JULIAN) {
          place { id } control { controller { id } }
          majority { party { id } majority citations { source { id } } } } }"""}).json()
    held = {h["place"]["id"]: h for h in body["data"]["placesHeld"]}
    assert {"petrograd", "moscow"} <= set(held)
    assert held["petrograd"]["majority"]["party"]["id"] == "bolsheviks"
    assert held["petrograd"]["majority"]["citations"]
