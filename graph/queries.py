"""The Cypher of each question, one home per query. All parameterised; reads only.

Dates in the graph are Gregorian DATEs: ``start`` is the first day of the stated span and
``startLatest`` the last (they differ for month or year precision). The temporal predicates
(a period holding on a day, a node overlapping a range) are written once, in graph/cypher.py.
Names in braces are the model's (see graph/cypher.py).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from neo4j import Driver

from graph import time
from graph.cypher import cypher, label_of, reached
from graph.db import read
from schema.model import (
    CONTROL,
    EVENT,
    FIGHTING_MONTH_ORDER,
    FIGHTING_OPEN_START,
    KIND_BY_LABEL,
    Field,
    Kind,
)
from schema.walks import Walk

# The builders below are asked per request with the model's kinds and fields: each text is made
# once (a few hundred at most: every kind, field and direction).
MODEL_QUERIES = 1024

# Cities and towns with no control period, by id: `report` and `report --quality` both list them.
WITHOUT_CONTROL = cypher("""MATCH (p:{Place}) WHERE p.{Place.kind} IN ['city', 'town']
    AND NOT (p)<-[:{Control.place}]-(:{Control})
  WITH p ORDER BY p.id""")

REPORT = cypher("""
CALL () {
  MATCH (n) WHERE n:{Entity} OR n:{Fact}
  UNWIND [l IN labels(n) WHERE NOT l IN ['{Entity}', '{Fact}']] AS kind
  WITH kind, count(*) AS count ORDER BY kind
  RETURN collect({kind: kind, count: count}) AS kinds
}
CALL () {
  MATCH (s:{Source})
  OPTIONAL MATCH (s)<-[:{Cites}]-(f)
  WITH s, count(DISTINCT f) AS facts ORDER BY facts DESC, s.id
  RETURN collect({id: s.id, title: s.{Source.title}, facts: facts}) AS sources
}
CALL () {
  {without_control}
  RETURN collect(p.id) AS placesWithoutControl
}
CALL () {
  MATCH (f:{Fact}) WHERE f.{Control.confidence} = 'low'
  WITH f ORDER BY f.id
  RETURN collect({id: f.id, confidence: f.{Control.confidence}, note: f.{Control.note}})
         AS lowConfidence
}
RETURN kinds, sources, placesWithoutControl, lowConfidence
""", without_control=WITHOUT_CONTROL)


def report(driver: Driver, database: str) -> dict[str, Any]:
    """What `revgraph report` prints, in one round trip."""
    return read(driver, database, REPORT)[0]


# -- the API's batched lookups: each takes $ids and returns rows keyed by `key` -------------

NODES_BY_ID = cypher("""
UNWIND $ids AS key
OPTIONAL MATCH (e:{Entity} {id: key})
OPTIONAL MATCH (f:{Fact} {id: key})
WITH key, coalesce(e, f) AS n WHERE n IS NOT NULL
RETURN key, n {.*} AS props, {label} AS label
""", label=label_of("n"))

CITING = cypher("""
UNWIND $ids AS key
MATCH (:{Source} {id: key})<-[:{Cites}]-(n)
WITH DISTINCT key, n
RETURN key, n {.*} AS props, {label} AS label
ORDER BY label, coalesce(n.{Control.start}, n.{Figure.date}), n.id
""", label=label_of("n"))


@lru_cache(maxsize=MODEL_QUERIES)
def outgoing(kind: Kind, f: Field) -> str:
    """The targets of a kind's relationship field, in the files' order."""
    return cypher(f"""
UNWIND $ids AS key
MATCH (:{{{kind.name}}} {{id: key}})-[r:{{{kind.name}.{f.name}}}]->(m)
RETURN key, m {{.*}} AS props, {{label}} AS label
ORDER BY r.{{Rel.position}}
""", label=label_of("m"))


@lru_cache(maxsize=MODEL_QUERIES)
def incoming(walk: Walk) -> str:
    """The nodes a backward walk (schema/walks.py) reaches from a node of its start: the
    ``walk.kind`` nodes whose field points at it, oldest first; of a dated kind, only those
    that may hold on a day from ``$since`` to ``$until`` (either null: open). Each comes with the targets of
    its other relationship fields (a control period's controller), so that the API primes
    those loaders instead of asking again: the map of every city costs two round trips, not
    three."""
    target, source, f = walk.start, walk.kind, walk.field
    days = time.within("n", source, "$since", "$until") if source.temporal else "true"
    where = f"WHERE {days} AND {reached('n', walk.where)}"
    refs = ", ".join(
        f"{g.name}: [(n)-[r:{{{source.name}.{g.name}}}]->(m) | "
        f"{{props: m {{.*}}, label: {{label}}, position: r.{{Rel.position}}}}]"
        for g in source.refs if g is not f)
    return cypher(f"""
UNWIND $ids AS key
MATCH (:{{{target}}} {{id: key}})<-[:{{{source.name}.{f.name}}}]-(n:{{{source.name}}})
{where}
RETURN key, n {{.*}} AS props, {{{refs}}} AS refs
ORDER BY {incoming_order("n", source)}
""", label=label_of("m"))


def incoming_order(var: str, kind: Kind) -> str:
    """The order of the nodes of ``kind`` pointing at one node: a dated kind's oldest first
    (graph/time.py), others by name and id (graph/select.py walks back in the same order)."""
    if kind.temporal is not None:
        return time.order(var, kind)
    return cypher(f"{var}.{{Place.name}}, {var}.id")


@lru_cache(maxsize=MODEL_QUERIES)
def citations(kind: Kind) -> str:
    return cypher(f"""
UNWIND $ids AS key
MATCH (:{{{kind.name}}} {{id: key}})-[c:{{Cites}}]->(s:{{Source}})
RETURN key, c.{{Cites.quote}} AS quote, c.{{Cites.locator}} AS locator, s {{.*}} AS source,
       c.{{Cites.spanDocument}} AS spanDocument, c.{{Cites.spanStart}} AS spanStart,
       c.{{Cites.spanEnd}} AS spanEnd
ORDER BY c.{{Rel.position}}
""")


# -- lists with filters, sorting and keyset pagination, built from the model -----------------
#
# A page starts where the previous one ended: after the last row's sort value and id (a keyset
# cursor), never after counting rows, so page 1,000 reads what page 1 reads and a node written
# before the cursor does not shift the page. Cypher has no tuple comparison: (key, id) >
# ($key, $id) is written `n.k >= $key AND (n.k <> $key OR n.id > $id)` (`<>` means `>` there,
# and offers the planner no second seek to split the OR on). The sort key's range index seeks
# the first half and returns in order (ties need only a partial sort by id); a filter is
# checked on the way until the page is full, so its cost is the nodes it skips. A range index
# holds no nulls: nodes without the sort value form a second stretch after the others, in both
# orders, read by id through the id constraint's index (`nulls=True`).

def sort_keys(kind: Kind) -> dict[str, str]:
    """What a kind's list can be sorted by (enum member: property): its name, its dates and
    indexed values, its id. The API's sort enums and the migrations' indexes both come from it."""
    members = {"NAME": "name"} if kind.category == "entity" else {}
    for f in kind.props:
        if f.name != "name" and (f.type == "date" or (f.index and f.type in ("int", "str"))):
            members[f.name.upper()] = f.prop
    members["ID"] = "id"
    return members


def sort_is_nullable(kind: Kind, prop: str) -> bool:
    """Whether some nodes of ``kind`` may lack the sort property (the model does not require it)."""
    if prop == "id":
        return False
    f = next((f for f in kind.fields if f.prop == prop), None)
    return f is None or not f.required


def list_query(kind: Kind, conditions: list[str], sort_by: str, descending: bool = False, *,
               projection: str | None = None, after: bool = False, nulls: bool = False,
               total: bool = False, start: str | None = None) -> str:
    """See ``_list_query``: the same text, made once per shape of list request."""
    return _list_query(kind, tuple(conditions), sort_by, descending, projection, after, nulls,
                       total, start)


@lru_cache(maxsize=MODEL_QUERIES)
def _list_query(kind: Kind, conditions: tuple[str, ...], sort_by: str, descending: bool,
                projection: str | None, after: bool, nulls: bool, total: bool,
                start: str | None) -> str:
    """One row: ``rows``, up to ``$limit`` nodes of ``kind`` in the list's order, each a map of
    ``props`` (``projection``, a Cypher map projection of ``n`` that graph/select.py builds
    from the selection; all properties by default), ``key`` (the sort value) and ``id``, the
    last two for the next cursor.

    ``conditions`` are Cypher predicates on ``n`` (from the functions below) using parameters;
    ``sort_by`` the property sorted on, then the id (ascending in both orders). Without
    ``nulls``: the nodes that have the property, after (``$key``, ``$id``) when ``after``; with
    ``nulls``: those that lack it, by id, after ``$id`` (give '' to start the stretch).
    ``total``: the row also carries ``total``, how many meet ``conditions`` (counted in the
    same round trip).
    ``start``: a filter on one related node (``ref_start``), which the page then starts
    from: its few matches are read and sorted, instead of the sort key's index being read
    until the page is full, which for a rare match is the whole label.
    """
    key = f"n.{sort_by}"
    # The hint holds the plan to reading the sort key's index in order from the cursor: without
    # it the planner may split the OR into two seeks (one by id) and sort their union.
    index = f"USING INDEX n:{{{kind.name}}}({'id' if nulls else sort_by})"
    if nulls:
        where, order = [f"{key} IS NULL", "n.id > $id"], "n.id"
    elif sort_by == "id":
        where = [f"n.id {'<' if descending else '>'} $id"] if after else ["n.id IS NOT NULL"]
        order = f"n.id {'DESC' if descending else 'ASC'}"
    else:
        where = ([f"{key} {'<=' if descending else '>='} $key", f"({key} <> $key OR n.id > $id)"]
                 if after else [f"{key} IS NOT NULL"])
        order = f"{key} {'DESC' if descending else 'ASC'}, n.id"
    match = _matched(kind, start, index)
    # One row holding the page: the driver's cost is per record (about 90 us each here),
    # so 21 rows cost three times the client CPU of one row with a list of 21.
    page = f"""{match}
WHERE {' AND '.join([*where, *conditions])}
WITH n ORDER BY {order} LIMIT $limit
RETURN collect({{props: {{projection}}, key: {key}, id: n.id}}) AS rows"""
    if total:
        page = f"""CALL () {{ {count_query(kind, conditions, start)} }}
CALL () {{
{page}
}}
RETURN total, rows"""
    return cypher(page, projection=projection or "n {.*}")


def count_query(kind: Kind, conditions: list[str] | tuple[str, ...],
                start: str | None = None) -> str:
    """How many nodes of ``kind`` meet ``conditions`` (and ``start``, as in ``list_query``):
    run only when a client asks."""
    return _count_query(kind, tuple(conditions), start)


@lru_cache(maxsize=MODEL_QUERIES)
def _count_query(kind: Kind, conditions: tuple[str, ...], start: str | None) -> str:
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return cypher(f"{_matched(kind, start)} {where} RETURN count(n) AS total")


def _matched(kind: Kind, start: str | None, hint: str = "") -> str:
    """The clause that finds a list's candidate nodes ``n``: from ``start`` (each once), or
    the kind's label, read through the index that ``hint`` names."""
    return f"{start}\nWITH DISTINCT n" if start else f"MATCH (n:{{{kind.name}}}) {hint}".rstrip()


@lru_cache(maxsize=MODEL_QUERIES)
def name_condition(param: str) -> str:
    """Names or aliases containing the (folded) text ``$param``."""
    return cypher(f"n.{{Entity.searchText}} CONTAINS ${param}")


@lru_cache(maxsize=MODEL_QUERIES)
def ref_start(kind: Kind, f: Field, param: str) -> str | None:
    """The list's nodes of ``kind`` whose field ``f`` points at the node with id ``$param``,
    found from that node by its id index; None when the field's targets share no label with
    one (an entity or a fact, each with an id constraint)."""
    bases = {KIND_BY_LABEL[t].category if t in KIND_BY_LABEL else t for t in f.targets}
    if len(bases) != 1 or not bases <= {"entity", "fact"}:
        return None
    base = "{Entity}" if bases == {"entity"} else "{Fact}"
    return cypher(f"MATCH (t:{base} {{id: ${param}}})<-[:{{{kind.name}.{f.name}}}]-(n:{{{kind.name}}})")


@lru_cache(maxsize=MODEL_QUERIES)
def ref_condition(kind: Kind, f: Field, param: str) -> str:
    """The node points along the field's relationship at the entity with id ``$param``."""
    return cypher(f"EXISTS {{ MATCH (n)-[:{{{kind.name}.{f.name}}}]->(t) WHERE t.id = ${param} }}")


def prop_condition(f: Field, param: str) -> str:
    return f"n.{f.prop} = ${param}"


@lru_cache(maxsize=MODEL_QUERIES)
def cites_condition(param: str) -> str:
    return cypher(f"EXISTS {{ MATCH (n)-[:{{Cites}}]->(:{{Source}} {{id: ${param}}}) }}")


@lru_cache(maxsize=MODEL_QUERIES)
def overlap_condition(kind: Kind) -> str:
    """Nodes of ``kind`` that may hold on a day of [$from, $to] (graph/time.py)."""
    return time.within("n", kind, "$from", "$to")


SEARCH = cypher("""
CALL db.index.fulltext.queryNodes('{Index.search}', $lucene, {limit: $limit * 4})
YIELD node, score
RETURN collect({props: node {.*}, label: {label}, score: score}) AS hits
""", label=label_of("node"))

# The controller and the citations come in the same round trip: each period carries them
# (api/graphql/query.py), so its fields answer without a loader.
CONTROL_OF = cypher("""
MATCH (p:{Place} {id: $place})
OPTIONAL MATCH (p)<-[:{Control.place}]-(c:{Control})
WHERE {holds}
CALL (c) {
  OPTIONAL MATCH (c)-[:{Control.controller}]->(who)
  RETURN collect({props: who {.*}, label: {label}}) AS by
}
CALL (c) {
  OPTIONAL MATCH (c)-[cite:{Cites}]->(s:{Source})
  WITH cite, s ORDER BY cite.{Rel.position}
  RETURN collect({quote: cite.{Cites.quote}, locator: cite.{Cites.locator}, source: s {.*},
                  spanDocument: cite.{Cites.spanDocument}, spanStart: cite.{Cites.spanStart},
                  spanEnd: cite.{Cites.spanEnd}}) AS citations
}
WITH p, c, by, citations ORDER BY c.{Control.start} IS NULL, c.{Control.start}, c.{Control.end}
RETURN p.id AS place,
       [x IN collect({fact: c {.*}, by: by, citations: citations}) WHERE x.fact IS NOT NULL]
       AS periods
""", holds=time.on("c", CONTROL, "$on"), label=label_of("who"))

# An event ``e`` of fighting overlapping [$from, $to]: the whole answer and its pages alike.
_FOUGHT = "e.{Event.fighting} = true AND " + time.within("e", EVENT, "$from", "$to")

# The hint keeps the plan a seek on the fighting flag whatever the statistics say (on a fresh
# store the planner sometimes scanned an index of the dates instead). ``place`` and ``event``
# are map projections of ``p`` and ``e`` (graph/select.py): what the question selects.
@lru_cache(maxsize=MODEL_QUERIES)
def fighting_at_places(place: str = "p {.*}", event: str = "e {.*}") -> str:
    """Every place with fighting in [$from, $to], by name, each with its events there."""
    return cypher(f"""
MATCH (e:{{Event}}) USING INDEX e:{{Event}}({{Event.fighting}})
WHERE {_FOUGHT}
MATCH (e)-[:{{Event.places}}]->(p:{{Place}})
WITH p, e ORDER BY {time.order('e', EVENT)}
WITH p, collect({{event}}) AS events
ORDER BY p.{{Place.name}}, p.id
RETURN collect({{place: {{place}}, events: events}}) AS places
""", place=place, event=event)


@lru_cache(maxsize=MODEL_QUERIES)
def fighting_page(after: bool, place: str = "p {.*}", event: str = "e {.*}") -> str:
    """A page of ``fighting_at_places``'s answer: up to ``$first`` places, from the one after
    the place ``$after`` (its id) when ``after``, in the same order. ``known`` says whether
    ``$after`` is a place.

    The whole answer starts from the fighting events, so it grows with the graph; a page walks
    the places in name order through the name index instead (a range seek from the cursor's
    place) and keeps each one with fighting in the range. Its cost is the places it passes
    until the page is full: the page's size over the share of places that fought in the
    range, at any depth, but high where few did (docs/decisions/0003-fighting-by-month.md)."""
    fought = f"EXISTS {{ MATCH (p)<-[:{{Event.places}}]-(e:{{Event}}) WHERE {_FOUGHT} }}"
    where = ("p.{Place.name} >= a.{Place.name} AND (p.{Place.name} <> a.{Place.name} OR p.id > a.id)"
             if after else "p.{Place.name} IS NOT NULL")
    return cypher(f"""
OPTIONAL MATCH (a:{{Place}} {{id: $after}})
CALL (a) {{
  MATCH (p:{{Place}}) USING INDEX p:{{Place}}({{Place.name}})
  WHERE {where} AND {fought}
  WITH p ORDER BY p.{{Place.name}}, p.id LIMIT $first
  CALL (p) {{
    MATCH (p)<-[:{{Event.places}}]-(e:{{Event}}) WHERE {_FOUGHT}
    WITH e ORDER BY {time.order('e', EVENT)}
    RETURN collect({{event}}) AS events
  }}
  RETURN collect({{place: {{place}}, events: events}}) AS places
}}
RETURN a IS NOT NULL AS known, places""", place=place, event=event)


# True where the graph has fighting events but no fighting by month: loaded by a revgraph from
# before loaders/fighting.py, so that pages of placesWithFighting would find nothing until the
# next `revgraph load` writes them.
FIGHTING_MONTHS_MISSING = cypher("""
RETURN EXISTS { MATCH (e:{Event}) WHERE e.{Event.fighting} = true }
  AND NOT EXISTS { MATCH (:{FightingMonth}) } AS missing""")


def by_month_params(m0: int, m1: int) -> dict[str, Any]:
    """``fighting_by_month``'s month parameters for the months m0 to m1 (schema/dates.py
    month_number of $from and $to)."""
    return {"months": [FIGHTING_OPEN_START, *range(m0, m1 + 1)], "m0": m0, "m1": m1}


# A month's fighting node answers for the asked range [$from, $to] (months $m0 to $m1) by its
# own properties where it can: a month inside the range holds fighting in it; the first month
# does if its latest fighting ends on or after $from, the last if its earliest begins by $to;
# the open bucket (a start unknown) if it ends on or after $from. A range within one month
# asks the events themselves.
_MONTH_FOUGHT = f"""CASE
      WHEN m = {FIGHTING_OPEN_START} THEN f.{{FightingMonth.last}} >= $from
      WHEN $m0 = $m1 THEN f.{{FightingMonth.last}} >= $from AND f.{{FightingMonth.first}} <= $to
        AND EXISTS {{ MATCH (:{{Place}} {{id: f.{{FightingMonth.place}}}})<-[:{{Event.places}}]-(e:{{Event}})
                     WHERE {_FOUGHT} }}
      ELSE (m > $m0 OR f.{{FightingMonth.last}} >= $from)
        AND (m < $m1 OR f.{{FightingMonth.first}} <= $to) END"""


@lru_cache(maxsize=MODEL_QUERIES)
def fighting_by_month(after: bool, place: str = "p {.*}", event: str = "e {.*}") -> str:
    """The page of ``fighting_page``, read from the fighting by month (loaders/fighting.py):
    ``$months`` are the month numbers of [$from, $to] with the open bucket, ``$m0``/``$m1``
    the first and last. Each month is sought in name order from the cursor and stops at
    ``$first`` places that fought in the range; the page is the first ``$first`` of their
    union. Its cost is the months times the page's size, whatever share of places fought."""
    # The tie on the cursor's name is broken in a CASE, not an OR, which the planner would
    # split into a union with a scan of the label; the index hint needs every column named.
    cursor = ("f.{FightingMonth.name} >= a.{Place.name} AND CASE WHEN f.{FightingMonth.name} = "
              "a.{Place.name} THEN f.{FightingMonth.place} > a.id ELSE true END"
              if after else "f.{FightingMonth.name} IS NOT NULL")
    order = ", ".join(f"f.{{FightingMonth.{p}}}" for p in FIGHTING_MONTH_ORDER)
    index = ", ".join(f"{{FightingMonth.{p}}}" for p in FIGHTING_MONTH_ORDER)
    return cypher(f"""
OPTIONAL MATCH (a:{{Place}} {{id: $after}})
CALL (a) {{
  UNWIND $months AS m
  CALL (a, m) {{
    MATCH (f:{{FightingMonth}}) USING INDEX f:{{FightingMonth}}({index})
    WHERE f.{{FightingMonth.month}} = m AND {cursor} AND f.{{FightingMonth.place}} IS NOT NULL
      AND {_MONTH_FOUGHT}
    WITH f ORDER BY {order} LIMIT $first
    RETURN f.{{FightingMonth.name}} AS name, f.{{FightingMonth.place}} AS id
  }}
  WITH DISTINCT name, id ORDER BY name, id LIMIT $first
  MATCH (p:{{Place}} {{id: id}})
  CALL (p) {{
    MATCH (p)<-[:{{Event.places}}]-(e:{{Event}}) WHERE {_FOUGHT}
    WITH e ORDER BY {time.order('e', EVENT)}
    RETURN collect({{event}}) AS events
  }}
  WITH p, events ORDER BY p.{{Place.name}}, p.id
  RETURN collect({{place: {{place}}, events: events}}) AS places
}}
RETURN a IS NOT NULL AS known, places""", place=place, event=event)


# Who makes each claim and its citations come in the same round trip, carried by each claim.
CLAIMS_ABOUT = cypher("""
MATCH (t:{Entity} {id: $id})
OPTIONAL MATCH (t)<-[:{Claim.about}]-(c:{Claim})
CALL (c) {
  OPTIONAL MATCH (c)-[:{Claim.by}]->(who:{Person})
  RETURN collect({props: who {.*}, label: '{Person}'}) AS by, min(who.{Person.name}) AS who
}
CALL (c) {
  OPTIONAL MATCH (c)-[cite:{Cites}]->(s:{Source})
  WITH cite, s ORDER BY cite.{Rel.position}
  RETURN collect({quote: cite.{Cites.quote}, locator: cite.{Cites.locator}, source: s {.*},
                  spanDocument: cite.{Cites.spanDocument}, spanStart: cite.{Cites.spanStart},
                  spanEnd: cite.{Cites.spanEnd}}) AS citations
}
WITH t, c, by, who, citations ORDER BY c.{Claim.stance}, who, c.id
RETURN t {.*} AS entity, {label} AS label,
       [x IN collect({fact: c {.*}, by: by, citations: citations}) WHERE x.fact IS NOT NULL]
       AS claims
""", label=label_of("t"))


def shortest_path(rel_types: list[str], max_length: int) -> str:
    """The shortest chain between two entities along the model's relationships (citations
    excluded: two facts citing the same book are not thereby related)."""
    return cypher(f"""
MATCH (a:{{Entity}} {{id: $from}}), (b:{{Entity}} {{id: $to}})
MATCH p = shortestPath((a)-[:{'|'.join(rel_types)}*..{int(max_length)}]-(b))
RETURN [n IN nodes(p) | {{props: n {{.*}}, label: {{label}}}}] AS nodes,
       [r IN relationships(p) | {{type: type(r), from: startNode(r).id, to: endNode(r).id}}] AS rels
""", label=label_of("n"))


# A party held a place on $on when the control period then in force is the party's own, or is
# held by a body (soviet, MRC...) whose latest composition on or before $on, among those that
# state a majority, gives the party the majority. Both facts are cited; nothing is inferred
# beyond joining them. Both ways start from the party, so the plan seeks, never scans.
PLACES_HELD_BY_PARTY = cypher("""
MATCH (party:{Party} {id: $party})
CALL (party) {
  MATCH (party)<-[:{Control.controller}]-(c:{Control})-[:{Control.place}]->(p:{Place})
  WHERE {holds}
  RETURN p, c, null AS x
  UNION
  MATCH (party)<-[:{Composition.party}]-(:{Composition} {{Composition.majority}: true})
        -[:{Composition.body}]->(holder)
  WITH DISTINCT party, holder
  MATCH (holder)<-[:{Control.controller}]-(c:{Control})-[:{Control.place}]->(p:{Place})
  WHERE {holds}
  CALL (holder) {
    MATCH (holder)<-[:{Composition.body}]-(latest:{Composition} {{Composition.majority}: true})
    WHERE latest.{Composition.date} <= $on
    RETURN latest ORDER BY latest.{Composition.date} DESC LIMIT 1
  }
  WITH p, c, latest WHERE (latest)-[:{Composition.party}]->(party)
  RETURN p, c, latest AS x
}
RETURN p {.*} AS place, c {.*} AS control, x {.*} AS majority
ORDER BY p.{Place.name}
""", holds=time.on("c", CONTROL, "$on"))
