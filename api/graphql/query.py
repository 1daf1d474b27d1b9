"""The Query root: the API contract (search, place, controlOf, placesWithFighting), and
around it a lookup and a filtered, sorted, paginated list for every kind
(``api/graphql/generated.py``), claims side by side, the places a party held, and the shortest
connection between two entities."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from unidecode import unidecode

from api.graphql import documents
from api.graphql import generated as g
from api.graphql.context import LABELS, Context, NodeData
from api.graphql.inputs import UserInputError, lucene, to_gregorian
from api.graphql.prefetch import Plan, Reader, field_selections
from api.graphql.registry import wrap
from api.graphql.resolve import MAX_PAGE
from api.graphql.types import Calendar, Entity, Node
from api.graphql.walks import walk_key
from graph import queries, select
from schema import dates as d
from schema.model import (
    CLAIM,
    COMPOSITION,
    CONTROL,
    EVENT,
    KINDS,
    PARTY,
    PLACE,
    SEARCH_TEXT,
    Field,
    Kind,
)

MAX_PATH = 8
GREGORIAN = d.Calendar.GREGORIAN


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
    claims: list[g.Claim] = strawberry.field(
        description="The claims, grouped by stance, each attributed.")
    stances: list[str] = strawberry.field(
        description="The distinct stances: more than one means the sources disagree.")
    disputed: bool = strawberry.field(description="Whether the claims take different stances.")


@strawberry.type(description="A place a party held on a day, and the facts that say so.")
class PartyHolding:
    place: g.Place = strawberry.field(description="The place.")
    control: g.ControlPeriod = strawberry.field(description="The control period in force that day.")
    majority: g.Composition | None = strawberry.field(
        description="The composition giving the party the majority in the controlling body "
        "(null when the party itself is the controller).")


REL_TYPES = sorted({f.rel for k in KINDS for f in k.refs if f.rel})


@strawberry.type(description="A place that saw armed fighting, with the events.")
class FightingAtPlace:
    place: g.Place = strawberry.field(description="Where.")
    events: list[g.Event] = strawberry.field(description="The fighting there, oldest first.")


def _primed(kind: Kind, f: Field, row: dict[str, Any]) -> Any:
    """A fact fetched with its ``f`` targets and citations, which it carries: its ``f`` field
    and ``citations`` answer from them, without a loader."""
    targets = [NodeData(t["label"], t["props"]) for t in row["by"] if t["props"] is not None]
    return wrap(NodeData(kind.name, row["fact"], pre={walk_key(f.camel): targets},
                         cited=[c for c in row["citations"] if c["source"]]))


def _fighting_shapes(info: Info[Context, None]) -> tuple[dict[str, str], dict[str, Any],
                                                           Reader, Reader]:
    """The projections of the places and events a placesWithFighting question selects (and
    the parameters their walks use), with the readers that file the rows back into nodes."""
    plan, selected = Plan(), info.selected_fields[0]
    place, place_reader = plan.shape(PLACE, field_selections(selected, "place"))
    event, event_reader = plan.shape(EVENT, field_selections(selected, "events"))
    shaped = {"place": select.projection("p", place), "event": select.projection("e", event)}
    return shaped, {**plan.params, "labels": LABELS}, place_reader, event_reader


# A page of placesWithFighting over a range of at most this many months seeks each month's
# fighting (graph/queries.py fighting_by_month: a cost of months x page size); a longer or open
# range walks the places in name order instead.
MONTHS_BY_MONTH = 120


async def _fighting_page(context: Context, params: dict[str, Any], first: int | None,
                         after: strawberry.ID | None, shaped: dict[str, str]) -> list[dict[str, Any]]:
    if first is None or not 0 < first <= MAX_PAGE:
        raise UserInputError(f"give `first` between 1 and {MAX_PAGE} to page the places "
                             f"(got {first}); `after` alone pages nothing")
    start, end = params["from"], params["to"]
    m0 = None if start is None else d.month_number(start)
    m1 = None if end is None else d.month_number(end)
    if m0 is not None and m1 is not None and m1 - m0 < MONTHS_BY_MONTH:
        query = queries.fighting_by_month(after is not None, **shaped)
        params = {**params, **queries.by_month_params(m0, m1)}
    else:  # an open range: walk the places in name order
        query = queries.fighting_page(after is not None, **shaped)
    row = (await context.read(query, **params, first=first,
                              after=None if after is None else str(after)))[0]
    if not row["known"] and after is not None:
        raise UserInputError(f"unknown place id {after!r} for `after`: give the id of the last "
                             "place of the previous page")
    places: list[dict[str, Any]] = row["places"]
    return places


def _greg(day: date | None, calendar: d.Calendar) -> date | None:
    return to_gregorian(day, calendar)


@strawberry.type(description="The questions revgraph answers.")
class Query(g.KindQueries):
    search_passages = strawberry.field(
        resolver=documents.search_passages, name="searchPassages",
        description="Passages of the documents whose text matches, forgiving of case, "
        "diacritics and misspelling (Neo4j's full-text index); best first.")

    @strawberry.field(description="Entities whose name or alias matches, forgiving of case, "
                      "diacritics, transliteration and misspelling; best first.")
    async def search(self, info: Info[Context, None], text: str, limit: int = 10) -> list[Entity]:
        if not 0 < limit <= MAX_PAGE:
            raise UserInputError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
        rows = (await info.context.read(queries.SEARCH, lucene=lucene(text),
                                        limit=limit, labels=LABELS))[0]["hits"]
        folded = unidecode(text).lower().strip()
        exact = [r for r in rows if folded in (r["props"].get(SEARCH_TEXT) or "").split(" | ")]
        ranked = exact + [r for r in rows if r not in exact]
        return [wrap(NodeData(r["label"], r["props"])) for r in ranked[:limit]]

    @strawberry.field(description="Who controlled a place: on a day (in either calendar), or "
                      "without `on` the whole timeline, oldest first. Periods that overlap are "
                      "marked disputed; each cites its sources.")
    async def control_of(self, info: Info[Context, None], place: strawberry.ID,
                         on: date | None = None,
                         calendar: Calendar = GREGORIAN,
                         ) -> list[g.ControlPeriod]:
        rows = await info.context.read(queries.CONTROL_OF, place=str(place),
                                       on=_greg(on, calendar), labels=LABELS)
        if not rows:
            raise UserInputError(f"unknown place id {place!r}: use search(text:) to find it")
        return [_primed(CONTROL, CONTROL.field("controller"), p)
                for p in rows[0]["periods"]]

    @strawberry.field(description="Places that saw armed fighting between two days (in either "
                      "calendar), by name, each with its events, oldest first. All of them, or "
                      "with `first` a page: the next page starts `after` the last place's id.")
    async def places_with_fighting(
        self, info: Info[Context, None],
        from_: Annotated[date | None, strawberry.argument(name="from")] = None,
        to: date | None = None,
        calendar: Calendar = GREGORIAN,
        first: Annotated[int | None, strawberry.argument(
            description=f"At most this many places (1-{MAX_PAGE}); all of them without it.")] = None,
        after: Annotated[strawberry.ID | None, strawberry.argument(
            description="The id of the last place of the previous page.")] = None,
    ) -> list[FightingAtPlace]:
        start, end = _greg(from_, calendar), _greg(to, calendar)
        if start and end and end < start:
            raise UserInputError("`to` is before `from`")
        shaped, walked, places, events = _fighting_shapes(info)
        params = {"from": start, "to": end, **walked}
        if first is None and after is None:
            rows = (await info.context.read(queries.fighting_at_places(**shaped),
                                            **params))[0]["places"]
        else:
            rows = await _fighting_page(info.context, params, first, after, shaped)
        return [FightingAtPlace(place=wrap(places.node(r["place"])),
                                events=[wrap(events.node(e)) for e in r["events"]])
                for r in rows]

    @strawberry.field(description="The places a party held on a day (in either calendar): those "
                      "whose controller then was the party, or a soviet or committee in which, "
                      "by its latest stated composition, the party had the majority.")
    async def places_held(
        self, info: Info[Context, None], party: strawberry.ID, on: date,
        calendar: Calendar = GREGORIAN,
    ) -> list[PartyHolding]:
        node = await info.context.node(str(party))
        if node is None or node.label != PARTY.name:
            raise UserInputError(f"unknown party id {party!r}: try parties {{ nodes {{ id }} }}")
        rows = await info.context.read(queries.PLACES_HELD_BY_PARTY, party=str(party),
                                       on=_greg(on, calendar))
        return [PartyHolding(
            place=wrap(NodeData(PLACE.name, r["place"])),
            control=wrap(NodeData(CONTROL.name, r["control"])),
            majority=wrap(NodeData(COMPOSITION.name, r["majority"])) if r["majority"] else None,
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
        claims = [_primed(CLAIM, CLAIM.field("by"), c) for c in row["claims"]]
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
