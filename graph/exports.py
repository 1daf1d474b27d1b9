"""The Cypher behind the exports (/export/*, `revgraph export`): one home per query.

Every query is parameterised and read-only, projects only the properties the model declares
(never the loader's bookkeeping such as ``loadHash`` or ``searchText``), and is read row by
row from the driver's result inside a read transaction, so a large graph never sits in memory
on this side.

The filters every export shares, all Gregorian ``DATE``s or null:

- ``$on``: a control period is kept when it may hold on day D, as in ``controlOf``;
- ``$from`` / ``$to``: a node of a dated kind is kept when it may hold on a day of the window
  (graph/time.py, from the kind's temporal shape); nodes of undated kinds (most entities) are
  always kept;
- ``$kinds``: node labels (graph exports) or place kinds (place exports);
- ``$ids``: the neighbourhood of an entity, from ``NEIGHBOURHOOD`` (null: the whole graph).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from dataclasses import dataclass, field
from typing import Any

from neo4j import READ_ACCESS, AsyncDriver, Driver

from graph import time
from schema.dates import graph_props
from schema.model import (
    CITES_REL,
    CONTROL,
    ENTITY_LABEL,
    EVENT,
    FACT_LABEL,
    KINDS,
    MENTIONS_REL,
    PASSAGE_LABEL,
    PLACE,
    SOURCE,
    Kind,
)
from schema.time import Shape

LABELS = [k.name for k in KINDS]
# Relationships a neighbourhood walks along: the model's references. Citations are left out:
# two facts citing the same book are not thereby neighbours.
WALK_RELS = sorted({f.rel for k in KINDS for f in k.refs if f.rel})
DATE_PREFIXES: tuple[str, ...] = tuple(dict.fromkeys(
    f.prop for k in KINDS for f in k.props if f.type == "date"))
MAX_DEPTH = 3
PERIODS = [k for k in KINDS if k.temporal is not None and k.temporal.shape is Shape.PERIOD]

_OF_PLACE = CONTROL.field("place").rel
_BY = CONTROL.field("controller").rel
_PART_OF = PLACE.field("in").rel


def date_props(prefix: str) -> list[str]:
    """The four properties the graph stores for one date (schema/dates.py declares them)."""
    return [prefix, *graph_props(prefix).values()]


def stored_props(kind: Kind) -> list[str]:
    """The properties the graph stores for a kind's fields."""
    props: list[str] = []
    for f in kind.props:
        props += date_props(f.prop) if f.type == "date" else [f.prop]
    return props


def _projection(props: list[str]) -> str:
    return ", ".join(f".{p}" for p in dict.fromkeys(props))


ALL_PROPS: list[str] = list(dict.fromkeys(p for k in KINDS for p in stored_props(k)))
DATE_PROPS: list[str] = [p for d in DATE_PREFIXES for p in date_props(d)]

_CITATIONS = f"""COLLECT {{
      MATCH ($VAR)-[cite:{CITES_REL}]->(s:{SOURCE.name})
      RETURN {{source: s.id, title: s.title, url: s.url, quote: cite.quote,
              locator: cite.locator}} ORDER BY cite.position }}"""


def citations_of(var: str) -> str:
    """A COLLECT subquery: the citations of node ``var``, in the order the data gives them."""
    return _CITATIONS.replace("$VAR", var)


def node_filter(v: str) -> str:
    """The filters every export applies to a node ``v`` (see the module docstring)."""
    by_kind = "\n".join(f"    WHEN {v}:{k.name} THEN {time.within(v, k, '$from', '$to')}"
                        for k in KINDS if k.temporal is not None)
    return f"""($kinds IS NULL OR any(l IN labels({v}) WHERE l IN $kinds))
  AND ($ids IS NULL OR {v}.id IN $ids)
  AND CASE
{by_kind}
    ELSE true END"""


def _seeded(var: str) -> str:
    """The nodes of ``$ids`` by their unique id constraints, not by scanning the graph."""
    return f"""CALL () {{
  UNWIND $ids AS key MATCH ({var}:{ENTITY_LABEL} {{id: key}}) RETURN {var}
  UNION
  UNWIND $ids AS key MATCH ({var}:{FACT_LABEL} {{id: key}}) RETURN {var}
}}"""


# -- the whole graph (GEXF, GraphML, Cytoscape JSON, CSV) ----------------------------------

DATED = [k for k in KINDS if k.temporal is not None]


def _days(var: str, end: str) -> str:
    """The first (``end="first"``) or last day a dated node ``var`` may hold, by its kind."""
    whens = " ".join(
        f"WHEN {var}:{k.name} THEN "
        + (time.first_day(var, k.temporal, k) if end == "first" else time.last_day(var, k))
        for k in DATED if k.temporal is not None)
    return f"CASE {whens} END"


def _any_of(var: str, kinds: list[Kind]) -> str:
    return "(" + " OR ".join(f"{var}:{k.name}" for k in kinds) + ")"


# The days of the exported graph's dated facts and events an undated node (a place, a party, a
# person...) takes part in, one [first, last] pair each (null: open), for GEXF's spells
# (api/exports/dates.py's ``participation`` takes their hull). Citations are not taking part: a
# source tells of facts. An undated instant or span holds on no day, so it is left out; an
# undated period always holds.
_PARTICIPATION = f"""COLLECT {{
         MATCH (n)-[r]-(f)
         WHERE type(r) <> '{CITES_REL}' AND {_any_of('f', DATED)} AND NOT {_any_of('n', DATED)}
           AND {node_filter('f')}
         WITH f, {_days('f', 'first')} AS first, {_days('f', 'last')} AS last
         WHERE first IS NOT NULL OR last IS NOT NULL OR {_any_of('f', PERIODS)}
         RETURN [first, last]
       }}"""

_NODES_RETURN = f"""RETURN n {{{_projection(ALL_PROPS)}}} AS props,
       [l IN labels(n) WHERE l IN $labels][0] AS label,
       {citations_of('n')} AS citations$MORE
ORDER BY label, props.id
"""
_NODES_TIMED_RETURN = _NODES_RETURN.replace("$MORE", f",\n       {_PARTICIPATION} AS during")
_NODES_RETURN = _NODES_RETURN.replace("$MORE", "")
_NODES = f"""
MATCH (n) WHERE (n:{ENTITY_LABEL} OR n:{FACT_LABEL}) AND {node_filter('n')}
"""
# The same for a neighbourhood (``$ids`` given): looked up, not scanned.
_NODES_AROUND = f"""
{_seeded('n')}
WITH n WHERE {node_filter('n')}
"""
GRAPH_NODES = _NODES + _NODES_RETURN
GRAPH_NODES_AROUND = _NODES_AROUND + _NODES_RETURN
# With ``during``, the span each undated node takes part in (GEXF).
GRAPH_NODES_TIMED = _NODES + _NODES_TIMED_RETURN
GRAPH_NODES_TIMED_AROUND = _NODES_AROUND + _NODES_TIMED_RETURN

# An edge's time is that of its dated end: the fact it belongs to, or the event.
_EDGES_RETURN = f"""WITH a, r, b, CASE WHEN a:{FACT_LABEL} OR a:{EVENT.name} THEN a
                   WHEN b:{FACT_LABEL} OR b:{EVENT.name} THEN b END AS dated
RETURN a.id AS source, b.id AS target, type(r) AS type, r.position AS position,
       r.quote AS quote, r.locator AS locator, dated {{{_projection(DATE_PROPS)}}} AS dates,
       [l IN labels(dated) WHERE l IN $labels][0] AS datedLabel
ORDER BY source, type, position, target
"""
GRAPH_EDGES = f"""
MATCH (a)-[r]->(b)
WHERE (a:{ENTITY_LABEL} OR a:{FACT_LABEL}) AND (b:{ENTITY_LABEL} OR b:{FACT_LABEL})
  AND {node_filter('a')} AND {node_filter('b')}
{_EDGES_RETURN}"""
GRAPH_EDGES_AROUND = f"""
{_seeded('a')}
MATCH (a)-[r]->(b)
WHERE (b:{ENTITY_LABEL} OR b:{FACT_LABEL}) AND {node_filter('a')} AND {node_filter('b')}
{_EDGES_RETURN}"""

# -- places (GeoJSON, Linked Places) ---------------------------------------------------------

_CONTROL_WINDOW = f"""{time.on("c", CONTROL, "$on")}
        AND {time.within("c", CONTROL, "$from", "$to")}"""

_PLACES_RETURN = f"""RETURN p {{{_projection(stored_props(PLACE))}}} AS place,
       COLLECT {{ MATCH (p)-[:{_PART_OF}]->(q:{PLACE.name}) RETURN q {{.id, .name}} }}[0] AS partOf,
       {citations_of('p')} AS citations,
       COUNT {{ (p)<-[:{MENTIONS_REL}]-(:{PASSAGE_LABEL}) }} AS mentions,
       COLLECT {{
         MATCH (p)<-[:{_OF_PLACE}]-(c:{CONTROL.name})
         WHERE {_CONTROL_WINDOW}
         RETURN c {{{_projection(stored_props(CONTROL))},
                   controller: COLLECT {{
                     MATCH (c)-[:{_BY}]->(w)
                     RETURN w {{.id, .name, kind: [l IN labels(w) WHERE l IN $labels][0]}} }}[0],
                   citations: {citations_of('c')}}}
         ORDER BY c.start IS NULL, c.start, c.end, c.id
       }} AS control
ORDER BY p.id
"""
PLACES = f"""
MATCH (p:{PLACE.name})
WHERE ($kinds IS NULL OR p.kind IN $kinds)
{_PLACES_RETURN}"""
PLACES_AROUND = f"""
UNWIND $ids AS key
MATCH (p:{PLACE.name} {{id: key}})
WHERE ($kinds IS NULL OR p.kind IN $kinds)
{_PLACES_RETURN}"""

# -- a neighbourhood -------------------------------------------------------------------------


def neighbourhood(depth: int) -> str:
    """The ids within ``depth`` relationships of ``$around`` (itself included); no row if
    ``$around`` is unknown. ``depth`` is a checked int, as Cypher takes no parameter there."""
    if not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be 1 to {MAX_DEPTH}")
    return f"""
MATCH (a {{id: $around}}) WHERE a:{ENTITY_LABEL} OR a:{FACT_LABEL}
OPTIONAL MATCH (a)-[:{'|'.join(WALK_RELS)}*1..{depth}]-(n) WHERE n:{ENTITY_LABEL} OR n:{FACT_LABEL}
RETURN a.id AS id, [l IN labels(a) WHERE l IN $labels][0] AS label,
       [a.id] + collect(DISTINCT n.id) AS ids
"""


# -- running them ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One query of an export and the name its rows go by (``nodes``, ``edges``, ``places``)."""

    name: str
    cypher: str


@dataclass
class Plan:
    """The queries of one export, in order, with their parameters."""

    sections: list[Section]
    params: dict[str, Any] = field(default_factory=dict)

    def cypher(self) -> dict[str, str]:
        return {s.name: s.cypher.strip() for s in self.sections}


GRAPH_SECTIONS = [Section("nodes", GRAPH_NODES), Section("edges", GRAPH_EDGES)]
GRAPH_SECTIONS_AROUND = [Section("nodes", GRAPH_NODES_AROUND),
                         Section("edges", GRAPH_EDGES_AROUND)]
TIMED_SECTIONS = [Section("nodes", GRAPH_NODES_TIMED), Section("edges", GRAPH_EDGES)]
TIMED_SECTIONS_AROUND = [Section("nodes", GRAPH_NODES_TIMED_AROUND),
                         Section("edges", GRAPH_EDGES_AROUND)]
PLACE_SECTIONS = [Section("places", PLACES)]
PLACE_SECTIONS_AROUND = [Section("places", PLACES_AROUND)]


def base_params() -> dict[str, Any]:
    return {"on": None, "from": None, "to": None, "kinds": None, "ids": None, "labels": LABELS}


def stream(driver: Driver, database: str, cypher: str, params: dict[str, Any],
           timeout: float | None = None) -> Iterator[dict[str, Any]]:
    """The rows of one read query, one at a time as the driver receives them."""
    with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        with session.begin_transaction(timeout=timeout) as tx:
            for record in tx.run(cypher, params):
                yield record.data()


async def astream(driver: AsyncDriver, database: str, cypher: str, params: dict[str, Any],
                  timeout: float | None = None) -> AsyncGenerator[dict[str, Any], None]:
    """``stream`` for the API's async driver."""
    async with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        tx = await session.begin_transaction(timeout=timeout)
        try:
            result = await tx.run(cypher, params)
            async for record in result:
                yield record.data()
        finally:
            await tx.close()


def read_one(driver: Driver, database: str, cypher: str, params: dict[str, Any]) -> dict | None:
    rows = list(stream(driver, database, cypher, params))
    return rows[0] if rows else None


async def aread_one(driver: AsyncDriver, database: str, cypher: str,
                    params: dict[str, Any]) -> dict | None:
    rows = [r async for r in astream(driver, database, cypher, params)]
    return rows[0] if rows else None
