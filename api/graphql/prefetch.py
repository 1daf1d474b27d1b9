"""From a GraphQL selection to the ``Shape`` graph/select.py fetches in one round trip, and
from the fetched rows back to nodes whose walked fields are already filled.

A root field that returns nodes of a kind (a lookup, a list page, the places and events of
placesWithFighting) reads its selection here, asks one Cypher query for every property and
relationship below it, and hands each node its prefetched neighbours (``NodeData.pre``, keyed
by ``walk_key``). The field resolvers in api/graphql/resolve.py return those at once, with no round
trip and no future per field; anything the shape did not cover (an extra such as
``mentions``, a field below an interface-typed one, an argument it could not read) falls back
to the batched loaders, so fetching less than needed costs time, never a wrong answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any, ClassVar

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.graphql.context import NodeData
from api.graphql.walks import Unreadable, WalkKey, walk_key, window
from graph import select
from graph.select import ALL, Shape, walk_alias
from schema import dates as d
from schema.model import ENTITY_LABEL, FACT_LABEL, KIND_BY_LABEL, Kind
from schema.walks import Walk, walks

NODE_INTERFACE = "Node"


@dataclass(frozen=True)
class _Prop:
    props: tuple[str, ...]


@cache
def reads(kind: Kind) -> dict[str, _Prop | Walk]:
    """What each GraphQL field of a kind's type reads from the graph: properties, or a walk
    (schema/walks.py)."""
    out: dict[str, _Prop | Walk] = {}
    for f in kind.props:
        if f.type == "date":
            out[f.camel] = _Prop((f.prop, *d.graph_props(f.prop).values()))
        else:
            out[f.camel] = _Prop((f.prop,))
    out.update(walks(kind.name))
    return out


def _applies(condition: str | None, kind: Kind) -> bool:
    """Whether a fragment's type condition covers nodes of ``kind``."""
    base = ENTITY_LABEL if kind.category == "entity" else FACT_LABEL
    return condition in (None, kind.gql, base, NODE_INTERFACE)


def _flatten(selections: Iterable[Selection], kind: Kind) -> list[SelectedField]:
    """The fields selected on a node of ``kind``, fragments that apply to it opened."""
    out: list[SelectedField] = []
    for s in selections:
        if isinstance(s, SelectedField):
            out.append(s)
        elif isinstance(s, (InlineFragment, FragmentSpread)) and _applies(s.type_condition, kind):
            out.extend(_flatten(s.selections, kind))
    return out


@dataclass
class Plan:
    """A shape being built, the parameters its walks use, and how to read the rows back."""

    params: dict[str, Any] = field(default_factory=dict)
    # Off: every node whole and no walk, all below left to the loaders (the path before
    # prefetching; tests compare the two).
    enabled: ClassVar[bool] = True

    def shape(self, kind: Kind, selections: Iterable[Selection]) -> tuple[Shape, Reader]:
        if not self.enabled:
            return Shape(frozenset({ALL})), Reader(kind.name, ())
        props: set[str] = set()
        asked: dict[WalkKey, tuple[Walk, list[Selection]]] = {}
        fields = reads(kind)
        for s in _flatten(selections, kind):
            what = fields.get(s.name)
            if isinstance(what, _Prop):
                props.update(what.props)
            elif isinstance(what, Walk):
                try:
                    key = walk_key(s.name, window(what, s.arguments))
                except Unreadable:
                    continue  # the resolver says what is wrong with its arguments
                asked.setdefault(key, (what, []))[1].extend(s.selections)
        built: list[select.Walk] = []
        readers: list[tuple[WalkKey, Reader | None]] = []
        for key, (w, below) in asked.items():
            params = None
            if w.args:
                params = (f"since{len(self.params)}", f"until{len(self.params)}")
                self.params[params[0]], self.params[params[1]] = key[1], key[2]
            target = KIND_BY_LABEL[w.reached[0]] if len(w.reached) == 1 else None
            if target is None:  # several kinds: the whole node, the loaders below it
                built.append(select.Walk(w.kind, w.field, w.reverse, None, params, w.where))
                readers.append((key, None))
                continue
            sub, reader = self.shape(target, below)
            built.append(select.Walk(w.kind, w.field, w.reverse, sub, params, w.where))
            readers.append((key, reader))
        return Shape(frozenset(props), tuple(built)), Reader(kind.name, tuple(readers))


@dataclass(frozen=True)
class Reader:
    """Turns a projected row (graph/select.py) into a NodeData with its walks filed."""

    label: str
    walks: tuple[tuple[WalkKey, Reader | None], ...]  # None: whole nodes with their label

    @cached_property
    def _aliased(self) -> tuple[tuple[str, WalkKey, Reader | None], ...]:
        return tuple((walk_alias(i), key, reader) for i, (key, reader) in enumerate(self.walks))

    def node(self, row: dict[str, Any]) -> NodeData:
        pre: dict[WalkKey, list[NodeData]] = {}
        for alias, key, reader in self._aliased:
            rows = row.pop(alias)
            if reader is None:
                pre[key] = [NodeData(r["label"], r["props"]) for r in rows]
            else:
                pre[key] = [reader.node(r) for r in rows]
        return NodeData(self.label, row, pre)


def _under(selections: Iterable[Selection], name: str) -> list[Selection]:
    """The selections under the fields ``name`` among ``selections``, fragments opened and
    aliases merged."""
    out: list[Selection] = []
    for s in selections:
        if isinstance(s, SelectedField):
            if s.name == name:
                out.extend(s.selections)
        elif isinstance(s, (InlineFragment, FragmentSpread)):
            out.extend(_under(s.selections, name))
    return out


def node_selections(selected: Selection, connection: bool) -> list[Selection]:
    """The selections that apply to the nodes a root field returns (``selected``: the field
    itself, ``info.selected_fields[0]``): its own, or for a connection those under ``nodes``
    and ``edges { node }``."""
    if not connection:
        return list(selected.selections)
    return _under(selected.selections, "nodes") + _under(_under(selected.selections, "edges"),
                                                          "node")


def field_selections(selected: Selection, name: str) -> list[Selection]:
    """The selections under the child field ``name`` of a field's selection (``selected``:
    ``info.selected_fields[0]``): e.g. those under ``place`` of a ``placesWithFighting``
    item."""
    return _under(selected.selections, name)


def wants(selected: Selection, name: str) -> bool:
    """Whether a field's selection (``info.selected_fields[0]``, fragments included) asks for
    ``name`` directly."""
    def walk(selections: Iterable[Selection]) -> bool:
        for s in selections:
            if isinstance(s, SelectedField) and s.name == name:
                return True
            if isinstance(s, (InlineFragment, FragmentSpread)) and walk(s.selections):
                return True
        return False
    return walk(selected.selections)
