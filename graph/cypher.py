"""Cypher written with the model's names, and the fragments every query shares.

A query is written as a template whose labels, relationship types and properties are the
model's, in braces: ``{Place}`` is the label, ``{Control.place}`` the relationship type of the
field ``place`` of ``Control`` (for a property field, its property), ``{Control.start.latest}``
the property holding a date's last day, ``{Entity}``/``{Fact}`` the shared labels,
``{Cites}`` and ``{Cites.quote}`` the citation relationship and its properties,
``{FightingMonth.month}`` the derived index of fighting (loaders/fighting.py). Lower-case
names are fragments passed in by keyword. ``cypher()`` fills them in once, at import, and an
unknown name fails there, so a renamed field cannot leave a query pointing at nothing.

Cypher's own braces (maps, projections, subqueries) are never a bare name in braces, so they
are left alone.
"""

from __future__ import annotations

import json
import re

from schema import dates
from schema.errors import Fault
from schema.model import (
    CITATION_FIELDS,
    CITES_REL,
    ENTITY_LABEL,
    FACT_LABEL,
    FIGHTING_MONTH_LABEL,
    FIGHTING_MONTH_PROPS,
    IN_DOCUMENT_REL,
    KINDS,
    LOAD_HASH,
    MENTIONS_REL,
    PASSAGE_LABEL,
    POSITION,
    SEARCH_INDEX,
    SEARCH_TEXT,
    SPAN_PROPS,
    Field,
)


def _field_names(prefix: str, f: Field) -> dict[str, str]:
    if f.is_ref:
        assert f.rel is not None
        return {f"{prefix}.{f.name}": f.rel}
    names = {f"{prefix}.{f.name}": f.prop}
    if f.type == "date":
        names |= {f"{prefix}.{f.name}.{part}": prop
                  for part, prop in dates.graph_props(f.prop).items()}
    return names


def _names() -> dict[str, str]:
    names = {ENTITY_LABEL: ENTITY_LABEL, FACT_LABEL: FACT_LABEL,
             f"{ENTITY_LABEL}.{SEARCH_TEXT}": SEARCH_TEXT, "Node.loadHash": LOAD_HASH,
             "Node.id": "id", "Rel.position": POSITION, "Index.search": SEARCH_INDEX,
             "Cites": CITES_REL}
    names |= {f"Cites.{f.name}": f.name for f in CITATION_FIELDS if not f.is_ref}
    names |= {f"Cites.{prop}": prop for prop in SPAN_PROPS}
    names |= {PASSAGE_LABEL: PASSAGE_LABEL, "InDocument": IN_DOCUMENT_REL, "Mentions": MENTIONS_REL}
    names[FIGHTING_MONTH_LABEL] = FIGHTING_MONTH_LABEL
    names |= {f"{FIGHTING_MONTH_LABEL}.{prop}": prop for prop in FIGHTING_MONTH_PROPS}
    for kind in KINDS:
        names[kind.name] = kind.name
        for f in kind.fields:
            names |= _field_names(kind.name, f)
            if f.label_if_true:
                names[f.label_if_true] = f.label_if_true
    return names


NAMES = _names()
_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*(?:\.\w+){0,2})\}")


class UnknownName(Fault, KeyError):
    """A template names something the model does not have: raised at import, a programming
    error, never a user's."""


def cypher(template: str, **fragments: str) -> str:
    """The template with the model's names and the given fragments filled in."""
    def fill(match: re.Match[str]) -> str:
        key = match.group(1)
        if key in fragments:
            return fragments[key]
        if key in NAMES:
            return NAMES[key]
        raise UnknownName(f"{{{key}}} is not a name of the model (schema/model.py) nor a "
                          f"fragment given ({', '.join(fragments) or 'none'})")
    return _PLACEHOLDER.sub(fill, template)


def reached(var: str, where: tuple[tuple[str, object], ...]) -> str:
    """The condition a walk's ``where`` (schema/walks.py) puts on the node ``var`` it reaches:
    each property equal to its value (the model's own constants, written as Cypher literals);
    true when there is none."""
    if not where:
        return "true"
    return " AND ".join(f"{var}.{prop} = {json.dumps(value)}" for prop, value in where)


def label_of(var: str) -> str:
    """The kind's label of a node (not Entity, Fact or Historian)."""
    return f"[l IN labels({var}) WHERE l IN $labels][0]"
