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
from datetime import date
from functools import cache, cached_property
from typing import Any, ClassVar

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from api.graphql.context import NodeData
from graph.select import ALL, Shape, Walk, walk_alias
from schema import dates as d
from schema.model import ENTITY_LABEL, FACT_LABEL, KIND_BY_LABEL, Field, Kind, reverse_fields

WalkKey = tuple[str, date | None]
NODE_INTERFACE = "Node"


def walk_key(name: str, on: date | None = None) -> WalkKey:
    """How a walked field's nodes are filed on the node it starts from: its GraphQL name and
    the Gregorian day asked for (aliases asking the same are one walk)."""
    return (name, on)


@dataclass(frozen=True)
class _Prop:
    props: tuple[str, ...]


@dataclass(frozen=True)
class Ref:
    kind: Kind
    field: Field


@dataclass(frozen=True)
class Reverse:
    source: Kind
    field: Field
    dated: bool


@cache
def reads(kind: Kind) -> dict[str, _Prop | Ref | Reverse]:
    """What each GraphQL field of a kind's type reads from the graph."""
    out: dict[str, _Prop | Ref | Reverse] = {}
    for f in kind.fields:
        if f.is_ref:
            out[f.camel] = Ref(kind, f)
        elif f.type == "date":
            out[f.camel] = _Prop((f.prop, *d.graph_props(f.prop).values()))
        else:
            out[f.camel] = _Prop((f.prop,))
    for source, f in reverse_fields(kind.name):
        assert f.reverse is not None
        out[f.reverse] = Reverse(source, f, source.temporal is not None)
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


def _day(value: Any, calendar: Any) -> tuple[bool, date | None]:
    """(readable, the Gregorian day) of an ``on`` argument as the resolver will compute it."""
    if value is None:
        return True, None
    if isinstance(calendar, str):
        calendar = d.Calendar.__members__.get(calendar)
    if calendar is None:
        calendar = d.Calendar.GREGORIAN
    if not isinstance(calendar, d.Calendar):
        return False, None
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
        if calendar is d.Calendar.JULIAN:
            day = d.julian_to_gregorian(day.year, day.month, day.day)
    except (ValueError, d.DateError):
        return False, None  # the resolver will say what is wrong
    return True, day


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
        walks: dict[WalkKey, tuple[Walk, list[Selection]]] = {}
        fields = reads(kind)
        for s in _flatten(selections, kind):
            what = fields.get(s.name)
            if isinstance(what, _Prop):
                props.update(what.props)
            elif isinstance(what, Ref):
                walks.setdefault(walk_key(s.name), (Walk(kind, what.field, False, None), []))[1] \
                    .extend(s.selections)
            elif isinstance(what, Reverse):
                readable, on = _day(s.arguments.get("on"), s.arguments.get("calendar"))
                if readable:
                    key = walk_key(s.name, on)
                    walks.setdefault(key, (Walk(what.source, what.field, True, None), []))[1] \
                        .extend(s.selections)
        built: list[Walk] = []
        readers: list[tuple[WalkKey, Reader | None]] = []
        for key, (w, below) in walks.items():
            param = None
            if w.reverse and key[1] is not None:
                param = f"on{len(self.params)}"
                self.params[param] = key[1]
            target = w.kind if w.reverse else _single_target(w.field)
            if target is None:  # several kinds: the whole node, the loaders below it
                built.append(Walk(w.kind, w.field, w.reverse, None, param))
                readers.append((key, None))
                continue
            sub, reader = self.shape(target, below)
            built.append(Walk(w.kind, w.field, w.reverse, sub, param))
            readers.append((key, reader))
        return Shape(frozenset(props), tuple(built)), Reader(kind.name, tuple(readers))


def _single_target(f: Field) -> Kind | None:
    return KIND_BY_LABEL[f.targets[0]] if len(f.targets) == 1 else None


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
