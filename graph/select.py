"""Cypher that fetches what a GraphQL selection asks for, nested, in one round trip.

A ``Shape`` says which properties of a node are wanted and which relationship fields to walk
from it (each walk with the shape of the nodes it reaches). ``projection()`` turns a shape into
one Cypher map projection with a COLLECT subquery per walk, so a page of cities with each
city's control on a day and each period's controller is one query returning exactly the
selected properties, where the batched loaders needed a round trip per level and whole nodes.

The walks keep the loaders' order and filters (graph/queries.py ``outgoing`` and
``incoming``), so an answer is the same whichever path produced it. A shape holds no values:
the window of days a reverse walk's nodes must meet is a pair of parameters named in the shape,
so one document asked with other variables reuses the same Cypher text (and Neo4j's plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graph import time
from graph.cypher import cypher, label_of, reached
from graph.queries import incoming_order
from schema.model import Field, Kind


@dataclass(frozen=True)
class Walk:
    """Follow ``field`` of ``kind``: forwards from a node of ``kind``, or (``reverse``) back
    from the node it points at to the nodes of ``kind``. ``shape``: what to fetch of each node
    reached, or None for a field that may reach several kinds (then its whole node and label,
    and nothing further: the API's loaders take over below it). ``window``: the parameters
    holding the first and last day the reached nodes must meet (graph/time.py), if any."""

    kind: Kind
    field: Field
    reverse: bool
    shape: Shape | None
    window: tuple[str, str] | None = None
    where: tuple[tuple[str, object], ...] = ()  # schema/walks.py: properties of the reached


ALL = "*"  # in a shape's props: every property of the node


@dataclass(frozen=True)
class Shape:
    props: frozenset[str]
    walks: tuple[Walk, ...] = ()


def walk_alias(i: int) -> str:
    """The key of a walk's list in the projected map (no property of the model starts so)."""
    return f"_w{i}"


def _walk(var: str, w: Walk, depth: int) -> str:
    rel = f"{{{w.kind.name}.{w.field.name}}}"
    node = f"n{depth}"
    if w.reverse:
        assert w.shape is not None  # the source of a reverse walk is one kind
        days = (time.within(node, w.kind, '$' + w.window[0], '$' + w.window[1])
                if w.window else "true")
        where = f"WHERE {days} AND {reached(node, w.where)}"
        return cypher(f"""COLLECT {{
  MATCH ({var})<-[:{rel}]-({node}:{{{w.kind.name}}}) {where}
  WITH {node} ORDER BY {incoming_order(node, w.kind)}
  RETURN {_project(node, w.shape, depth + 1)}
}}""")
    if w.shape is None:
        ret = f"{{props: {node} {{.*}}, label: {label_of(node)}}}"
    else:
        ret = _project(node, w.shape, depth + 1)
    return cypher(f"""COLLECT {{
  MATCH ({var})-[r{depth}:{rel}]->({node}) WHERE {reached(node, w.where)}
  WITH {node}, r{depth} ORDER BY r{depth}.{{Rel.position}}
  RETURN {ret}
}}""")


def _project(var: str, shape: Shape, depth: int) -> str:
    items = [".*"] if ALL in shape.props else [f".{p}" for p in sorted(shape.props | {"id"})]
    items += [f"{walk_alias(i)}: {_walk(var, w, depth)}" for i, w in enumerate(shape.walks)]
    return f"{var} {{{', '.join(items)}}}"


@lru_cache(maxsize=512)
def projection(var: str, shape: Shape) -> str:
    """A Cypher map projection of the node ``var`` with the shape's properties (and its id)
    and, under ``walk_alias(i)``, the list the shape's i-th walk reaches. Uses ``$labels``
    (the kinds' labels) when a walk may reach several kinds."""
    return _project(var, shape, 0)


@lru_cache(maxsize=512)
def node_by_id(kind: Kind, shape: Shape) -> str:
    """One node of ``kind`` by ``$id``, projected."""
    return cypher(f"MATCH (n:{{{kind.name}}} {{id: $id}}) RETURN {projection('n', shape)} AS node")
