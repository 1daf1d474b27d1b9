"""The reconciliation service over HTTP, at /reconcile (W3C Entity Reconciliation Service API
0.2; the 1.0 draft's paths and its JSON batch too):

- ``GET /reconcile``: the manifest (JSONP with ``callback``, for old clients);
- ``GET|POST /reconcile`` with ``queries=`` (0.2: a JSON object of queries by key), answered by
  key; ``POST /reconcile`` with a JSON body ``{"queries": [...]}`` (1.0 draft), answered as
  ``{"results": [...]}`` in order;
- ``GET|POST /reconcile`` with ``extend=``: data extension (api/reconcile/extend.py);
- ``GET /reconcile/extend/propose?type=``: the properties a type can be extended with;
- ``GET /reconcile/suggest/entity|type|property?prefix=``: auto-completion, and
  ``/reconcile/suggest/flyout?id=`` the card it shows beside a suggestion;
- ``GET /reconcile/preview?id=``: the small HTML card a client shows in a frame.

Every answer carries ``Access-Control-Allow-Origin: *`` and every path answers a preflight
(``OPTIONS``): the service is read-only and public, and browser-based clients call it from
their own origin. The preview is the one page another site may frame (its clients embed it):
its Content-Security-Policy is the app's with ``frame-ancestors *``.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qs

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from api.graphql.context import LABELS, Context
from api.graphql.inputs import lucene
from api.reconcile import extend as ext
from api.reconcile import match
from api.reconcile.service import (
    ENTITY_KINDS,
    SERVICE_PATH,
    kind_of,
    manifest,
    props_of,
    type_entry,
)
from api.web.body import loads, read_body
from api.web.entity import base_url, card, read_page
from api.web.entity import request_context as page_context
from api.web.security import CSP
from graph import queries
from graph.db import NEO4J_UNAVAILABLE
from schema.config import Config
from schema.errors import InputError, RevgraphError

CORS = {"access-control-allow-origin": "*", "access-control-allow-methods": "GET, POST, OPTIONS",
        "access-control-allow-headers": "content-type, accept", "access-control-max-age": "86400"}
PREVIEW_CSP = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
CALLBACK = re.compile(r"[A-Za-z_$][\w$.]{0,99}")  # a JSONP callback: a (dotted) JS name
SUGGEST_LIMIT = 10
UNAVAILABLE = ("the graph database is unavailable just now; try again in a few seconds "
               "(GET /ready says when it is back)")

Handler = Callable[[Request], Awaitable[Response]]


def json_response(request: Request, body: Any, status: int = 200) -> Response:
    """JSON, or JSONP when a valid ``callback`` is given (0.2 clients' suggest widgets)."""
    data = orjson.dumps(body)
    callback = request.query_params.get("callback")
    if callback is not None and request.method == "GET":
        if not CALLBACK.fullmatch(callback):
            return _error(request, InputError("callback must be a JavaScript name"))
        return Response(b"/**/" + callback.encode() + b"(" + data + b");", status_code=status,
                        media_type="application/javascript", headers=CORS)
    return Response(data, status_code=status, media_type="application/json", headers=CORS)


def _error(request: Request, exc: RevgraphError) -> Response:
    return Response(orjson.dumps({"error": exc.message}), status_code=exc.status,
                    media_type="application/json", headers={**CORS, **exc.headers})


def guarded(handler: Handler) -> Handler:
    """CORS on every answer and preflight, and errors as JSON with their status."""
    async def run(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers=CORS)
        try:
            return await handler(request)
        except RevgraphError as exc:
            return _error(request, exc)
        except NEO4J_UNAVAILABLE:
            return _error(request, InputError(UNAVAILABLE, status=503,
                                              headers={"Retry-After": "5"}))
        except GraphQLError as exc:  # the query timed out (api/graphql/context.py)
            if (exc.extensions or {}).get("code") != "TIMEOUT":
                raise
            return _error(request, InputError(exc.message, status=504))
    return run


def routes(state: dict[str, Any], config: Config) -> list[Route]:
    def context(request: Request) -> Context:
        """The request's Cypher context; the request log reports its round trips."""
        ctx = Context(driver=state["driver"], database=state["database"],
                      timeout=config.query_timeout, gate=state["gate"])
        request.state.context = ctx
        return ctx

    async def params(request: Request) -> dict[str, Any]:
        """The query string, or a POSTed form or JSON body."""
        if request.method == "GET":
            return dict(request.query_params)
        body = await read_body(request, config.max_body)
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind == "application/json":
            parsed = loads(body, "the body")
            return {"json": parsed}
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            raise InputError("the body is not UTF-8") from None
        return {k: v[-1] for k, v in form.items()} | dict(request.query_params)

    async def service(request: Request) -> Response:
        given = await params(request)
        if "json" in given:
            batch = match.parse_draft(given["json"])
            found = await match.reconcile(context(request), batch)
            return json_response(request, {"results": [
                {"candidates": candidates(r, draft=True)} for r in found.values()]})
        if given.get("queries"):
            batch = match.parse_batch(loads(given["queries"], "queries"))
            found = await match.reconcile(context(request), batch)
            return json_response(request, {k: {"result": candidates(r)} for k, r in found.items()})
        if given.get("query"):  # a single query (0.1), answered as one result
            q = given["query"]
            raw = loads(q, "query") if q.lstrip().startswith("{") else q
            found = await match.reconcile(context(request), [match.parse_query("q", raw)])
            return json_response(request, {"result": candidates(found["q"])})
        if given.get("extend"):
            ids, asked = ext.parse(loads(given["extend"], "extend"))
            return json_response(request, await ext.extend(context(request), ids, asked))
        return json_response(request, manifest(base_url(request, config)))

    async def propose(request: Request) -> Response:
        type_id = request.query_params.get("type") or ""
        kind_of(type_id)
        found = [p.entry() for p in props_of(type_id, extends=True)]
        limit = _limit(request, len(found))
        return json_response(request, {"type": type_id, "properties": found[:limit],
                                       "limit": limit})

    async def suggest_entity(request: Request) -> Response:
        prefix = request.query_params.get("prefix", "").strip()
        if not prefix:
            return json_response(request, {"result": []})
        type_id = request.query_params.get("type")
        types = {kind_of(type_id).name} if type_id else {k.name for k in ENTITY_KINDS}
        try:
            text = lucene(prefix)
        except Exception:  # noqa: BLE001 - nothing searchable typed yet
            return json_response(request, {"result": []})
        rows = (await context(request).read(queries.SEARCH, lucene=text, limit=SUGGEST_LIMIT,
                                     labels=LABELS))[0]["hits"]
        hits = [h for h in rows if h["label"] in types]
        return json_response(request, {"result": [
            {"id": h["props"]["id"], "name": h["props"].get("name") or h["props"]["id"],
             "description": match.describe(h["label"], h["props"]),
             "notable": [{"id": h["label"], "name": h["label"]}]}
            for h in hits[:_limit(request, SUGGEST_LIMIT)]]})

    async def suggest_type(request: Request) -> Response:
        prefix = request.query_params.get("prefix", "").strip().lower()
        return json_response(request, {"result": [
            type_entry(k) for k in ENTITY_KINDS if k.name.lower().startswith(prefix)
            or prefix in k.description.lower()]})

    async def suggest_property(request: Request) -> Response:
        prefix = request.query_params.get("prefix", "").strip().lower()
        type_id = request.query_params.get("type")
        if type_id:
            kind_of(type_id)
        found = [p.entry() for p in props_of(type_id)
                 if p.id.lower().startswith(prefix) or prefix in p.name.lower()]
        return json_response(request, {"result": found[:_limit(request, len(found))]})

    async def preview(request: Request) -> Response:
        page = await read_page(page_context(request, state, config),
                               request.query_params.get("id", ""))
        if page is None:
            raise InputError("no entity or fact has this id", status=404)
        html = card(page, base_url(request, config))
        return HTMLResponse(html, headers={**CORS, "content-security-policy": PREVIEW_CSP})

    async def flyout(request: Request) -> Response:
        node_id = request.query_params.get("id", "")
        page = await read_page(page_context(request, state, config), node_id)
        if page is None:
            raise InputError("no entity or fact has this id", status=404)
        return json_response(request, {"id": node_id, "html": card(page, base_url(request, config))})

    methods = ["GET", "POST", "OPTIONS"]
    return [
        Route(SERVICE_PATH, guarded(service), methods=methods),
        Route(f"{SERVICE_PATH}/extend/propose", guarded(propose), methods=methods),
        Route(f"{SERVICE_PATH}/suggest/entity", guarded(suggest_entity), methods=methods),
        Route(f"{SERVICE_PATH}/suggest/type", guarded(suggest_type), methods=methods),
        Route(f"{SERVICE_PATH}/suggest/property", guarded(suggest_property), methods=methods),
        Route(f"{SERVICE_PATH}/suggest/flyout", guarded(flyout), methods=methods),
        Route(f"{SERVICE_PATH}/preview", guarded(preview), methods=methods),
    ]


def _limit(request: Request, default: int) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return default
    if not raw.isdigit() or not 0 < int(raw) <= 100:
        raise InputError("limit must be a whole number from 1 to 100")
    return int(raw)


def candidates(result: match.Result, draft: bool = False) -> list[dict[str, Any]]:
    """A query's candidates as the API gives them (0.2, or the 1.0 draft's shape)."""
    return [c.answer(result.match == c.id) for c in result.candidates]


class Preflight:
    """ASGI middleware: preflights to the reconciliation service are answered for any origin,
    before the app's own CORS (``REVGRAPH_CORS_ORIGINS``, for the rest of the API) can refuse
    an origin it does not list."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (scope["type"] == "http" and scope["method"] == "OPTIONS"
                and scope["path"].startswith(SERVICE_PATH)):
            await Response(status_code=204, headers=CORS)(scope, receive, send)
            return
        await self.app(scope, receive, send)
