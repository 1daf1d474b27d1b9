"""GraphQL types, derived from the model in ``schema/model.py``.

For every kind the model declares, a strawberry type is built here: its properties, its
dates (as ``HistoricalDate``), its relationships (walked with batched loaders, so a request
costs a bounded number of Cypher round trips however many items it returns), the
relationships that point at it (``reverse`` in the model), and its citations. Nothing here
lists a kind's fields by hand.
"""

from __future__ import annotations

import keyword
import sys
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from strawberry.types import Info

from api.context import Context, NodeData
from api.documents import Span, extra_fields, span_of
from schema import dates as d
from schema.model import (
    ALIGNMENT_DOCS,
    ENTITY_KINDS,
    KIND_BY_LABEL,
    KINDS,
    reverse_fields,
)
from schema.model import Alignment as _Alignment
from schema.model import Field as ModelField
from schema.model import Kind as ModelKind

MODULE = sys.modules[__name__]


# -- shared types ----------------------------------------------------------------------------

Calendar = strawberry.enum(
    d.Calendar,
    description="The calendar a date is stated in. Russia used the Julian calendar (Old Style) "
    "until 31 January 1918; the next day was 14 February 1918 (Gregorian, New Style).",
)
DatePrecision = strawberry.enum(
    d.Precision, name="DatePrecision",
    description="How precisely a source states a date: a day, a month or a year."
)
Alignment = strawberry.enum(
    _Alignment,
    description="Which side held power. "
    + " ".join(f"{k}: {v}" for k, v in ALIGNMENT_DOCS.items()),
)


@strawberry.type(description="A date shown in both calendars, with its precision.")
class HistoricalDate:
    gregorian: date = strawberry.field(
        description="The (first) day in the Gregorian calendar (New Style).")
    julian: date = strawberry.field(description="The same day in the Julian calendar (Old Style).")
    precision: DatePrecision = strawberry.field(  # type: ignore[valid-type]
        description="Whether the source gives a day, a month or a year.")
    edtf: str = strawberry.field(
        description="Extended Date/Time Format (Library of Congress), Gregorian: a day, month or "
        "year, or for a month or year stated in the Julian calendar the interval of its days.")
    calendar: Calendar = strawberry.field(  # type: ignore[valid-type]
        description="The calendar the source stated the date in.")
    text: str = strawberry.field(description='The date as stated, e.g. "1917-10-25 O.S.".')
    latest_gregorian: date = strawberry.field(
        description="The last day of the span (equals `gregorian` for a day).")

    @staticmethod
    def of(hd: d.HistoricalDate | None) -> HistoricalDate | None:
        if hd is None:
            return None
        y, m, dd = (int(x) for x in hd.julian.split("-"))
        return HistoricalDate(
            gregorian=hd.gregorian, julian=date(y, m, dd), precision=hd.precision,
            edtf=hd.edtf, calendar=hd.calendar, text=hd.text, latest_gregorian=hd.latest,
        )


@strawberry.type(description="A source cited for a fact, with the words it uses.")
class Citation:
    source: Source = strawberry.field(description="The work cited.")  # type: ignore[name-defined] # noqa: F821
    quote: str | None = strawberry.field(
        description="A short passage copied verbatim from the source.")
    locator: str | None = strawberry.field(
        description="Page, chapter, section or article title, where known.")
    span: Span | None = strawberry.field(
        default=None, description="Where the quotation stands in the source's document, with "
        "the text around it; null when the graph holds no text of the source.")


async def _citations(root: Any, info: Info[Context, None]) -> list[Citation]:
    rows = await info.context.citations(root._n.label, root._n.id)
    source_type = MODULE.Source
    return [Citation(source=source_type(_n=NodeData("Source", r["source"])), quote=r["quote"],
                     locator=r["locator"], span=span_of(r)) for r in rows]


@strawberry.interface(description="Anything in the graph with a stable id.")
class Node:
    _n: strawberry.Private[NodeData]

    @strawberry.field(description="A stable, readable id (a slug for entities).")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self._n.id)


@strawberry.interface(
    description="A person, place, party, organisation, soviet, event or source.")
class Entity(Node):
    @strawberry.field(description="The name most English-language histories use.")
    def name(self) -> str:
        return str(self._n.props.get("name", ""))

    @strawberry.field(
        description="Other spellings, transliterations, later names, and misspellings "
        "sources really use.")
    def aliases(self) -> list[str]:
        return list(self._n.props.get("aliases") or [])


@strawberry.interface(
    description="A fact a source asserts: control of a place, a party's share in a soviet, a "
    "person's role, a participation, a figure or a claim. Every fact cites a source.")
class Fact(Node):
    @strawberry.field(description="How sure the curators are: high, medium or low.")
    def confidence(self) -> str:
        return str(self._n.props.get("confidence", "high"))

    @strawberry.field(description="A curator's note: how sources differ, why a fact is uncertain.")
    def note(self) -> str | None:
        return self._n.props.get("note")

    citations: list[Citation] = strawberry.field(
        resolver=_citations, description="The sources that state this fact.")


def wrap(node: NodeData | None) -> Any:
    """The GraphQL object for a node, of its kind's type."""
    if node is None:
        return None
    return getattr(MODULE, KIND_BY_LABEL[node.label].gql)(_n=node)


# -- derived per-kind types -------------------------------------------------------------------

def enum_for(kind: ModelKind, f: ModelField) -> Any:
    """The GraphQL enum of a field with fixed choices (shared for alignment and confidence)."""
    if f.name == "alignment":
        return Alignment
    name = "Confidence" if f.name == "confidence" else f"{kind.name}{f.name.title()}"
    existing = getattr(MODULE, name, None)
    if existing is not None:
        return existing
    members = {c.upper().replace("-", "_"): c for c in f.choices}
    python_enum = Enum(name, members)  # type: ignore[misc]
    python_enum.__module__ = __name__
    gql = strawberry.enum(python_enum, description=f.description)
    setattr(MODULE, name, gql)
    return gql


def _prop_resolver(kind: ModelKind, f: ModelField) -> Any:
    prop = f.prop
    if f.type == "date":
        def resolve_date(root: Any) -> HistoricalDate | None:
            return HistoricalDate.of(d.HistoricalDate.from_graph(root._n.props, prop))
        return resolve_date, HistoricalDate | None
    if f.type == "enum" and f.name != "confidence":
        enum = enum_for(kind, f)

        def resolve_enum(root: Any) -> Any:
            value = root._n.props.get(prop)
            return None if value is None else enum(value)
        return resolve_enum, (enum if f.required else enum | None)
    py: Any = {"str": str, "text": str, "int": int, "float": float, "bool": bool,
               "strs": list[str]}[f.type]
    default = f.default

    def resolve(root: Any) -> Any:
        value = root._n.props.get(prop, default)
        return list(value) if isinstance(value, tuple) else value
    required = f.required or f.default is not None
    return resolve, (py if required else py | None)


def _target_annotation(targets: tuple[str, ...]) -> str:
    if len(targets) == 1:
        return KIND_BY_LABEL[targets[0]].gql
    return "Entity"


def _ref_resolver(kind: ModelKind, f: ModelField) -> tuple[Any, str]:
    label, rel = kind.name, f.rel
    assert rel is not None
    target = _target_annotation(f.targets)
    if f.type == "refs":
        async def resolve_many(root: Any, info: Info[Context, None]) -> Any:
            return [wrap(n) for n in await info.context.outgoing(label, rel, root._n.id)]
        return resolve_many, f"list[{target}]"

    async def resolve_one(root: Any, info: Info[Context, None]) -> Any:
        nodes = await info.context.outgoing(label, rel, root._n.id)
        return wrap(nodes[0]) if nodes else None
    return resolve_one, (target if f.required else f"{target} | None")


def _reverse_resolver(target_label: str, source: ModelKind, f: ModelField) -> Any:
    rel = f.rel
    assert rel is not None
    dated = "start" in {x.name for x in source.fields}

    async def resolve(root: Any, info: Info[Context, None], on: date | None = None,
                      calendar: d.Calendar = d.Calendar.GREGORIAN) -> Any:
        nodes = await info.context.incoming(target_label, rel, source.name, root._n.id)
        if on is not None and dated:
            day = to_gregorian(on, calendar)
            nodes = [n for n in nodes if holds_on(n.props, day)]
        return [wrap(n) for n in nodes]

    if not dated:
        async def resolve_plain(root: Any, info: Info[Context, None]) -> Any:
            return await resolve(root, info)
        resolve_plain.__annotations__ = {"info": Info, "return": f"list[{source.gql}]"}
        return resolve_plain
    resolve.__annotations__ = {"info": Info, "on": date | None, "calendar": Calendar,
                               "return": f"list[{source.gql}]"}
    return resolve


def to_gregorian(day: date, calendar: d.Calendar) -> date:
    """An API date argument, given in ``calendar``, as the Gregorian day the graph uses."""
    if calendar is d.Calendar.JULIAN:
        return d.julian_to_gregorian(day.year, day.month, day.day)
    return day


def holds_on(props: dict[str, Any], day: date) -> bool:
    """Whether a period (start/end, half-open) holds on a Gregorian day."""
    start = d.HistoricalDate.from_graph(props, "start")
    end = d.HistoricalDate.from_graph(props, "end")
    return (start is None or start.earliest <= day) and (end is None or end.earliest > day)


def _build(kind: ModelKind) -> type:
    ns: dict[str, Any] = {"__module__": __name__, "__annotations__": {}}
    for f in kind.fields:
        if f.name in ("id", "name", "aliases", "confidence", "note"):
            continue  # on the Node / Entity / Fact interfaces
        name = f.camel
        if f.is_ref:
            resolver, ann = _ref_resolver(kind, f)
            resolver.__annotations__ = {"info": Info, "return": ann}
        else:
            resolver, ann = _prop_resolver(kind, f)
            resolver.__annotations__ = {"return": ann}
        resolver.__module__ = __name__
        attr = f"{name}_" if keyword.iskeyword(name) else name
        ns[attr] = strawberry.field(resolver=resolver, description=f.description, name=name)
    for source, f in reverse_fields(kind.name):
        assert f.reverse is not None
        resolver = _reverse_resolver(kind.name, source, f)
        resolver.__module__ = __name__
        ns[f.reverse] = strawberry.field(
            resolver=resolver, name=f.reverse,
            description=(f.reverse_description or "") + (
                " With `on`, only the periods that held on that day."
                if "start" in {x.name for x in source.fields} else ""))
    if kind.category == "entity":
        ns["citations"] = strawberry.field(resolver=_citations,
                                           description="Sources cited for this entity itself.")
        bases: tuple[type, ...] = (Entity,)
    else:
        bases = (Fact,)
    if kind.name == "Source":
        async def facts(root: Any, info: Info[Context, None]) -> list[Node]:
            return [wrap(n) for n in await info.context.citing(root._n.id)]
        ns["facts"] = strawberry.field(resolver=facts, description="Everything citing this source.")
    ns.update(extra_fields(kind.name, kind.category))  # documents: passages, mentions
    cls = type(kind.gql, bases, ns)
    return strawberry.type(cls, description=kind.description)


for _kind in KINDS:
    setattr(MODULE, _kind.gql, _build(_kind))

ENTITY_TYPES = [getattr(MODULE, k.gql) for k in ENTITY_KINDS]
ALL_TYPES = [getattr(MODULE, k.gql) for k in KINDS]


@strawberry.type(description="A place that saw armed fighting, with the events.")
class FightingAtPlace:
    place: Place = strawberry.field(description="Where.")  # type: ignore[name-defined] # noqa: F821
    events: list[Event] = strawberry.field(  # type: ignore[name-defined] # noqa: F821
        description="The fighting there, oldest first.")
