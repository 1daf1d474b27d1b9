"""A node as the linked-data side holds it (graph/entity.py reads it): what the entity pages,
the JSON-LD, Turtle, the reconciliation service and a release's dump all start from.

``View`` is one node's own statements: its kind, its properties (the nulls of the projection
dropped, the driver's dates made Python's), the nodes it points at, by field, and its
citations. ``Page`` adds what points at the node and the passages that mention it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from api.exports.dates import nested, possible_days
from schema.model import KIND_BY_LABEL, LOAD_HASH, SEARCH_TEXT, Field, Kind, reverse_fields

BOOKKEEPING = {LOAD_HASH, SEARCH_TEXT}  # the loader's own properties, not the data's


@dataclass(frozen=True)
class Link:
    """A relationship from a node: its field (None: outside the model), the target."""

    field: Field | None
    rel: str
    id: str
    name: str
    label: str | None
    position: int


@dataclass(frozen=True)
class Citation:
    source: str
    name: str
    url: str | None
    year: int | None
    quote: str | None
    locator: str | None
    document: str | None  # where the quotation stands, when the loader found it
    start: int | None
    end: int | None


@dataclass
class View:
    id: str
    label: str
    props: dict[str, Any]
    out: list[Link]
    citations: list[Citation]

    @property
    def kind(self) -> Kind:
        return KIND_BY_LABEL[self.label]

    @property
    def name(self) -> str:
        return str(self.props.get("name") or self.props.get("title") or self.id)

    def targets(self, f: Field) -> list[Link]:
        return [link for link in self.out if link.field is f]

    def dated(self, f: Field) -> dict[str, str] | None:
        """A date field in both calendars (api/exports/dates.py), or None."""
        return nested(self.props, f.prop)

    @property
    def days(self) -> tuple[date | None, date | None] | None:
        """The days it may hold on, as its kind's temporal shape says (schema/time.py)."""
        return possible_days(self.label, self.props)

    @property
    def first_day(self) -> date | None:
        days = self.days
        return days[0] if days else None


@dataclass(frozen=True)
class Incoming:
    """A node pointing at the page's node, and along which field (citing, for a source)."""

    field: Field | None
    view: View


@dataclass(frozen=True)
class Mention:
    document: str
    title: str
    license: str | None
    text: str  # the passage
    start: int  # the mention's offsets in the passage's text
    end: int


@dataclass
class Page:
    view: View
    incoming: list[Incoming]
    incoming_total: int
    mentions: list[Mention]
    mentions_total: int
    linked: dict[str, View | Link] = field(default_factory=dict)

    @property
    def facts(self) -> list[Incoming]:
        return [i for i in self.incoming if i.view.kind.category == "fact"
                or i.view.kind.temporal is not None]

    @property
    def entities(self) -> list[Incoming]:
        return [i for i in self.incoming if i not in self.facts]


def _native(value: Any) -> Any:
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value


def _field_of(label: str | None, rel: str) -> Field | None:
    kind = KIND_BY_LABEL.get(label or "")
    if kind is None:
        return None
    return next((f for f in kind.refs if f.rel == rel), None)


def view_of(row: dict[str, Any]) -> View:
    """A view from graph/entity.py's ``view`` map."""
    props = {k: _native(v) for k, v in row["props"].items()
             if v is not None and k not in BOOKKEEPING}
    label = row["label"]
    out = [Link(_field_of(label, o["rel"]), o["rel"], o["id"], o["name"] or o["id"], o["label"],
                o["position"] or 0) for o in row["out"]]
    citations = [Citation(c["source"], c["name"] or c["source"], c.get("url"), c.get("year"),
                          c.get("quote"), c.get("locator"), c.get("spanDocument"),
                          c.get("spanStart"), c.get("spanEnd")) for c in row["citations"]]
    return View(str(props["id"]), label, props, out, citations)


def incoming_field(target: str, source: str, rel: str) -> Field | None:
    """The field of a ``source`` node whose relationship ``rel`` points at a ``target`` node."""
    for kind, f in reverse_fields(target):
        if kind.name == source and f.rel == rel:
            return f
    return None


def page_of(around: dict[str, Any], views: dict[str, dict[str, Any]]) -> Page:
    """A page from graph/entity.py's ``AROUND`` row and the ``VIEWS`` of its nodes, by id."""
    view = view_of(views[around["key"]])
    incoming = []
    for i in around["incoming"]:
        if i["id"] in views:  # (deleted by a load between the two reads: left out)
            v = view_of(views[i["id"]])
            incoming.append(Incoming(incoming_field(view.label, v.label, i["rel"]), v))
    incoming.sort(key=lambda i: (i.view.first_day is None, i.view.first_day or date.min,
                                 i.view.label, i.view.id))
    mentions = [Mention(m["document"], m["title"] or m["document"], m.get("license"), m["text"],
                        m["start"] - m["passageStart"], m["end"] - m["passageStart"])
                for m in around["mentions"]]
    page = Page(view, incoming, around["incomingTotal"], mentions, around["mentionsTotal"])
    for link in [*view.out, *(link for i in incoming for link in i.view.out)]:
        page.linked.setdefault(link.id, link)
    for i in incoming:
        page.linked[i.view.id] = i.view
    return page
