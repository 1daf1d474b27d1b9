"""The export endpoints, /export/<name>, streamed (Starlette's StreamingResponse).

Query parameters: ``on``, ``calendar`` (julian/gregorian), ``from``, ``to``, ``kind`` (repeat
it or separate with commas), ``around`` and ``depth``. A bad one answers 400 with a message
saying what to change; where the export came from is in it and in X-Revgraph-* headers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from api.exports.catalog import EXPORTS, Export, aresolve, plan
from api.exports.options import OptionError, parse_options
from api.exports.render import arender, async_rows, provenance

KNOWN = {"on", "calendar", "from", "to", "kind", "around", "depth"}


def _bad(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=400)


def _endpoint(export: Export, state: dict[str, Any]) -> Any:
    async def handle(request: Request) -> Response:
        qp = request.query_params
        unknown = sorted(set(qp) - KNOWN)
        if unknown:
            return _bad(f"unknown parameter {', '.join(unknown)}: use {', '.join(sorted(KNOWN))}")
        try:
            options = parse_options(on=qp.get("on"), calendar=qp.get("calendar"),
                                    from_=qp.get("from"), to=qp.get("to"),
                                    kind=qp.getlist("kind"), around=qp.get("around"),
                                    depth=qp.get("depth"), places=export.places)
            driver, database = state["driver"], state["database"]
            ids = await aresolve(driver, database, options)
        except OptionError as exc:
            return _bad(str(exc))
        fmt = export.make(options)
        the_plan = plan(export, options, ids)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        prov = provenance(the_plan, target, fmt.sections)
        headers = {
            "Content-Disposition": f'attachment; filename="{export.name}"',
            "X-Revgraph-Version": prov["generator"],
            "X-Revgraph-Generated": prov["generated"],
            "X-Revgraph-Parameters": quote(orjson.dumps(prov["parameters"]).decode(), safe=""),
            "X-Revgraph-Query": quote(" ".join(" ".join(prov["cypher"].values()).split()), safe=""),
        }
        body = arender(fmt, the_plan, prov, async_rows(driver, database))
        return StreamingResponse(body, media_type=fmt.media_type, headers=headers)

    return handle


def routes(state: dict[str, Any]) -> list[Route]:
    """The /export/* routes, reading Neo4j through ``state["driver"]``."""
    return [Route(f"/export/{name}", _endpoint(e, state), methods=["GET"])
            for name, e in EXPORTS.items()]
