"""Which exports there are: their URL path, CLI format, formatter and media type, and the
plan (queries and parameters) each runs for a set of options."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, Driver

from api.exports.cytoscape import CytoscapeJSON
from api.exports.geo import GeoJSON, LinkedPlaces, Periods
from api.exports.options import OptionError, Options
from api.exports.render import Formatter, plan_for
from api.exports.tables import EdgesCSV, NodesCSV
from api.exports.xmlgraphs import Gexf, GraphML
from graph import exports as q
from graph.exports import Plan


@dataclass(frozen=True)
class Export:
    name: str  # the file name under /export/
    places: bool  # a place export (kind = kinds of place) or a graph export (kind = labels)
    make: Callable[[Options], Formatter]
    timed: bool = False  # nodes carry the span they take part in the graph's facts (GEXF)


EXPORTS: dict[str, Export] = {e.name: e for e in (
    Export("places.geojson", True, lambda o: GeoJSON(o.on is not None)),
    Export("places.lpf.json", True, lambda o: LinkedPlaces(o.on is not None)),
    Export("periods.geojson", True, lambda o: Periods()),
    Export("graph.gexf", False, lambda o: Gexf(), timed=True),
    Export("graph.graphml", False, lambda o: GraphML()),
    Export("graph.cyjs", False, lambda o: CytoscapeJSON()),
    Export("nodes.csv", False, lambda o: NodesCSV()),
    Export("edges.csv", False, lambda o: EdgesCSV()),
)}

# `revgraph export FORMAT`: the exports each format writes.
CLI_FORMATS: dict[str, tuple[str, ...]] = {
    "geojson": ("places.geojson",),
    "lpf": ("places.lpf.json",),
    "periods": ("periods.geojson",),
    "gexf": ("graph.gexf",),
    "graphml": ("graph.graphml",),
    "cytoscape": ("graph.cyjs",),
    "csv": ("nodes.csv", "edges.csv"),
}


def _ids(row: dict[str, Any] | None, options: Options) -> list[str]:
    if row is None:
        raise OptionError(f"around: no entity or fact has the id {options.around!r}; "
                          "find ids with the GraphQL search(text:)")
    return list(row["ids"])


def neighbourhood_params(options: Options) -> dict[str, Any]:
    return {"around": options.around, "labels": q.LABELS}


def resolve(driver: Driver, database: str, options: Options) -> list[str] | None:
    """The ids of ``around``'s neighbourhood (None: the whole graph)."""
    if options.around is None:
        return None
    row = q.read_one(driver, database, q.neighbourhood(options.depth),
                     neighbourhood_params(options))
    return _ids(row, options)


async def aresolve(driver: AsyncDriver, database: str, options: Options) -> list[str] | None:
    if options.around is None:
        return None
    row = await q.aread_one(driver, database, q.neighbourhood(options.depth),
                            neighbourhood_params(options))
    return _ids(row, options)


def plan(export: Export, options: Options, ids: list[str] | None) -> Plan:
    params = options.params() | {"ids": ids}
    if options.around is not None:
        params |= {"around": options.around, "depth": options.depth}
    return plan_for(export.places, params, export.timed)
