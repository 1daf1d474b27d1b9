"""/explore: one page for seeing the spread without writing code.

A map of the former empire (d3-geo over Natural Earth borders from world-atlas) with every
place coloured by who held it on the slider's day, a control timeline per place
(vis-timeline), a network view of any entity's neighbourhood (cytoscape.js) and a search box.
Every asset is vendored under /static/explore/vendor/ (scripts/vendor-explore.sh); the page
reads only the public API: GraphQL at /graphql and the /export/* endpoints.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

ASSETS = "/static/explore"
VENDOR_STYLES = ("vendor/vis-timeline-graph2d.min.css",)
VENDOR_SCRIPTS = ("vendor/d3-array.min.js", "vendor/d3-geo.min.js",
                  "vendor/topojson-client.min.js", "vendor/vis-timeline-graph2d.min.js",
                  "vendor/cytoscape.min.js")
OWN_STYLES = ("explore.css",)
OWN_SCRIPTS = ("explore.js",)

# The GraphQL behind each view, shown in the playground by the page's links and run by the page
# itself for the timeline, the network's entity and the search (tests check them against the
# schema). The map itself draws /export/places.geojson, the same rows as MAP_ON_A_DAY.
QUERIES = {
    "map": """\
# The map on a day: every control period in force, with the place, who held it,
# the side, and the sources. `calendar` says how to read `day`. Pages of 100:
# pass pageInfo.endCursor as `after` for the next.
query MapOnADay($day: Date!, $calendar: Calendar!, $after: String) {
  controlPeriods(from: $day, to: $day, calendar: $calendar, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      place { id name kind lat lon }
      controller { __typename id name }
      alignment
      disputed
      start { gregorian julian precision edtf }
      end { gregorian julian precision edtf }
      citations { source { id name } quote locator }
    }
  }
}
""",
    "timeline": """\
# A place's control timeline, oldest first: who held it, the side, from when
# to when in both calendars, whether disputed, and each source's own words.
query PlaceTimeline($place: ID!) {
  place(id: $place) {
    id name aliases kind
    mentions(first: 5) {
      totalCount
      nodes { text passage { text start document { id name } } start end }
    }
  }
  controlOf(place: $place) {
    id
    controller { __typename id name }
    alignment
    disputed
    confidence
    note
    start { gregorian julian text precision edtf }
    end { gregorian julian text precision edtf }
    citations { source { id name url } quote locator }
  }
}
""",
    "entity": """\
# One entity or fact by id; the network view draws its neighbourhood from
# /export/graph.cyjs?around=<id>&depth=<1-3>&on=<day>.
query Entity($id: ID!) {
  node(id: $id) {
    __typename
    id
    ... on Entity { name aliases }
    ... on Fact { confidence note citations { source { id name } quote locator } }
  }
}
""",
    "search": """\
query Search($text: String!) {
  search(text: $text, limit: 8) { __typename id name }
}
""",
}


def _json_for_script(value: object) -> str:
    # Safe inside <script>: nothing in it can close or confuse the element.
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>revgraph: explore the spread of the revolution</title>
<link rel="icon" href="data:,">
{styles}
</head>
<body>
<header id="top">
  <h1>revgraph <span>explorer</span></h1>
  <div id="search-box">
    <input id="search" type="search" placeholder="Search a place, party, person&hellip;"
           autocomplete="off" aria-label="Search">
    <ul id="search-results" hidden></ul>
  </div>
  <nav id="links">
    <a id="map-query" target="_blank" rel="noopener">GraphQL of the map</a>
    <span>Download the map:</span>
    <a id="dl-geojson" download>GeoJSON</a>
    <a id="dl-lpf" download>Linked Places</a>
    <a href="/graphql" target="_blank" rel="noopener">Playground</a>
  </nav>
</header>
<main>
  <section id="map-panel">
    <svg id="map" role="img" aria-label="Map of the former Russian empire"></svg>
    <div id="legend"></div>
    <div id="status" aria-live="polite">Loading&hellip;</div>
  </section>
  <aside id="side">
    <section id="place-panel" hidden>
      <h2 id="place-title"></h2>
      <p id="place-held"></p>
      <div id="timeline"></div>
      <p class="links"><a id="place-query" target="_blank" rel="noopener">GraphQL of this
        timeline</a> &middot; <button id="place-network" type="button">Network around it</button>
        &middot; <a id="dl-place-csv" download>CSV</a></p>
    </section>
    <section id="network-panel" hidden>
      <h2>Network around <span id="network-title"></span></h2>
      <p>Depth <select id="depth"><option>1</option><option selected>2</option><option>3</option>
        </select> on the slider's day. <span id="network-count"></span></p>
      <div id="network"></div>
      <div id="network-legend"></div>
      <p class="links"><a id="network-feed" target="_blank" rel="noopener">the data it draws</a>
        &middot; <a id="network-query" target="_blank" rel="noopener">GraphQL of the entity</a>
        &middot; download: <a id="dl-cyjs" download>Cytoscape JSON</a>
        <a id="dl-gexf" download>GEXF</a> <a id="dl-graphml" download>GraphML</a>
        <a id="dl-nodes" download>nodes.csv</a> <a id="dl-edges" download>edges.csv</a></p>
    </section>
    <section id="periods-panel" hidden>
      <h2>Who held it, and the sources' words</h2>
      <ol id="periods"></ol>
      <h2>In the documents</h2>
      <p id="mentions-count"></p>
      <ol id="mentions"></ol>
    </section>
    <section id="help">
      <h2>How to read it</h2>
      <p>Each dot is a place, coloured by the side that held it on the day chosen below; a
        ringed dot was disputed (two powers at once, or sources disagree). Click a dot for its
        timeline with the sources' own words; search for anything to see its network.</p>
    </section>
  </aside>
</main>
<footer id="time">
  <button id="play" type="button" aria-label="Play">&#9654;</button>
  <input id="day" type="range" min="0" max="0" step="1" value="0" aria-label="Day">
  <div id="date-box">
    <input id="date-input" type="text" size="10" aria-label="Date (yyyy-mm-dd)">
    <div id="date-label"></div>
  </div>
  <fieldset id="calendar-switch">
    <legend>Slider speaks</legend>
    <label><input type="radio" name="calendar" value="julian" checked> Julian (O.S.)</label>
    <label><input type="radio" name="calendar" value="gregorian"> Gregorian (N.S.)</label>
  </fieldset>
</footer>
<script type="application/json" id="queries">{queries}</script>
{scripts}
</body>
</html>
"""


def asset_urls() -> list[str]:
    """The URLs the page loads, in order (vendored first)."""
    return [f"{ASSETS}/{n}" for n in (*VENDOR_STYLES, *OWN_STYLES, *VENDOR_SCRIPTS, *OWN_SCRIPTS)]


def explore_html() -> str:
    styles = "\n".join(f'<link rel="stylesheet" href="{ASSETS}/{n}">'
                       for n in (*VENDOR_STYLES, *OWN_STYLES))
    scripts = "\n".join(f'<script src="{ASSETS}/{n}"></script>'
                        for n in (*VENDOR_SCRIPTS, *OWN_SCRIPTS))
    return _PAGE.format(styles=styles, scripts=scripts, queries=_json_for_script(QUERIES))


async def explore(request: Request) -> Response:
    return HTMLResponse(explore_html())


def routes() -> list[Route]:
    return [Route("/explore", explore, methods=["GET"])]
