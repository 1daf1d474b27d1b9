"""What the reconciliation service offers: a type for every kind of entity, the properties that
narrow a match or that data extension fetches, their settings, and the service manifest
(W3C Entity Reconciliation Service API 0.2, with the 1.0 draft's endpoint paths).

Types and most properties come from the model (schema/model.py): a type is a kind of entity, a
property is one of its fields, named as in GraphQL. Besides them: ``date`` narrows an event (its
days) or a person (their life); ``party`` a person (the parties they had roles in); and
extension computes ``controller`` and ``alignment`` of a place on a day, a body's
``composition`` and ``majority`` as last stated by a day, and a place's ``coordinates``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.exports.render import revgraph_version
from api.linked.terms import iri, vocabulary
from schema.errors import InputError
from schema.model import (
    COMPOSITION,
    ENTITY_KINDS,
    EVENT,
    KIND_BY_LABEL,
    PARTY,
    PERSON,
    PLACE,
    Field,
    Kind,
)

SERVICE_PATH = "/reconcile"
PREVIEW_SIZE = (420, 240)  # the preview card's width and height, in pixels
DEFAULT_LIMIT = 5
MAX_LIMIT = 25
MAX_BATCH = 100  # queries in one request; OpenRefine sends 10 at a time
# Fields no one reconciles or extends by: bookkeeping and declarations for the checker.
SKIPPED = {"id", "shared_aliases", "distinct_from", "path", "note"}
# The types a client offers first: what spreadsheets most often name, places first.
FIRST = (PLACE, PERSON, PARTY)
DEFAULT_TYPES = [*FIRST, *(k for k in ENTITY_KINDS if k not in FIRST)]
BODIES = tuple(k.name for k in ENTITY_KINDS if k.name in COMPOSITION.field("body").targets)


@dataclass(frozen=True)
class Setting:
    """A setting the user may give a property in data extension (0.2 ``property_settings``)."""

    name: str
    label: str
    type: str
    default: str
    help: str
    choices: tuple[tuple[str, str], ...] = ()

    def manifest(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "label": self.label, "type": self.type,
                               "default": self.default, "help_text": self.help}
        if self.choices:
            out["choices"] = [{"value": v, "name": n} for v, n in self.choices]
        return out


ON = Setting("on", "On the day", "text", "",
             "A day, yyyy-mm-dd, read in the calendar below: the controller on that day, the "
             "composition as last stated by then, the parties then. Empty: all of them.")
CALENDAR = Setting("calendar", "Calendar", "select", "gregorian",
                   "How to read the day, and how dates are written: Gregorian (New Style, EDTF), "
                   "Julian (Old Style), or as the source stated them.",
                   (("gregorian", "Gregorian (N.S.)"), ("julian", "Julian (O.S.)"),
                    ("stated", "as stated")))
SETTINGS = (ON, CALENDAR)


@dataclass(frozen=True)
class Prop:
    """A property: of which kinds, what it means, the model's field if it is one, whether it
    narrows a match and whether extension fetches it."""

    id: str
    name: str
    description: str
    kinds: tuple[str, ...]
    field: Field | None = None
    narrows: bool = True
    extends: bool = True
    dated: bool = False  # reads the ``on`` setting

    def entry(self) -> dict[str, str]:
        return {"id": self.id, "name": self.name, "description": self.description}


def _model_props() -> dict[str, Prop]:
    props: dict[str, Prop] = {}
    for kind in ENTITY_KINDS:
        for f in kind.fields:
            if f.name in SKIPPED:
                continue
            have = props.get(f.camel)
            kinds = (have.kinds if have else ()) + (kind.name,)
            props[f.camel] = Prop(f.camel, f.name.replace("_", " "), f.description, kinds, f,
                                  narrows=f.type not in ("float", "text", "date"))
    return props


COMPUTED = (
    Prop("date", "date", "A day, month or year (yyyy[-mm[-dd]], O.S. or N.S.; Gregorian if not "
         "said): an event's days or a person's life must include it.", (EVENT.name, PERSON.name),
         extends=False),
    Prop("party", "party", "A party the person had a role in (by its id or name); in data "
         "extension, on the day when one is given.", (PERSON.name,), dated=True),
    Prop("controller", "controller", "Who held the place: on the day given, or every "
         "controller, oldest first.", (PLACE.name,), narrows=False, dated=True),
    Prop("alignment", "alignment", "The side that held the place: on the day given, or each "
         "period's, oldest first.", (PLACE.name,), narrows=False, dated=True),
    Prop("composition", "party composition", "Each party's majority, share or seats as last "
         "stated on or before the day (or at all), with the date.", BODIES, narrows=False,
         dated=True),
    Prop("majority", "majority party", "The party with the majority as last stated on or "
         "before the day (or at all).", BODIES, narrows=False, dated=True),
    Prop("coordinates", "coordinates", "Latitude and longitude, as lat,lon (WGS 84).",
         (PLACE.name,), narrows=False),
)
PROPS: dict[str, Prop] = _model_props() | {p.id: p for p in COMPUTED}


def kind_of(type_id: str) -> Kind:
    kind = KIND_BY_LABEL.get(type_id)
    if kind is None or kind.category != "entity":
        raise InputError(f"unknown type {type_id!r}: use one of "
                         f"{', '.join(k.name for k in ENTITY_KINDS)}")
    return kind


def props_of(type_id: str | None, *, narrows: bool = False, extends: bool = False) -> list[Prop]:
    """The properties of a type (all types when None) that narrow or are extended."""
    return [p for p in PROPS.values()
            if (type_id is None or type_id in p.kinds)
            and (not narrows or p.narrows) and (not extends or p.extends)]


def prop(pid: str, type_ids: list[str] | None = None, *, narrows: bool = False) -> Prop:
    found = PROPS.get(pid)
    types = type_ids or [k.name for k in ENTITY_KINDS]
    if (found is None or not set(found.kinds) & set(types)
            or (narrows and not found.narrows)):
        offered = sorted({p.id for t in types for p in props_of(t, narrows=narrows,
                                                                 extends=not narrows)})
        role = "narrow a match of" if narrows else "be fetched for"
        raise InputError(f"unknown property {pid!r}: the properties that can {role} "
                         f"{' or '.join(types)} are {', '.join(offered)}")
    return found


def type_entry(kind: Kind) -> dict[str, str]:
    return {"id": kind.name, "name": kind.name, "description": kind.description}


def manifest(base: str) -> dict[str, Any]:
    """The service manifest, for a service at ``base`` + /reconcile."""
    service = f"{base}{SERVICE_PATH}"
    width, height = PREVIEW_SIZE
    return {
        "versions": ["0.2"],
        "name": "revgraph: the Russian revolution's spread, 1917-1922",
        "identifierSpace": iri(base, ""),
        "schemaSpace": vocabulary(base),
        "serviceVersion": revgraph_version(),
        "view": {"url": f"{base}/entity/{{{{id}}}}"},
        "defaultTypes": [{"id": k.name, "name": k.name} for k in DEFAULT_TYPES],
        "preview": {"url": f"{service}/preview?id={{{{id}}}}", "width": width, "height": height},
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity",
                       "flyout_service_path": "/suggest/flyout?id=${id}"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        "extend": {
            "propose_properties": {"service_url": service, "service_path": "/extend/propose"},
            "property_settings": [s.manifest() for s in SETTINGS],
        },
        "batchSize": MAX_BATCH,
    }
