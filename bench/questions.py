"""The benchmark's questions, each asked four ways: revgraph's GraphQL, the peer's GraphQL
(@neo4j/graphql, generated filters only), revgraph's own Cypher (replayed by the bare server)
and one hand-written Cypher query (run by the bare server).

Each question also says how to bring both GraphQL answers to one comparable form (``same``):
the peer has no Julian dates, no exact-match ranking and lists where revgraph has single
values, so the comparison keeps what both carry (ids, names, Gregorian dates, precision,
quotes, locators...) and sorts lists whose order neither promises.

Parameters: ``fixed`` (the README's headline values) and ``mix`` (drawn, seeded, from the data:
random places, days, subjects, names and pages).
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from api.graphql.inputs import lucene
from schema import dates as d
from schema.model import ENTITY_KINDS

Params = dict[str, Any]
Answer = Any


@dataclass(frozen=True)
class Question:
    name: str
    revgraph: str  # GraphQL document for revgraph (variables from ``rev_vars``)
    peer: str  # GraphQL document for @neo4j/graphql
    hand: str  # one hand-written Cypher query
    rev_vars: Callable[[Params], dict[str, Any]]
    peer_vars: Callable[[Params], dict[str, Any]]
    hand_params: Callable[[Params], dict[str, Any]]
    rev_answer: Callable[[dict[str, Any]], Answer]  # the comparable form of revgraph's data
    peer_answer: Callable[[dict[str, Any]], Answer]
    fixed: Params


def _gregorian(p: Params, key: str = "on") -> str:
    """The Gregorian ISO day of a parameter given with an optional calendar."""
    day = date.fromisoformat(p[key])
    if p.get("calendar") == "JULIAN":
        day = d.julian_to_gregorian(day.year, day.month, day.day)
    return day.isoformat()


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda x: json.dumps(x, sort_keys=True, default=str))


def _holds(var: str) -> str:
    """@neo4j/graphql filter: a period (start/end, half-open) holds on the day ``$var``."""
    return (f"AND: [{{OR: [{{start: {{eq: null}}}}, {{start: {{lte: ${var}}}}}]}}, "
            f"{{OR: [{{end: {{eq: null}}}}, {{end: {{gt: ${var}}}}}]}}]")


# -- Kursk control on a day -----------------------------------------------------------------

CONTROL_REV = """query Control($place: ID!, $on: Date, $calendar: Calendar!) {
  controlOf(place: $place, on: $on, calendar: $calendar) {
    controller { __typename id name }
    alignment disputed confidence
    start { gregorian julian precision edtf }
    end { gregorian julian }
    citations { source { id name } quote locator }
  }
}"""

CONTROL_PEER = """query Control($place: ID!, $on: Date!) {
  controlPeriods(where: {place: {some: {id: {eq: $place}}}, HOLDS},
                 sort: [{start: ASC}, {end: ASC}]) {
    controller { __typename id name }
    alignment disputed confidence start startPrecision end
    citationsConnection(sort: [{edge: {position: ASC}}]) {
      edges { properties { quote locator } node { id name } }
    }
  }
}""".replace("HOLDS", _holds("on"))

CONTROL_HAND = """
MATCH (:Place {id: $place})<-[:OF_PLACE]-(c:Control)
WHERE (c.start IS NULL OR c.start <= date($on)) AND (c.end IS NULL OR c.end > date($on))
MATCH (c)-[:BY]->(who)
CALL (c) {
  MATCH (c)-[cite:CITES]->(s:Source)
  WITH cite, s ORDER BY cite.position
  RETURN collect({source: s {.id, .name}, quote: cite.quote, locator: cite.locator}) AS citations
}
RETURN who {.id, .name, label: labels(who)[0]} AS controller,
       c {.alignment, .disputed, .confidence, .start, .startLatest, .startPrecision,
          .startCalendar, .end, .endLatest, .endPrecision, .endCalendar} AS period, citations
ORDER BY c.start
"""


def _control_rev(data: dict[str, Any]) -> Answer:
    return _sorted([{
        "controller": [c["controller"]["__typename"], c["controller"]["id"], c["controller"]["name"]],
        # revgraph's Confidence is an enum (HIGH), the peer's the stored string (high)
        "alignment": c["alignment"], "disputed": c["disputed"], "confidence": c["confidence"].lower(),
        "start": c["start"] and [c["start"]["gregorian"], c["start"]["precision"]],
        "end": c["end"] and c["end"]["gregorian"],
        "citations": [[x["source"]["id"], x["source"]["name"], x["quote"], x["locator"]]
                      for x in c["citations"]],
    } for c in data["controlOf"]])


def _control_peer(data: dict[str, Any]) -> Answer:
    return _sorted([{
        "controller": [[w["__typename"], w["id"], w["name"]] for w in c["controller"]][0],
        "alignment": c["alignment"], "disputed": bool(c["disputed"]),
        "confidence": c["confidence"] or "high",
        "start": c["start"] and [c["start"], c["startPrecision"]],
        "end": c["end"],
        "citations": [[e["node"]["id"], e["node"]["name"], e["properties"]["quote"],
                       e["properties"]["locator"]] for e in c["citationsConnection"]["edges"]],
    } for c in data["controlPeriods"]])


CONTROL = Question(
    "Kursk control on a day", CONTROL_REV, CONTROL_PEER, CONTROL_HAND,
    rev_vars=lambda p: {"place": p["place"], "on": p["on"], "calendar": p.get("calendar", "GREGORIAN")},
    peer_vars=lambda p: {"place": p["place"], "on": _gregorian(p)},
    hand_params=lambda p: {"place": p["place"], "on": _gregorian(p)},
    rev_answer=_control_rev, peer_answer=_control_peer,
    fixed={"place": "kursk", "on": "1917-12-01", "calendar": "JULIAN"},
)

# -- places with fighting -------------------------------------------------------------------

FIGHTING_REV = """query Fighting($from: Date, $to: Date) {
  placesWithFighting(from: $from, to: $to) {
    place { id name lat lon }
    events { id name start { gregorian julian precision } end { gregorian } }
  }
}"""

# The overlap revgraph tests with coalesce(endLatest, startLatest) >= $from, spelt in filters.
_FIGHTING_WHERE = ("fighting: {eq: true}, AND: [{OR: [{start: {eq: null}}, {start: {lte: $to}}]}, "
                   "{OR: [{endLatest: {gte: $from}}, {endLatest: {eq: null}, "
                   "startLatest: {gte: $from}}]}]")
FIGHTING_PEER = """query Fighting($from: Date!, $to: Date!) {
  places(where: {events: {some: {OVERLAPS}}}, sort: [{name: ASC}]) {
    id name lat lon
    events(where: {OVERLAPS}, sort: [{start: ASC}, {id: ASC}]) { id name start startPrecision end }
  }
}""".replace("OVERLAPS", _FIGHTING_WHERE)

FIGHTING_HAND = """
MATCH (e:Event {fighting: true})
WHERE e.start <= date($to) AND coalesce(e.endLatest, e.startLatest) >= date($from)
MATCH (e)-[:AT]->(p:Place)
WITH p, e ORDER BY e.start, e.id
RETURN p {.id, .name, .lat, .lon} AS place,
       collect(e {.id, .name, .start, .startLatest, .startPrecision, .startCalendar, .end}) AS events
ORDER BY place.name
"""


def _fighting_rev(data: dict[str, Any]) -> Answer:
    return _sorted([[r["place"]["id"], r["place"]["name"], r["place"]["lat"], r["place"]["lon"],
                     _sorted([[e["id"], e["name"], e["start"] and e["start"]["gregorian"],
                               e["start"] and e["start"]["precision"],
                               e["end"] and e["end"]["gregorian"]] for e in r["events"]])]
                    for r in data["placesWithFighting"]])


def _fighting_peer(data: dict[str, Any]) -> Answer:
    return _sorted([[p["id"], p["name"], p["lat"], p["lon"],
                     _sorted([[e["id"], e["name"], e["start"], e["start"] and e["startPrecision"],
                               e["end"]] for e in p["events"]])]
                    for p in data["places"]])


FIGHTING = Question(
    "places with fighting", FIGHTING_REV, FIGHTING_PEER, FIGHTING_HAND,
    rev_vars=lambda p: {"from": p["from"], "to": p["to"]},
    peer_vars=lambda p: {"from": p["from"], "to": p["to"]},
    hand_params=lambda p: {"from": p["from"], "to": p["to"]},
    rev_answer=_fighting_rev, peer_answer=_fighting_peer,
    fixed={"from": "1917-11-07", "to": "1918-03-31"},
)

# -- claims about the October revolution ----------------------------------------------------

CLAIMS_REV = """query Claims($id: ID!) {
  claimsAbout(id: $id) {
    stances disputed
    claims { stance summary by { name } citations { source { title year } quote } }
  }
  pipes: claims(about: $id, by: "pipes") { nodes { stance summary } }
  trotsky: claims(about: $id, by: "trotsky") { nodes { stance summary } }
}"""

CLAIMS_PEER = """query Claims($id: ID!) {
  claims(where: {about: {some: {id: {eq: $id}}}}, sort: [{stance: ASC}, {id: ASC}]) {
    stance summary by { name }
    citationsConnection(sort: [{edge: {position: ASC}}]) {
      edges { properties { quote } node { title year } }
    }
  }
  pipes: claims(where: {about: {some: {id: {eq: $id}}}, by: {some: {id: {eq: "pipes"}}}},
                sort: [{stance: ASC}, {id: ASC}], limit: 20) { stance summary }
  trotsky: claims(where: {about: {some: {id: {eq: $id}}}, by: {some: {id: {eq: "trotsky"}}}},
                  sort: [{stance: ASC}, {id: ASC}], limit: 20) { stance summary }
}"""

CLAIMS_HAND = """
MATCH (:Entity {id: $id})<-[:ABOUT]-(c:Claim)
OPTIONAL MATCH (c)-[:BY]->(who:Person)
CALL (c) {
  MATCH (c)-[cite:CITES]->(s:Source)
  WITH cite, s ORDER BY cite.position
  RETURN collect({source: s {.title, .year}, quote: cite.quote}) AS citations
}
RETURN c.stance AS stance, c.summary AS summary, who.id AS by, who.name AS byName, citations
ORDER BY stance, byName, c.id
"""


def _claims_rev(data: dict[str, Any]) -> Answer:
    about = data["claimsAbout"]
    return {
        "stances": about["stances"], "disputed": about["disputed"],
        "claims": _sorted([[c["stance"], c["summary"], [c["by"]["name"]] if c["by"] else [],
                            [[x["source"]["title"], x["source"]["year"], x["quote"]]
                             for x in c["citations"]]] for c in about["claims"]]),
        "pipes": _sorted([[c["stance"], c["summary"]] for c in data["pipes"]["nodes"]]),
        "trotsky": _sorted([[c["stance"], c["summary"]] for c in data["trotsky"]["nodes"]]),
    }


def _claims_peer(data: dict[str, Any]) -> Answer:
    stances = sorted({c["stance"] for c in data["claims"]})
    return {
        "stances": stances, "disputed": len(stances) > 1,
        "claims": _sorted([[c["stance"], c["summary"], sorted(w["name"] for w in c["by"]),
                            [[e["node"]["title"], e["node"]["year"], e["properties"]["quote"]]
                             for e in c["citationsConnection"]["edges"]]] for c in data["claims"]]),
        "pipes": _sorted([[c["stance"], c["summary"]] for c in data["pipes"]]),
        "trotsky": _sorted([[c["stance"], c["summary"]] for c in data["trotsky"]]),
    }


CLAIMS = Question(
    "claims about October", CLAIMS_REV, CLAIMS_PEER, CLAIMS_HAND,
    rev_vars=lambda p: {"id": p["id"]}, peer_vars=lambda p: {"id": p["id"]},
    hand_params=lambda p: {"id": p["id"]},
    rev_answer=_claims_rev, peer_answer=_claims_peer,
    fixed={"id": "october-revolution"},
)

# -- one place by id ------------------------------------------------------------------------

PLACE_REV = """query Place($id: ID!) { place(id: $id) { id name kind lat lon aliases } }"""
PLACE_PEER = """query Place($id: ID!) {
  places(where: {id: {eq: $id}}) { id name kind lat lon aliases }
}"""
PLACE_HAND = "MATCH (p:Place {id: $id}) RETURN p {.id, .name, .kind, .lat, .lon, .aliases} AS place"


def _place(p: dict[str, Any] | None) -> Answer:
    if p is None:
        return None
    # revgraph's PlaceKind is an enum (ELECTORAL_DISTRICT), the peer's the stored string
    kind = p["kind"].lower().replace("_", "-")
    return [p["id"], p["name"], kind, p["lat"], p["lon"], p["aliases"] or []]


PLACE = Question(
    "one place by id", PLACE_REV, PLACE_PEER, PLACE_HAND,
    rev_vars=lambda p: {"id": p["id"]}, peer_vars=lambda p: {"id": p["id"]},
    hand_params=lambda p: {"id": p["id"]},
    rev_answer=lambda data: _place(data["place"]),
    peer_answer=lambda data: _place(data["places"][0] if data["places"] else None),
    fixed={"id": "kursk"},
)

# -- search ---------------------------------------------------------------------------------

SEARCH_LIMIT = 10
SEARCH_REV = f"query Search($text: String!) {{ search(text: $text, limit: {SEARCH_LIMIT}) {{ id name }} }}"
# One @fulltext root field per entity kind: the library has no search across labels. The client
# passes the same Lucene query revgraph builds, and merges by score.
SEARCH_PEER = "query Search($phrase: String!) {\n" + "\n".join(
    f"  {k.name.lower()}: search{k.name}(phrase: $phrase, first: {SEARCH_LIMIT * 4}) "
    "{ edges { score node { id name searchText } } }" for k in ENTITY_KINDS) + "\n}"
SEARCH_HAND = """
CALL db.index.fulltext.queryNodes('entity_search', $lucene, {limit: $limit})
YIELD node, score
RETURN node.id AS id, node.name AS name, score
"""


def _search_peer(data: dict[str, Any], text: str) -> Answer:
    """The peer's hits merged by score, exact name or alias first, as revgraph ranks them.

    Hits with equal scores may be cut at the tenth either way: the answer is the ids that must
    be in a top ten (``sure``) and those that may be (``possible``)."""
    from unidecode import unidecode

    hits = sorted((e for field in data.values() for e in field["edges"]), key=lambda e: -e["score"])
    folded = unidecode(text).lower().strip()
    exact = [e for e in hits if folded in (e["node"]["searchText"] or "").split(" | ")]
    rest = [e for e in hits if e not in exact]
    ranked = exact + rest
    if len(ranked) <= SEARCH_LIMIT or len(exact) >= SEARCH_LIMIT:
        top = sorted(e["node"]["id"] for e in ranked[:SEARCH_LIMIT])
        return {"sure": top, "possible": top, "count": len(top)}
    cutoff = ranked[SEARCH_LIMIT - 1]["score"]
    ids = [e["node"]["id"] for e in exact]
    # A kind that filled its page with hits at the cut-off score may hold more tied hits.
    open_ended = any(len(f["edges"]) == SEARCH_LIMIT * 4 and f["edges"][-1]["score"] >= cutoff
                     for f in data.values())
    return {"sure": sorted(ids + [e["node"]["id"] for e in rest if e["score"] > cutoff]),
            "possible": None if open_ended else sorted(
                ids + [e["node"]["id"] for e in rest if e["score"] >= cutoff]),
            "count": SEARCH_LIMIT}


SEARCH = Question(
    "search", SEARCH_REV, SEARCH_PEER, SEARCH_HAND,
    rev_vars=lambda p: {"text": p["text"]}, peer_vars=lambda p: {"phrase": lucene(p["text"])},
    hand_params=lambda p: {"lucene": lucene(p["text"]), "limit": SEARCH_LIMIT},
    rev_answer=lambda data: sorted(x["id"] for x in data["search"]),
    peer_answer=lambda data: data,  # replaced per request by ``peer_answer_for``
    fixed={"text": "Krasnoyask"},
)

# -- the map: every city's controller on a day ----------------------------------------------

MAP_REV = """query Map($on: Date!) {
  places(kind: CITY, first: 100) {
    nodes { id name lat lon control(on: $on) { alignment controller { id name } } }
  }
}"""
MAP_PEER = """query Map($on: Date!) {
  places(where: {kind: {eq: "city"}}, sort: [{name: ASC}, {id: ASC}], limit: 100) {
    id name lat lon
    control(where: {HOLDS}, sort: [{start: ASC}]) { alignment controller { id name } }
  }
}""".replace("HOLDS", _holds("on"))
MAP_HAND = """
MATCH (p:Place {kind: 'city'})
OPTIONAL CALL (p) {
  MATCH (p)<-[:OF_PLACE]-(c:Control)-[:BY]->(who)
  WHERE (c.start IS NULL OR c.start <= date($on)) AND (c.end IS NULL OR c.end > date($on))
  RETURN collect({alignment: c.alignment, controller: who {.id, .name}}) AS control
}
RETURN p {.id, .name, .lat, .lon} AS place, control
ORDER BY p.name, p.id
"""


def _map_rev(data: dict[str, Any]) -> Answer:
    return [[p["id"], p["name"], p["lat"], p["lon"],
             _sorted([[c["alignment"], c["controller"]["id"], c["controller"]["name"]]
                      for c in p["control"]])] for p in data["places"]["nodes"]]


def _map_peer(data: dict[str, Any]) -> Answer:
    return [[p["id"], p["name"], p["lat"], p["lon"],
             _sorted([[c["alignment"], w["id"], w["name"]] for c in p["control"]
                      for w in c["controller"]])] for p in data["places"]]


MAP = Question(
    "map of cities on a day", MAP_REV, MAP_PEER, MAP_HAND,
    rev_vars=lambda p: {"on": p["on"]}, peer_vars=lambda p: {"on": p["on"]},
    hand_params=lambda p: {"on": p["on"]},
    rev_answer=_map_rev, peer_answer=_map_peer,
    fixed={"on": "1918-01-01"},
)

# -- a list page ----------------------------------------------------------------------------

PAGE = 20
LIST_REV = """query List($after: String) {
  places(first: PAGE, after: $after) { totalCount nodes { id name kind lat lon } }
}""".replace("PAGE", str(PAGE))
LIST_PEER = """query List($after: String) {
  placesConnection(first: PAGE, after: $after, sort: [{name: ASC}, {id: ASC}]) {
    totalCount edges { node { id name kind lat lon } }
  }
}""".replace("PAGE", str(PAGE))
LIST_HAND = """
CALL () { MATCH (n:Place) RETURN count(n) AS total }
MATCH (n:Place)
WITH total, n ORDER BY n.name, n.id SKIP $skip LIMIT $limit
RETURN total, collect(n {.id, .name, .kind, .lat, .lon}) AS page
"""


def _cursor(prefix: str, skip: int) -> str | None:
    """The peer's offset cursor (graphql-relay's arrayconnection) for a page starting at skip."""
    return None if skip == 0 else base64.b64encode(f"{prefix}:{skip - 1}".encode()).decode()


def _keyset_cursor(pools: dict[str, list[str]], skip: int) -> str | None:
    """revgraph's cursor for the page starting at ``skip``: the keyset cursor of the place
    before it in the list's order (name, then id), as the API would have returned it."""
    if skip == 0:
        return None
    from api.graphql.generated import PlaceSort
    from api.graphql.resolve import encode_position
    from api.graphql.types import Order
    from schema.model import PLACE

    i = skip - 1
    return encode_position(PLACE, PlaceSort.NAME, Order.ASC, pools["place_order_names"][i],
                           pools["place_order_ids"][i])


def _row(n: dict[str, Any]) -> Answer:
    return [n["id"], n["name"], n["kind"].lower().replace("_", "-"), n["lat"], n["lon"]]


LIST = Question(
    "list page", LIST_REV, LIST_PEER, LIST_HAND,
    rev_vars=lambda p: {"after": p["after"]},  # from with_cursor(), which needs the data
    peer_vars=lambda p: {"after": _cursor("arrayconnection", p["skip"])},
    hand_params=lambda p: {"skip": p["skip"], "limit": PAGE},
    rev_answer=lambda data: [data["places"]["totalCount"],
                             [_row(n) for n in data["places"]["nodes"]]],
    peer_answer=lambda data: [data["placesConnection"]["totalCount"],
                              [_row(e["node"]) for e in data["placesConnection"]["edges"]]],
    fixed={"skip": 40},
)

QUESTIONS: tuple[Question, ...] = (CONTROL, FIGHTING, CLAIMS, PLACE, SEARCH, MAP, LIST)


def peer_answer_for(q: Question, params: Params, data: dict[str, Any]) -> Answer:
    if q is SEARCH:
        return _search_peer(data, params["text"])
    return q.peer_answer(data)


def agree(q: Question, rev: Answer, peer: Answer) -> bool:
    """Whether revgraph's comparable answer is the peer's."""
    if q is SEARCH:
        return (set(peer["sure"]) <= set(rev) <= set(peer["possible"] or rev)
                and len(rev) == peer["count"])
    return bool(rev == peer)


# -- the realistic mix ----------------------------------------------------------------------

FIRST_DAY, LAST_DAY = date(1917, 3, 1), date(1921, 12, 31)


def _day(rng: random.Random) -> str:
    return (FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))).isoformat()


def _misspell(rng: random.Random, name: str) -> str:
    """A name as a user might type it: its first word (the distinctive one: "Minsk" of "Minsk
    Province"), maybe lower case, maybe one letter dropped."""
    word = next((w for w in name.split() if len(w) >= 4), name)
    if len(word) > 5 and rng.random() < 0.5:
        i = rng.randrange(1, len(word) - 1)
        word = word[:i] + word[i + 1:]
    return word.lower() if rng.random() < 0.5 else word


def mix(q: Question, pools: dict[str, list[str]], n: int, seed: int) -> list[Params]:
    """``n`` parameter sets for ``q``, drawn with ``seed`` from the graph's ``pools``."""
    rng = random.Random(f"{seed}:{q.name}")
    out: list[Params] = []
    for _ in range(n):
        if q is CONTROL:
            out.append({"place": rng.choice(pools["controlled_places"]), "on": _day(rng)})
        elif q is FIGHTING:
            start = date.fromisoformat(_day(rng))
            out.append({"from": start.isoformat(),
                        "to": (start + timedelta(days=rng.randint(30, 180))).isoformat()})
        elif q is CLAIMS:
            out.append({"id": rng.choice(pools["claim_subjects"])})
        elif q is PLACE:
            out.append({"id": rng.choice(pools["places"])})
        elif q is SEARCH:
            out.append({"text": _misspell(rng, rng.choice(pools["names"]))})
        elif q is MAP:
            out.append({"on": _day(rng)})
        elif q is LIST:
            out.append({"skip": PAGE * rng.randrange(max(1, int(pools["place_count"][0]) // PAGE))})
    return [with_cursor(q, p, pools) for p in out]


def with_cursor(q: Question, params: Params, pools: dict[str, list[str]]) -> Params:
    """A list page's parameters with revgraph's cursor for its page (the others unchanged)."""
    return {**params, "after": _keyset_cursor(pools, params["skip"])} if q is LIST else params


POOLS_CYPHER = """
CALL () { MATCH (p:Place) WHERE (p)<-[:OF_PLACE]-(:Control) RETURN collect(p.id) AS controlled }
CALL () { MATCH (t:Entity) WHERE (t)<-[:ABOUT]-(:Claim) RETURN collect(t.id) AS subjects }
CALL () { MATCH (p:Place) RETURN collect(p.id) AS places, count(p) AS placeCount }
CALL () { MATCH (e:Place|Soviet|Party|Person|Organization) WHERE e.name IS NOT NULL
          RETURN collect(e.name) AS names }
CALL () { MATCH (p:Place) WITH p ORDER BY p.name, p.id
          RETURN collect(p.name) AS orderNames, collect(p.id) AS orderIds }
RETURN controlled, subjects, places, placeCount, names, orderNames, orderIds
"""


def pools_from(row: dict[str, Any]) -> dict[str, list[str]]:
    return {"controlled_places": sorted(row["controlled"]), "claim_subjects": sorted(row["subjects"]),
            "places": sorted(row["places"]), "names": sorted(row["names"]),
            "place_count": [str(row["placeCount"])],
            "place_order_names": row["orderNames"], "place_order_ids": row["orderIds"]}
