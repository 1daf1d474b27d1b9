"""/explore: served offline, its queries valid, and really working in a browser.

The browser test drives Debian's Chromium (headless) with Playwright against a real uvicorn
(``live_api``) over the whole dataset (``loaded_graph``), aborts and records every request that
would leave the machine, and keeps a screenshot of each state under tests/artifacts/.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

from graphql import parse, validate

from api.web.explore import QUERIES, asset_urls, explore_html
from api.web.playground import EXAMPLE_TABS
from graph.db import read
from tests.test_exports import RED_ON
from tests.test_playground import CHROMIUM, CHROMIUM_ARGS, _is_local, _need_chromium

STATIC = Path(__file__).resolve().parent.parent / "api" / "static" / "explore"
VENDOR = STATIC / "vendor"
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 30_000


def _reds_in_graph(loaded_graph, day: date) -> int:
    driver, database = loaded_graph
    return read(driver, database, RED_ON, on=day.isoformat())[0]["n"]


# --- Without a browser ---------------------------------------------------------------------------


def test_page_loads_nothing_from_elsewhere():
    html = explore_html()
    refs = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', html, flags=re.I)
    local = [r for r in refs if r not in ("data:,", "/graphql")]
    assert local == asset_urls()
    assert all(r.startswith("/static/explore/") for r in local)
    assert not re.search(r"https?:|//[a-z0-9]|@import|url\(", html, flags=re.I)
    for own in ("explore.js", "explore.css"):
        text = (STATIC / own).read_text()
        assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", text), own
        assert "@import" not in text and "url(" not in text, own


def test_vendored_assets_match_versions_file():
    """The files are those scripts/vendor-explore.sh wrote: no hand edits, no source maps."""
    sums = {}
    for line in (VENDOR / "VERSIONS").read_text().splitlines():
        m = re.fullmatch(r"([0-9a-f]{64})  (\S+)", line)
        if m:
            sums[m.group(2)] = m.group(1)
    assert {p.name for p in VENDOR.iterdir()} - {"VERSIONS"} == set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, \
            f"{name} differs from VERSIONS: run scripts/vendor-explore.sh"
    for url in asset_urls():
        assert (STATIC / url.removeprefix("/static/explore/")).is_file(), url
    assert not list(VENDOR.glob("*.map"))


def test_queries_are_valid_graphql_against_the_schema():
    from api.app import build_schema

    schema = build_schema()._schema
    for name, query in QUERIES.items():
        assert not validate(schema, parse(query)), name


def test_page_and_assets_are_served(api):
    page = api.get("/explore")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for ref in [*asset_urls(), "/static/explore/vendor/countries-50m.json"]:
        asset = api.get(ref)
        assert asset.status_code == 200, ref
        assert len(asset.content) > 1000, ref


def test_queries_run_on_the_data(loaded_graph, api):
    variables = {"map": {"day": "1917-12-01", "calendar": "JULIAN"}, "timeline": {"place": "kursk"},
                 "entity": {"id": "kursk"}, "search": {"text": "Kursk"}}
    for name, query in QUERIES.items():
        body = api.post("/graphql", json={"query": query, "variables": variables[name]}).json()
        assert "errors" not in body, (name, body.get("errors"))
    # The map's query finds every period in force that day, open-ended ones included.
    on = {"day": "1920-06-01", "calendar": "GREGORIAN"}
    got = api.post("/graphql", json={"query": QUERIES["map"], "variables": on}).json()
    want = read(*loaded_graph, """MATCH (c:Control) WHERE (c.start IS NULL OR c.start <= date($d))
        AND (c.end IS NULL OR c.endLatest >= date($d)) RETURN count(c) AS n""", d=on["day"])[0]["n"]
    assert got["data"]["controlPeriods"]["totalCount"] == want > 50
    hits = api.post("/graphql", json={"query": QUERIES["search"],
                                      "variables": {"text": "Kursk"}}).json()["data"]["search"]
    assert hits[0]["id"] == "kursk"


# --- In a browser --------------------------------------------------------------------------------


def test_explorer_in_a_browser_offline(loaded_graph, live_api):
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright

    offsite: list[str] = []
    failed: list[str] = []
    console_errors: list[str] = []
    page_errors: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

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

            def shot(name: str) -> None:
                page.screenshot(path=str(ARTIFACTS / f"explore-{name}.png"))

            def reds() -> int:
                return page.locator("#map circle.place[data-alignment='RED']").count()

            try:
                response = page.goto(f"{live_api}/explore", wait_until="load")
                assert response is not None and response.ok
                page.wait_for_selector("body[data-ready='1']")
                assert page.locator("#map path.country").count() > 100  # Natural Earth
                assert page.locator("#map circle.place").count() == read(
                    *loaded_graph, "MATCH (p:Place) RETURN count(p) AS n")[0]["n"]
                shot("1-loaded")

                # The slider speaks Gregorian; start on 1 November 1917 N.S.
                page.locator("input[name=calendar][value=gregorian]").check()
                page.fill("#date-input", "1917-11-01")
                page.press("#date-input", "Enter")
                expect(page.locator("body")).to_have_attribute("data-day", "1917-11-01")
                expect(page.locator("#date-label")).to_contain_text("1 November 1917 N.S.")
                expect(page.locator("#date-label")).to_contain_text("19 October 1917 O.S.")
                day = date(1917, 11, 1)
                seen = [(day, reds())]
                assert seen[0][1] == _reds_in_graph(loaded_graph, day)
                shot("2-1917-11-01")

                # Move the slider day by day, as the arrow keys do, to 1 March 1918.
                page.locator("#day").focus()
                while day < date(1918, 3, 1):
                    page.keyboard.press("ArrowRight")
                    day += timedelta(days=1)
                    if day.day == 1:
                        expect(page.locator("body")).to_have_attribute("data-day", day.isoformat())
                        seen.append((day, reds()))
                assert [n for _, n in seen] == [_reds_in_graph(loaded_graph, d) for d, _ in seen]
                assert seen[-1][1] > seen[0][1], f"the Red places should grow: {seen}"
                expect(page.locator("#date-label")).to_contain_text("16 February 1918 O.S.")
                shot("3-1918-03-01")

                # Play animates the spread day by day; pause stops it.
                page.locator("#play").click()
                page.wait_for_function("() => document.body.dataset.day > '1918-03-10'")
                page.locator("#play").click()
                paused = page.locator("body").get_attribute("data-day")
                page.wait_for_timeout(300)
                assert page.locator("body").get_attribute("data-day") == paused
                page.fill("#date-input", "1918-03-01")
                page.press("#date-input", "Enter")
                expect(page.locator("body")).to_have_attribute("data-day", "1918-03-01")

                # Kursk: its control timeline, with the periods and the sources' words.
                page.locator("#map circle.place[data-id='kursk']").click()
                expect(page.locator("#place-title")).to_contain_text("Kursk")
                periods = read(*loaded_graph, "MATCH (:Place {id: 'kursk'})<-[:OF_PLACE]-(c) "
                               "RETURN count(c) AS n")[0]["n"]
                expect(page.locator("#periods > li")).to_have_count(periods)
                expect(page.locator("#timeline .vis-item.vis-range")).to_have_count(periods)
                expect(page.locator("#periods blockquote").first).to_be_visible()
                # and the passages of the documents that name it, the name marked
                mentions = read(*loaded_graph, "MATCH (:Place {id: 'kursk'})<-[m:MENTIONS]-() "
                                "RETURN count(m) AS n")[0]["n"]
                assert mentions > 0  # seed 002 names Kursk
                expect(page.locator("#mentions > li")).to_have_count(min(mentions, 5))
                expect(page.locator("#mentions mark").first).to_have_text("Kursk")
                shot("4-kursk-timeline")

                # Its network on the slider's day, drawn by cytoscape.js.
                page.locator("#place-network").click()
                page.wait_for_selector("#network[data-nodes]")
                assert int(page.locator("#network").get_attribute("data-nodes")) > 5
                assert page.locator("#network canvas").count() > 0
                expect(page.locator("#network-legend")).to_contain_text("Place")
                href = page.locator("#dl-gexf").get_attribute("href")
                assert href.startswith("/export/graph.gexf?") and "around=kursk" in href
                assert "on=1918-03-01" in href and "calendar=gregorian" in href
                shot("5-kursk-network")

                # The search box forgives, as the API does.
                page.fill("#search", "Kursk")
                expect(page.locator("#search-results li").first).to_have_attribute("data-id", "kursk")
                shot("6-search")

                # The map's GraphQL link opens the playground with the query.
                page.goto(live_api + page.locator("#map-query").get_attribute("href"))
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.graphiql-query-editor .CodeMirror')]"
                    ".some(el => el.CodeMirror && el.CodeMirror.getValue().includes('MapOnADay'))")
                # ... in a tab of its own, before the examples, with its variables.
                expect(page.locator(".graphiql-tabs .graphiql-tab")).to_have_count(len(EXAMPLE_TABS) + 1)
                expect(page.locator(".graphiql-tabs .graphiql-tab").first).to_contain_text("MapOnADay")
                shot("7-playground")
            finally:
                shot("last")
            context.close()
        finally:
            browser.close()

    assert not offsite, f"the explorer tried to leave the machine: {offsite}"
    assert not failed, f"requests failed: {failed}"
    assert not page_errors, f"uncaught errors in the page: {page_errors}"
    assert not console_errors, f"errors on the console: {console_errors}"
