"""The reconciliation service (/reconcile): every kind of answer against the specification's
own JSON schemas, the matches the product asks for, no false match for an ambiguous name, data
extension, CORS everywhere, and a reconciliation client from PyPI end to end."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

from graph.db import read
from schema.model import ENTITY_KINDS
from tests.conftest import ROOT, shipped, test_config

SPECS = Path(__file__).parent / "fixtures" / "reconciliation-specs"
CLIENT_REQUIREMENTS = Path(__file__).parent / "reconciliation-client.txt"


def _registry() -> Registry:
    resources = []
    for path in SPECS.rglob("*.json"):
        contents = json.loads(path.read_text())
        resources.append((contents["$id"], Resource.from_contents(
            contents, default_specification=DRAFT7)))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def conforms(version: str, name: str, instance: Any) -> None:
    """The instance is valid against the specification's schema ``version/name``."""
    schema = json.loads((SPECS / version / f"{name}.json").read_text())
    errors = sorted(Draft7Validator(schema, registry=REGISTRY).iter_errors(instance),
                    key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def reconcile(api, queries: dict[str, Any], method: str = "POST") -> dict[str, Any]:
    if method == "GET":
        r = api.get("/reconcile", params={"queries": json.dumps(queries)})
    else:
        r = api.post("/reconcile", data={"queries": json.dumps(queries)})
    assert r.status_code == 200, r.text
    assert r.headers["access-control-allow-origin"] == "*"
    body = r.json()
    conforms("0.2", "reconciliation-result-batch", body)
    return body


def matches(result: dict[str, Any]) -> list[str]:
    return [c["id"] for c in result["result"] if c["match"]]


# -- without Neo4j ----------------------------------------------------------------------------

def test_the_vendored_schemas_are_the_specifications():
    for line in (SPECS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((SPECS / name).read_bytes()).hexdigest() == digest, name


def test_the_schemas_refuse_what_they_should():
    """The validator really applies them (a result without a score is refused)."""
    with pytest.raises(AssertionError):
        conforms("0.2", "reconciliation-result-batch", {"q0": {"result": [{"id": "x",
                                                                          "name": "x"}]}})


# -- the manifest, types, properties ----------------------------------------------------------

def test_the_manifest(api):
    r = api.get("/reconcile")
    assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
    manifest = r.json()
    conforms("0.2", "manifest", manifest)
    base = "http://testserver"
    assert manifest["identifierSpace"] == f"{base}/entity/"
    assert manifest["view"]["url"] == f"{base}/entity/{{{{id}}}}"
    assert {t["id"] for t in manifest["defaultTypes"]} == {k.name for k in ENTITY_KINDS}
    assert manifest["preview"]["url"] == f"{base}/reconcile/preview?id={{{{id}}}}"
    assert {s["name"] for s in manifest["extend"]["property_settings"]} == {"on", "calendar"}


def test_the_manifest_as_jsonp(api):
    r = api.get("/reconcile", params={"callback": "jQuery_1.cb"})
    assert r.headers["content-type"].startswith("application/javascript")
    assert r.text.startswith("/**/jQuery_1.cb({") and r.text.endswith("});")
    assert api.get("/reconcile", params={"callback": "alert(1)"}).status_code == 400


def test_suggest_types_and_properties(api):
    types = api.get("/reconcile/suggest/type", params={"prefix": "pla"}).json()
    conforms("0.2", "suggest-types-response", types)
    assert [t["id"] for t in types["result"]] == ["Place"]
    props = api.get("/reconcile/suggest/property", params={"prefix": "", "type": "Place"}).json()
    conforms("0.2", "suggest-properties-response", props)
    assert {"in", "controller", "coordinates", "kind"} <= {p["id"] for p in props["result"]}
    proposed = api.get("/reconcile/extend/propose", params={"type": "Soviet"}).json()
    conforms("0.2", "data-extension-property-proposal", proposed)
    assert {"composition", "majority", "place"} <= {p["id"] for p in proposed["properties"]}
    bad = api.get("/reconcile/extend/propose", params={"type": "Nation"})
    assert bad.status_code == 400 and "unknown type 'Nation'" in bad.json()["error"]


# -- reconciling ------------------------------------------------------------------------------

def test_the_seed_misspellings_reconcile_to_the_right_place_with_a_match(loaded_graph, api):
    for method in ("POST", "GET"):
        body = reconcile(api, {"q0": {"query": "Tsaitzyn", "type": "Place"},
                               "q1": {"query": "Ekaterinoslav", "type": "Place"},
                               "q2": {"query": "Krasnoyask", "type": "Place"}}, method)
        assert matches(body["q0"]) == ["tsaritsyn"]
        assert matches(body["q1"]) == ["ekaterinoslav"]
        assert matches(body["q2"]) == ["krasnoyarsk"]
        for q in body.values():
            top = q["result"][0]
            assert top["match"] and top["score"] == 100
            assert top["type"] == [{"id": "Place", "name": "Place"}]
            assert {"id": "name_exact", "name": "the name or an alias is the text",
                    "value": True} in top["features"]


def test_a_near_spelling_is_a_candidate_but_never_a_match(loaded_graph, api):
    body = reconcile(api, {"q0": {"query": "Krasnojarsk", "type": "Place"}})
    assert body["q0"]["result"][0]["id"] == "krasnoyarsk"
    assert matches(body["q0"]) == []


def test_an_ambiguous_name_gives_candidates_and_no_match(loaded_graph, api):
    """Two organisations are both known as the White Guards; a place and a battle are both
    Pulkovo Heights: all are candidates, none is a match."""
    body = reconcile(api, {"q0": {"query": "White Guards", "type": "Organization"},
                           "q1": {"query": "Pulkovo Heights"},
                           "q2": {"query": "White Guards", "type": "Organization", "limit": 1}})
    assert {c["id"] for c in body["q0"]["result"]} >= {"finnish-whites", "seeds-white-movement"}
    assert matches(body["q0"]) == []
    assert {c["id"] for c in body["q1"]["result"]} >= {"pulkovo-heights",
                                                       "pulkovo-heights-battle-1917"}
    assert matches(body["q1"]) == []
    # however few candidates are asked for, the match is decided on all of them
    assert len(body["q2"]["result"]) == 1 and matches(body["q2"]) == []


def test_a_type_or_a_property_tells_namesakes_apart(loaded_graph, api):
    body = reconcile(api, {
        "q0": {"query": "Pulkovo Heights", "type": "Place"},
        "q1": {"query": "Pulkovo Heights", "properties": [{"pid": "kind", "v": "battle"}]},
        "q2": {"query": "Pulkovo Heights", "properties": [{"pid": "date", "v": "1917-10-30 O.S."}]},
        "q3": {"query": "Pulkovo Heights", "properties": [
            {"pid": "in", "v": {"id": "petrograd-province"}}]},
    })
    assert matches(body["q0"]) == ["pulkovo-heights"]
    assert matches(body["q1"]) == ["pulkovo-heights-battle-1917"]
    assert matches(body["q2"]) == ["pulkovo-heights-battle-1917"]
    assert matches(body["q3"]) == ["pulkovo-heights"]


def test_a_contradicting_property_lowers_the_score_and_forbids_the_match(loaded_graph, api):
    body = reconcile(api, {
        "q0": {"query": "Kursk", "type": "Place", "properties": [{"pid": "in", "v": "Saratov"}]},
        "q1": {"query": "Tsaitzyn", "type": "Place", "properties": [{"pid": "in", "v": "Saratov"}]},
    })
    kursk = body["q0"]["result"][0]
    assert kursk["id"] == "kursk" and kursk["score"] == 70 and not kursk["match"]
    assert {"id": "property_in", "name": "in agrees", "value": False} in kursk["features"]
    # "Saratov" names Saratov Province, where Tsaritsyn lay in 1917
    assert matches(body["q1"]) == ["tsaritsyn"]


def test_the_1_0_draft_batch(loaded_graph, api):
    r = api.post("/reconcile", json={"queries": [
        {"type": "Place", "conditions": [{"matchType": "name", "propertyValue": "Tsaitzyn"}]},
        {"conditions": [{"matchType": "name", "propertyValue": "Pulkovo Heights"},
                        {"matchType": "property", "propertyId": "kind",
                         "propertyValue": "battle"}]}]})
    assert r.status_code == 200, r.text
    body = r.json()
    conforms("1.0-draft", "reconciliation-result-batch", body)
    first, second = body["results"]
    assert [c["id"] for c in first["candidates"] if c["match"]] == ["tsaritsyn"]
    assert [c["id"] for c in second["candidates"] if c["match"]] == ["pulkovo-heights-battle-1917"]


@pytest.mark.parametrize(("queries", "says"), [
    ('{"q0": {"query": "Kursk", "type": "Nation"}}', "unknown type 'Nation'"),
    ('{"q0": {"query": "Kursk", "type": "Place", "properties": [{"pid": "party", "v": "x"}]}}',
     "unknown property 'party'"),
    ('{"q0": {"query": "Kursk", "limit": 0}}', "limit must be a whole number from 1 to 25"),
    ('{"q0": {"type": "Place"}}', 'give the name to reconcile as a string in "query"'),
    ('{"q0": {"query": "Kursk", "properties": [{"pid": "date", "v": "1917-13"}]}}',
     "the date '1917-13'"),
    ('{"q0": {"query": "!!!"}}', "search text must contain letters or digits"),
    ('["Kursk"]', "queries must be a JSON object"),
    ('{"q0": ', "queries"),
    (json.dumps({f"q{i}": {"query": "Kursk"} for i in range(101)}), "send at most 100"),
])
def test_bad_queries_say_what_to_change(loaded_graph, api, queries, says):
    r = api.post("/reconcile", data={"queries": queries})
    assert r.status_code == 400, r.text
    assert says in r.json()["error"]
    assert r.headers["access-control-allow-origin"] == "*"


# -- suggest, preview -------------------------------------------------------------------------

def test_suggest_entities(loaded_graph, api):
    body = api.get("/reconcile/suggest/entity", params={"prefix": "Krasnoy", "type": "Place"}).json()
    conforms("0.2", "suggest-entities-response", body)
    assert body["result"][0]["id"] == "krasnoyarsk"
    assert body["result"][0]["notable"] == [{"id": "Place", "name": "Place"}]
    assert api.get("/reconcile/suggest/entity", params={"prefix": ""}).json() == {"result": []}


def test_the_preview_card_may_be_framed_by_a_client(loaded_graph, api):
    r = api.get("/reconcile/preview", params={"id": "tsaritsyn"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "Tsaritsyn" in r.text and "Saratov Province" in r.text
    assert "frame-ancestors *" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "<script" not in r.text
    flyout = api.get("/reconcile/suggest/flyout", params={"id": "tsaritsyn"}).json()
    assert flyout["id"] == "tsaritsyn" and "Tsaritsyn" in flyout["html"]
    assert api.get("/reconcile/preview", params={"id": "atlantis"}).status_code == 404


# -- data extension ---------------------------------------------------------------------------

def extend(api, ids: list[str], properties: list[dict[str, Any]]) -> dict[str, Any]:
    r = api.post("/reconcile", data={"extend": json.dumps({"ids": ids,
                                                           "properties": properties})})
    assert r.status_code == 200, r.text
    body = r.json()
    conforms("0.2", "data-extension-response", body)
    return body


def test_extend_gives_the_controller_on_a_day_for_100_rows(loaded_graph, api):
    places = [r["id"] for r in read(*loaded_graph, """MATCH (p:Place)<-[:OF_PLACE]-(:Control)
        WITH DISTINCT p ORDER BY p.id LIMIT 100 RETURN p.id AS id""")]
    assert len(places) == 100
    on = {"on": "1917-12-01", "calendar": "julian"}
    body = extend(api, places, [{"id": "controller", "settings": on},
                                {"id": "alignment", "settings": on}])
    assert [m["name"] for m in body["meta"]] == ["controller on 1917-12-01 O.S.",
                                                 "alignment on 1917-12-01 O.S."]
    # the same answer as GraphQL's control(on:) for the same places
    want: dict[str, Any] = {}
    after = None
    while True:
        page = api.post("/graphql", json={"query": """query ($after: String) {
            places(sortBy: ID, first: 100, after: $after) {
              pageInfo { hasNextPage endCursor }
              nodes { id control(on: "1917-12-01", calendar: JULIAN) {
                alignment controller { id } } } } }""", "variables": {"after": after}}).json()
        assert "errors" not in page, page
        want |= {p["id"]: p["control"] for p in page["data"]["places"]["nodes"]}
        if not page["data"]["places"]["pageInfo"]["hasNextPage"]:
            break
        after = page["data"]["places"]["pageInfo"]["endCursor"]
    assert set(places) <= set(want)
    for place in places:
        row = body["rows"][place]
        assert [v["id"] for v in row["controller"]] == [c["controller"]["id"] for c in want[place]]
        assert [v["str"] for v in row["alignment"]] == [c["alignment"] for c in want[place]]
    assert body["rows"]["kursk"]["controller"] == [
        {"id": "kursk-soviet", "name": "Kursk Soviet of Workers' and Soldiers' Deputies"}]


def test_extend_other_properties(loaded_graph, api):
    body = extend(api, ["kursk", "petrograd-soviet", "lenin", "october-revolution", "atlantis"], [
        {"id": "coordinates"}, {"id": "in"}, {"id": "lat"},
        {"id": "composition", "settings": {"on": "1917-11-10"}},
        {"id": "majority", "settings": {"on": "1917-11-10"}},
        {"id": "born", "settings": {"calendar": "stated"}},
        {"id": "start", "settings": {"calendar": "julian"}},
    ])
    rows = body["rows"]
    assert rows["kursk"]["coordinates"] == [{"str": "51.7304,36.1926"}]
    assert rows["kursk"]["in"] == [{"id": "kursk-province", "name": "Kursk Province"}]
    assert rows["kursk"]["lat"] == [{"float": 51.7304}]
    assert rows["october-revolution"]["start"] == [{"str": "1917-10-25"}]
    assert rows["lenin"]["born"] and rows["lenin"]["born"][0]["str"].endswith(("O.S.", "N.S."))
    assert rows["atlantis"] == {p: [] for p in rows["atlantis"]}
    shares = rows["petrograd-soviet"]["composition"]
    assert shares and all(": " in s["str"] for s in shares)
    assert {m["id"]: m.get("type") for m in body["meta"]}["majority"] == {"id": "Party",
                                                                           "name": "Party"}


@pytest.mark.parametrize(("extend_", "says"), [
    ({"ids": ["kursk"], "properties": [{"id": "height"}]}, "unknown property 'height'"),
    ({"ids": ["kursk"], "properties": [{"id": "controller", "settings": {"on": "1917-02-30"}}]},
     "the day '1917-02-30'"),
    ({"ids": ["kursk"], "properties": [{"id": "controller", "settings": {"calendar": "maya"}}]},
     "calendar 'maya'"),
    ({"ids": "kursk"}, 'extend must be {"ids": [...]'),
])
def test_bad_extensions_say_what_to_change(loaded_graph, api, extend_, says):
    r = api.post("/reconcile", data={"extend": json.dumps(extend_)})
    assert r.status_code == 400 and says in r.json()["error"], r.text


# -- CORS -------------------------------------------------------------------------------------

PATHS = ["/reconcile", "/reconcile/suggest/entity?prefix=Kursk", "/reconcile/suggest/type",
         "/reconcile/suggest/property", "/reconcile/extend/propose?type=Place",
         "/reconcile/preview?id=kursk", "/reconcile/suggest/flyout?id=kursk"]


def test_cors_on_every_endpoint(loaded_graph, api):
    origin = {"Origin": "https://refine.example"}
    for path in PATHS:
        r = api.get(path, headers=origin)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*", path
        pre = api.options(path, headers={**origin, "Access-Control-Request-Method": "POST",
                                         "Access-Control-Request-Headers": "content-type"})
        assert pre.status_code == 204, path
        assert pre.headers["access-control-allow-origin"] == "*"
        assert "POST" in pre.headers["access-control-allow-methods"]


def test_cors_for_any_origin_when_the_api_lists_its_own(neo4j_settings, loaded_graph):
    """REVGRAPH_CORS_ORIGINS names the origins of the rest of the API; the reconciliation
    service stays open to every origin."""
    from starlette.testclient import TestClient

    from api.app import create_app

    config = shipped("the app's own CORS list must not close the reconciliation service",
                     cors_origins=("https://app.example",))
    with TestClient(create_app(config, neo4j_settings)) as client:
        pre = client.options("/reconcile", headers={
            "Origin": "https://refine.example", "Access-Control-Request-Method": "POST"})
        assert pre.status_code == 204 and pre.headers["access-control-allow-origin"] == "*"
        refused = client.options("/graphql", headers={
            "Origin": "https://refine.example", "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400


# -- a client from PyPI -------------------------------------------------------------------------

def _client_python() -> Path:
    """py-reconciliation-service-api in a virtualenv of its own (its pins of httpx and pydantic
    are not revgraph's), made once in REVGRAPH_CACHE; skipped where PyPI cannot be reached."""
    digest = hashlib.sha256(CLIENT_REQUIREMENTS.read_bytes()).hexdigest()[:12]
    venv = test_config().cache / f"reconciliation-client-{digest}"
    python = venv / "bin" / "python"
    if not (venv / ".installed").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        done = subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", "-r", str(CLIENT_REQUIREMENTS)],
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            pytest.skip(f"the reconciliation client did not install: {done.stderr[-400:]}")
        (venv / ".installed").touch()
    return python


CLIENT_SCRIPT = """
import json, sys
from py_reconciliation_service_api import build_reconciliation_service
service = build_reconciliation_service(sys.argv[1])
results = service.reconcile_batch([{"query": q, "type": "Place"} for q in sys.argv[2:]])
print(json.dumps([[c.model_dump(mode="json") for c in r.result] for r in results]))
"""


def test_a_client_from_pypi_reconciles_end_to_end(loaded_graph, live_api):
    python = _client_python()
    out = subprocess.run([str(python), "-c", CLIENT_SCRIPT, f"{live_api}/reconcile",
                          "Tsaitzyn", "Ekaterinoslav", "Krasnoyask", "Pulkovo Heights"],
                         capture_output=True, text=True, timeout=60,
                         env={**os.environ, "NO_PROXY": "*"}, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)
    assert [[c["id"] for c in r if c["match"]] for r in results] == [
        ["tsaritsyn"], ["ekaterinoslav"], ["krasnoyarsk"], ["pulkovo-heights"]]
