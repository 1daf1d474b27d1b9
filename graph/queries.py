"""The Cypher of each question, one home per query. All parameterised; reads only.

Dates in the graph are Gregorian DATEs: ``start`` is the first day of the stated span and
``startLatest`` the last (they differ for month or year precision). Control periods are
half-open: a period holds on day D when ``start <= D`` and (``end`` is absent or ``end > D``).
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from graph.db import read


def report(driver: Driver, database: str) -> dict[str, Any]:
    """What `revgraph report` prints, in one round trip."""
    rows = read(driver, database, """
        CALL () {
          MATCH (n) WHERE n:Entity OR n:Fact
          UNWIND [l IN labels(n) WHERE NOT l IN ['Entity', 'Fact']] AS kind
          WITH kind, count(*) AS count ORDER BY kind
          RETURN collect({kind: kind, count: count}) AS kinds
        }
        CALL () {
          MATCH (s:Source)
          OPTIONAL MATCH (s)<-[:CITES]-(f)
          WITH s, count(DISTINCT f) AS facts ORDER BY facts DESC, s.id
          RETURN collect({id: s.id, title: s.title, facts: facts}) AS sources
        }
        CALL () {
          MATCH (p:Place) WHERE p.kind IN ['city', 'town'] AND NOT (p)<-[:OF_PLACE]-(:Control)
          WITH p ORDER BY p.id
          RETURN collect(p.id) AS placesWithoutControl
        }
        CALL () {
          MATCH (f:Fact) WHERE f.confidence = 'low'
          WITH f ORDER BY f.id
          RETURN collect({id: f.id, confidence: f.confidence, note: f.note}) AS lowConfidence
        }
        RETURN kinds, sources, placesWithoutControl, lowConfidence
    """)
    return rows[0]


# -- the API's batched lookups: each takes $ids and returns rows keyed by `key` -------------

NODES_BY_ID = """
UNWIND $ids AS key
OPTIONAL MATCH (e:Entity {id: key})
OPTIONAL MATCH (f:Fact {id: key})
WITH key, coalesce(e, f) AS n WHERE n IS NOT NULL
RETURN key, n {.*} AS props, [l IN labels(n) WHERE l IN $labels][0] AS label
"""

CITING = """
UNWIND $ids AS key
MATCH (:Source {id: key})<-[:CITES]-(n)
WITH DISTINCT key, n
RETURN key, n {.*} AS props, [l IN labels(n) WHERE l IN $labels][0] AS label
ORDER BY label, coalesce(n.start, n.date), n.id
"""


def outgoing(label: str, rel: str) -> str:
    return f"""
UNWIND $ids AS key
MATCH (:{label} {{id: key}})-[r:{rel}]->(m)
RETURN key, m {{.*}} AS props, [l IN labels(m) WHERE l IN $labels][0] AS label
ORDER BY r.position
"""


def incoming(target_label: str, rel: str, source_label: str) -> str:
    return f"""
UNWIND $ids AS key
MATCH (:{target_label} {{id: key}})<-[:{rel}]-(n:{source_label})
RETURN key, n {{.*}} AS props
ORDER BY coalesce(n.start, n.date) IS NULL, coalesce(n.start, n.date), n.name, n.id
"""


def citations(label: str) -> str:
    return f"""
UNWIND $ids AS key
MATCH (:{label} {{id: key}})-[c:CITES]->(s:Source)
RETURN key, c.quote AS quote, c.locator AS locator, s {{.*}} AS source
ORDER BY c.position
"""


# -- lists with filters, sorting and pagination, built from the model -------------------------

def list_query(label: str, conditions: list[str], order: list[str]) -> str:
    """A page of nodes of ``label`` and the total count, in one round trip.

    ``conditions`` are Cypher predicates on ``n`` using parameters; ``order`` the sort keys.
    """
    where = f"WHERE {' AND '.join(conditions)}" if conditions else ""
    return f"""
MATCH (n:{label}) {where}
WITH n ORDER BY {', '.join(order)}
WITH collect(n) AS matches
RETURN size(matches) AS total,
       [x IN matches[$skip..($skip + $limit)] | x {{.*}}] AS page
"""


def ref_condition(rel: str, param: str) -> str:
    """The node points along ``rel`` at the entity with id ``$param``."""
    return f"EXISTS {{ MATCH (n)-[:{rel}]->(t) WHERE t.id = ${param} }}"


def cites_condition(param: str) -> str:
    return f"EXISTS {{ MATCH (n)-[:CITES]->(:Source {{id: ${param}}}) }}"


def overlap_conditions(has_span: bool, prop: str, open_end: bool = False) -> list[str]:
    """Dated nodes overlapping [$from, $to] (Gregorian): a span (start/end) or one date.
    ``open_end``: an absent end means the span goes on (a control period), not that it was
    over on its first day (an event)."""
    if has_span:
        ongoing = "n.end IS NULL OR " if open_end else ""
        return ["($to IS NULL OR n.start IS NULL OR n.start <= $to)",
                f"($from IS NULL OR {ongoing}coalesce(n.endLatest, n.startLatest) IS NULL "
                "OR coalesce(n.endLatest, n.startLatest) >= $from)"]
    return [f"($to IS NULL OR n.{prop} <= $to)", f"($from IS NULL OR n.{prop}Latest >= $from)"]


SEARCH_INDEX_QUERY = """
CALL db.index.fulltext.queryNodes('entity_search', $lucene, {limit: $limit * 4})
YIELD node, score
RETURN node {.*} AS props, [l IN labels(node) WHERE l IN $labels][0] AS label, score
"""

# The controller and the citations come in the same round trip (the API primes its loaders).
CONTROL_OF = """
MATCH (p:Place {id: $place})
OPTIONAL MATCH (p)<-[:OF_PLACE]-(c:Control)
WHERE $on IS NULL OR ((c.start IS NULL OR c.start <= $on) AND (c.end IS NULL OR c.end > $on))
CALL (c) {
  OPTIONAL MATCH (c)-[:BY]->(who)
  RETURN collect({props: who {.*}, label: [l IN labels(who) WHERE l IN $labels][0]}) AS by
}
CALL (c) {
  OPTIONAL MATCH (c)-[cite:CITES]->(s:Source)
  WITH cite, s ORDER BY cite.position
  RETURN collect({quote: cite.quote, locator: cite.locator, source: s {.*}}) AS citations
}
WITH p, c, by, citations ORDER BY c.start IS NULL, c.start, c.end
RETURN p.id AS place,
       [x IN collect({fact: c {.*}, by: by, citations: citations}) WHERE x.fact IS NOT NULL]
       AS periods
"""

FIGHTING_AT_PLACES = """
MATCH (e:Event)
WHERE e.fighting = true
  AND ($to IS NULL OR e.start IS NULL OR e.start <= $to)
  AND ($from IS NULL OR coalesce(e.endLatest, e.startLatest) >= $from)
MATCH (e)-[:AT]->(p:Place)
WITH p, e ORDER BY e.start, e.id
WITH p, collect(e {.*}) AS events
RETURN p {.*} AS place, events
ORDER BY place.name
"""

# Who makes each claim and its citations come in the same round trip (loaders primed).
CLAIMS_ABOUT = """
MATCH (t:Entity {id: $id})
OPTIONAL MATCH (t)<-[:ABOUT]-(c:Claim)
CALL (c) {
  OPTIONAL MATCH (c)-[:BY]->(who:Person)
  RETURN collect({props: who {.*}, label: 'Person'}) AS by, min(who.name) AS who
}
CALL (c) {
  OPTIONAL MATCH (c)-[cite:CITES]->(s:Source)
  WITH cite, s ORDER BY cite.position
  RETURN collect({quote: cite.quote, locator: cite.locator, source: s {.*}}) AS citations
}
WITH t, c, by, who, citations ORDER BY c.stance, who, c.id
RETURN t {.*} AS entity, [l IN labels(t) WHERE l IN $labels][0] AS label,
       [x IN collect({fact: c {.*}, by: by, citations: citations}) WHERE x.fact IS NOT NULL]
       AS claims
"""

def shortest_path(rel_types: list[str], max_length: int) -> str:
    """The shortest chain between two entities along the model's relationships (citations
    excluded: two facts citing the same book are not thereby related)."""
    return SHORTEST_PATH.replace("$RELS", "|".join(rel_types)).replace("$MAX", str(max_length))


SHORTEST_PATH = """
MATCH (a:Entity {id: $from}), (b:Entity {id: $to})
MATCH p = shortestPath((a)-[:$RELS*..$MAX]-(b))
RETURN [n IN nodes(p) | {props: n {.*}, label: [l IN labels(n) WHERE l IN $labels][0]}] AS nodes,
       [r IN relationships(p) | {type: type(r), from: startNode(r).id, to: endNode(r).id}] AS rels
"""


# A party held a place on $on when the control period then in force is the party's own, or is
# held by a body (soviet, MRC...) whose latest composition on or before $on, among those that
# state a majority, gives the party the majority. Both facts are cited; nothing is inferred
# beyond joining them.
PLACES_HELD_BY_PARTY = """
MATCH (party:Party {id: $party})
MATCH (p:Place)<-[:OF_PLACE]-(c:Control)-[:BY]->(holder)
WHERE c.start <= $on AND (c.end IS NULL OR c.end > $on)
OPTIONAL CALL (holder) {
  MATCH (holder)<-[:IN_BODY]-(x:Composition {majority: true}) WHERE x.date <= $on
  RETURN x ORDER BY x.date DESC LIMIT 1
}
WITH party, p, c, holder, x
WHERE holder = party OR (x IS NOT NULL AND (x)-[:OF_PARTY]->(party))
RETURN p {.*} AS place, c {.*} AS control, CASE WHEN holder = party THEN null ELSE x {.*} END AS majority
ORDER BY p.name
"""
