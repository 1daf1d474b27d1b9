"""JSON-LD of nodes (api/linked/terms.py has the vocabulary): an entity's page, and a release's
dump of every node.

A node says what the graph stores of it: its kinds, its fields (a reference as the target's IRI,
a date as a node of its own), the days it may hold on (``possibleFrom``/``possibleUntil``, from
its kind's temporal shape: docs/model.md, "Time"), and each citation as a node with its source,
quotation, locator and, where the loader found the quotation in a stored document, its place
there. An entity's page adds the statements that point at it (``statement``), the documents
that mention it (``subjectOf``), and the name and kind of every other node it links to.
Identifiers in other authorities (Wikidata, GeoNames, the World Historical Gazetteer) would be
``sameAs``/``closeMatch``; the data states none yet, so none is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from api.linked.terms import context, iri, types_of
from api.linked.views import Citation, Link, Page, View
from schema.model import EVENT, PERSON, SOURCE, Field

# Dates schema.org also has, as typed literals where their precision allows (xsd:date, gYearMonth,
# gYear): an event's start and end, a person's birth and death.
SCHEMA_DATES = {(EVENT.name, "start"): "startDate", (EVENT.name, "end"): "endDate",
                (PERSON.name, "born"): "birthDate", (PERSON.name, "died"): "deathDate"}
_PRECISION_TYPES = {"DAY": ("xsd:date", 10), "MONTH": ("xsd:gYearMonth", 7),
                    "YEAR": ("xsd:gYear", 4)}


def _date_node(node_iri: str, f: Field, d: dict[str, str]) -> dict[str, Any]:
    return {"@id": f"{node_iri}#{f.camel}", "@type": "rg:HistoricalDate",
            "earliest": d["gregorian"], "latest": d["latestGregorian"], "julian": d["julian"],
            "latestJulian": d["latestJulian"], "precision": d["precision"],
            "calendar": d["calendar"], "edtf": d["edtf"], "text": d["text"]}


def _schema_date(d: dict[str, str]) -> dict[str, str] | None:
    """A date as schema.org's typed literal, when it is a day, a month or a year in the
    Gregorian calendar (a Julian month spans two Gregorian ones: none then)."""
    found = _PRECISION_TYPES.get(d["precision"])
    if found is None or (d["precision"] != "DAY" and d["calendar"] != "GREGORIAN"):
        return None
    xsd, length = found
    return {"@value": d["gregorian"][:length], "@type": xsd}


def _citation(node_iri: str, base: str, i: int, c: Citation) -> dict[str, Any]:
    out: dict[str, Any] = {"@id": f"{node_iri}#citation-{i}", "@type": "rg:Citation",
                           "source": iri(base, c.source)}
    if c.quote:
        out["quotation"] = c.quote
    if c.locator:
        out["locator"] = c.locator
    if c.document is not None:
        out |= {"inDocument": iri(base, c.document), "spanStart": c.start, "spanEnd": c.end}
    return out


def _value(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


def node(view: View, base: str) -> dict[str, Any]:
    """One node's own statements, as a JSON-LD node object."""
    me = iri(base, view.id)
    out: dict[str, Any] = {"@id": me, "@type": types_of(view.kind, view.props)}
    for f in view.kind.fields:
        if f.name == "id":
            continue
        if f.is_ref:
            targets = [iri(base, t.id) for t in view.targets(f)]
            if targets:
                out[f.camel] = targets[0] if f.type == "ref" else targets
        elif f.type == "date":
            d = view.dated(f)
            if d is not None:
                out[f.camel] = _date_node(me, f, d)
                schema_term = SCHEMA_DATES.get((view.label, f.name))
                typed = _schema_date(d) if schema_term else None
                if schema_term and typed:
                    out[schema_term] = typed
        else:
            value = view.props.get(f.prop)
            if value is not None and value != [] and value != "":
                out[f.camel] = _value(value)
    if view.label == SOURCE.name and "year" in view.props:
        out["datePublished"] = {"@value": f"{int(view.props['year']):04d}", "@type": "xsd:gYear"}
    _add_days(out, view)
    if view.citations:
        out["citation"] = [_citation(me, base, i, c) for i, c in enumerate(view.citations)]
        out["cites"] = sorted({iri(base, c.source) for c in view.citations})
    return out


def _add_days(out: dict[str, Any], view: View) -> None:
    temporal = view.kind.temporal
    days = view.days
    if temporal is None or days is None:
        return
    out["shape"] = temporal.shape.value
    first, last = days
    if first is not None:
        out["possibleFrom"] = first.isoformat()
    if last is not None:
        out["possibleUntil"] = last.isoformat()


def brief(link: Link, base: str) -> dict[str, Any]:
    """A node the page links to but does not describe: its kind and name."""
    out: dict[str, Any] = {"@id": iri(base, link.id), "name": link.name}
    if link.label:
        out["@type"] = [link.label]
    return out


def dataset(base: str, data_version: str | None) -> dict[str, Any]:
    """The dataset every node belongs to, with the data version the answer comes from."""
    out: dict[str, Any] = {"@id": f"{base}/", "@type": "schema:Dataset", "name": "revgraph"}
    if data_version:
        out["schema:version"] = data_version
    return out


def page_document(page: Page, base: str, data_version: str | None) -> dict[str, Any]:
    """An entity's (or a fact's) page as JSON-LD."""
    main = node(page.view, base)
    statements = [iri(base, i.view.id) for i in page.facts]
    if statements:
        main["statement"] = statements
    documents = sorted({iri(base, m.document) for m in page.mentions})
    if documents:
        main["subjectOf"] = documents
    graph = [main, *(node(i.view, base) for i in page.incoming)]
    described = {page.view.id, *(i.view.id for i in page.incoming)}
    graph += [brief(link, base) for link_id, link in sorted(page.linked.items())
              if link_id not in described and isinstance(link, Link)]
    graph.append(dataset(base, data_version))
    return {"@context": context(base), "@graph": graph}


def dump_document(views: Iterable[View], base: str, data_version: str | None) -> dict[str, Any]:
    """Every node, each once (a release's dump)."""
    return {"@context": context(base),
            "@graph": [*(node(v, base) for v in views), dataset(base, data_version)]}
