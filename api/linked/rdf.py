"""RDF of a JSON-LD document, with rdflib: the entity pages' Turtle is their JSON-LD read as RDF,
so the two never say different things."""

from __future__ import annotations

from typing import Any

import orjson
from rdflib import Graph, Namespace
from rdflib.namespace import XSD

from api.linked.terms import SCHEMA, vocabulary


def graph_of(document: dict[str, Any]) -> Graph:
    """The RDF graph a JSON-LD document (with its context inline) says."""
    g = Graph()
    g.parse(data=orjson.dumps(document), format="json-ld")
    return g


def turtle(document: dict[str, Any], base: str) -> str:
    g = graph_of(document)
    g.bind("schema", Namespace(SCHEMA), replace=True)
    g.bind("rg", Namespace(vocabulary(base)), replace=True)
    g.bind("xsd", XSD, replace=True)
    return g.serialize(format="turtle")
