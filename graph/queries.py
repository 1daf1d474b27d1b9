"""The Cypher of each question, one home per query. All parameterised; reads only.

Dates in the graph are Gregorian DATEs: ``start`` is the first day of the stated span and
``startLatest`` the last (they differ for month or year precision). A period is taken to hold
on a day D when it may have started by D (``start <= D``) and had not surely ended
(``end`` absent or ``endLatest >= D``... see ``CONTROL_ON``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from neo4j import Driver

from graph.db import read

# A control period holds on $on when it had begun by then and had not yet ended: periods are
# half-open, so the day a period ends is the first day of the next one.
CONTROL_ON = """
MATCH (p:Place {id: $place})<-[:OF_PLACE]-(c:Control)
WHERE ($on IS NULL OR ((c.start IS NULL OR c.start <= $on) AND (c.end IS NULL OR c.end > $on)))
RETURN c {.*} AS fact
ORDER BY c.start IS NULL, c.start, c.end
"""

FIGHTING = """
MATCH (e:Event)
WHERE e.fighting = true
  AND ($to IS NULL OR e.start <= $to)
  AND ($from IS NULL OR coalesce(e.endLatest, e.startLatest) >= $from)
MATCH (e)-[:AT]->(p:Place)
WITH p, e ORDER BY e.start
WITH p, collect(e {.*}) AS events
RETURN p {.*} AS place, events
ORDER BY place.name
"""

SEARCH = """
CALL db.index.fulltext.queryNodes($index, $lucene) YIELD node, score
RETURN node {.*} AS node, [l IN labels(node) WHERE l IN $labels][0] AS label, score
ORDER BY score DESC, node.name
LIMIT $limit
"""


def control_of(driver: Driver, database: str, place: str, on: date | None,
               timeout: float | None = None) -> list[dict[str, Any]]:
    return [r["fact"] for r in read(driver, database, CONTROL_ON, timeout, place=place, on=on)]


def places_with_fighting(driver: Driver, database: str, start: date | None, end: date | None,
                         timeout: float | None = None) -> list[dict[str, Any]]:
    return read(driver, database, FIGHTING, timeout, **{"from": start, "to": end})


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
