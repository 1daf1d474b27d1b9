"""The GraphiQL playground at /graphql: served offline, and really working in a browser.

The browser test drives Debian's Chromium (headless) with Playwright against a real uvicorn
(``live_api``) over the small dataset (``mini_graph``), aborts and records every request that
would leave the machine, runs the first example tab and waits for its answer.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from graphql import parse, validate

from api.web.playground import EXAMPLE_TABS, OWN_SCRIPT, asset_urls, page_urls, playground_html

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
STATIC = Path(__file__).resolve().parent.parent / "api" / "static" / "graphiql"
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 30_000

# The first example asks who held Kursk on 1 December 1917 O.S.; in mini.yaml the Kursk
# Military-Revolutionary Committee took it on 26 November O.S.
EXPECTED_CONTROLLER = "kursk-mrc"


def _need_chromium() -> None:
    if os.access(CHROMIUM, os.X_OK):
        return
    if os.environ.get("REVGRAPH_NO_BROWSER"):
        pytest.skip(f"{CHROMIUM} is missing and REVGRAPH_NO_BROWSER is set: "
                    "the playground's browser test is skipped")
    pytest.fail(f"{CHROMIUM} is missing: `make system` installs it (Debian's chromium package), "
                "or set REVGRAPH_NO_BROWSER=1 to skip the browser test", pytrace=False)


def _is_local(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True  # never goes on the network
    return parts.hostname in LOCAL_HOSTS


# --- Without a browser ---------------------------------------------------------------------------


def test_examples_are_valid_graphql_against_the_schema():
    from api.app import build_schema

    schema = build_schema()._schema
    assert len(EXAMPLE_TABS) >= 3
    # The first tab is the Kursk question: controlOf(place: "kursk", on: "1917-12-01", ...).
    first = parse(EXAMPLE_TABS[0]["query"]).definitions[0]
    field = first.selection_set.selections[0]
    assert field.name.value == "controlOf"
    assert {a.name.value: a.value.value for a in field.arguments} == \
        {"place": "kursk", "on": "1917-12-01", "calendar": "JULIAN"}
    for tab in EXAMPLE_TABS:
        errors = validate(schema, parse(tab["query"]))
        assert not errors, f"{errors} in\n{tab['query']}"


def test_page_loads_nothing_from_elsewhere():
    html = playground_html()
    refs = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', html, flags=re.I)
    local = [r for r in refs if r != "data:,"]  # the empty favicon, so none is requested
    assert local == page_urls()
    assert all(r.startswith(("/static/graphiql/", "/static/revgraph/")) for r in local)
    assert not re.search(r"https?:|//[a-z0-9]|@import|url\(", html, flags=re.I), \
        "the page must not link any other host"
    assert "<script>" not in html and "<style>" not in html, "nothing inline (the CSP)"
    own = (STATIC.parent / OWN_SCRIPT.removeprefix("/static/")).read_text()
    assert 'window.location.origin + "/graphql"' in own


def test_vendored_assets_match_versions_file():
    """The files are those scripts/vendor-graphiql.sh wrote: no hand edits, no source maps."""
    sums = {}
    for line in (STATIC / "VERSIONS").read_text().splitlines():
        m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if m:
            sums[m.group(2)] = m.group(1)
    for url in asset_urls():
        assert url.rsplit("/", 1)[1] in sums, f"{url} is not in VERSIONS"
    on_disk = {p.name for p in STATIC.iterdir()} - {"VERSIONS"}
    assert on_disk == set(sums), "api/static/graphiql holds files the script did not write"
    for name, digest in sums.items():
        assert hashlib.sha256((STATIC / name).read_bytes()).hexdigest() == digest, \
            f"{name} differs from VERSIONS: run scripts/vendor-graphiql.sh"
    assert not list(STATIC.glob("*.map"))


# --- Through the app -----------------------------------------------------------------------------


def test_graphql_serves_the_page_and_its_assets(api):
    page = api.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>revgraph</h1>" in page.text
    refs = re.findall(r'\b(?:src|href)="(/[^"]*)"', page.text)
    assert refs == page_urls()
    for ref in refs:
        asset = api.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > (1000 if ref in asset_urls() else 100), ref
        kind = "text/css" if ref.endswith(".css") else "javascript"
        assert kind in asset.headers["content-type"], (ref, asset.headers["content-type"])


def test_examples_run_without_errors(mini_graph, api):
    for tab in EXAMPLE_TABS:
        body = api.post("/graphql", json={"query": tab["query"]}).json()
        assert "errors" not in body, (body.get("errors"), tab["query"])
    first = api.post("/graphql", json={"query": EXAMPLE_TABS[0]["query"]}).json()
    assert [p["controller"]["id"] for p in first["data"]["controlOf"]] == [EXPECTED_CONTROLLER]


# --- In a browser --------------------------------------------------------------------------------


def _editor_value(page, selector: str) -> str:
    # GraphiQL 3 uses CodeMirror 5, whose wrapper element carries the editor instance.
    return page.evaluate(
        "(sel) => { const el = document.querySelector(sel + ' .CodeMirror');"
        " return el && el.CodeMirror ? el.CodeMirror.getValue() : ''; }", selector)


def test_playground_runs_the_first_example_offline(mini_graph, live_api):
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright

    offsite: list[str] = []        # requests that would have left the machine (aborted)
    failed: list[str] = []         # local requests that failed or answered >= 400
    console_errors: list[str] = []
    page_errors: list[str] = []
    graphql_posts: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    screenshot = ARTIFACTS / "playground.png"

    def route(route):
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            offsite.append(f"{route.request.method} {url}")
            route.abort("blockedbyclient")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900},
                                          service_workers="block")
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.on("console", lambda m: console_errors.append(f"{m.text} @ {m.location}")
                    if m.type == "error" else None)
            page.on("pageerror", lambda e: page_errors.append(str(e)))
            page.on("websocket", lambda ws: None if _is_local(ws.url)
                    else offsite.append(f"WEBSOCKET {ws.url}"))
            page.on("requestfailed", lambda r: failed.append(
                f"{r.method} {r.url}: {r.failure}") if _is_local(r.url) else None)
            page.on("response", lambda r: failed.append(f"{r.request.method} {r.url}: {r.status}")
                    if r.status >= 400 else None)
            page.on("request", lambda r: graphql_posts.append(r.url)
                    if r.method == "POST" and urlsplit(r.url).path == "/graphql" else None)

            try:
                response = page.goto(f"{live_api}/graphql", wait_until="load")
                assert response is not None and response.ok, response
                expect(page.locator("#revgraph-header h1")).to_have_text("revgraph")

                # The editor is up, with the example tabs; the first (Kursk) is active.
                page.locator(".graphiql-query-editor .CodeMirror").wait_for(state="visible")
                tabs = page.locator(".graphiql-tabs .graphiql-tab")
                expect(tabs).to_have_count(len(EXAMPLE_TABS))
                expect(tabs.first).to_have_class(re.compile(r"\bgraphiql-tab-active\b"))
                expect(tabs.first).to_contain_text("WhoControlledKursk")
                query = _editor_value(page, ".graphiql-query-editor")
                assert query == EXAMPLE_TABS[0]["query"], query

                page.locator("button.graphiql-execute-button").click()
                page.wait_for_function(
                    "(want) => { const el = document.querySelector('.result-window .CodeMirror');"
                    " return !!el && !!el.CodeMirror && el.CodeMirror.getValue().includes(want); }",
                    arg=EXPECTED_CONTROLLER)
                result = json.loads(_editor_value(page, ".result-window"))
                assert "errors" not in result, result
                periods = result["data"]["controlOf"]
                assert [p["controller"]["id"] for p in periods] == [EXPECTED_CONTROLLER]
                assert periods[0]["controller"]["name"] == "Kursk Military-Revolutionary Committee"
                assert periods[0]["start"]["julian"] == "1917-11-26"
                expect(page.locator(".result-window")).to_contain_text(EXPECTED_CONTROLLER)
            finally:
                # Also on failure: the picture is the quickest way to see what went wrong.
                page.screenshot(path=str(screenshot), full_page=False)
            context.close()
        finally:
            browser.close()

    assert not offsite, f"the playground tried to leave the machine: {offsite}"
    assert graphql_posts and all(u == f"{live_api}/graphql" for u in graphql_posts), graphql_posts
    assert not failed, f"requests failed: {failed}"
    assert not page_errors, f"uncaught errors in the page: {page_errors}"
    assert not console_errors, f"errors on the console: {console_errors}"
    assert screenshot.stat().st_size > 10_000
