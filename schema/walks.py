"""The walks of the model, declared once: from a node to its neighbours along a relationship
field, forwards or backwards, with the arguments the walk takes and what they mean.

Everything that reads a walk reads it from here: the GraphQL field and its arguments
(api/graphql/codegen.py), the prefetching Cypher (graph/select.py, through
api/graphql/prefetch.py), the batched loaders' Cypher (graph/queries.py ``incoming``), the
resolvers (api/graphql/resolve.py) and the compiled executor (api/graphql/execution.py). What an
argument asks of the nodes a walk reaches is interpreted in one place,
api/graphql/walks.py ``window``; the Cypher condition it becomes is graph/time.py's.

A walk's arguments today are days: ``on``, or ``from`` and ``to`` (a window), with the
``calendar`` they are given in, on every walk that reaches a dated kind (docs/model.md, "Time").
A new argument is one ``Arg`` here, on the walks that take it, and its reading in ``window``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

from schema.model import KIND_BY_LABEL, KINDS, Field, Kind

ArgType = Literal["day", "calendar"]


@dataclass(frozen=True)
class Arg:
    """An argument of a walk: its GraphQL name, what type of value, what it means."""

    name: str
    type: ArgType
    description: str


ON = Arg("on", "day", "Only those that may hold on this day (docs/model.md, 'Time').")
FROM = Arg("from", "day", "Only those that may hold on this day or later.")
TO = Arg("to", "day", "Only those that may hold on this day or earlier.")
CALENDAR = Arg("calendar", "calendar", "The calendar the days are given in.")
# The arguments of a walk to a dated kind: a day, or a window, in either calendar.
DATED = (ON, FROM, TO, CALENDAR)


@dataclass(frozen=True)
class Walk:
    """A relationship field walked from nodes of ``start``: the field ``name`` of their GraphQL
    type. ``kind`` and ``field`` are the model's field; ``reverse``: walked backwards, from its
    target to the nodes of ``kind``."""

    start: str  # the label of the nodes it walks from
    name: str
    kind: Kind
    field: Field
    reverse: bool
    args: tuple[Arg, ...] = ()
    # Only the reached nodes whose properties have these values (a walk of its own over the
    # same relationship: the strikes among a place's events, say).
    where: tuple[tuple[str, str | bool | int], ...] = ()
    about: str = ""  # its description, when not the field's

    @property
    def reached(self) -> tuple[str, ...]:
        """The labels of the nodes it reaches."""
        return (self.kind.name,) if self.reverse else self.field.targets

    @property
    def many(self) -> bool:
        return self.reverse or self.field.type == "refs"

    @property
    def order(self) -> str:
        """In what order the nodes come: ``files`` (the order of the data files), ``time``
        (oldest first, by the kind's temporal shape) or ``name`` (then id)."""
        if not self.reverse:
            return "files"
        return "time" if self.kind.temporal is not None else "name"

    @property
    def description(self) -> str:
        if not self.reverse:
            return self.about or self.field.description
        text = self.about or self.field.reverse_description or ""
        if self.kind.temporal is not None:
            text += (f" With `on`, or `from` and `to`, only those that may hold then "
                     f"({self.kind.temporal.meaning}).")
        return text


def _forward(kind: Kind, f: Field) -> Walk:
    return Walk(kind.name, f.camel, kind, f, False)


def _backward(start: str, kind: Kind, f: Field) -> Walk:
    assert f.reverse is not None
    return Walk(start, f.reverse, kind, f, True, DATED if kind.temporal is not None else ())


@cache
def walks(label: str) -> dict[str, Walk]:
    """The walks from nodes of ``label``, by GraphQL field name."""
    out: dict[str, Walk] = {}
    kind = KIND_BY_LABEL[label]
    for f in kind.refs:
        out[f.camel] = _forward(kind, f)
    for source in KINDS:
        for f in source.refs:
            if f.reverse and label in f.targets:
                out[f.reverse] = _backward(label, source, f)
    for w in EXTRA:
        if w.start == label:
            out[w.name] = w
    return out


# Walks besides the fields' own, over the same relationships with a ``where``.
EXTRA: tuple[Walk, ...] = ()


def every_walk() -> list[Walk]:
    return [w for kind in KINDS for w in walks(kind.name).values()]
