"""Places as GeoJSON (RFC 7946) and as Linked Places (LPF v1.2, World Historical Gazetteer).

GeoJSON: one Point feature per place, longitude first; on a day (``on``) each feature says who
held the place, the side, whether it was disputed (periods overlapping, or marked so) and the
periods with their citations; without ``on`` it lists every period in the window. Flat
``controllerId``/``alignment``/``disputed`` properties are there for QGIS and kepler.gl styling.
Where the export came from is a foreign member ``revgraph`` of the collection (RFC 7946 §6.1).

Periods: one Point feature per control period at its place, every property flat for the tools
that read time from a field (QGIS's temporal controller, kepler.gl's time filter): ``start``, the
first day it may hold, and ``end``, the day it is over (docs/model.md, "Time"; ``lastDay`` the day
before), as ISO dates that GDAL types as dates, with the same days in the Julian calendar and each
date as the source stated it.

LPF: a GeoJSON-LD FeatureCollection with the LPF context; per place the required ``@id``,
``properties.title``, ``names`` (the name and every alias as toponyms, the first cited) and a
GeometryCollection, plus ``when`` with one timespan per control period and ``relations`` for the
province it was part of (``gvp:broaderPartitive``, as the LPF documentation uses it).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import orjson

from api.exports.dates import nested, possible_days
from schema.dates import gregorian_to_julian
from schema.model import CONTROL

LPF_CONTEXT = "https://raw.githubusercontent.com/LinkedPasts/linked-places/master/linkedplaces-context-v1.1.jsonld"
PLACE_URI = "urn:revgraph:place:"
DATASET_CITATION = {"label": "revgraph: curated place record (data/ of the revgraph repository)",
                    "@id": "urn:revgraph:dataset"}


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


def citations(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [_clean(c) for c in rows]


def period(c: dict[str, Any]) -> dict[str, Any]:
    """A control period as the API's ControlPeriod: controller, side, dates, citations."""
    return {
        "id": c["id"],
        "controller": _clean(c["controller"]) if c.get("controller") else None,
        "alignment": c.get("alignment"),
        "disputed": bool(c.get("disputed")),
        "confidence": c.get("confidence"),
        "start": nested(c, "start"),
        "end": nested(c, "end"),
        # The days it may hold on (schema/time.py: a period is over on its end day), so that a
        # map filters by day without knowing the rule: firstDay <= day <= lastDay, null open.
        **_days(c),
        "note": c.get("note"),
        "citations": citations(c.get("citations") or []),
    }


def _days(c: dict[str, Any]) -> dict[str, str | None]:
    found = possible_days(CONTROL.name, c) or (None, None)
    return {"firstDay": found[0].isoformat() if found[0] else None,
            "lastDay": found[1].isoformat() if found[1] else None}


def on_day(periods: list[dict[str, Any]]) -> dict[str, Any]:
    """Who held a place on the day, from the periods then in force: several at once, or one
    marked disputed, make it disputed; the alignment is given only when they all agree."""
    sides = sorted({p["alignment"] for p in periods if p["alignment"]})
    first = periods[0]["controller"] if periods else None
    return {
        "controllerId": first["id"] if first else None,
        "controllerName": first.get("name") if first else None,
        "controllerKind": first.get("kind") if first else None,
        "alignment": sides[0] if len(sides) == 1 else None,
        "alignments": sides,
        "disputed": len(periods) > 1 or any(p["disputed"] for p in periods),
    }


class GeoJSON:
    media_type = "application/geo+json"
    sections: tuple[str, ...] = ("places",)

    def __init__(self, on_given: bool) -> None:
        self.on_given = on_given
        self.first = True

    def head(self, provenance: dict[str, Any]) -> bytes:
        return b'{"type":"FeatureCollection","revgraph":' + orjson.dumps(provenance) + b',"features":['

    def begin(self, section: str) -> bytes:
        return b""

    def row(self, section: str, row: dict[str, Any]) -> bytes:
        place = row["place"]
        periods = [period(c) for c in row["control"]]
        props: dict[str, Any] = {
            "id": place["id"], "name": place["name"], "aliases": place.get("aliases") or [],
            "kind": place.get("kind"), "partOf": row.get("partOf"), "note": place.get("note"),
            "citations": citations(row["citations"]),
            "mentions": row.get("mentions", 0),  # passages of the graph's documents naming it
        }
        if self.on_given:
            props |= on_day(periods)
        else:
            props |= {"controllerId": None, "controllerName": None, "controllerKind": None,
                      "alignment": None, "alignments": [], "disputed": None}
        props["control"] = periods
        feature = {"type": "Feature", "id": place["id"],
                   "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
                   "properties": props}
        sep = b"" if self.first else b","
        self.first = False
        return sep + orjson.dumps(feature)

    def end(self, section: str) -> bytes:
        return b""

    def tail(self) -> bytes:
        return b"]}\n"


def _lpf_point(d: dict[str, str]) -> dict[str, str]:
    # A day, or a month/year stated in the Gregorian calendar, is an ISO 8601 expression; a
    # Julian month or year is a span of Gregorian days, given by its earliest and latest.
    if d["precision"] == "DAY" or d["calendar"] == "GREGORIAN":
        return {"in": d["edtf"]}
    return {"earliest": d["gregorian"], "latest": d["latestGregorian"]}


def timespan(p: dict[str, Any]) -> dict[str, Any] | None:
    if p["start"] is None:  # LPF requires a start; such a period stays in properties.control
        return None
    span = {"start": _lpf_point(p["start"])}
    if p["end"] is not None:
        span["end"] = _lpf_point(p["end"])
    return span


class LinkedPlaces(GeoJSON):
    media_type = "application/ld+json"

    def head(self, provenance: dict[str, Any]) -> bytes:
        return (b'{"type":"FeatureCollection","@context":' + orjson.dumps(LPF_CONTEXT)
                + b',"revgraph":' + orjson.dumps(provenance) + b',"features":[')

    def row(self, section: str, row: dict[str, Any]) -> bytes:
        place = row["place"]
        periods = [period(c) for c in row["control"]]
        cited = [{"label": " ".join(x for x in (c.get("title"), c.get("locator")) if x),
                  "@id": c.get("url") or f"urn:revgraph:source:{c['source']}"}
                 for c in row["citations"]] or [DATASET_CITATION]
        names = [{"toponym": place["name"], "lang": "en", "citations": cited}]
        names += [{"toponym": a} for a in place.get("aliases") or [] if a != place["name"]]
        spans = [s for s in (timespan(p) for p in periods) if s is not None]
        feature: dict[str, Any] = {
            "@id": PLACE_URI + place["id"],
            "type": "Feature",
            "properties": {"title": place["name"], "id": place["id"], "kind": place.get("kind"),
                           "control": periods} | (on_day(periods) if self.on_given else {}),
            "geometry": {"type": "GeometryCollection",
                         "geometries": [{"type": "Point",
                                         "coordinates": [place["lon"], place["lat"]]}]},
            "names": names,
        }
        if spans:
            feature["when"] = {"timespans": spans,
                               "label": "who held it: one timespan per dated control "
                                        "period (properties.control has them all)"}
        if row.get("partOf"):
            parent = row["partOf"]
            feature["relations"] = [{"relationType": "gvp:broaderPartitive",
                                     "relationTo": PLACE_URI + parent["id"],
                                     "label": f"part of {parent['name']} (in 1917)"}]
        if place.get("note"):
            feature["descriptions"] = [{"value": place["note"], "lang": "en"}]
        sep = b"" if self.first else b","
        self.first = False
        return sep + orjson.dumps(feature)


def _julian(d: date | None) -> str | None:
    if d is None:
        return None
    y, m, dd = gregorian_to_julian(d)
    return f"{y:04d}-{m:02d}-{dd:02d}"


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def period_properties(place: dict[str, Any], c: dict[str, Any]) -> dict[str, Any]:
    """A control period, flat: its place, controller, side, its days (Gregorian ISO, then
    Julian), each date as stated, its sources."""
    first, last = possible_days(CONTROL.name, c) or (None, None)
    over = last + timedelta(days=1) if last else None
    who = c.get("controller") or {}
    start, end = nested(c, "start") or {}, nested(c, "end") or {}
    cites = citations(c.get("citations") or [])
    return {
        "id": c["id"], "place": place["id"], "placeName": place["name"],
        "placeKind": place.get("kind"), "controller": who.get("id"),
        "controllerName": who.get("name"), "controllerKind": who.get("kind"),
        "alignment": c.get("alignment"), "disputed": bool(c.get("disputed")),
        "confidence": c.get("confidence"),
        "start": _iso(first), "end": _iso(over), "lastDay": _iso(last),
        "startJulian": _julian(first), "endJulian": _julian(over), "lastDayJulian": _julian(last),
        "startStated": start.get("text"), "startPrecision": start.get("precision"),
        "startEdtf": start.get("edtf"), "endStated": end.get("text"),
        "endPrecision": end.get("precision"), "endEdtf": end.get("edtf"),
        "note": c.get("note"),
        "sources": "; ".join(x["source"] for x in cites),
        "citations": orjson.dumps(cites).decode() if cites else None,
    }


class Periods(GeoJSON):
    """One feature per control period (the rows are places with their periods)."""

    def __init__(self) -> None:
        super().__init__(on_given=False)

    def row(self, section: str, row: dict[str, Any]) -> bytes:
        place = row["place"]
        out = []
        for c in row["control"]:
            feature = {"type": "Feature", "id": c["id"],
                       "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
                       "properties": period_properties(place, c)}
            out.append((b"" if self.first else b",") + orjson.dumps(feature))
            self.first = False
        return b"".join(out)
