"""The linked-data vocabulary: schema.org where it has the term, and a small revgraph vocabulary
(``rg:``, served at ``/ns``) for the rest, both written out in one JSON-LD context that every
document carries inline (so that no JSON-LD processor has to fetch anything).

The context is derived from the model (schema/model.py): every field of every kind is a term,
named as in GraphQL (its camelCase name). A few are schema.org's own (``SCHEMA_FIELDS``); the
rest are ``rg:<name>``. A reference field's value is a node (``@id``); a date field's value is
a node of its own (``<node>#<field>``: a ``rg:HistoricalDate`` with its earliest and latest
Gregorian days, the Julian day, the precision, the calendar the source used, EDTF and the text
as stated). Every node is typed with its kind (``rg:Place``) and the nearest schema.org type.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote

from schema.model import (
    DOCUMENT,
    ENTITY_KINDS,
    EVENT,
    KINDS,
    ORGANIZATION,
    PARTY,
    PERSON,
    PLACE,
    SOURCE,
    SOVIET,
    Field,
    Kind,
)

SCHEMA = "https://schema.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
NS_PATH = "/ns"

# Model fields that schema.org names (by field name): its term, and whether its value is a node.
SCHEMA_FIELDS: dict[str, str] = {
    "name": "name", "aliases": "alternateName", "lat": "latitude", "lon": "longitude",
    "url": "url", "in": "containedInPlace", "authors": "author", "places": "location",
    "language": "inLanguage",
}
# The nearest schema.org type of each kind of entity (facts have none: they are rg:Statements).
SCHEMA_TYPES: dict[str, str] = {
    PLACE.name: "https://schema.org/Place",
    PERSON.name: "https://schema.org/Person",
    PARTY.name: "https://schema.org/PoliticalParty",
    ORGANIZATION.name: "https://schema.org/Organization",
    SOVIET.name: "https://schema.org/Organization",
    EVENT.name: "https://schema.org/Event",
    SOURCE.name: "https://schema.org/CreativeWork",
    DOCUMENT.name: "https://schema.org/DigitalDocument",
}
# A source's kind, where schema.org has a narrower type. (Types are written as whole IRIs:
# "schema:Event" would read as a Cypher label to the structure test.)
SOURCE_TYPES: dict[str, str] = {
    "book": "https://schema.org/Book",
    "article": "https://schema.org/Article",
    "encyclopedia": "https://schema.org/Article",
    "newspaper": "https://schema.org/NewsArticle",
    "thread": "https://schema.org/DiscussionForumPosting",
    "web": "https://schema.org/WebPage",
}
_XSD_OF: dict[str, str] = {"int": "xsd:integer", "float": "xsd:double", "bool": "xsd:boolean"}

# Terms outside the model's fields: the statements about an entity, citations, dates' parts,
# the days a statement may hold on, and schema.org's dates for events and people.
EXTRA_TERMS: dict[str, Any] = {
    "statement": {"@id": "rg:statement", "@type": "@id"},
    "citation": {"@id": "rg:citation", "@type": "@id"},
    "cites": {"@id": "rg:cites", "@type": "@id"},
    "quotation": "rg:quotation",
    "locator": "rg:locator",
    "inDocument": {"@id": "rg:inDocument", "@type": "@id"},
    "spanStart": {"@id": "rg:spanStart", "@type": "xsd:integer"},
    "spanEnd": {"@id": "rg:spanEnd", "@type": "xsd:integer"},
    "earliest": {"@id": "rg:earliest", "@type": "xsd:date"},
    "latest": {"@id": "rg:latest", "@type": "xsd:date"},
    "julian": "rg:julian",
    "latestJulian": "rg:latestJulian",
    "precision": "rg:precision",
    "calendar": "rg:calendar",
    "edtf": "rg:edtf",
    "text": "rg:text",
    "shape": "rg:temporalShape",
    "possibleFrom": {"@id": "rg:possibleFrom", "@type": "xsd:date"},
    "possibleUntil": {"@id": "rg:possibleUntil", "@type": "xsd:date"},
    "startDate": "schema:startDate",
    "endDate": "schema:endDate",
    "birthDate": "schema:birthDate",
    "deathDate": "schema:deathDate",
    "datePublished": "schema:datePublished",
    "subjectOf": {"@id": "schema:subjectOf", "@type": "@id"},
}


def term_of(f: Field) -> dict[str, str]:
    """A field's term definition."""
    iri = f"schema:{SCHEMA_FIELDS[f.name]}" if f.name in SCHEMA_FIELDS else f"rg:{f.camel}"
    if f.is_ref or f.type == "date" or f.name == "url":
        return {"@id": iri, "@type": "@id"}
    if f.type in _XSD_OF:
        return {"@id": iri, "@type": _XSD_OF[f.type]}
    return {"@id": iri}


def _field_terms() -> dict[str, dict[str, str]]:
    terms: dict[str, dict[str, str]] = {}
    for kind in KINDS:
        for f in kind.fields:
            if f.name == "id":
                continue
            term = term_of(f)
            if terms.setdefault(f.camel, term) != term:  # the model would mean two things
                raise ValueError(f"the field {f.camel!r} of {kind.name} is a {term} elsewhere a "
                                 f"{terms[f.camel]}: rename one in schema/model.py")
    return terms


@lru_cache(maxsize=16)
def context(base: str) -> dict[str, Any]:
    """The JSON-LD context for IRIs under ``base`` (the API's public address)."""
    ctx: dict[str, Any] = {"schema": SCHEMA, "xsd": XSD, "rg": vocabulary(base)}
    ctx |= {k.name: f"rg:{k.name}" for k in KINDS}
    ctx |= _field_terms()
    ctx |= EXTRA_TERMS
    return ctx


def vocabulary(base: str) -> str:
    return f"{base}{NS_PATH}#"


def iri(base: str, node_id: str) -> str:
    """A node's IRI: its page (api/web/entity.py)."""
    return f"{base}/entity/{quote(node_id, safe='/')}"


def types_of(kind: Kind, props: dict[str, Any]) -> list[str]:
    """A node's types: its kind, a statement's rg:Statement, and schema.org's nearest."""
    types = [kind.name]
    if kind.category == "fact":
        types.append("rg:Statement")
    if kind.name in SCHEMA_TYPES:
        narrower = SOURCE_TYPES.get(str(props.get("kind"))) if kind is SOURCE else None
        types.append(narrower or SCHEMA_TYPES[kind.name])
    return types


ENTITY_TYPE_NAMES = [k.name for k in ENTITY_KINDS]
