"""The data-quality report (`revgraph report --quality`): how far the facts can be trusted.

One query, one round trip. "Cited records" are the facts (:Fact) and the events, the two that
must cite a source; confidence exists on facts only.
"""

from __future__ import annotations

from typing import Any

from neo4j import Driver

from graph.cypher import cypher
from graph.db import read
from graph.queries import WITHOUT_CONTROL

_VAGUE = ["MONTH", "YEAR"]

QUALITY = cypher("""
CALL () {
  MATCH (f:{Fact})
  WITH coalesce(f.{Control.confidence}, 'high') AS confidence, count(*) AS count
  ORDER BY confidence
  RETURN collect({confidence: confidence, count: count}) AS byConfidence
}
CALL () {
  MATCH (c:{Control})
  RETURN count(c) AS controlPeriods,
         count(CASE WHEN c.{Control.start.precision} IN $vague THEN 1 END) AS vagueStarts,
         count(CASE WHEN c.{Control.end.precision} IN $vague THEN 1 END) AS vagueEnds,
         count(CASE WHEN c.{Control.start} IS NULL THEN 1 END) AS periodsWithoutStart,
         count(CASE WHEN c.{Control.disputed} THEN 1 END) AS disputedPeriods
}
CALL () {
  {without_control}
  RETURN collect(p.id) AS citiesWithoutControl
}
CALL () {
  MATCH (n) WHERE n:{Fact} OR n:{Event}
  OPTIONAL MATCH (n)-[:{Cites}]->(s:{Source})
  WITH n, collect(DISTINCT s.{Source.kind}) AS kinds, count(DISTINCT s) AS sources
  WITH n, kinds, sources,
       CASE WHEN sources >= 3 THEN '3 or more' ELSE toString(sources) END AS bucket
  WITH bucket, count(n) AS facts, sum(CASE WHEN sources = 1 THEN 1 ELSE 0 END) AS one,
       sum(CASE WHEN sources > 0 AND all(k IN kinds WHERE k = 'encyclopedia') THEN 1 ELSE 0 END)
         AS encyclopedic
  ORDER BY bucket
  RETURN sum(facts) AS citedRecords, sum(one) AS oneSourceOnly,
         sum(encyclopedic) AS encyclopediaOnly,
         collect({sources: bucket, facts: facts}) AS bySources
}
CALL () {
  MATCH ()-[c:{Cites}]->() WHERE c.{Cites.quote} IS NOT NULL
  RETURN count(c) AS quotations,
         count(CASE WHEN c.{Cites.spanDocument} IS NOT NULL THEN 1 END) AS locatedQuotations
}
CALL () {
  MATCH (u:{Place}) WHERE u.{Place.kind} IN ['province', 'region']
    AND NOT EXISTS {
      MATCH (u)<-[:{Place.in}]-(:{Place})<-[:{Control.place}]-(:{Control}) }
    AND NOT EXISTS { MATCH (u)<-[:{Control.place}]-(:{Control}) }
  RETURN collect(u.id) AS unitsWithoutTimeline
}
CALL () {
  MATCH (s:{Soviet}) WHERE NOT EXISTS { MATCH (s)<-[:{Composition.body}]-(:{Composition}) }
  RETURN count(s) AS sovietsWithoutComposition
}
CALL () {
  MATCH (s:{Soviet}) RETURN count(s) AS soviets
}
RETURN byConfidence, controlPeriods, vagueStarts, vagueEnds, periodsWithoutStart,
       disputedPeriods, citiesWithoutControl, citedRecords, oneSourceOnly, encyclopediaOnly,
       bySources, quotations, locatedQuotations, unitsWithoutTimeline,
       sovietsWithoutComposition, soviets
""", without_control=WITHOUT_CONTROL)


def quality(driver: Driver, database: str) -> dict[str, Any]:
    """The figures of `revgraph report --quality`."""
    return read(driver, database, QUALITY, vague=_VAGUE)[0]


def render(data: dict[str, Any]) -> list[str]:
    """The report as plain lines, in the order a reviewer reads it."""
    conf = ", ".join(f"{r['confidence']} {r['count']}" for r in data["byConfidence"]) or "none"
    cities = data["citiesWithoutControl"]
    units = data["unitsWithoutTimeline"]
    located, quotes = data["locatedQuotations"], data["quotations"]
    return [
        f"facts by confidence: {conf}",
        f"control periods: {data['controlPeriods']} "
        f"(start of month/year precision: {data['vagueStarts']}, "
        f"end of month/year precision: {data['vagueEnds']}, "
        f"without a start: {data['periodsWithoutStart']})",
        f"disputed control periods: {data['disputedPeriods']}",
        f"cities and towns without control data ({len(cities)}): {', '.join(cities) or 'none'}",
        f"facts and events: {data['citedRecords']}; citing one source only: "
        f"{data['oneSourceOnly']}; whose only sources are encyclopedias: "
        f"{data['encyclopediaOnly']}",
        "facts and events by number of distinct sources: " + ", ".join(
            f"{r['sources']}: {r['facts']}" for r in data["bySources"]),
        f"quotations located in a stored text: {located} of {quotes} "
        f"({located / quotes:.0%})" if quotes else "quotations: none",
        f"provinces and regions of 1917 without a control timeline ({len(units)}): "
        f"{', '.join(units) or 'none'}",
        f"soviets without a party composition: {data['sovietsWithoutComposition']} of "
        f"{data['soviets']}",
    ]
