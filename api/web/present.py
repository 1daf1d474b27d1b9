"""How the entity pages and the reconciliation previews say things to a reader: dates in the
calendar the source used with the other beside it, a statement's fields in words, the GraphQL
that feeds a page, and how to cite it (text, CSL-JSON, BibTeX).

Everything is derived from the model (schema/model.py): a field's label is its name, its
help its description; nothing here names a kind's fields one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from api.graphql.codegen import EXTRAS
from api.linked.views import Incoming, Link, View
from schema.model import KINDS, SOURCE, Field, Kind, reverse_fields

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
SWITCH = date(1918, 2, 14)  # Russia's first Gregorian day: before it, both calendars are given
# Fields a statement line leaves out: said elsewhere on the page (its dates, note, citations).
QUIET = {"id", "note", "confidence", "shared_aliases", "distinct_from", "name", "aliases"}


def _ymd(iso: str) -> tuple[int, int, int]:
    y, m, d = (int(p) for p in iso.split("-"))
    return y, m, d


def _day(iso: str) -> str:
    y, m, d = _ymd(iso)
    return f"{d} {MONTHS[m - 1]} {y}"


def _month(iso: str) -> str:
    y, m, _ = _ymd(iso)
    return f"{MONTHS[m - 1]} {y}"


def when(d: dict[str, str] | None) -> str:
    """A date as a reader wants it: as the source stated it, in its calendar, with the other
    calendar beside a day before Russia's switch ("26 November 1917 O.S. (9 December 1917
    N.S.)")."""
    if d is None:
        return "unknown"
    julian = d["calendar"] == "JULIAN"
    precision = d["precision"]
    if precision == "RANGE":
        lo, hi = (d["julian"], d["latestJulian"]) if julian else (d["gregorian"],
                                                                   d["latestGregorian"])
        return f"between {_day(lo)} and {_day(hi)} {'O.S.' if julian else 'N.S.'}"
    if precision == "YEAR":
        return d["julian"][:4] if julian else d["gregorian"][:4]
    if precision == "MONTH":
        return f"{_month(d['julian'])} O.S." if julian else _month(d["gregorian"])
    if julian:
        return f"{_day(d['julian'])} O.S. ({_day(d['gregorian'])} N.S.)"
    if date.fromisoformat(d["gregorian"]) < SWITCH:
        return f"{_day(d['gregorian'])} N.S. ({_day(d['julian'])} O.S.)"
    return _day(d["gregorian"])


def span(view: View) -> str:
    """When a dated node held: its dates in words, by its kind's temporal shape."""
    t = view.kind.temporal
    if t is None:
        return ""
    first = when(view.dated(view.kind.field(t.first)))
    if t.last is None:
        return first
    last_date = view.dated(view.kind.field(t.last))
    if last_date is not None and last_date == view.dated(view.kind.field(t.first)):
        return first  # a span known only as one stretch: said once
    if last_date is None:
        return f"from {first}" if t.shape.value == "period" else first
    return f"{first} – {when(last_date)}"


@dataclass(frozen=True)
class Item:
    """One field of a node, for a reader: its label, help, and value as text or links."""

    label: str
    help: str
    text: str
    links: tuple[Link, ...] = ()


def value_text(f: Field, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if f.type == "float" and f.maximum == 1:  # a share, from 0 to 1
        return f"{value:.0%}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}" if f.name != "year" else str(value)
    return str(value)


def items(view: View, skip: Field | None = None, quiet: set[str] | None = None) -> list[Item]:
    """The node's fields in the model's order: references as links (but ``skip``, the one that
    points at the page's own node), dates in words, the rest as text."""
    out: list[Item] = []
    temporal = set(view.kind.temporal.fields) if view.kind.temporal else set()
    for f in view.kind.fields:
        if f.name in (quiet if quiet is not None else QUIET) or f is skip:
            continue
        if f.is_ref:
            links = tuple(view.targets(f))
            if links:
                out.append(Item(f.name.replace("_", " "), f.description, "", links))
        elif f.type == "date":
            if f.name not in temporal and (d := view.dated(f)) is not None:
                out.append(Item(f.name, f.description, when(d)))
        elif (value := view.props.get(f.prop)) not in (None, "", [], f.default):
            out.append(Item(f.name.replace("_", " "), f.description, value_text(f, value)))
    return out


def kind_line(view: View) -> str:
    """"Place · city", "Source · book, 1996"."""
    kind = view.props.get("kind") or view.props.get("level")
    parts = [view.label] + ([str(kind)] if kind else [])
    if view.label == SOURCE.name and view.props.get("year"):
        parts.append(str(view.props["year"]))
    return " · ".join(parts)


# -- the GraphQL behind a page ----------------------------------------------------------------

DATE_SELECTION = "{ gregorian julian text precision edtf }"
CITATIONS = "citations { source { id name url } quote locator }"
REF_SELECTION = "{ __typename id ... on Entity { name } }"


def _selection(kind: Kind, depth: int) -> list[str]:
    out = ["id"]
    for f in kind.fields:
        if f.name in ("id", "distinct_from"):
            continue
        if f.is_ref:
            out.append(f"{f.camel} {REF_SELECTION}")
        elif f.type == "date":
            out.append(f"{f.camel} {DATE_SELECTION}")
        else:
            out.append(f.camel)
    out.append(CITATIONS)
    if depth:
        for source, f in reverse_fields(kind.name):
            if f.reverse is None:
                continue
            if source.category == "fact" or source.temporal is not None:
                inner = " ".join(_selection(source, 0))
                out.append(f"{f.reverse} {{ __typename {inner} }}")
            else:
                out.append(f"{f.reverse} {{ __typename id name }}")
        if any(applies(kind) and name == "mentions" for applies, name, _, _ in EXTRAS):
            out.append("mentions(first: 20) { totalCount nodes { text start end passage "
                       "{ text document { id name } } } }")
    return out


def graphql_query(kind: Kind) -> str:
    """A GraphQL document that asks what the page of a node of ``kind`` shows."""
    fields = "\n      ".join(_selection(kind, 1))
    return (f"# What the page of a {kind.name} shows: its fields, what points at it, and the\n"
            f"# passages that mention it.\nquery {kind.gql}Page($id: ID!) {{\n"
            f"  node(id: $id) {{\n    __typename\n    ... on {kind.gql} {{\n      {fields}\n"
            f"    }}\n  }}\n}}\n")


GRAPHQL_QUERIES: dict[str, str] = {k.name: graphql_query(k) for k in KINDS}


# -- citing a page ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Cite:
    """What a reader cites: the node, the page's URL, the data version and the day read."""

    view: View
    url: str
    data_version: str | None
    accessed: date

    @property
    def title(self) -> str:
        return self.view.name if "name" in self.view.props or "title" in self.view.props \
            else f"{self.view.label} {self.view.id}"

    @property
    def version_text(self) -> str:
        return f"data version {self.data_version}" if self.data_version else "data version unknown"

    def text(self) -> str:
        return (f"revgraph contributors. “{self.title}” ({self.view.label.lower()}). revgraph: "
                f"the Russian revolution's spread, 1917–1922, {self.version_text}. {self.url} "
                f"(accessed {_day(self.accessed.isoformat())}).")

    def csl(self) -> list[dict[str, Any]]:
        """CSL-JSON (Citation Style Language 1.0.2: a dataset)."""
        a = self.accessed
        item: dict[str, Any] = {
            "id": f"revgraph-{self.key}", "type": "dataset", "title": self.title,
            "genre": self.view.label.lower(), "author": [{"literal": "revgraph contributors"}],
            "container-title": "revgraph: the Russian revolution's spread, 1917–1922",
            "publisher": "revgraph", "URL": self.url,
            "accessed": {"date-parts": [[a.year, a.month, a.day]]}}
        if self.data_version:
            item["version"] = self.data_version
        return [item]

    def bibtex(self) -> str:
        """A BibTeX @misc entry (biblatex reads url and urldate too)."""
        fields = {
            "title": _tex(self.title), "author": "{revgraph contributors}",
            "howpublished": f"\\url{{{self.url}}}", "url": self.url,
            "urldate": self.accessed.isoformat(), "year": str(self.accessed.year),
            "note": _tex(f"{self.view.label} in revgraph, {self.version_text}, accessed "
                         f"{self.accessed.isoformat()}")}
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items())
        return f"@misc{{revgraph-{self.key},\n{body}\n}}\n"

    @property
    def key(self) -> str:
        return re.sub(r"[^A-Za-z0-9]+", "-", self.view.id).strip("-")


_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "%": r"\%", "&": r"\&", "#": r"\#",
        "_": r"\_", "$": r"\$", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _tex(text: str) -> str:
    return "".join(_TEX.get(ch, ch) for ch in text)


def excerpt(text: str, start: int, end: int, around: int = 240) -> tuple[str, str, str]:
    """A passage cut to ``around`` characters either side of a mention: (before, it, after),
    with an ellipsis where cut."""
    lo, hi = max(start - around, 0), min(end + around, len(text))
    if lo:  # cut at a word's edge
        lo = min(text.find(" ", lo) + 1 or lo, start)
    if hi < len(text):
        hi = max(text.rfind(" ", end, hi), end)
    before = ("… " if lo else "") + text[lo:start]
    after = text[end:hi] + (" …" if hi < len(text) else "")
    return before, text[start:end], after


def grouped(links: list[Link]) -> list[tuple[str, list[Link]]]:
    """Links by the field they go along, in the model's order of fields."""
    out: dict[str, list[Link]] = {}
    for link in links:
        name = link.field.name.replace("_", " ") if link.field else link.rel.lower()
        out.setdefault(name, []).append(link)
    return list(out.items())


def incoming_groups(incoming: list[Incoming]) -> list[tuple[str, list[Incoming]]]:
    """Entities pointing at a node, by the name of the way back ("soviets", "contains"; a
    source's citing nodes: "cited by")."""
    out: dict[str, list[Incoming]] = {}
    for i in incoming:
        name = (i.field.reverse or i.field.name) if i.field else "cited by"
        out.setdefault(name, []).append(i)
    return list(out.items())
