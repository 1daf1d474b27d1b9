"""/export/provenance.json: where an export comes from, behind a link rather than in headers.

Every export answers with ``Link: </export/provenance.json?export=NAME&...>; rel="describedby"``:
the same options, and this route gives the revgraph version, the Cypher each section runs and its
parameters, without reading the graph. For a neighbourhood (``around``), ``$ids`` is what the
``neighbourhood`` query gives, and that query is listed too. The formats with room for it (GeoJSON,
GEXF, GraphML, Cytoscape JSON) also carry it in the document; CSV has none, hence this.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from api.exports.catalog import EXPORTS, plan
from api.exports.options import OptionError, Options, parse_options
from api.exports.render import provenance
from graph import exports as q

PATH = "/export/provenance.json"
OPTIONS = ("on", "calendar", "from", "to", "kind", "around", "depth")


def link(name: str, query: list[tuple[str, str]]) -> str:
    """The Link header's value for export ``name`` asked with ``query``."""
    pairs = [("export", name)] + [(k, v) for k, v in query if k in OPTIONS]
    return f'<{PATH}?{urlencode(pairs)}>; rel="describedby"; type="application/json"'


def describe(name: str, options: Options, request: str) -> dict[str, Any]:
    export = EXPORTS[name]
    around = options.around is not None
    # The neighbourhood's ids come from a query of their own; named, not run, here.
    the_plan = plan(export, options, ["$ids: the ids the neighbourhood query gives"] if around
                    else None)
    doc = provenance(the_plan, request, export.make(options).sections)
    if around:
        doc["cypher"] = {"neighbourhood": q.neighbourhood(options.depth).strip(), **doc["cypher"]}
        doc["parameters"]["ids"] = "the ids the neighbourhood query gives"
    return {"export": f"/export/{name}", **doc}


async def about(request: Request) -> Response:
    qp = request.query_params
    unknown = sorted(set(qp) - {"export", *OPTIONS})
    name = qp.get("export", "")
    if unknown:
        return _error(f"unknown parameter {', '.join(unknown)}: use export and "
                      f"{', '.join(OPTIONS)}")
    if name not in EXPORTS:
        return _error(f"export must name one of {', '.join(EXPORTS)}, got {name!r}")
    try:
        options = parse_options(on=qp.get("on"), calendar=qp.get("calendar"),
                                from_=qp.get("from"), to=qp.get("to"), kind=qp.getlist("kind"),
                                around=qp.get("around"), depth=qp.get("depth"),
                                places=EXPORTS[name].places)
    except OptionError as exc:
        return _error(str(exc))
    target = f"/export/{name}?" + urlencode([(k, v) for k, v in qp.multi_items() if k != "export"])
    return JSONResponse(describe(name, options, target.rstrip("?")))


def _error(message: str) -> Response:
    return JSONResponse({"error": {"status": 400, "message": message}}, status_code=400)


def routes() -> list[Route]:
    return [Route(PATH, about, methods=["GET"])]
