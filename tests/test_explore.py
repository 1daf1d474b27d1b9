"""/explore: served offline, its queries valid, and really working in a browser.

The browser test drives Debian's Chromium (headless) with Playwright against a real uvicorn
(``live_api``) over the whole dataset (``loaded_graph``), aborts and records every request that
would leave the machine, runs axe-core (vendored from npm into tests/vendor/ by
scripts/vendor-explore.sh) on the page, and keeps a screenshot of each state under
tests/artifacts/explore-*.png.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from graphql import parse, validate

from api.web.explore import ELECTION, QUERIES, SETTLEMENTS, asset_urls, explore_html
from api.web.playground import EXAMPLE_TABS
from graph.db import read
from tests.test_playground import CHROMIUM, CHROMIUM_ARGS, _is_local, _need_chromium

STATIC = Path(__file__).resolve().parent.parent / "api" / "static" / "explore"
VENDOR = STATIC / "vendor"
TEST_VENDOR = Path(__file__).parent / "vendor"
ARTIFACTS = Path(__file__).parent / "artifacts"
TIMEOUT_MS = 60_000  # the shared machine answers a cold GraphQL query in seconds at worst
SIDES = ("RED", "WHITE", "NATIONAL", "FOREIGN", "GREEN", "PROVISIONAL", "OTHER", "CONTESTED")

# The cities and towns each side held on a Gregorian day, by the graph itself: a period holds
# from its start until its end day (docs/model.md, "Time"); several sides at once: CONTESTED.
SIDES_ON = """
MATCH (p:Place)<-[:OF_PLACE]-(c:Control)
WHERE p.kind IN $kinds AND (c.start IS NULL OR c.start <= date($on))
  AND (c.end IS NULL OR c.end > date($on))
WITH p, collect(DISTINCT c.alignment) AS sides
RETURN CASE size(sides) WHEN 1 THEN sides[0] ELSE 'CONTESTED' END AS side, count(p) AS n
"""


def _sides_in_graph(loaded_graph, day: date) -> dict[str, int]:
    driver, database = loaded_graph
    rows = read(driver, database, SIDES_ON, on=day.isoformat(), kinds=list(SETTLEMENTS))
    return {s: 0 for s in SIDES} | {r["side"]: r["n"] for r in rows}


# --- Without a browser ---------------------------------------------------------------------------


def test_page_loads_nothing_from_elsewhere():
    html = explore_html()
    refs = re.findall(r'\b(?:src|href)\s*=\s*["\']([^"\']*)["\']', html, flags=re.I)
    local = [r for r in refs if r not in ("data:,", "/graphql", "#time")]
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
    # axe-core, for the browser test only: vendored the same way, never served.
    sums = dict(reversed(line.split("  ")) for line in (TEST_VENDOR / "VERSIONS").read_text()
                .splitlines() if re.fullmatch(r"[0-9a-f]{64}  \S+", line))
    assert sums.keys() == {"axe.min.js", "LICENSE.axe-core.txt"}
    for name, digest in sums.items():
        assert hashlib.sha256((TEST_VENDOR / name).read_bytes()).hexdigest() == digest, name


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
                 "entity": {"id": "kursk"}, "search": {"text": "Kursk"},
                 "held": {"party": "bolsheviks", "day": "1918-03-01", "calendar": "GREGORIAN"},
                 "votes": {"election": ELECTION}}
    for name, query in QUERIES.items():
        body = api.post("/graphql", json={"query": query, "variables": variables[name]}).json()
        assert "errors" not in body, (name, body.get("errors"))
    # The map's query finds every period in force that day, open-ended ones included; one
    # whose end may be that day (an end known to the month) is over (docs/model.md, "Time").
    on = {"day": "1920-06-01", "calendar": "GREGORIAN"}
    got = api.post("/graphql", json={"query": QUERIES["map"], "variables": on}).json()
    want = read(*loaded_graph, """MATCH (c:Control) WHERE (c.start IS NULL OR c.start <= date($d))
        AND (c.end IS NULL OR c.end > date($d)) RETURN count(c) AS n""", d=on["day"])[0]["n"]
    assert got["data"]["controlPeriods"]["totalCount"] == want > 50
    hits = api.post("/graphql", json={"query": QUERIES["search"],
                                      "variables": {"text": "Kursk"}}).json()["data"]["search"]
    assert hits[0]["id"] == "kursk"
    # The vote layer's query gives every vote of the election (in one page today).
    got = api.post("/graphql", json={"query": QUERIES["votes"],
                                     "variables": {"election": ELECTION}}).json()["data"]["votes"]
    assert got["totalCount"] == read(*loaded_graph, "MATCH (v:Vote)-[:IN_ELECTION]->({id: $e}) "
                                     "RETURN count(v) AS n", e=ELECTION)[0]["n"] > 50


# --- In a browser --------------------------------------------------------------------------------

AXE = TEST_VENDOR / "axe.min.js"
BAD_IMPACTS = ("serious", "critical")


class Browser:
    """One page of the explorer in Chromium, with what went wrong recorded for the end."""

    def __init__(self, context, base: str) -> None:
        self.base = base
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.failed: list[str] = []
        self.page = self.open(context)

    def open(self, context):
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.method} {r.url}: {r.failure}")
                if _is_local(r.url) and "net::ERR_ABORTED" not in (r.failure or "") else None)
        page.on("response", self._response)
        return page

    def _console(self, message) -> None:
        print(f"console {message.type}: {message.text}")  # shown when the test fails
        # Chrome also logs each 503 on the console: _response judges those.
        if message.type == "error" and "status of 503" not in message.text:
            self.console_errors.append(f"{message.text} @ {message.location}")

    def _response(self, response) -> None:
        # A 503 with Retry-After is the API asking to be asked again (busy on a shared machine),
        # and the page does; any other error status is a failure.
        if response.status == 503 and response.headers.get("retry-after"):
            print(f"busy, retried: {response.url}")
        elif response.status >= 400:
            self.failed.append(f"{response.request.method} {response.url}: {response.status}")

    def go(self, path: str, page=None) -> None:
        page = page or self.page
        response = page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok
        page.wait_for_selector("body[data-ready='1']")

    def shot(self, name: str, page=None) -> None:
        (page or self.page).screenshot(path=str(ARTIFACTS / f"explore-{name}.png"))

    def query(self, page=None) -> dict[str, str]:
        return dict(parse_qsl(urlsplit((page or self.page).url).query))

    def map_counts(self) -> dict[str, int]:
        got = self.page.evaluate("""() => {
            const n = {};
            document.querySelectorAll('#map .place').forEach(el => {
                n[el.dataset.alignment] = (n[el.dataset.alignment] || 0) + 1; });
            return n; }""")
        return {s: got.get(s, 0) for s in (*SIDES, "NONE")}

    def chart_counts(self) -> dict[str, int]:
        spans = self.page.locator("#chart-readout span")
        return {spans.nth(i).get_attribute("data-side"): int(spans.nth(i).get_attribute("data-count"))
                for i in range(spans.count())}

    def axe(self, label: str) -> list[str]:
        """axe-core's serious and critical violations on the page as it is."""
        if not self.page.evaluate("() => typeof axe !== 'undefined'"):
            # Evaluated by the browser's debugger protocol, which the page's CSP does not bind.
            self.page.evaluate(AXE.read_text() + "\n;0")
        result = self.page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        return [f"{label}: {v['impact']} {v['id']} ({v['help']}) at "
                f"{[n['target'] for n in v['nodes']][:5]}"
                for v in result["violations"] if v["impact"] in BAD_IMPACTS]


def test_explorer_in_a_browser_offline(loaded_graph, live_api):
    _need_chromium()
    from playwright.sync_api import expect, sync_playwright

    offsite: list[str] = []
    violations: list[str] = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    settlements = read(*loaded_graph, "MATCH (p:Place) WHERE p.kind IN $k RETURN count(p) AS n",
                       k=list(SETTLEMENTS))[0]["n"]

    def route(route):
        url = route.request.url
        if _is_local(url):
            route.continue_()
        else:
            offsite.append(f"{route.request.method} {url}")
            route.abort("blockedbyclient")

    def same_counts(b: Browser, day: date) -> None:
        """The chart, the map's marks and the graph agree on what each side held that day."""
        expect(b.page.locator("#chart-readout")).to_have_attribute("data-day", day.isoformat())
        graph = _sides_in_graph(loaded_graph, day)
        graph["NONE"] = settlements - sum(graph.values())
        chart = b.chart_counts()
        marks = b.map_counts()
        assert chart == {s: graph[s] for s in SIDES}, (day, chart, graph)
        assert marks == graph, (day, marks, graph)
        legend = {s: int(b.page.locator(f"#count-{s}").get_attribute("data-count"))
                  for s in (*SIDES, "NONE")}
        assert legend == graph

    def type_day(b: Browser, text: str) -> None:
        b.page.fill("#date-input", text)
        b.page.press("#date-input", "Enter")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 900},
                                          service_workers="block")
            context.route("**/*", route)
            context.on("websocket", lambda ws: None if _is_local(ws.url)
                       else offsite.append(f"WEBSOCKET {ws.url}"))
            b = Browser(context, live_api)
            page = b.page
            try:
                b.go("/explore")
                assert page.locator("#map path.country").count() > 100  # Natural Earth
                expect(page.locator("#map .place")).to_have_count(settlements)
                # Every side its own colour; no data: a cross, no colour at all.
                fills = {page.locator(f"#count-{s} circle").get_attribute("fill") for s in SIDES}
                assert len(fills) == len(SIDES)
                assert page.locator("#count-NONE path").count() == 1
                assert page.locator("#count-NONE circle").count() == 0
                # The URL holds the view from the start.
                assert b.query() == {"on": "1917-10-25", "calendar": "julian"}
                violations += b.axe("loaded")
                b.shot("1-loaded")

                # The slider speaks Gregorian; 1 November 1917 N.S.
                page.locator("input[name=calendar][value=gregorian]").check()
                type_day(b, "1917-11-01")
                expect(page.locator("body")).to_have_attribute("data-day", "1917-11-01")
                expect(page.locator("#date-label")).to_contain_text("1 November 1917 N.S.")
                expect(page.locator("#date-label")).to_contain_text("19 October 1917 O.S.")
                same_counts(b, date(1917, 11, 1))

                # Zoom to Kursk with the mouse wheel, as a reader would.
                kursk = page.locator("#map .place[data-id='kursk']")
                box = kursk.bounding_box()
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                shown = "() => [...document.querySelectorAll('#map .label')]" \
                        ".filter(t => t.getAttribute('visibility') === 'visible')" \
                        ".map(t => t.dataset.id)"
                hidden_before = set(page.evaluate("() => [...document.querySelectorAll("
                                                  "'#map .label')].map(t => t.dataset.id)")) \
                    - set(page.evaluate(shown))
                for _ in range(5):
                    page.mouse.wheel(0, -300)
                    page.wait_for_timeout(120)
                # The URL keeps the zoom (k/lon/lat of the centre) once the wheel stops.
                page.wait_for_function("() => parseFloat(new URLSearchParams(location.search)"
                                       ".get('zoom')) > 4")
                after = kursk.bounding_box()  # the wheel zooms about the pointer: Kursk stays
                assert abs(after["x"] - box["x"]) < 10 and abs(after["y"] - box["y"]) < 10
                page.wait_for_timeout(300)
                assert set(page.evaluate(shown)) & hidden_before, "labels appear as you zoom"
                b.shot("2-zoomed-to-kursk")

                # The slider, day by day as the arrow keys move it, to 1 March 1918.
                page.locator("#day").focus()
                day = date(1917, 11, 1)
                while day < date(1918, 3, 1):
                    page.keyboard.press("ArrowRight")
                    day += timedelta(days=1)
                    if day.day == 1:
                        expect(page.locator("body")).to_have_attribute("data-day", day.isoformat())
                same_counts(b, date(1918, 3, 1))
                expect(page.locator("#date-label")).to_contain_text("16 February 1918 O.S.")
                page.wait_for_function("() => location.search.includes('on=1918-03-01')")
                b.shot("3-1918-03-01")

                # Play animates the spread; pause stops it; the chart jumps to a day.
                page.locator("#play").click()
                page.wait_for_function("() => document.body.dataset.day > '1918-03-10'")
                page.locator("#play").click()
                paused = page.locator("body").get_attribute("data-day")
                page.wait_for_timeout(300)
                assert page.locator("body").get_attribute("data-day") == paused
                chart = page.locator("#chart").bounding_box()
                page.mouse.click(chart["x"] + chart["width"] * 0.55, chart["y"] + chart["height"] / 2)
                page.wait_for_function("() => document.body.dataset.day > '1919-06-01' && "
                                       "document.body.dataset.day < '1920-06-01'")
                same_counts(b, date.fromisoformat(page.locator("body").get_attribute("data-day")))
                type_day(b, "1919-10-15")
                same_counts(b, date(1919, 10, 15))

                # The date box refuses a day that does not exist, and says why.
                type_day(b, "1918-02-31")
                expect(page.locator("#date-error")).to_contain_text("does not exist")
                expect(page.locator("#date-error")).to_contain_text("February 1918 has 28 days")
                expect(page.locator("#date-input")).to_have_attribute("aria-invalid", "true")
                assert page.locator("body").get_attribute("data-day") == "1919-10-15"
                b.shot("4-impossible-date")
                type_day(b, "1918-03-01")
                expect(page.locator("#date-error")).to_be_empty()
                expect(page.locator("body")).to_have_attribute("data-day", "1918-03-01")

                # Kursk: its timeline, every label readable, a tooltip with the whole period.
                kursk.click()
                expect(page.locator("#sel-title")).to_have_text("Kursk")
                periods = read(*loaded_graph, "MATCH (:Place {id: 'kursk'})<-[:OF_PLACE]-(c) "
                               "RETURN count(c) AS n")[0]["n"]
                expect(page.locator("#periods > li")).to_have_count(periods)
                bars = page.locator("#timeline .vis-item.vis-range")
                expect(bars).to_have_count(periods)
                page.wait_for_timeout(500)
                # Each label whole, inside the timeline, and clear of every other.
                panel = page.locator("#timeline .vis-panel.vis-center").bounding_box()
                boxes = [bars.nth(i).locator(".vis-item-content").bounding_box()
                         for i in range(periods)]
                for i, box in enumerate(boxes):
                    assert panel["x"] - 1 <= box["x"] and \
                        box["x"] + box["width"] <= panel["x"] + panel["width"] + 1, i
                    for other_box in boxes[i + 1:]:
                        assert box["y"] + box["height"] <= other_box["y"] or \
                            other_box["y"] + other_box["height"] <= box["y"] or \
                            box["x"] + box["width"] <= other_box["x"] or \
                            other_box["x"] + other_box["width"] <= box["x"], (box, other_box)
                    full = bars.nth(i).locator(".vis-item-content").evaluate(
                        "el => el.scrollWidth <= el.getBoundingClientRect().width + 1")
                    assert full, f"label {i} is cut"
                bars.first.hover()
                expect(page.locator(".vis-tooltip")).to_contain_text("from")
                expect(page.locator(".vis-tooltip")).to_contain_text("O.S.")
                expect(page.locator("#periods blockquote").first).to_be_visible()
                mentions = read(*loaded_graph, "MATCH (:Place {id: 'kursk'})<-[m:MENTIONS]-() "
                                "RETURN count(m) AS n")[0]["n"]
                expect(page.locator("#mentions > li")).to_have_count(min(mentions, 5))
                expect(page.locator("#mentions mark").first).to_have_text("Kursk")
                b.shot("5-kursk-timeline")

                # Its network in the large view.
                page.locator("#open-network").click()
                dialog = page.locator("#network-dialog")
                expect(dialog).to_have_attribute("open", "")
                page.wait_for_selector("#network[data-nodes][data-around='kursk']")
                size = page.locator("#network").bounding_box()
                assert size["width"] > 0.85 * 1400 and size["height"] > 0.6 * 900, size
                nodes = int(page.locator("#network").get_attribute("data-nodes"))
                assert nodes > 5 and page.locator("#network canvas").count() > 0
                href = page.locator("#dl-gexf").get_attribute("href")
                assert href.startswith("/export/graph.gexf?") and "around=kursk" in href
                assert "on=1918-03-01" in href and "calendar=gregorian" in href
                # The filter by kind hides nodes of a kind, the centre excepted.
                page.locator("#network-kinds input[value='Place']").uncheck()
                page.wait_for_function(f"() => +document.getElementById('network').dataset.shown "
                                       f"< {nodes}")
                page.locator("#network-kinds input[value='Place']").check()
                page.wait_for_function(f"() => +document.getElementById('network').dataset.shown "
                                       f"== {nodes}")
                violations += b.axe("network")
                b.shot("6-kursk-network")

                # The URL holds it all: another reader opening it sees the same picture.
                shared = page.url
                q = b.query()
                assert q["on"] == "1918-03-01" and q["calendar"] == "gregorian"
                assert q["entity"] == "kursk" and q["panel"] == "network" and q["zoom"]
                land = page.locator("#map .land").get_attribute("transform")
                other = b.open(context)
                other.goto(shared)
                other.wait_for_selector("body[data-ready='1']")
                expect(other.locator("body")).to_have_attribute("data-day", "1918-03-01")
                expect(other.locator("input[name=calendar][value=gregorian]")).to_be_checked()
                expect(other.locator("#sel-title")).to_have_text("Kursk")
                expect(other.locator("#network-dialog")).to_have_attribute("open", "")
                other.wait_for_selector("#network[data-nodes][data-around='kursk']")
                assert int(other.locator("#network").get_attribute("data-nodes")) == nodes
                assert _transform(other.locator("#map .land").get_attribute("transform")) == \
                    pytest.approx(_transform(land), rel=0.02, abs=2)
                expect(other.locator("#periods > li")).to_have_count(periods)
                assert dict(parse_qsl(urlsplit(other.url).query)) == q
                b.shot("7-shared-url-reopened", other)
                other.reload(wait_until="load")
                other.wait_for_selector("#network[data-nodes][data-around='kursk']")
                assert dict(parse_qsl(urlsplit(other.url).query)) == q
                other.close()

                # Every panel follows the selection: a node chosen in the network...
                page.select_option("#network-jump", "kursk-province")
                page.wait_for_selector("#network[data-nodes][data-around='kursk-province']")
                expect(page.locator("#sel-title")).to_have_text("Kursk Province")
                # ... and back and forward walk the views.
                page.go_back()
                page.wait_for_selector("#network[data-nodes][data-around='kursk']")
                expect(page.locator("#sel-title")).to_have_text("Kursk")
                page.go_forward()
                page.wait_for_selector("#network[data-nodes][data-around='kursk-province']")
                page.keyboard.press("Escape")
                expect(dialog).not_to_have_attribute("open", "")
                page.wait_for_function("() => !location.search.includes('panel=network')")
                page.go_back()
                expect(dialog).to_have_attribute("open", "")
                page.locator("#network-close").click()
                expect(dialog).not_to_have_attribute("open", "")

                # A party from the search: the panel leaves the place for the party.
                page.fill("#search", "Bolsheviks")
                expect(page.locator("#search-results li").first).to_have_attribute("data-id",
                                                                                   "bolsheviks")
                page.press("#search", "ArrowDown")
                page.press("#search", "Enter")
                expect(page.locator("#sel-kind")).to_contain_text("Party")
                expect(page.locator("#timeline")).to_be_hidden()
                expect(page.locator("#periods-box")).to_be_hidden()
                expect(page.locator("#party-held > li").first).to_be_visible()
                assert page.locator("#map .place.held-by-party").count() > 0  # ringed on the map
                assert b.query()["entity"] == "bolsheviks"
                b.shot("8-party")

                # The Constituent Assembly vote, one symbol per district with votes.
                page.locator("#votes-toggle").check()
                districts = read(*loaded_graph, """MATCH (v:Vote)-[:IN_ELECTION]->({id: $e})
                    MATCH (v)-[:IN_DISTRICT]->(d) WHERE d.lat IS NOT NULL
                    RETURN count(DISTINCT d) AS n""", e=ELECTION)[0]["n"]
                expect(page.locator("#map .pie")).to_have_count(districts)
                assert b.query()["layer"] == "votes"
                page.locator("#zoom-reset").click()
                page.wait_for_timeout(600)
                violations += b.axe("votes")
                b.shot("9-votes")
                page.locator("#votes-toggle").uncheck()

                # Every control by keyboard: Tab reaches them, the map's places by one stop.
                reached = set()
                page.locator("#search").focus()
                for _ in range(200):
                    page.keyboard.press("Tab")
                    now = page.evaluate("() => { const a = document.activeElement; return "
                                        "a.id || a.getAttribute('name') || "
                                        "(a.classList.contains('place') ? 'place' : a.tagName); }")
                    if now == "search" and len(reached) > 5:
                        break  # round the whole page
                    reached.add(now)
                for want in ("zoom-in", "zoom-out", "zoom-reset", "votes-toggle", "place", "play",
                             "day", "date-input", "calendar", "open-network", "map-query"):
                    assert want in reached, (want, reached)
                # On the map, arrows move between places and Enter selects one.
                page.locator("#map .place[tabindex='0']").focus()
                before = page.evaluate("() => document.activeElement.dataset.id")
                page.keyboard.press("ArrowRight")
                after = page.evaluate("() => document.activeElement.dataset.id")
                assert after and after != before
                page.keyboard.press("Enter")
                page.wait_for_function(f"() => new URLSearchParams(location.search).get('entity')"
                                       f" === '{after}'")

                # The map's GraphQL link opens the playground with the query.
                page.goto(live_api + page.locator("#map-query").get_attribute("href"))
                page.wait_for_function(
                    "() => [...document.querySelectorAll('.graphiql-query-editor .CodeMirror')]"
                    ".some(el => el.CodeMirror && el.CodeMirror.getValue().includes('MapOnADay'))")
                expect(page.locator(".graphiql-tabs .graphiql-tab")).to_have_count(len(EXAMPLE_TABS) + 1)
                expect(page.locator(".graphiql-tabs .graphiql-tab").first).to_contain_text("MapOnADay")
                b.shot("10-playground")
            finally:
                b.shot("last")

            # At 820 px wide: the map, then a slider and chart the window's width.
            narrow = browser.new_context(viewport={"width": 820, "height": 900},
                                         service_workers="block")
            narrow.route("**/*", route)
            n = Browser(narrow, live_api)
            n.go("/explore?on=1918-03-01&calendar=gregorian&entity=kursk&zoom=3/38/53")
            expect(n.page.locator("#periods > li")).to_have_count(periods)
            assert n.page.locator("#map").bounding_box()["width"] > 780
            assert n.page.locator("#day").bounding_box()["width"] > 600
            assert n.page.locator("#chart").bounding_box()["width"] > 600
            violations += n.axe("narrow")
            n.shot("11-narrow-820px")
            for attr in ("console_errors", "page_errors", "failed"):
                getattr(b, attr).extend(getattr(n, attr))
            narrow.close()
            context.close()
        finally:
            browser.close()

    assert not offsite, f"the explorer tried to leave the machine: {offsite}"
    assert not violations, "axe-core:\n" + "\n".join(violations)
    assert not b.failed, f"requests failed: {b.failed}"
    assert not b.page_errors, f"uncaught errors in the page: {b.page_errors}"
    assert not b.console_errors, f"errors on the console: {b.console_errors}"


def _transform(text: str) -> list[float]:
    """translate(x,y) scale(k) as [x, y, k]."""
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]
