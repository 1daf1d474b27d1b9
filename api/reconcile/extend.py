"""Data extension: for each reconciled id, the values of the properties asked for (0.2
``extend={"ids": [...], "properties": [{"id": ..., "settings": {...}}]}``).

A batch of ids costs one round trip to read the nodes, then one per property that walks the
graph, for all ids at once, all of them concurrently: who held each place on a day is one
query (graph/queries.py ``incoming``, the same as GraphQL's ``place.control(on:)``), whatever
the number of rows. Dates are written in the calendar the ``calendar`` setting names; ``on``
is read in it too.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from api.exports.dates import nested
from api.graphql.context import LABELS, Context
from api.reconcile.service import CALENDAR, MAX_BATCH, ON, Prop, prop
from graph import entity, queries
from schema import dates as d
from schema.errors import InputError
from schema.model import KIND_BY_LABEL, PARTY, PERSON, PLACE, Field
from schema.walks import walks

Value = dict[str, Any]


@dataclass(frozen=True)
class Asked:
    prop: Prop
    on: date | None  # Gregorian
    on_text: str
    calendar: str

    @property
    def name(self) -> str:
        style = "O.S." if self.calendar == "julian" else "N.S."
        when = f" on {self.on_text} {style}" if self.on is not None else ""
        return f"{self.prop.name}{when}"


def parse(raw: Any) -> tuple[list[str], list[Asked]]:
    if not isinstance(raw, dict) or not isinstance(raw.get("ids"), list) \
            or not isinstance(raw.get("properties"), list):
        raise InputError('extend must be {"ids": [...], "properties": [{"id": ...}]}')
    ids = [str(i) for i in raw["ids"]]
    if len(ids) > MAX_BATCH * 10:
        raise InputError(f"{len(ids)} ids in one request; send at most {MAX_BATCH * 10}")
    asked = []
    for p in raw["properties"]:
        if not isinstance(p, dict) or not isinstance(p.get("id"), str):
            raise InputError('each property to fetch is {"id": ..., "settings": {...}}')
        asked.append(_asked(prop(p["id"]), p.get("settings") or {}))
    return ids, asked


def _asked(p: Prop, settings: Any) -> Asked:
    if not isinstance(settings, dict):
        raise InputError(f"{p.id}: settings must be an object")
    calendar = str(settings.get(CALENDAR.name) or CALENDAR.default).lower()
    if calendar not in {v for v, _ in CALENDAR.choices}:
        raise InputError(f"{p.id}: calendar {calendar!r}: use one of "
                         f"{', '.join(v for v, _ in CALENDAR.choices)}")
    on_text = str(settings.get(ON.name) or "").strip()[:10]
    on = None
    if on_text:
        read_in = d.Calendar.JULIAN if calendar == "julian" else d.Calendar.GREGORIAN
        try:
            on = d.parse_iso(on_text, read_in)
        except d.DateError as exc:
            raise InputError(f"{p.id}: the day {on_text!r}: {exc}") from None
    return Asked(p, on, on_text, calendar)


def date_value(dates: dict[str, str] | None, calendar: str) -> list[Value]:
    """A date as a string: EDTF (Gregorian), the Julian day (or its first and last), or as
    the source stated it."""
    if dates is None:
        return []
    if calendar == "stated":
        return [{"str": dates["text"]}]
    if calendar == "julian":
        one = dates["julian"] == dates["latestJulian"]
        return [{"str": dates["julian"] if one else f"{dates['julian']}/{dates['latestJulian']}"}]
    return [{"str": dates["edtf"]}]


def _entity(props: dict[str, Any]) -> Value:
    return {"id": str(props["id"]), "name": str(props.get("name") or props["id"])}


def _scalar(f: Field, value: Any) -> list[Value]:
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    if f.type == "int":
        return [{"int": int(v)} for v in values]
    if f.type == "float":
        return [{"float": float(v)} for v in values]
    return [{"str": ("true" if v else "false") if isinstance(v, bool) else str(v)}
            for v in values]


async def extend(context: Context, ids: list[str], asked: list[Asked]) -> dict[str, Any]:
    """The extension response: ``meta`` (each property's id, name and, for entities, type)
    and ``rows`` (by id, by property, the values)."""
    rows = await context.read(queries.NODES_BY_ID, ids=ids, labels=LABELS)
    nodes = {r["key"]: r for r in rows}
    columns = await asyncio.gather(*(_column(context, a, nodes) for a in asked))
    out_rows = {i: {a.prop.id: col.get(i, []) for a, col in zip(asked, columns, strict=True)}
                for i in ids}
    return {"meta": [_meta(a) for a in asked], "rows": out_rows}


def _meta(a: Asked) -> dict[str, Any]:
    meta: dict[str, Any] = {"id": a.prop.id, "name": a.name}
    target = _entity_type(a.prop)
    if target:
        meta["type"] = {"id": target, "name": target}
    return meta


def _entity_type(p: Prop) -> str | None:
    """The type of the entities a property gives, when they are of one kind."""
    if p.id in ("majority", "party"):
        return PARTY.name
    if p.field is not None and p.field.is_ref and len(p.field.targets) == 1:
        return p.field.targets[0]
    return None


async def _column(context: Context, a: Asked, nodes: dict[str, dict[str, Any]]
                  ) -> dict[str, list[Value]]:
    """The values of one property for every id."""
    p = a.prop
    of_kind = [i for i, n in nodes.items() if n["label"] in p.kinds]
    if not of_kind:
        return {}
    if p.id in ("controller", "alignment"):
        return await _control(context, a, of_kind)
    if p.id in ("composition", "majority"):
        return await _composition(context, a, of_kind)
    if p.id == "party":
        return await _parties(context, a, of_kind)
    if p.id == "coordinates":
        return {i: [{"str": f"{nodes[i]['props']['lat']},{nodes[i]['props']['lon']}"}]
                for i in of_kind}
    f = p.field
    assert f is not None
    if f.is_ref:
        return await _refs(context, f, nodes, of_kind)
    if f.type == "date":
        return {i: date_value(nested(nodes[i]["props"], f.prop), a.calendar) for i in of_kind}
    return {i: _scalar(f, nodes[i]["props"].get(f.prop)) for i in of_kind}


async def _refs(context: Context, f: Field, nodes: dict[str, dict[str, Any]],
                ids: list[str]) -> dict[str, list[Value]]:
    by_label: dict[str, list[str]] = defaultdict(list)
    for i in ids:
        by_label[nodes[i]["label"]].append(i)
    out: dict[str, list[Value]] = {}
    for label, group in by_label.items():
        kind = KIND_BY_LABEL[label]
        rows = await context.read(queries.outgoing(kind, kind.field(f.name)), ids=group,
                                  labels=LABELS)
        for r in rows:
            out.setdefault(r["key"], []).append(_entity(r["props"]))
    return out


async def _control(context: Context, a: Asked, ids: list[str]) -> dict[str, list[Value]]:
    """Who held each place (or on which side), on the day or over time, oldest first."""
    rows = await context.read(queries.incoming(walks(PLACE.name)["control"]), ids=ids,
                              since=a.on, until=a.on, labels=LABELS)
    out: dict[str, list[Value]] = defaultdict(list)
    for r in rows:
        if a.prop.id == "alignment":
            out[r["key"]].append({"str": str(r["props"]["alignment"])})
        else:
            out[r["key"]] += [_entity(t["props"]) for t in r["refs"]["controller"]]
    return out


async def _composition(context: Context, a: Asked, ids: list[str]) -> dict[str, list[Value]]:
    rows = await context.read(entity.COMPOSITION_ON, ids=ids, on=a.on)
    out: dict[str, list[Value]] = {}
    for r in rows:
        shares = r["shares"]
        if a.prop.id == "majority":
            out[r["key"]] = [_entity(s["party"]) for s in shares if s["fact"].get("majority")]
        else:
            out[r["key"]] = [{"str": share_text(s, a.calendar)} for s in shares]
    return out


def share_text(share: dict[str, Any], calendar: str) -> str:
    """One party's share in words: "Bolsheviks: majority, 120 of 300 seats (1917-10-27)"."""
    fact = share["fact"]
    parts = []
    if fact.get("majority"):
        parts.append("majority")
    if fact.get("share") is not None:
        parts.append(f"{fact['share']:.0%}")
    if fact.get("seats") is not None:
        of = fact.get("ofTotal")
        parts.append(f"{fact['seats']} of {of} seats" if of else f"{fact['seats']} seats")
    if not parts and fact.get("description"):
        parts.append(str(fact["description"]))
    when = date_value(nested(fact, "date"), calendar)
    dated = f" ({when[0]['str']})" if when else ""
    return f"{share['party']['name']}: {', '.join(parts) or 'stated'}{dated}"


async def _parties(context: Context, a: Asked, ids: list[str]) -> dict[str, list[Value]]:
    rows = await context.read(queries.incoming(walks(PERSON.name)["roles"]), ids=ids,
                              since=a.on, until=a.on, labels=LABELS)
    out: dict[str, list[Value]] = defaultdict(list)
    for r in rows:
        for t in r["refs"]["organization"]:
            value = _entity(t["props"])
            if t["label"] == PARTY.name and value not in out[r["key"]]:
                out[r["key"]].append(value)
    return out
