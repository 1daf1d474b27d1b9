"""The GraphQL types every kind shares: dates in both calendars, citations, the Node, Entity
and Fact interfaces (their fields' descriptions taken from the model), and the generic Relay
connection. The per-kind types are in ``api/graphql/generated.py``."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypeVar

import strawberry
from strawberry.types import Info

from api.graphql.context import Context, NodeData
from api.graphql.registry import wrap
from api.graphql.spans import span_of
from schema import dates as d
from schema.model import ALIASES, ALIGNMENT_DOCS, CONFIDENCE_FIELD, ID, NAME, NOTE, SOURCE
from schema.model import Alignment as _Alignment

if TYPE_CHECKING:
    from api.graphql.generated import Source
    from api.graphql.spans import Span

# The model's enums, made GraphQL enums in place (strawberry.enum returns the class itself).
strawberry.enum(
    d.Calendar,
    description="The calendar a date is stated in. Russia used the Julian calendar (Old Style) "
    "until 31 January 1918; the next day was 14 February 1918 (Gregorian, New Style).",
)
strawberry.enum(d.Precision, name="DatePrecision",
                description="How precisely a source states a date: a day, a month, a year, or "
                "a RANGE known only between two bounds (see `earliest` and `latest`).")
strawberry.enum(_Alignment, description="Which side held power. "
                + " ".join(f"{k}: {v}" for k, v in ALIGNMENT_DOCS.items()))
Calendar = d.Calendar
DatePrecision = d.Precision
Alignment = _Alignment


def _serialize_date(value: date | str) -> str:
    # A Julian day may not exist as a Gregorian date (1900-02-29 O.S.): it is kept as text.
    return value if isinstance(value, str) else value.isoformat()


def _parse_date(value: object) -> date:
    if not isinstance(value, str):
        raise ValueError(f"expected a date as \"yyyy-mm-dd\", got {value!r:.40}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r:.40} is not a date as yyyy-mm-dd") from None


DateScalar = strawberry.scalar(
    name="Date", description="A day as yyyy-mm-dd (ISO 8601).",
    serialize=_serialize_date, parse_value=_parse_date,
)


class _Lazy:
    """Fields computed from a private ``_n`` when first read (each class's ``_reads``), so a
    long list pays only for the fields the question selects. api/graphql/execution.py reads
    ``_reads`` too, converting without the first read's miss."""

    _reads: ClassVar[dict[str, Callable[[Any], Any]]] = {}
    # strawberry.cast's mark, read for every object by strawberry's is_type_of: none here, and
    # answered by the class rather than by a miss through __getattr__.
    __as_strawberry_type__: ClassVar[None] = None

    @classmethod
    def _make(cls, n: Any) -> Any:
        """The object of ``n``; a field is converted when it is first read."""
        o = object.__new__(cls)
        o.__dict__["_n"] = n
        return o

    def __getattr__(self, name: str) -> Any:
        # Only for attributes not yet set: the fields (dataclass fields without defaults have
        # no class attribute, so each first read of one arrives here).
        read = type(self)._reads.get(name)
        n = self.__dict__.get("_n")
        if read is None or n is None:
            raise AttributeError(name)
        value = self.__dict__[name] = read(n)
        return value


@strawberry.type(description="One day, in both calendars.")
class Day:
    gregorian: date = strawberry.field(description="The day in the Gregorian calendar (New Style).")
    julian: date = strawberry.field(description="The same day in the Julian calendar (Old Style).")


def _day(when: date) -> Day:
    y, m, dd = d.gregorian_to_julian(when)
    # A Julian day may not exist as a Gregorian date (1900-02-29 O.S.): kept as text.
    return Day(gregorian=when, julian=f"{y:04d}-{m:02d}-{dd:02d}")  # type: ignore[arg-type]


@strawberry.type(description="A date shown in both calendars, with its precision and bounds: "
                 "the first and last day it may be.")
class HistoricalDate(_Lazy):
    _n: strawberry.Private[d.HistoricalDate]
    # The Julian day and the texts cost a conversion each: made only when selected.
    _reads: ClassVar[dict[str, Callable[[d.HistoricalDate], Any]]] = {
        "gregorian": lambda h: h.gregorian, "julian": lambda h: h.julian,
        "precision": lambda h: h.precision, "edtf": lambda h: h.edtf,
        "calendar": lambda h: h.calendar, "text": lambda h: h.text,
        "latest_gregorian": lambda h: h.latest,
        "earliest": lambda h: _day(h.earliest), "latest": lambda h: _day(h.latest),
    }
    gregorian: date = strawberry.field(
        description="The (first) day in the Gregorian calendar (New Style).")
    julian: date = strawberry.field(description="The same day in the Julian calendar (Old Style).")
    precision: d.Precision = strawberry.field(
        description="Whether the source gives a day, a month or a year, or only a range.")
    edtf: str = strawberry.field(
        description="Extended Date/Time Format (Library of Congress), Gregorian: a day, month or "
        "year; for a month or year stated in the Julian calendar the interval of its days; for "
        "a range, EDTF's 'one of a set', [first..last].")
    calendar: d.Calendar = strawberry.field(
        description="The calendar the source stated the date in.")
    text: str = strawberry.field(description='The date as stated, e.g. "1917-10-25 O.S.".')
    latest_gregorian: date = strawberry.field(
        description="The last day of the span (equals `gregorian` for a day).")
    earliest: Day = strawberry.field(
        description="The first day the date may be: the day itself, a month's or a year's first "
        "day, or a range's lower bound.")
    latest: Day = strawberry.field(
        description="The last day the date may be: the day itself, a month's or a year's last "
        "day, or a range's upper bound.")


def historical(node: NodeData, prop: str) -> HistoricalDate | None:
    """A stored date (its four properties) as the API shows it."""
    hd = d.HistoricalDate.from_graph(node.props, prop)
    return None if hd is None else HistoricalDate._make(hd)


@strawberry.type(description="A source cited for a fact, with the words it uses.")
class Citation:
    source: Annotated[Source, strawberry.lazy("api.graphql.generated")] = strawberry.field(
        description="The work cited.")
    quote: str | None = strawberry.field(
        description="A short passage copied verbatim from the source.")
    locator: str | None = strawberry.field(
        description="Page, chapter, section or article title, where known.")
    span: Annotated[Span, strawberry.lazy("api.graphql.spans")] | None = strawberry.field(
        default=None, description="Where the quotation stands in the source's document, with "
        "the text around it; null when the graph holds no text of the source.")


# The scalar fields of every kind's type are plain attributes to strawberry, which graphql-core
# reads through its fast path for fields without a resolver, instead of calling a resolver with
# its argument conversion and extension chain for each field of each item. They are computed
# from the node's properties when first read (``_Lazy``, with each type's ``_reads``), so that
# a long list pays only for the fields the question selects.

Read = Callable[[NodeData], Any]
# A resolver's field metadata: its answer from what the question fetched with the object, or
# None if it was not fetched (api/graphql/execution.py then needs no resolve info, no future).
PREFETCHED = "revgraph.prefetched"


@strawberry.interface(description="Anything in the graph with a stable id.")
class Node(_Lazy):
    _n: strawberry.Private[NodeData]
    _reads: ClassVar[dict[str, Read]] = {}  # each kind's type: its properties' conversions
    id: strawberry.ID = strawberry.field(description=ID.description)
    note: str | None = strawberry.field(description=NOTE.description)

    @strawberry.field(description="The sources cited for this node.",
                      metadata={PREFETCHED: lambda self: _prefetched_citations(self)})
    def citations(self, info: Info[Context, None]) -> list[Citation]:
        # Plain, not async: citations fetched with the node are answered at once.
        if self._n.cited is not None:
            return _citations(self._n.cited)
        return _load_citations(info, self._n)  # type: ignore[return-value]  # awaited by graphql-core


def _prefetched_citations(node: Node) -> list[Citation] | None:
    cited = node._n.cited
    return None if cited is None else _citations(cited)


def _citations(rows: list[dict[str, Any]]) -> list[Citation]:

    return [Citation(source=wrap(NodeData(SOURCE.name, r["source"])), quote=r["quote"],
                     locator=r["locator"], span=span_of(r)) for r in rows]


async def _load_citations(info: Info[Context, None], node: NodeData) -> list[Citation]:
    return _citations(await info.context.citations(node.kind, node.id))


@strawberry.interface(
    description="A person, place, party, organisation, soviet, event or source.")
class Entity(Node):
    name: str = strawberry.field(description=NAME.description)
    aliases: list[str] = strawberry.field(description=ALIASES.description)


@strawberry.enum(description=CONFIDENCE_FIELD.description)
class Confidence(Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


@strawberry.interface(
    description="A fact a source asserts: control of a place, a party's share in a soviet, a "
    "person's role, a participation, a figure or a claim. Every fact cites a source.")
class Fact(Node):
    confidence: Confidence = strawberry.field(description=CONFIDENCE_FIELD.description)


def _note(n: NodeData) -> str | None:
    note = n.props.get(NOTE.prop)
    return None if note is None else str(note)


NODE_READS: dict[str, Read] = {"id": lambda n: strawberry.ID(n.id), "note": _note}
ENTITY_READS: dict[str, Read] = {
    **NODE_READS, "name": lambda n: str(n.props.get(NAME.prop, "")),
    "aliases": lambda n: list(n.props.get(ALIASES.prop) or [])}
FACT_READS: dict[str, Read] = {
    **NODE_READS,
    "confidence": lambda n: Confidence(n.props.get(CONFIDENCE_FIELD.prop,
                                                   CONFIDENCE_FIELD.default))}


# -- pagination --------------------------------------------------------------------------------

@strawberry.type(description="Where a page sits in the whole list (Relay).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether more items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(description="The cursor of the first item.")
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item: pass it as `after` for the next page.")


T = TypeVar("T")


@strawberry.type(description="An item in a list, with its cursor.")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="Pass as `after` to get the items after this.")
    node: T = strawberry.field(description="The item.")


@strawberry.type(description="A page of a list, with the total count of all that match.")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The page, with cursors (Relay).")
    nodes: list[T] = strawberry.field(description="The page, without cursors.")
    page_info: PageInfo = strawberry.field(
        description="Whether there are more pages, and cursors.")
    # Counting reads every match: done only when the request selects totalCount, once; the
    # page's own query counts it when it can (known_total).
    count: strawberry.Private[Callable[[], Awaitable[int]]]
    known_total: strawberry.Private[int | None] = None
    _total: strawberry.Private[asyncio.Future[int] | None] = None

    @strawberry.field(description="How many match, on all pages (counted only when asked).")
    def total_count(self) -> int:
        # Plain, not async: a total the page's query counted is answered at once.
        if self.known_total is not None:
            return self.known_total
        if self._total is None:  # one count for aliases resolved side by side
            self._total = asyncio.ensure_future(self.count())
        return self._total  # type: ignore[return-value]  # awaited by graphql-core


@strawberry.enum(description="Sort order.")
class Order(Enum):
    ASC = "ASC"
    DESC = "DESC"


def enum_value(enum: type[Enum], value: Any) -> Any:
    return None if value is None else enum(value)
