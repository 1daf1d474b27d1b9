"""/explore: one page for seeing the spread without writing code.

A map of the former empire (d3-geo over Natural Earth borders from world-atlas, zoomed with
d3-zoom) with every city and town coloured by who held it on the slider's day, a stacked area
chart of the places each side held under the slider (d3-shape), the Constituent Assembly vote
as a layer, a control timeline per place (vis-timeline), a large network view of any entity's
neighbourhood (cytoscape.js with the fcose layout) and a search box. The URL holds the view
(day, calendar, selection, open network, zoom, layer), so it can be shared and reloaded.
Every asset is vendored under /static/explore/vendor/ (scripts/vendor-explore.sh); the page
reads only the public API: GraphQL at /graphql and the /export/* endpoints.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from schema.model import KINDS, PLACE_KINDS

ASSETS = "/static/explore"
VENDOR_STYLES = ("vendor/vis-timeline-graph2d.min.css",)
VENDOR_SCRIPTS = ("vendor/d3.min.js", "vendor/topojson-client.min.js",
                  "vendor/vis-timeline-graph2d.min.js", "vendor/cytoscape.min.js",
                  "vendor/layout-base.js", "vendor/cose-base.js", "vendor/cytoscape-fcose.js")
OWN_STYLES = ("explore.css",)
OWN_SCRIPTS = ("explore.js",)

# The GraphQL behind each view, shown in the playground by the page's links and run by the page
# itself for the timeline, the network's entity and the search (tests check them against the
# schema). The map itself draws /export/places.geojson, the same rows as MAP_ON_A_DAY.
ELECTION = "constituent-assembly-election"  # the event the vote layer draws (data/seeds.yaml)
# The kinds of place the map draws (provinces and regions have no boundaries here, and a dot
# for them read as a ring around their cities), and the kinds of node that are facts (the
# network names them by kind, not by id).
SETTLEMENTS = ("city", "town")
FACTS = tuple(k.name for k in KINDS if k.category == "fact")
assert set(SETTLEMENTS) <= set(PLACE_KINDS)

# The GraphQL behind each view, shown in the playground by the page's links and run by the page
# itself for the selection's panel, the vote layer and the search (tests check them against the
# schema). The map and its chart draw /export/places.geojson, the same rows as MAP_ON_A_DAY.
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
# to when in both calendars, whether disputed, and each source's own words;
# for an electoral district, its votes.
query PlaceTimeline($place: ID!) {
  place(id: $place) {
    id name aliases kind
    votes { id votes of share seats party { id name } }
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
    "held": """\
# The places a party held on a day: its own control, or a majority in the
# controlling soviet or committee (both facts cited).
query PlacesHeld($party: ID!, $day: Date!, $calendar: Calendar!) {
  placesHeld(party: $party, on: $day, calendar: $calendar) {
    place { id name kind }
    control { id alignment controller { id name } }
    majority { id }
  }
}
""",
    "votes": """\
# The Constituent Assembly vote by district and list, pages of 100.
query Votes($election: ID!, $after: String) {
  votes(election: $election, first: 100, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id votes of share seats
      party { id name }
      district { id name lat lon }
    }
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
<a class="skip" href="#time">Skip to the day</a>
<header id="top">
  <h1>revgraph <span>explorer</span></h1>
  <div id="search-box" role="search">
    <label for="search" class="visually-hidden">Search a place, party or person</label>
    <input id="search" type="search" placeholder="Search a place, party, person&hellip;"
           autocomplete="off" role="combobox" aria-autocomplete="list" aria-expanded="false"
           aria-controls="search-results">
    <ul id="search-results" role="listbox" aria-label="Search results" hidden></ul>
  </div>
  <nav id="links" aria-label="Queries and downloads">
    <a id="map-query" target="_blank" rel="noopener">GraphQL of the map</a>
    <span>Download:</span>
    <a id="dl-geojson" download>the map on this day (GeoJSON)</a>
    <a id="dl-periods" download>every control period (GeoJSON, for QGIS and kepler.gl)</a>
    <a id="dl-lpf" download>Linked Places</a>
    <a href="/graphql" target="_blank" rel="noopener">Playground</a>
  </nav>
</header>
<main>
  <section id="map-panel" aria-label="Map">
    <svg id="map" role="group" aria-label="Map of the former Russian empire: cities and towns
      coloured by the side that held them on the chosen day. Arrow keys move between places,
      Enter selects, plus and minus zoom." aria-describedby="legend-title"></svg>
    <div id="map-tools" role="toolbar" aria-label="Map view">
      <button id="zoom-in" type="button" aria-label="Zoom in">+</button>
      <button id="zoom-out" type="button" aria-label="Zoom out">&minus;</button>
      <button id="zoom-reset" type="button">Whole map</button>
      <label><input id="votes-toggle" type="checkbox"> Constituent Assembly vote,
        November 1917</label>
    </div>
    <details id="legend" open>
      <summary><h2 id="legend-title">Held by, on this day</h2></summary>
      <ul id="legend-sides"></ul>
      <div id="legend-votes" hidden>
        <h2>Constituent Assembly vote</h2>
        <p>Circle area: valid votes in the district; slices: the lists' votes.</p>
        <ul id="legend-parties"></ul>
      </div>
    </details>
    <div id="status" aria-live="polite">Loading&hellip;</div>
  </section>
  <aside id="side" aria-label="The selection">
    <section id="selection" hidden aria-labelledby="sel-title">
      <h2 id="sel-title"></h2>
      <p id="sel-kind"></p>
      <p id="sel-held" aria-live="polite"></p>
      <div id="timeline" hidden></div>
      <p class="links"><button id="open-network" type="button">Network around it</button>
        <a id="sel-query" target="_blank" rel="noopener">GraphQL of this</a>
        <a id="dl-sel-csv" download>its control periods (CSV)</a></p>
      <div id="party-places" hidden>
        <h3>Places it held on this day</h3>
        <ol id="party-held"></ol>
      </div>
      <div id="district-votes" hidden>
        <h3>The vote in this district</h3>
        <table><thead><tr><th scope="col">List</th><th scope="col">Votes</th>
          <th scope="col">Share</th><th scope="col">Seats</th></tr></thead>
          <tbody id="district-rows"></tbody></table>
      </div>
      <div id="periods-box" hidden>
        <h3>Who held it, and the sources' words</h3>
        <ol id="periods"></ol>
      </div>
      <div id="mentions-box" hidden>
        <h3>In the documents</h3>
        <p id="mentions-count"></p>
        <ol id="mentions"></ol>
      </div>
    </section>
    <section id="help">
      <h2>How to read it</h2>
      <p>Each dot is a city or town, coloured by the side that held it on the day chosen
        below; a dashed ring means disputed (two powers at once, or the sources disagree); a
        grey cross means the graph has no control data for that day. Under the slider, the
        chart shows how many places each side held. Drag or scroll to pan and zoom; click a
        place for its timeline with the sources' own words; search for anything to see its
        network. The address bar holds the view: copy it to share.</p>
      <p>Colours: the Okabe&ndash;Ito palette, safe for colour-blind readers. Provinces have no
        boundaries here (no openly licensed set of the 1917 borders could be vendored): find
        them with the search box.</p>
    </section>
  </aside>
</main>
<footer id="time" tabindex="-1">
  <button id="play" type="button" aria-label="Play" aria-pressed="false">&#9654;</button>
  <div id="slider-box">
    <label for="day" class="visually-hidden">Day</label>
    <input id="day" type="range" min="0" max="0" step="1" value="0">
    <svg id="chart" role="img" aria-labelledby="chart-title"><title id="chart-title">Cities
      and towns held by each side, 1917 to 1922</title></svg>
    <p id="chart-readout" aria-live="off"></p>
  </div>
  <div id="date-box">
    <label for="date-input">Date <span id="date-format">(yyyy-mm-dd, Julian)</span></label>
    <input id="date-input" type="text" size="10" inputmode="numeric"
           aria-describedby="date-label date-error">
    <div id="date-label"></div>
    <p id="date-error" role="alert"></p>
  </div>
  <fieldset id="calendar-switch">
    <legend>Slider speaks</legend>
    <label><input type="radio" name="calendar" value="julian" checked> Julian (O.S.)</label>
    <label><input type="radio" name="calendar" value="gregorian"> Gregorian (N.S.)</label>
  </fieldset>
</footer>
<dialog id="network-dialog" aria-labelledby="network-heading">
  <div id="network-head">
    <h2 id="network-heading">Network around <span id="network-title"></span></h2>
    <label>Depth <select id="depth"><option>1</option><option selected>2</option>
      <option>3</option></select></label>
    <span id="network-note">on the slider's day</span>
    <label>Go to <select id="network-jump"><option value="">a node&hellip;</option></select>
    </label>
    <button id="network-fit" type="button">Fit</button>
    <button id="network-close" type="button">Close</button>
  </div>
  <fieldset id="network-kinds"><legend>Show</legend></fieldset>
  <div id="network" role="img" aria-label="The network drawing (the Go to list reaches every
    node by keyboard)"></div>
  <p id="network-count" aria-live="polite"></p>
  <p class="links"><a id="network-feed" target="_blank" rel="noopener">the data it draws</a>
    &middot; <a id="network-query" target="_blank" rel="noopener">GraphQL of the entity</a>
    &middot; download: <a id="dl-cyjs" download>Cytoscape JSON</a>
    <a id="dl-gexf" download>GEXF</a> <a id="dl-graphml" download>GraphML</a>
    <a id="dl-nodes" download>nodes.csv</a> <a id="dl-edges" download>edges.csv</a></p>
</dialog>
<script type="application/json" id="queries">{queries}</script>
<script type="application/json" id="settings">{settings}</script>
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
    return _PAGE.format(styles=styles, scripts=scripts, queries=_json_for_script(QUERIES),
                        settings=_json_for_script({"election": ELECTION, "facts": FACTS,
                                                   "settlements": SETTLEMENTS}))


async def explore(request: Request) -> Response:
    return HTMLResponse(explore_html())


def routes() -> list[Route]:
    return [Route("/explore", explore, methods=["GET"])]
