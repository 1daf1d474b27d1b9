"""The exports (/export/* and `revgraph export`) against the real Neo4j with the whole dataset,
each read back by a real reader of its format: geojson-pydantic (RFC 7946), the Linked Places
required members, networkx (GEXF 1.3 and GraphML), cytoscape.js in Node (the vendored build the
explorer uses), and the csv module. Counts are compared with the graph's own, by Cypher."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import networkx as nx
import pytest
from geojson_pydantic import Feature, FeatureCollection

from graph.db import read
from tests.test_cli import run

pytestmark = pytest.mark.usefixtures("loaded_graph")

CYTOSCAPE_JS = Path(__file__).parent.parent / "api" / "static" / "explore" / "vendor" / "cytoscape.min.js"
KURSK_ON = {"on": "1917-12-01", "calendar": "julian"}

NODE_COUNT = "MATCH (n) WHERE n:Entity OR n:Fact RETURN count(n) AS n"
EDGE_COUNT = ("MATCH (a)-[r]->(b) WHERE (a:Entity OR a:Fact) AND (b:Entity OR b:Fact) "
              "RETURN count(r) AS n")
# Places held on a Gregorian day by periods that all say RED (as the GeoJSON `alignment`).
RED_ON = """
MATCH (p:Place)<-[:OF_PLACE]-(c:Control)
WHERE (c.start IS NULL OR c.start <= date($on)) AND (c.end IS NULL OR c.end > date($on))
WITH p, collect(DISTINCT c.alignment) AS sides
WHERE sides = ['RED']
RETURN count(p) AS n
"""


def count(loaded_graph, cypher: str, **params) -> int:
    driver, database = loaded_graph
    return read(driver, database, cypher, **params)[0]["n"]


def get(api, name: str, **params) -> bytes:
    response = api.get(f"/export/{name}", params=params)
    assert response.status_code == 200, response.text
    return response.content


# --- places ---------------------------------------------------------------------------------


def test_geojson_is_rfc7946_with_who_held_each_place_on_the_day(api, loaded_graph):
    body = get(api, "places.geojson", **KURSK_ON)
    collection = FeatureCollection.model_validate_json(body)
    assert len(collection.features) == count(loaded_graph, "MATCH (p:Place) RETURN count(p) AS n")
    doc = json.loads(body)
    assert "crs" not in doc  # RFC 7946 dropped it: WGS 84 longitude, latitude only
    for f in doc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    # Where it came from: version, Cypher, parameters (Gregorian), time.
    assert doc["revgraph"]["generator"].startswith("revgraph ")
    assert "MATCH (p:Place)" in doc["revgraph"]["cypher"]["places"]
    assert doc["revgraph"]["parameters"]["on"] == "1917-12-14"
    kursk = next(f["properties"] for f in doc["features"] if f["id"] == "kursk")
    answer = api.post("/graphql", json={"query": """{ controlOf(place: "kursk", on: "1917-12-01",
        calendar: JULIAN) { id controller { id } alignment } }"""}).json()["data"]["controlOf"]
    assert [p["id"] for p in kursk["control"]] == [p["id"] for p in answer]
    # and how often the graph's documents name it (seed 002 names Kursk)
    assert kursk["mentions"] == count(loaded_graph, "MATCH (:Place {id: 'kursk'})<-[m:MENTIONS]-() "
                                                    "RETURN count(m) AS n") > 0
    assert kursk["controllerId"] == answer[0]["controller"]["id"]
    assert kursk["alignment"] == answer[0]["alignment"] == "RED"
    start = kursk["control"][0]["start"]
    assert start["julian"] == "1917-11-26" and start["gregorian"] == "1917-12-09"
    assert start["precision"] == "DAY" and start["edtf"] == "1917-12-09"
    assert kursk["control"][0]["citations"], "every period keeps its citations"
    reds = sum(1 for f in doc["features"] if f["properties"]["alignment"] == "RED")
    assert reds == count(loaded_graph, RED_ON, on="1917-12-14")


def test_geojson_without_a_day_lists_every_period(api, loaded_graph):
    doc = json.loads(get(api, "places.geojson", kind="city,town"))
    FeatureCollection.model_validate(doc)
    periods = sum(len(f["properties"]["control"]) for f in doc["features"])
    assert periods == count(loaded_graph, "MATCH (p:Place)<-[:OF_PLACE]-(c:Control) "
                                          "WHERE p.kind IN ['city', 'town'] RETURN count(c) AS n")
    assert {f["properties"]["kind"] for f in doc["features"]} == {"city", "town"}


def test_periods_geojson_has_one_feature_per_period_with_flat_typed_dates(api, loaded_graph,
                                                                          tmp_path):
    body = get(api, "periods.geojson")
    collection = FeatureCollection.model_validate_json(body)
    assert len(collection.features) == count(loaded_graph, "MATCH (:Place)<-[:OF_PLACE]-(c:Control) "
                                                           "RETURN count(c) AS n")
    doc = json.loads(body)
    kursk = next(f for f in doc["features"]
                 if f["id"] == "control/kursk/kursk-soviet/1917-11-26-o.s.")
    p = kursk["properties"]
    # Flat: the first day it holds and the day it is over (docs/model.md, "Time"), both calendars.
    assert (p["start"], p["end"], p["lastDay"]) == ("1917-12-09", "1919-09-20", "1919-09-19")
    assert (p["startJulian"], p["endJulian"]) == ("1917-11-26", "1919-09-07")
    assert p["startStated"] == "1917-11-26 O.S." and p["place"] == "kursk"
    assert p["alignment"] == "RED" and p["controller"] == "kursk-soviet"
    assert json.loads(p["citations"])[0]["source"] and "figes-1996" in p["sources"]
    assert all(not isinstance(v, (dict, list)) for f in doc["features"]
               for v in f["properties"].values()), "every property is flat"
    # GDAL (QGIS reads through it) types the days as dates: what a temporal controller needs.
    ogrinfo = shutil.which("ogrinfo")
    if ogrinfo is None:
        pytest.fail("ogrinfo is missing: `make system` installs it (Debian's gdal-bin)",
                    pytrace=False)
    path = tmp_path / "periods.geojson"
    path.write_bytes(body)
    out = subprocess.run([ogrinfo, "-ro", "-so", "-al", str(path)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    fields = dict(re.findall(r"^(\w+): (\w+)", out.stdout, flags=re.M))
    for name in ("start", "end", "lastDay", "startJulian", "endJulian"):
        assert fields[name] == "Date", (name, out.stdout)
    assert fields["disputed"] == "Integer" and f"Feature Count: {len(doc['features'])}" in out.stdout
    # On a day, the periods in force that day: those the map shows.
    on = json.loads(get(api, "periods.geojson", on="1918-03-01"))
    assert len(on["features"]) == count(loaded_graph, """MATCH (:Place)<-[:OF_PLACE]-(c:Control)
        WHERE (c.start IS NULL OR c.start <= date('1918-03-01'))
          AND (c.end IS NULL OR c.end > date('1918-03-01')) RETURN count(c) AS n""")


# LPF asks for a GeometryCollection even around one point, which RFC 7946 only advises against.
@pytest.mark.filterwarnings("ignore:GeometryCollection should not be used")
def test_linked_places_has_the_required_members(api, loaded_graph):
    doc = json.loads(get(api, "places.lpf.json"))
    FeatureCollection.model_validate(doc)  # LPF is GeoJSON too
    assert doc["type"] == "FeatureCollection"
    assert doc["@context"].endswith("linkedplaces-context-v1.1.jsonld")
    assert len(doc["features"]) == count(loaded_graph, "MATCH (p:Place) RETURN count(p) AS n")
    timespans = 0
    for f in doc["features"]:
        Feature.model_validate(f)
        assert f["@id"].startswith("urn:revgraph:place:")
        assert f["properties"]["title"]
        assert f["geometry"]["type"] == "GeometryCollection" and f["geometry"]["geometries"]
        assert f["names"] and f["names"][0]["toponym"] == f["properties"]["title"]
        assert any(n.get("citations") for n in f["names"]), "LPF: at least one name is cited"
        for span in f.get("when", {}).get("timespans", []):
            assert span["start"], "LPF: a timespan must have a start"
            for point in span.values():
                assert set(point) in ({"in"}, {"earliest", "latest"})
            timespans += 1
        for rel in f.get("relations", []):
            assert rel["relationType"] and rel["relationTo"].startswith("urn:revgraph:place:")
    dated = count(loaded_graph, "MATCH (:Place)<-[:OF_PLACE]-(c:Control) WHERE c.start IS NOT NULL "
                                "RETURN count(c) AS n")
    assert timespans == dated
    kursk = next(f for f in doc["features"] if f["properties"]["id"] == "kursk")
    assert {"toponym": "Курск"} in kursk["names"]


# --- the graph --------------------------------------------------------------------------------


def test_gexf_13_read_by_networkx_with_the_graphs_counts_and_spells(api, loaded_graph, tmp_path):
    body = get(api, "graph.gexf")
    root = ElementTree.fromstring(body)
    assert root.tag == "{http://gexf.net/1.3}gexf" and root.get("version") == "1.3"
    graph = root.find("{http://gexf.net/1.3}graph")
    assert graph.get("mode") == "dynamic" and graph.get("timeformat") == "date"
    path = tmp_path / "graph.gexf"
    path.write_bytes(body)
    g = nx.read_gexf(path, version="1.3")
    assert g.number_of_nodes() == count(loaded_graph, NODE_COUNT)
    assert g.number_of_edges() == count(loaded_graph, EDGE_COUNT)
    kursk_soviet = g.nodes["control/kursk/kursk-soviet/1917-11-26-o.s."]
    # A spell includes both its days; a period is over on its end day (docs/model.md, "Time").
    assert kursk_soviet["spells"] == [("1917-12-09", "1919-09-19")]
    assert kursk_soviet["startJulian"] == "1917-11-26"
    assert json.loads(kursk_soviet["citations"])[0]["source"]
    # An undated entity is there while it takes part in the graph's dated facts and events.
    assert g.nodes["kursk"]["spells"] == [_taking_part(loaded_graph, "kursk")]
    assert g.nodes["bolsheviks"]["spells"] == [_taking_part(loaded_graph, "bolsheviks")]
    assert g.nodes["kursk"]["spells"][0][0] == "1917-03-14"


def _taking_part(loaded_graph, node_id: str) -> tuple[str, str]:
    """The hull of the days of the dated facts and events a node takes part in, from schema/time
    (in Python), against which the export's Cypher is checked."""
    from api.exports.dates import possible_days

    driver, database = loaded_graph
    rows = read(driver, database, """MATCH ({id: $id})-[r]-(f) WHERE type(r) <> 'CITES'
        AND (f:Event OR f:Control OR f:Composition OR f:Role OR f:Figure OR f:Vote)
        RETURN [l IN labels(f) WHERE NOT l IN ['Entity', 'Fact']][0] AS label,
               properties(f) AS props""", id=node_id)
    days = [d for d in (possible_days(r["label"], r["props"]) for r in rows) if d is not None]
    assert days, f"{node_id} takes part in dated facts"
    los = [lo for lo, _ in days if lo is not None]
    his = [hi for _, hi in days if hi is not None]
    first = min(los) if len(los) == len(days) else None
    last = max(his) if len(his) == len(days) else None
    # networkx reads an open end of a spell as the text "None".
    return (first.isoformat() if first else "None", last.isoformat() if last else "None")


def test_gexf_person_spells_come_from_the_facts_not_the_life(api, loaded_graph, tmp_path):
    """A person has no temporal shape: born and died are attributes, and the spell is the span
    of the roles, votes and events the person takes part in; none: always present."""
    path = tmp_path / "graph.gexf"
    path.write_bytes(get(api, "graph.gexf"))
    g = nx.read_gexf(path, version="1.3")
    busy = read(*loaded_graph, """MATCH (p:Person)-[r]-(f:Role) WHERE p.born IS NOT NULL
        RETURN p.id AS id LIMIT 1""")[0]["id"]
    assert g.nodes[busy]["spells"] == [_taking_part(loaded_graph, busy)]
    idle = read(*loaded_graph, """MATCH (p:Person) WHERE p.born IS NOT NULL AND NOT EXISTS {
        MATCH (p)-[r]-(f) WHERE type(r) <> 'CITES' AND (f:Event OR f:Fact) }
        RETURN p.id AS id LIMIT 1""")
    for row in idle:
        assert "spells" not in g.nodes[row["id"]], "no facts: always present"


def test_every_export_names_each_column_once(api):
    header = next(csv.reader(io.StringIO(api.get("/export/nodes.csv?kind=Figure").text)))
    assert len(header) == len(set(header)), [c for c in header if header.count(c) > 1]
    assert "label" in header and "figureLabel" in header
    rows = list(csv.DictReader(io.StringIO(api.get("/export/nodes.csv?kind=Figure").text)))
    assert all(r["figureLabel"] and r["label"] for r in rows)  # what it measures; its name
    root = ElementTree.fromstring(get(api, "graph.graphml", kind="Figure"))
    keys = [k.get("id") for k in root.iter("{http://graphml.graphdrawing.org/xmlns}key")]
    assert len(keys) == len(set(keys))
    root = ElementTree.fromstring(get(api, "graph.gexf", kind="Figure"))
    for attrs in root.iter("{http://gexf.net/1.3}attributes"):
        ids = [a.get("id") for a in attrs]
        assert len(ids) == len(set(ids))


def test_provenance_is_behind_a_link_not_in_the_headers(api):
    response = api.get("/export/nodes.csv", params={"around": "kursk", "depth": "2"})
    assert response.status_code == 200
    size = sum(len(k) + len(v) for k, v in response.headers.items())
    assert size < 2048, f"{size} bytes of headers"
    link = response.headers["link"]
    assert link.startswith("</export/provenance.json?export=nodes.csv&") and 'rel="describedby"' in link
    about = api.get(link[1:link.index(">")])
    assert about.status_code == 200
    doc = about.json()
    assert doc["generator"].startswith("revgraph ") and doc["export"] == "/export/nodes.csv"
    assert "MATCH (a {id: $around})" in doc["cypher"]["neighbourhood"]
    assert "MATCH (n)" not in doc["cypher"]["nodes"] or "UNWIND $ids" in doc["cypher"]["nodes"]
    assert doc["parameters"]["around"] == "kursk" and doc["parameters"]["depth"] == 2
    assert api.get("/export/provenance.json?export=nodes.xls").status_code == 400
    assert api.get("/export/provenance.json?export=nodes.csv&on=1918-02-30").status_code == 400


def test_gexf_of_a_neighbourhood(api, loaded_graph, tmp_path):
    body = get(api, "graph.gexf", around="kursk", depth="2")
    path = tmp_path / "kursk.gexf"
    path.write_bytes(body)
    g = nx.read_gexf(path, version="1.3")
    # The model's relationships only: not citations, nor documents' passages and mentions.
    want = count(loaded_graph, "MATCH (a:Place {id: 'kursk'}) OPTIONAL MATCH (a)-[r*1..2]-(n) "
                 "WHERE NONE(x IN r WHERE type(x) IN ['CITES', 'MENTIONS', 'IN_DOCUMENT']) "
                 "AND (n:Entity OR n:Fact) RETURN count(DISTINCT n) + 1 AS n")
    assert g.number_of_nodes() == want
    assert "kursk" in g and "kursk-soviet" in g


def test_graphml_read_by_networkx_with_the_graphs_counts(api, loaded_graph):
    g = nx.read_graphml(io.BytesIO(get(api, "graph.graphml")))
    assert g.number_of_nodes() == count(loaded_graph, NODE_COUNT)
    assert g.number_of_edges() == count(loaded_graph, EDGE_COUNT)
    assert g.graph["generator"].startswith("revgraph ")
    assert "MATCH (n)" in g.graph["cypher"]
    assert g.nodes["kursk"]["type"] == "Place" and g.nodes["kursk"]["kind"] == "city"
    assert isinstance(g.nodes["kursk"]["lat"], float)


def test_cytoscape_json_loads_in_cytoscape_js(api, loaded_graph, tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: `apt-get install nodejs`", pytrace=False)
    path = tmp_path / "graph.cyjs"
    path.write_bytes(get(api, "graph.cyjs"))
    script = """
const cytoscape = require(process.argv[1]);
const doc = JSON.parse(require('fs').readFileSync(process.argv[2], 'utf8'));
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
const cy = cytoscape({headless: true, elements: doc.elements});
console.log(JSON.stringify({nodes: cy.nodes().length, edges: cy.edges().length,
  places: cy.nodes('.Place').length, cities: cy.nodes('.Place.city').length,
  kursk: cy.getElementById('kursk').data('label'), warnings}));
"""
    out = subprocess.run([node, "-e", script, str(CYTOSCAPE_JS), str(path)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["warnings"] == []
    assert got["nodes"] == count(loaded_graph, NODE_COUNT)
    assert got["edges"] == count(loaded_graph, EDGE_COUNT)
    assert got["places"] == count(loaded_graph, "MATCH (p:Place) RETURN count(p) AS n")
    assert got["cities"] == count(loaded_graph, "MATCH (p:Place {kind: 'city'}) RETURN count(p) AS n")
    assert got["kursk"] == "Kursk"


def test_csv_tables_read_back_with_the_counts_and_both_calendars(api, loaded_graph):
    response = api.get("/export/nodes.csv")
    assert response.headers["x-revgraph-version"].startswith("revgraph ")
    nodes = list(csv.DictReader(io.StringIO(response.text)))
    edges = list(csv.DictReader(io.StringIO(get(api, "edges.csv").decode())))
    assert len(nodes) == count(loaded_graph, NODE_COUNT)
    assert len(edges) == count(loaded_graph, EDGE_COUNT)
    period = next(r for r in nodes if r["id"] == "control/kursk/kursk-soviet/1917-11-26-o.s.")
    assert (period["startGregorian"], period["startJulian"]) == ("1917-12-09", "1917-11-26")
    assert period["startEdtf"] == "1917-12-09" and period["startPrecision"] == "DAY"
    assert period["startText"] == "1917-11-26 O.S."
    cites = [e for e in edges if e["source"] == period["id"] and e["type"] == "CITES"]
    assert cites and cites[0]["startJulian"] == "1917-11-26"
    ids = {r["id"] for r in nodes}
    assert all(e["source"] in ids and e["target"] in ids for e in edges)


def test_kinds_and_a_window_filter_the_graph(api, loaded_graph):
    nodes = list(csv.DictReader(io.StringIO(get(api, "nodes.csv", kind="control",
                                                **{"from": "1918-01-01", "to": "1918-01-31"}).decode())))
    want = count(loaded_graph, """MATCH (c:Control)
        WHERE (c.start IS NULL OR c.start <= date('1918-01-31'))
          AND (c.end IS NULL OR c.end > date('1918-01-01')) RETURN count(c) AS n""")
    assert len(nodes) == want and {r["type"] for r in nodes} == {"Control"}


def test_exports_are_streamed_in_chunks(api):
    with api.stream("GET", "/export/graph.gexf") as response:
        chunks = [c for c in response.iter_raw() if c]
    assert len(chunks) > 3, "a large export arrives piece by piece"


@pytest.mark.parametrize(("query", "message"), [
    ("on=1917-13-01", "is not a Gregorian date"),
    ("on=1918-02-30&calendar=julian", "does not exist"),
    ("calendar=byzantine", "calendar must be julian or gregorian"),
    ("on=1917-12-01&from=1917-11-01", "either `on`"),
    ("from=1918-01-01&to=1917-01-01", "is before"),
    ("kind=planet", "not a kind of node"),
    ("depth=2", "depth needs `around`"),
    ("around=kursk&depth=9", "depth must be from 1 to 3"),
    ("around=atlantis", "no entity or fact has the id"),
    ("colour=red", "unknown parameter colour"),
])
def test_bad_parameters_answer_400_saying_what_to_change(api, query, message):
    response = api.get(f"/export/graph.gexf?{query}")
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_places_take_kinds_of_place(api):
    response = api.get("/export/places.geojson?kind=Control")
    assert response.status_code == 400
    assert "city, town, province" in response.json()["error"]["message"]


# --- the command line -------------------------------------------------------------------------


def test_cli_writes_the_same_exports(neo4j_settings, loaded_graph, tmp_path):
    out = tmp_path / "places.geojson"
    result = run(["export", "geojson", "--on", "1917-12-01", "--calendar", "julian", "-o", str(out)],
                 neo4j_settings)
    assert result.returncode == 0, result.stderr
    doc = FeatureCollection.model_validate_json(out.read_bytes())
    kursk = next(f for f in doc.features if f.id == "kursk")
    assert kursk.properties["alignment"] == "RED"
    assert json.loads(out.read_bytes())["revgraph"]["request"].startswith("revgraph export geojson")

    result = run(["export", "csv", "-o", str(tmp_path / "tables")], neo4j_settings)
    assert result.returncode == 0, result.stderr
    with open(tmp_path / "tables" / "nodes.csv", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == count(loaded_graph, NODE_COUNT)
    with open(tmp_path / "tables" / "edges.csv", newline="") as f:
        assert sum(1 for _ in csv.DictReader(f)) == count(loaded_graph, EDGE_COUNT)
    assert json.loads((tmp_path / "tables" / "provenance.json").read_text())["cypher"]

    gexf = tmp_path / "kursk.gexf"
    result = run(["export", "gexf", "--around", "kursk", "--depth", "1", "-o", str(gexf)],
                 neo4j_settings)
    assert result.returncode == 0, result.stderr
    assert "kursk" in nx.read_gexf(gexf, version="1.3")

    periods = tmp_path / "periods.geojson"
    result = run(["export", "periods", "--kind", "city", "-o", str(periods)], neo4j_settings)
    assert result.returncode == 0, result.stderr
    features = FeatureCollection.model_validate_json(periods.read_bytes()).features
    assert len(features) == count(loaded_graph, "MATCH (:Place {kind: 'city'})<-[:OF_PLACE]-(c) "
                                                "RETURN count(c) AS n")

    bad = run(["export", "gexf", "--on", "1917-02-30", "--calendar", "gregorian"], neo4j_settings)
    assert bad.returncode == 1 and "is not a Gregorian date" in bad.stderr
    assert run(["export", "shapefile"], neo4j_settings).returncode == 1
