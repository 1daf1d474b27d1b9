"""The Query root: the contract of DESIGN.md, and around it a lookup and a filtered, sorted,
paginated list for every kind (derived from the model), search, claims side by side,
figures, and the shortest connection between two entities."""

from __future__ import annotations

import base64
import inspect
import re
from datetime import date
from enum import Enum
from typing import Annotated, Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info
from unidecode import unidecode

from api import nodes
from api.context import LABELS, Context, NodeData
from api.nodes import Calendar, Entity, Node, to_gregorian, wrap
from graph import queries
from schema import dates as d
from schema.model import CONTROL, KINDS, Kind

MAX_PAGE = 100
DEFAULT_PAGE = 20
MAX_PATH = 8


class UserInputError(GraphQLError):
    """A mistake in the request that the user can fix; its message is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def _greg(day: date | None, calendar: d.Calendar) -> date | None:
    if day is None:
        return None
    try:
        return to_gregorian(day, calendar)
    except d.DateError as exc:
        raise UserInputError(f"{day.isoformat()} is not a {calendar.value.lower()} date: {exc}") from None


# -- pagination --------------------------------------------------------------------------------

@strawberry.type(description="Where a page sits in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item: pass it as `after` for the next page.")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        kind, _, value = text.partition(":")
        if kind != "offset":
            raise ValueError
        return int(value) + 1
    except (ValueError, UnicodeDecodeError):
        raise UserInputError(f"invalid cursor {cursor!r}: use a cursor this API returned") from None


def _connection_types(kind: Kind) -> tuple[type, type]:
    node_type: Any = getattr(nodes, kind.gql)
    edge = strawberry.type(type(f"{kind.gql}Edge", (), {
        "__annotations__": {"cursor": str, "node": node_type},
        "__module__": __name__,
        "cursor": strawberry.field(description="Pass as `after` to get the items after this."),
        "node": strawberry.field(description=f"The {kind.gql}."),
    }), description=f"A {kind.gql} in a list, with its cursor.")
    conn = strawberry.type(type(f"{kind.gql}Connection", (), {
        "__annotations__": {"edges": list[edge], "nodes": list[node_type],  # type: ignore[valid-type]
                            "page_info": PageInfo, "total_count": int},
        "__module__": __name__,
        "edges": strawberry.field(description="The page, with cursors (Relay)."),
        "nodes": strawberry.field(description="The page, without cursors."),
        "page_info": strawberry.field(description="Whether there are more pages, and cursors."),
        "total_count": strawberry.field(description="How many match, on all pages."),
    }), description=f"A page of {kind.plural}, with the total count of all that match.")
    return edge, conn


def _sort_enum(kind: Kind) -> Any:
    members = {}
    if kind.category == "entity":
        members["NAME"] = "name"
    for f in kind.props:
        if f.type == "date" or (f.index and f.type in ("int", "str")) and f.name != "name":
            members[f.name.upper()] = f.prop
    members["ID"] = "id"
    e = Enum(f"{kind.gql}Sort", members)  # type: ignore[misc]
    e.__module__ = __name__
    return strawberry.enum(e, description=f"What to sort {kind.plural} by.")


@strawberry.enum(description="Sort order.")
class Order(Enum):
    ASC = "ASC"
    DESC = "DESC"


def _arg(ann: Any, description: str, default: Any = None,
         name: str | None = None) -> inspect.Parameter:
    argument = strawberry.argument(description=description, name=name)
    return inspect.Parameter("x", inspect.Parameter.KEYWORD_ONLY, default=default,
                             annotation=Annotated[ann, argument])


def _list_field(kind: Kind) -> Any:
    """The list field of a kind: its filters come from the fields the model marks `filter`."""
    edge, conn = _connection_types(kind)
    sort = _sort_enum(kind)
    params: dict[str, inspect.Parameter] = {}
    filters: list[tuple[str, Any, Any]] = []  # (argument, model field or marker, python name)
    if kind.category == "entity":
        params["name"] = _arg(str | None, "Names or aliases containing this text (any case, "
                              "diacritics ignored).")
    for f in kind.fields:
        if not f.filter:
            continue
        arg = {"in": "within", "places": "place"}.get(f.camel, f.camel)
        if f.is_ref:
            ann: Any = strawberry.ID | None
            desc = f"Only those whose {f.name.replace('_', ' ')} is this id."
        elif f.type == "enum":
            ann = nodes.enum_for(kind, f) | None
            desc = f"Only those with this {f.name}."
        elif f.type == "bool":
            ann, desc = bool | None, f"Only those with this {f.name}."
        elif f.type == "int":
            ann, desc = int | None, f"Only those with this {f.name}."
        else:
            ann, desc = str | None, f"Only those with this {f.name}."
        params[arg] = _arg(ann, desc)
        filters.append((arg, f, None))
    date_fields = [f for f in kind.props if f.type == "date"]
    has_span = {"start", "end"} <= {f.name for f in date_fields}
    if date_fields:
        params["from_"] = _arg(date | None, "Only those dated on or after this day (overlapping "
                               "it, for periods).", name="from")
        params["to"] = _arg(date | None, "Only those dated on or before this day.")
        params["calendar"] = _arg(Calendar, "The calendar of `from` and `to`.",
                                  d.Calendar.GREGORIAN)
    params["source"] = _arg(strawberry.ID | None, "Only those citing this source.")
    params["sort_by"] = _arg(sort, "What to sort by.", list(sort)[0])
    params["order"] = _arg(Order, "Ascending or descending.", Order.ASC)
    params["first"] = _arg(int, f"Page size, at most {MAX_PAGE}.", DEFAULT_PAGE)
    params["after"] = _arg(str | None, "The cursor after which the page starts.")

    async def resolve(root: Any, info: Info[Context, None], **kw: Any) -> Any:
        first, after = kw["first"], kw.get("after")
        if first < 0 or first > MAX_PAGE:
            raise UserInputError(f"first must be between 0 and {MAX_PAGE}, got {first}")
        skip = decode_cursor(after)
        conditions: list[str] = []
        values: dict[str, Any] = {"skip": skip, "limit": first}
        if kw.get("name"):
            conditions.append("n.searchText CONTAINS $name")
            values["name"] = unidecode(kw["name"]).lower()
        for arg, f, _ in filters:
            value = kw.get(arg)
            if value is None:
                continue
            param = f"f_{arg}"
            if f.is_ref:
                conditions.append(queries.ref_condition(f.rel, param))
                values[param] = str(value)
            else:
                conditions.append(f"n.{f.prop} = ${param}")
                values[param] = value.value if isinstance(value, Enum) else value
        if date_fields:
            cal = kw.get("calendar", d.Calendar.GREGORIAN)
            values["from"] = _greg(kw.get("from_"), cal)
            values["to"] = _greg(kw.get("to"), cal)
            if values["from"] is not None or values["to"] is not None:
                conditions.extend(queries.overlap_conditions(has_span, date_fields[0].prop,
                                                             open_end=kind is CONTROL))
        if kw.get("source"):
            conditions.append(queries.cites_condition("source"))
            values["source"] = str(kw["source"])
        key = kw["sort_by"].value
        direction = "DESC" if kw["order"] is Order.DESC else "ASC"
        order = [f"n.{key} IS NULL", f"n.{key} {direction}", "n.id"]
        rows = await info.context.read(queries.list_query(kind.name, conditions, order), **values)
        total = rows[0]["total"] if rows else 0
        page = [wrap(NodeData(kind.name, p)) for p in (rows[0]["page"] if rows else [])]
        edges = [edge(cursor=encode_cursor(skip + i), node=n) for i, n in enumerate(page)]
        return conn(
            edges=edges, nodes=page, total_count=total,
            page_info=PageInfo(
                has_next_page=skip + len(page) < total, has_previous_page=skip > 0,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    signature = [inspect.Parameter("root", inspect.Parameter.POSITIONAL_OR_KEYWORD),
                 inspect.Parameter("info", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                   annotation=Info)]
    signature += [p.replace(name=name) for name, p in params.items()]
    resolve.__signature__ = inspect.Signature(signature, return_annotation=conn)  # type: ignore[attr-defined]
    resolve.__annotations__ = {p.name: p.annotation for p in signature[1:]} | {"return": conn}
    return strawberry.field(resolver=resolve, description=f"{kind.description} A filtered, "
                            "sorted page, with the total count.")


def _lookup_field(kind: Kind) -> Any:
    node_type = getattr(nodes, kind.gql)

    async def resolve(root: Any, info: Info[Context, None], id: strawberry.ID) -> Any:
        node = await info.context.node(str(id))
        return wrap(node) if node is not None and node.label == kind.name else None

    resolve.__annotations__ = {"info": Info, "id": strawberry.ID, "return": node_type | None}
    return strawberry.field(resolver=resolve,
                            description=f"One {kind.gql} by id, or null if there is none.")


# -- hand-written questions -------------------------------------------------------------------

@strawberry.type(description="A step of a connection between two entities.")
class PathStep:
    type: str = strawberry.field(description="The relationship type, e.g. OF_PLACE.")
    from_id: strawberry.ID = strawberry.field(name="from", description="Where it starts.")
    to_id: strawberry.ID = strawberry.field(name="to", description="Where it points.")


@strawberry.type(description="The shortest chain of relationships between two entities.")
class ConnectionPath:
    length: int = strawberry.field(description="How many relationships long the chain is.")
    nodes: list[Node] = strawberry.field(description="The nodes along the chain, in order.")
    steps: list[PathStep] = strawberry.field(description="The relationships along the chain.")


@strawberry.type(description="Every source's claims about one entity, side by side.")
class ClaimsAbout:
    entity: Entity = strawberry.field(description="What the claims are about.")
    claims: list[nodes.Claim] = strawberry.field(  # type: ignore[name-defined]
        description="The claims, grouped by stance, each attributed.")
    stances: list[str] = strawberry.field(
        description="The distinct stances: more than one means the sources disagree.")
    disputed: bool = strawberry.field(description="Whether the claims take different stances.")


@strawberry.type(description="A place a party held on a day, and the facts that say so.")
class PartyHolding:
    place: nodes.Place = strawberry.field(description="The place.")  # type: ignore[name-defined]
    control: nodes.ControlPeriod = strawberry.field(  # type: ignore[name-defined]
        description="The control period in force that day.")
    majority: nodes.Composition | None = strawberry.field(  # type: ignore[name-defined]
        description="The composition giving the party the majority in the controlling body "
        "(null when the party itself is the controller).")


REL_TYPES = sorted({f.rel for k in KINDS for f in k.refs if f.rel})


def _lucene(text: str) -> str:
    """A forgiving full-text query: each word as typed, as a prefix, and within two edits."""
    words = re.findall(r"[a-z0-9]+", unidecode(text).lower())
    if not words:
        raise UserInputError("search text must contain letters or digits")
    parts = []
    for w in words:
        fuzzy = f"{w}~1" if len(w) <= 5 else f"{w}~2"
        parts.append(f"({w}^4 OR {w}*^2 OR {fuzzy})")
    return " AND ".join(parts)


def _primed(context: Context, label: str, rel: str, row: dict[str, Any]) -> Any:
    """A fact fetched with its `rel` targets and citations: prime the loaders with them."""
    fact = row["fact"]
    targets = [t for t in row["by"] if t["props"] is not None]
    context.prime_outgoing(label, rel, fact["id"], targets)
    context.prime_citations(label, fact["id"], [c for c in row["citations"] if c["source"]])
    return wrap(NodeData(label, fact))


@strawberry.type(description="The questions revgraph answers.")
class Query:
    @strawberry.field(description="Entities whose name or alias matches, forgiving of case, "
                      "diacritics, transliteration and misspelling; best first.")
    async def search(self, info: Info[Context, None], text: str, limit: int = 10) -> list[Entity]:
        if not 0 < limit <= MAX_PAGE:
            raise UserInputError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
        rows = await info.context.read(queries.SEARCH_INDEX_QUERY, lucene=_lucene(text),
                                       limit=limit, labels=LABELS)
        folded = unidecode(text).lower().strip()
        exact = [r for r in rows if folded in (r["props"].get("searchText") or "").split(" | ")]
        ranked = exact + [r for r in rows if r not in exact]
        return [wrap(NodeData(r["label"], r["props"])) for r in ranked[:limit]]

    @strawberry.field(description="One place by id.")
    async def place(self, info: Info[Context, None], id: strawberry.ID) -> nodes.Place | None:  # type: ignore[name-defined]
        node = await info.context.node(str(id))
        return wrap(node) if node is not None and node.label == "Place" else None

    @strawberry.field(description="Who controlled a place: on a day (in either calendar), or "
                      "without `on` the whole timeline, oldest first. Periods that overlap are "
                      "marked disputed; each cites its sources.")
    async def control_of(self, info: Info[Context, None], place: strawberry.ID,
                         on: date | None = None,
                         calendar: Calendar = d.Calendar.GREGORIAN,  # type: ignore[valid-type]
                         ) -> list[nodes.ControlPeriod]:  # type: ignore[name-defined]
        rows = await info.context.read(queries.CONTROL_OF, place=str(place),
                                       on=_greg(on, calendar), labels=LABELS)
        if not rows:
            raise UserInputError(f"unknown place id {place!r}: use search(text:) to find it")
        return [_primed(info.context, "Control", "BY", p) for p in rows[0]["periods"]]

    @strawberry.field(description="Places that saw armed fighting between two days (in either "
                      "calendar), each with its events, oldest first.")
    async def places_with_fighting(
        self, info: Info[Context, None],
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        calendar: Calendar = d.Calendar.GREGORIAN,  # type: ignore[valid-type]
    ) -> list[nodes.FightingAtPlace]:  # type: ignore[name-defined]
        start, end = _greg(from_, calendar), _greg(to, calendar)
        if start and end and end < start:
            raise UserInputError("`to` is before `from`")
        rows = await info.context.read(queries.FIGHTING_AT_PLACES, **{"from": start, "to": end})
        return [nodes.FightingAtPlace(
            place=wrap(NodeData("Place", r["place"])),
            events=[wrap(NodeData("Event", e)) for e in r["events"]],
        ) for r in rows]

    @strawberry.field(description="The places a party held on a day (in either calendar): those "
                      "whose controller then was the party, or a soviet or committee in which, "
                      "by its latest stated composition, the party had the majority.")
    async def places_held(
        self, info: Info[Context, None], party: strawberry.ID, on: date,
        calendar: Calendar = d.Calendar.GREGORIAN,  # type: ignore[valid-type]
    ) -> list[PartyHolding]:
        node = await info.context.node(str(party))
        if node is None or node.label != "Party":
            raise UserInputError(f"unknown party id {party!r}: try parties {{ nodes {{ id }} }}")
        rows = await info.context.read(queries.PLACES_HELD_BY_PARTY, party=str(party),
                                       on=_greg(on, calendar))
        return [PartyHolding(
            place=wrap(NodeData("Place", r["place"])),
            control=wrap(NodeData("Control", r["control"])),
            majority=wrap(NodeData("Composition", r["majority"])) if r["majority"] else None,
        ) for r in rows]

    @strawberry.field(description="Any entity or fact by id.")
    async def node(self, info: Info[Context, None], id: strawberry.ID) -> Node | None:
        return wrap(await info.context.node(str(id)))

    @strawberry.field(description="Every source's claims about one entity, side by side, each "
                      "attributed; `disputed` when they take different stances.")
    async def claims_about(self, info: Info[Context, None], id: strawberry.ID) -> ClaimsAbout:
        rows = await info.context.read(queries.CLAIMS_ABOUT, id=str(id), labels=LABELS)
        if not rows:
            raise UserInputError(f"unknown entity id {id!r}")
        row = rows[0]
        claims = [_primed(info.context, "Claim", "BY", c) for c in row["claims"]]
        stances = sorted({c["fact"]["stance"] for c in row["claims"]})
        return ClaimsAbout(entity=wrap(NodeData(row["label"], row["entity"])), claims=claims,
                           stances=stances, disputed=len(stances) > 1)

    @strawberry.field(description="The shortest chain of relationships between two entities "
                      f"(citations aside), at most {MAX_PATH} long; null if none.")
    async def connection(
        self, info: Info[Context, None],
        from_: Annotated[strawberry.ID, strawberry.argument(name="from")],
        to: strawberry.ID, max_length: int = 6,
    ) -> ConnectionPath | None:
        if not 1 <= max_length <= MAX_PATH:
            raise UserInputError(f"maxLength must be between 1 and {MAX_PATH}")
        if from_ == to:
            raise UserInputError("`from` and `to` are the same entity")
        rows = await info.context.read(queries.shortest_path(REL_TYPES, max_length),
                                       **{"from": str(from_), "to": str(to), "labels": LABELS})
        if not rows:
            return None
        row = rows[0]
        return ConnectionPath(
            length=len(row["rels"]),
            nodes=[wrap(NodeData(n["label"], n["props"])) for n in row["nodes"]],
            steps=[PathStep(type=r["type"], from_id=r["from"], to_id=r["to"])
                   for r in row["rels"]],
        )


def _derive_query() -> type:
    """Query, plus a lookup and a list for every kind of the model."""
    ns: dict[str, Any] = {"__module__": __name__}
    for kind in KINDS:
        lookup = kind.gql[0].lower() + kind.gql[1:]
        if lookup != "place":
            ns[lookup] = _lookup_field(kind)
        assert kind.plural
        ns[kind.plural] = _list_field(kind)
    cls = type("Query", (Query,), ns)
    return strawberry.type(cls, description="The questions revgraph answers.")


RootQuery = _derive_query()
__all__ = ["RootQuery"]
