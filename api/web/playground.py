"""The GraphiQL playground served at /graphql to browsers: fully offline.

Every asset comes from /static/graphiql/ (vendored from npm by scripts/vendor-graphiql.sh; see
VERSIONS there), queries go to the same origin's /graphql, and nothing else is linked: no CDN,
no web fonts (GraphiQL's CSS inlines its own), no analytics. The page opens with one tab per
headline question; GraphiQL names each tab after its operation.
"""

from __future__ import annotations

import json

ASSETS = "/static/graphiql"
SCRIPTS = ("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js")
STYLES = ("graphiql.min.css",)

WHO_CONTROLLED_KURSK = """\
# Who controlled Kursk on 1 December 1917 (Old Style)?
#
# Russia used the Julian calendar (Old Style) until
# 31 January 1918, so `calendar: JULIAN` says how to
# read `on`. Dates come back in both calendars, with
# the precision the source gives. Periods that overlap
# are marked `disputed`; each one cites its sources.
query WhoControlledKursk {
  controlOf(
    place: "kursk"
    on: "1917-12-01"
    calendar: JULIAN
  ) {
    controller { __typename id name }
    alignment
    disputed
    confidence
    start { gregorian julian precision edtf }
    end { gregorian julian }
    citations { source { id name } quote locator }
    note
  }
}
"""

FIGHTING_OCT_1917_TO_MAR_1918 = """\
# Which cities saw fighting between October 1917 and
# March 1918?
#
# The months as Russians dated them then. Russia kept
# the Julian calendar (Old Style) until 31 January
# 1918; the next day was 14 February (New Style). So
# October 1917 began on 1 October O.S. = 14 October
# N.S., and March 1918 was already New Style. One
# `calendar` reads both bounds, so both are given in
# the Gregorian calendar. (To start at the rising
# itself, 25 October O.S., use from: "1917-11-07".)
#
# Places of every kind are listed; `kind` tells the
# cities from the rest.
query FightingOctober1917ToMarch1918 {
  placesWithFighting(
    from: "1917-10-14"
    to: "1918-03-31"
    calendar: GREGORIAN
  ) {
    place { id name kind lat lon }
    events {
      id
      name
      kind
      start { gregorian julian text }
      end { gregorian julian text }
    }
  }
}
"""

PIPES_AND_TROTSKY_ON_OCTOBER = """\
# What do Pipes and Trotsky each say about the
# October Revolution?
#
# `claimsAbout` sets every source's reading side by
# side, each attributed; `disputed` is true when they
# take different stances. The aliased `claims` lists
# below narrow it to one historian each.
query PipesAndTrotskyOnOctober {
  claimsAbout(id: "october-revolution") {
    entity { id name }
    stances
    disputed
    claims { ...Reading }
  }
  pipes: claims(about: "october-revolution",
                by: "pipes") {
    totalCount
    nodes { ...Reading }
  }
  trotsky: claims(about: "october-revolution",
                  by: "trotsky") {
    totalCount
    nodes { ...Reading }
  }
}

fragment Reading on Claim {
  stance
  summary
  by { id name }
  confidence
  note
  citations { source { name year } quote locator }
}
"""

# The tabs the playground opens with, in order; the first is the active one.
EXAMPLE_TABS: list[dict[str, str]] = [
    {"query": WHO_CONTROLLED_KURSK},
    {"query": FIGHTING_OCT_1917_TO_MAR_1918},
    {"query": PIPES_AND_TROTSKY_ON_OCTOBER},
]

_PAGE = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>revgraph: GraphQL playground</title>
<link rel="icon" href="data:,">
{styles}
<link rel="stylesheet" href="{own_style}">
</head>
<body>
<header id="revgraph-header">
  <h1>revgraph</h1>
  <p>A graph of the Russian revolution. The tabs hold example questions:
     run one with &#9654; or Ctrl-Enter; the Docs button shows the schema.</p>
</header>
<div id="graphiql"><p class="loading">Loading the playground&hellip;</p></div>
<script type="application/json" id="revgraph-tabs">{tabs}</script>
{scripts}
<script src="{own_script}"></script>
</body>
</html>
"""


def _json_for_script(value: object) -> str:
    # Safe inside <script>: no "</script>" or "<!--" can close or confuse the element.
    return (json.dumps(value, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


OWN_STYLE, OWN_SCRIPT = "/static/revgraph/playground.css", "/static/revgraph/playground.js"


def asset_urls() -> list[str]:
    """The URLs of the vendored files the page loads, in order."""
    return [f"{ASSETS}/{name}" for name in (*STYLES, *SCRIPTS)]


def page_urls() -> list[str]:
    """Every URL the page loads, in its order: the vendored styles, its own, the vendored
    scripts, its own (kept out of the page, as its Content-Security-Policy allows no inline
    script)."""
    return ([f"{ASSETS}/{n}" for n in STYLES] + [OWN_STYLE] + [f"{ASSETS}/{n}" for n in SCRIPTS]
            + [OWN_SCRIPT])


def playground_html() -> str:
    """The GraphiQL page: assets from /static/graphiql/, queries to this origin's /graphql."""
    styles = "\n".join(f'<link rel="stylesheet" href="{ASSETS}/{n}">' for n in STYLES)
    scripts = "\n".join(f'<script src="{ASSETS}/{n}"></script>' for n in SCRIPTS)
    return _PAGE.format(styles=styles, scripts=scripts, tabs=_json_for_script(EXAMPLE_TABS),
                        own_style=OWN_STYLE, own_script=OWN_SCRIPT)
