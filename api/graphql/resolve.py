"""What the generated types' fields do: walk a relationship, walk one backwards, look a node
up, page through a filtered list. Each is batched or one round trip; the Cypher is graph/'s."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from strawberry.types import Info
from unidecode import unidecode

from api.graphql.context import LABELS, Context, NodeData
from api.graphql.inputs import UserInputError, to_gregorian
from api.graphql.prefetch import Plan, node_selections, wants
from api.graphql.registry import wrap
from api.graphql.types import Connection, Edge, Order, PageInfo
from api.graphql.walks import Unreadable, WalkKey, Window, walk_key, window
from graph import queries, select
from schema import dates as d
from schema.model import Kind
from schema.walks import Walk

MAX_PAGE = 100
DEFAULT_PAGE = 20


def _prefetched(root: Any, key: WalkKey) -> list[NodeData] | None:
    pre = root._n.pre
    return None if pre is None else pre.get(key)


# The walking resolvers are plain functions: what the question fetched with the node is
# returned at once (no future per field); anything else is a coroutine on the loaders, which
# graphql-core awaits. Every walk is declared in schema/walks.py, its arguments read by
# api/graphql/walks.py.

def one(info: Info[Context, None], root: Any, walk: Walk) -> Any:
    got = _prefetched(root, walk_key(walk.name))
    if got is not None:
        return wrap(got[0]) if got else None
    return _one(info, root, walk)


async def _one(info: Info[Context, None], root: Any, walk: Walk) -> Any:
    nodes = await info.context.outgoing(walk.kind, walk.field, root._n.id)
    return wrap(nodes[0]) if nodes else None


def many(info: Info[Context, None], root: Any, walk: Walk,
         args: Mapping[str, Any] | None = None) -> Any:
    """The nodes of a walk that returns a list: forwards in the files' order, or backwards
    (the records whose field points at ``root``), with the window of days ``args`` (the
    walk's arguments by GraphQL name) ask."""
    try:
        days = window(walk, args or {})
    except Unreadable as exc:
        raise UserInputError(exc.message) from None
    got = _prefetched(root, walk_key(walk.name, days))
    if got is not None:
        return [wrap(n) for n in got]
    return _many(info, root, walk, days)


async def _many(info: Info[Context, None], root: Any, walk: Walk, days: Window) -> list[Any]:
    if walk.reverse:
        nodes = await info.context.incoming(walk, root._n.id, days)
    else:
        nodes = await info.context.outgoing(walk.kind, walk.field, root._n.id)
    return [wrap(n) for n in nodes]


async def lookup(info: Info[Context, None], kind: Kind, node_id: str) -> Any:
    """One node of ``kind`` with everything selected below it, in one round trip."""
    plan = Plan()
    shape, reader = plan.shape(kind, node_selections(info.selected_fields[0], connection=False))
    rows = await info.context.read(select.node_by_id(kind, shape), id=str(node_id),
                                   labels=LABELS, **plan.params)
    return wrap(reader.node(rows[0]["node"])) if rows else None


async def facts(info: Info[Context, None], root: Any) -> list[Any]:
    return [wrap(n) for n in await info.context.citing(root._n.id)]


# -- pages (the mentions of a document keep offset cursors: api/graphql/documents.py) ------------------







@dataclass(frozen=True)
class Position:
    """Where a list page ended: the last row's sort value (None: it had none) and id."""

    key: Any
    id: str


def _sort_token(kind: Kind, sort_by: Enum, order: Order) -> str:
    return f"{kind.name}.{sort_by.name}.{order.value}"


def encode_position(kind: Kind, sort_by: Enum, order: Order, key: Any, node_id: str) -> str:
    """A keyset cursor: the sort it belongs to, the row's sort value (a date tagged as one)
    and its id, as base64 of JSON."""
    if hasattr(key, "iso_format"):  # a neo4j.time.Date
        key = key.to_native()
    value = {"date": key.isoformat()} if isinstance(key, date) else key
    text = json.dumps(["keyset", _sort_token(kind, sort_by, order), value, node_id],
                      separators=(",", ":"), ensure_ascii=False)
    return base64.b64encode(text.encode()).decode()


def decode_position(cursor: str | None, kind: Kind, sort_by: Enum, order: Order) -> Position | None:
    """The position an ``after`` cursor names; a clear error for one that is not this API's or
    that belongs to another sort or order (its position means nothing in this one)."""
    if cursor is None:
        return None
    try:
        if len(cursor) > 16_000:  # a cursor holds one sort value: a name is at most MAX_TEXT
            raise ValueError
        tag, sort, value, node_id = json.loads(base64.b64decode(cursor.encode(), validate=True))
        if tag != "keyset" or not isinstance(sort, str) or not isinstance(node_id, str):
            raise ValueError
        if isinstance(value, dict):
            value = date.fromisoformat(value["date"])
        elif not isinstance(value, str | int | float | None) or isinstance(value, bool):
            raise ValueError
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, binascii.Error):
        raise UserInputError(f"invalid cursor {cursor!r:.60}: use a cursor this API returned") from None
    want = _sort_token(kind, sort_by, order)
    if sort != want:
        got_kind, _, rest = sort.partition(".")
        got_sort, _, got_order = rest.partition(".")
        raise UserInputError(
            f"this cursor belongs to a list of {got_kind} sorted by {got_sort} {got_order}, not "
            f"of {kind.name} sorted by {sort_by.name} {order.value}: ask with the sortBy and "
            "order it came with, or leave out `after` to start from the first page")
    if value is None and not queries.sort_is_nullable(kind, sort_by.value):
        raise UserInputError(f"invalid cursor {cursor!r:.60}: use a cursor this API returned")
    return Position(value, node_id)


def _conditions(kind: Kind, name: str | None, filters: dict[str, Any], since: date | None,
                until: date | None, calendar: d.Calendar,
                source: str | None) -> tuple[list[str], dict[str, Any], str | None]:
    """The Cypher predicates of a list's filters, their parameters, and where the page starts
    from: the first filter on a related node (``queries.ref_start``), or None for the sort
    key's index."""
    conditions: list[str] = []
    values: dict[str, Any] = {}
    start: str | None = None
    if name:
        conditions.append(queries.name_condition("name"))
        values["name"] = unidecode(name).lower()
    for field_name, value in filters.items():
        if value is None:
            continue
        f = kind.field(field_name)
        param = f"f_{field_name}"
        if f.is_ref:
            from_here = queries.ref_start(kind, f, param) if start is None else None
            if from_here is not None:
                start = from_here
            else:
                conditions.append(queries.ref_condition(kind, f, param))
            values[param] = str(value)
        else:
            conditions.append(queries.prop_condition(f, param))
            values[param] = value.value if isinstance(value, Enum) else value
    values["from"] = to_gregorian(since, calendar)
    values["to"] = to_gregorian(until, calendar)
    if values["from"] is not None or values["to"] is not None:
        conditions.append(queries.overlap_condition(kind))
    if source:
        conditions.append(queries.cites_condition("source"))
        values["source"] = str(source)
    return conditions, values, start


async def page(info: Info[Context, None], kind: Kind, *, name: str | None,
               filters: dict[str, Any], since: date | None, until: date | None,
               calendar: d.Calendar, source: str | None, sort_by: Enum, order: Order,
               first: int, after: str | None) -> Connection[Any]:
    """A filtered, sorted page of ``kind``; ``filters`` maps a field's name to the value
    asked for (None: not asked). Each node comes with everything selected below it, in the
    same query (api/graphql/prefetch.py).

    Keyset pagination: the page is the ``first`` rows after the cursor's (sort value, id),
    found through the sort key's index; one row more says whether a next page exists. Nodes
    without the sort value come after all the others, in both orders, by id. The total is
    counted only when the request selects ``totalCount``."""
    if first < 0 or first > MAX_PAGE:
        raise UserInputError(f"first must be between 0 and {MAX_PAGE}, got {first}")
    position = decode_position(after, kind, sort_by, order)
    conditions, values, start = _conditions(kind, name, filters, since, until, calendar, source)
    prop, descending = str(sort_by.value), order is Order.DESC
    plan = Plan()
    shape, reader = plan.shape(kind, node_selections(info.selected_fields[0], connection=True))
    projection = select.projection("n", shape)
    values |= plan.params
    values["labels"] = LABELS
    want = first + 1
    # The total, when selected, is counted by the page's first query (one round trip).
    counted = wants(info.selected_fields[0], "totalCount")
    total: int | None = None

    async def read(cypher: str, **params: Any) -> list[dict[str, Any]]:
        nonlocal total
        got = (await info.context.read(cypher, **values, **params))[0]  # one row: the page
        if counted and total is None:
            total = int(got["total"])
        rows: list[dict[str, Any]] = got["rows"]
        return rows

    rows: list[dict[str, Any]] = []
    in_nulls = position is not None and position.key is None
    if not in_nulls:
        rows = await read(
            queries.list_query(kind, conditions, prop, descending, projection=projection,
                               after=position is not None, total=counted, start=start),
            limit=want, key=position and position.key, id=position and position.id)
    if len(rows) < want and queries.sort_is_nullable(kind, prop):
        rows += await read(
            queries.list_query(kind, conditions, prop, descending, projection=projection,
                               nulls=True, total=counted and total is None, start=start),
            limit=want - len(rows), id=position.id if position and in_nulls else "")
    shown = rows[:first]
    nodes = [wrap(reader.node(r["props"])) for r in shown]

    def cursor(r: dict[str, Any]) -> str:
        return encode_position(kind, sort_by, order, r["key"], r["id"])

    # Cursors only where asked for: encoding one per row was a visible share of a page.
    edges = ([Edge(cursor=cursor(r), node=n) for r, n in zip(shown, nodes, strict=True)]
             if wants(info.selected_fields[0], "edges") else [])

    async def count() -> int:
        found = await info.context.read(queries.count_query(kind, conditions, start), **values)
        return int(found[0]["total"]) if found else 0

    return Connection(
        edges=edges, nodes=nodes, count=count, known_total=total,
        page_info=PageInfo(
            has_next_page=len(rows) > first, has_previous_page=position is not None,
            start_cursor=cursor(shown[0]) if shown else None,
            end_cursor=cursor(shown[-1]) if shown else None,
        ),
    )
