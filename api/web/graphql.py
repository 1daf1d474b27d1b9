"""GraphQL over HTTP at /graphql: one request path, every check once, the response cache behind
the checks.

A request goes through these steps, in this order, and each is done once:

1. the answer's media type from ``Accept`` (406 if neither GraphQL's nor JSON);
2. the parameters: from the query string (GET), or from the body (POST), whose size limit is
   applied from ``Content-Length`` and again while it is read (413 before a large body is
   buffered), then decoded (415 for another content type or an encoding, 400 for bad UTF-8)
   and parsed as JSON once (orjson; 400 for bad JSON, nesting deeper than ``MAX_JSON_DEPTH``,
   or a lone surrogate);
3. the document, read once by api/graphql/operation.py (parse with the token limit, depth,
   alias and cost limits, validation; kept for the same text) and the operation chosen: a
   document that cannot run is a 400 with ``application/graphql-response+json`` (200 with
   ``application/json``, as the GraphQL-over-HTTP specification keeps for older clients);
4. the response cache (api/web/cache.py), keyed by the graph's version, the document in
   canonical form, the variables, the operation and the media type: only a request that passed
   every check above reaches it, so it never serves what the app itself would refuse;
5. execution under the request's deadline, counted from the request's arrival (504), with
   Neo4j unreachable or shutting down answered 503 with ``Retry-After``.

Errors a request can cause are ``RevgraphError``s (schema/errors.py), answered here in
GraphQL's shape: ``{"errors": [{"message": ...}]}``.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.types import ExecutionResult

from api.graphql.context import Context
from api.graphql.operation import Prepared, Runner
from api.graphql.turns import Turn, dumps
from api.web.body import loads, read_body
from api.web.cache import Entry, ResponseCache
from api.web.playground import playground_html
from graph.db import NEO4J_UNAVAILABLE
from schema.errors import DeadlineExceeded, InputError, RevgraphError, Unavailable

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
UNAVAILABLE_MESSAGE = ("the graph database is unavailable just now; try again in a few seconds "
                       "(GET /ready says when it is back)")


@dataclass(frozen=True)
class HttpLimits:
    max_body: int
    deadline: float
    cypher_per_request: int
    query_timeout: float
    max_answer: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class Params:
    """A GraphQL request's parameters, checked."""

    query: str
    variables: dict[str, Any] | None
    operation: str | None


def media_type(request: Request) -> str:
    """The response's media type from Accept: graphql-response+json when the client asks for
    it, else application/json (the legacy default, also when Accept is absent)."""
    accept = request.headers.get("accept", "")
    if not accept.strip():
        return JSON
    kinds = [part.split(";")[0].strip().lower() for part in accept.split(",")]
    if GRAPHQL_RESPONSE in kinds:
        return GRAPHQL_RESPONSE
    if any(k in (JSON, "application/*", "*/*") for k in kinds):
        return JSON
    raise InputError(f"cannot answer in {accept[:100]!r}: accept {GRAPHQL_RESPONSE} or {JSON}",
                     status=406)


async def read_params(request: Request, max_body: int) -> Params:
    """The GraphQL request's parameters (query, variables, operationName, extensions)."""
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        for key in ("variables", "extensions"):
            if params.get(key):
                params[key] = loads(params[key], f"the {key} parameter")
            else:
                params.pop(key, None)
    else:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != JSON:
            raise InputError(f"send the request as {JSON} (Content-Type), not "
                             f"{content_type[:80] or 'nothing'}", status=415)
        charset = _charset(content_type)
        if charset not in ("", "utf-8", "utf8"):
            raise InputError(f"send the body in UTF-8, not {charset[:40]}", status=415)
        encoding = request.headers.get("content-encoding", "identity").lower()
        if encoding not in ("", "identity"):
            raise InputError(f"a {encoding[:40]!r}-encoded body is not accepted: send it "
                             "uncompressed", status=415)
        raw = await read_body(request, max_body)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"the body is not UTF-8 (byte {exc.start})") from None
        params = loads(raw, "the body")
        if not isinstance(params, dict):
            raise InputError('the body must be a JSON object: {"query": "...", "variables": '
                             "{...}}")
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise InputError('give the GraphQL document as a string in "query"')
    for key in ("variables", "extensions"):
        if params.get(key) is not None and not isinstance(params[key], dict):
            raise InputError(f'"{key}" must be a JSON object')
    name = params.get("operationName")
    if name is not None and not isinstance(name, str):
        raise InputError('"operationName" must be a string')
    return Params(query, params.get("variables"), name or None)


def _charset(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return ""


def _response(body: bytes, status: int, media: str, headers: dict[str, str] | None = None
              ) -> Response:
    # The media type follows Accept, so a cache in front must key by it too.
    return Response(body, status_code=status, headers={"vary": "Accept", **(headers or {})},
                    media_type=f"{media}; charset=utf-8")


def graphql_error_response(exc: RevgraphError, media: str = JSON) -> Response:
    """A request error in GraphQL's shape, with its status and headers."""
    body = orjson.dumps({"errors": [{"message": exc.message}]})
    return _response(body, exc.status, media, exc.headers)


def _refusal(errors: tuple[GraphQLError, ...], media: str) -> Response:
    """A document that cannot run: 400 for graphql-response+json, 200 for JSON."""
    body = orjson.dumps({"errors": [e.formatted for e in errors]})
    return _response(body, 400 if media == GRAPHQL_RESPONSE else 200, media)


async def _body(result: ExecutionResult, turn: Turn | None = None) -> tuple[bytes, bool]:
    """The response body, and whether it was refused before execution (an error at no
    path, no data: variables that do not fit, say)."""
    errors = result.errors or []
    pre_execution = bool(errors) and result.data is None and all(e.path is None for e in errors)
    out: dict[str, Any] = {}
    if errors:
        out["errors"] = [e.formatted for e in errors]
    if not pre_execution:
        out["data"] = result.data
    if result.extensions:
        out["extensions"] = result.extensions
    # orjson: the response's encoding was a visible share of a request's CPU (docs/scaling.md);
    # a large answer's in parts, pausing between turns on the loop (api/graphql/turns.py).
    return await dumps(out, turn), pre_execution


class GraphQLEndpoint:
    """The endpoint of /graphql (``handle``). ``state`` holds the driver, the database's name and the
    Neo4j gate; ``cache`` the response cache, or None when it is off."""

    def __init__(self, runner: Runner, state: dict[str, Any], limits: HttpLimits,
                 cache: ResponseCache | None) -> None:
        self.runner = runner
        self.state = state
        self.limits = limits
        self.cache = cache

    async def handle(self, request: Request) -> Response:
        if _wants_page(request):
            return HTMLResponse(playground_html())
        media = JSON
        # The deadline counts from the request's arrival, the body's reading included.
        started = request.scope.get("state", {}).get("started", time.monotonic())
        remaining = self.limits.deadline - (time.monotonic() - started)
        try:
            media = media_type(request)
            async with asyncio.timeout(max(remaining, 0.001)):
                return await self._answer(request, media)
        except TimeoutError:
            return graphql_error_response(DeadlineExceeded(
                f"the request took more than {self.limits.deadline:g} s and was stopped; ask "
                "for less (smaller pages, fewer nested lists)"), media)
        except RevgraphError as exc:
            return graphql_error_response(exc, media)

    async def _answer(self, request: Request, media: str) -> Response:
        params = await read_params(request, self.limits.max_body)
        request.state.operation = params.operation or ""
        prepared = self.runner.prepare(params.query)
        if request.method == "GET" and prepared.document is not None \
                and not prepared.queries_only:
            raise InputError("mutations are not accepted over GET", status=405,
                             headers={"Allow": "POST"})
        if prepared.errors:
            return _refusal(prepared.errors, media)
        chosen = prepared.choose(params.operation)
        if chosen is not None:
            return _refusal((chosen,), media)
        key = None
        if self.cache is not None:
            key = await self.cache.key(prepared.key, params.variables, params.operation, media)
            entry = self.cache.get(key) if key is not None else None
            if entry is not None:
                return self.cache.response(request, entry, hit=True)
        body, status, clean = await self._run(request, prepared, params, media)
        if self.cache is not None and key is not None and status == 200 and clean:
            entry = self.cache.put(key, Entry(body, media))
            return self.cache.response(request, entry, hit=False)
        return _response(body, status, media)

    async def _run(self, request: Request, prepared: Prepared, params: Params,
                   media: str) -> tuple[bytes, int, bool]:
        """The answer's body and status, and whether it is free of errors (so cacheable)."""
        context = Context(driver=self.state["driver"], database=self.state["database"],
                          timeout=self.limits.query_timeout,
                          slots=asyncio.Semaphore(self.limits.cypher_per_request),
                          gate=self.state["gate"])
        request.state.context = context
        health = self.state.get("health")
        if health is not None and not await health.answers():
            raise Unavailable(UNAVAILABLE_MESSAGE)  # an outage, and Neo4j still does not answer
        context.turn.restart()  # the checks above may have waited: its first turn starts here
        with context.turn:  # a large answer holds the garbage collector (api/graphql/turns.py)
            result: ExecutionResult | None = None
            try:
                result = await self.runner.run(prepared, params.variables, params.operation,
                                               context)
                errors = result.errors or []
                if any(isinstance(e.original_error, NEO4J_UNAVAILABLE) for e in errors):
                    if health is not None:
                        health.lost()
                    raise Unavailable(UNAVAILABLE_MESSAGE)
                body, pre_execution = await _body(result, context.turn)
            finally:
                context.release()
                result = None  # its objects freed by reference counts, before the collector runs
        if len(body) > self.limits.max_answer:
            raise InputError(f"the answer has {len(body):,} bytes, over the {self.limits.max_answer:,} "
                             "an answer may have (REVGRAPH_MAX_ANSWER): ask for smaller pages "
                             "(`first`) or fewer nested lists")
        return body, 400 if pre_execution and media == GRAPHQL_RESPONSE else 200, not errors


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept and "query" not in request.query_params

