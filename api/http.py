"""GraphQL over HTTP at /graphql, as the GraphQL-over-HTTP specification says, with limits.

The transport is written here rather than taken from strawberry's view so that every request
gets a bounded, specific answer: the body's size, encoding and JSON are checked before
anything is parsed (413, 415, 400 with what to change); a document that cannot run is a 400
with `application/graphql-response+json` (200 with `application/json`, as the spec keeps for
older clients); the whole request has a deadline that cancels its Cypher (504); Neo4j being
down is a 503 with Retry-After within the connection timeout. api/operation.py executes the
document (graphql-core directly, or strawberry for anything unusual).
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import orjson
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from strawberry.types import ExecutionResult

from api.context import Context
from api.limits import NEO4J_UNAVAILABLE, Limits, parsed, precheck
from api.operation import Runner
from api.playground import playground_html

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
RETRY_AFTER = "5"
UNAVAILABLE_MESSAGE = ("the graph database is unavailable just now; try again in a few seconds "
               "(GET /ready says when it is back)")


@dataclass(frozen=True)
class HttpLimits:
    max_body: int
    deadline: float
    cypher_per_request: int
    query_timeout: float
    document: Limits
    max_tokens: int


class RequestError(Exception):
    """A request that cannot be run as sent: its status and what to change."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def _media_type(request: Request) -> str:
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
    raise RequestError(406, f"cannot answer in {accept!r}: accept {GRAPHQL_RESPONSE} or {JSON}")


def _wants_page(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return request.method == "GET" and "text/html" in accept and "query" not in request.query_params


async def read_body(request: Request, max_body: int, setting: str = "REVGRAPH_MAX_BODY") -> bytes:
    """The request body, refused (413) past ``max_body`` bytes without reading the rest;
    ``setting`` names the variable that sets the limit, for the message."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_body:
        raise RequestError(413, f"the request body has {int(length):,} bytes; at most "
                           f"{max_body:,} are accepted ({setting})")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise RequestError(413, f"the request body is over {max_body:,} bytes, the most "
                               f"accepted ({setting})")
        chunks.append(chunk)
    return b"".join(chunks)


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError:
        raise RequestError(400, f"{what} is nested too deeply to be a GraphQL request") from None
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        raise RequestError(400, f"{what} is not valid JSON: {str(exc)[:120]}") from None


async def read_params(request: Request, max_body: int) -> dict[str, Any]:
    """The GraphQL request's parameters (query, variables, operationName, extensions)."""
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        for key in ("variables", "extensions"):
            if key in params and params[key] != "":
                params[key] = _json(params[key], f"the {key} parameter")
            else:
                params.pop(key, None)
    else:
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != JSON:
            raise RequestError(415, f"send the request as {JSON} (Content-Type), not "
                               f"{content_type or 'nothing'}")
        encoding = request.headers.get("content-encoding", "identity").lower()
        if encoding not in ("", "identity"):
            raise RequestError(415, f"a {encoding!r}-encoded body is not accepted: send it "
                               "uncompressed")
        raw = await read_body(request, max_body)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RequestError(400, f"the body is not UTF-8 (byte {exc.start})") from None
        params = _json(text, "the body")
        if not isinstance(params, dict):
            raise RequestError(400, "the body must be a JSON object: "
                               '{"query": "...", "variables": {...}}')
    query = params.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RequestError(400, 'give the GraphQL document as a string in "query"')
    for key in ("variables", "extensions"):
        if params.get(key) is not None and not isinstance(params[key], dict):
            raise RequestError(400, f'"{key}" must be a JSON object')
    name = params.get("operationName")
    if name is not None and not isinstance(name, str):
        raise RequestError(400, '"operationName" must be a string')
    return params


def _is_unavailable(error: GraphQLError) -> bool:
    return isinstance(error.original_error, NEO4J_UNAVAILABLE)


def _body_of(result: ExecutionResult, pre_execution: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    if not pre_execution:
        out["data"] = result.data
    if result.extensions:
        out["extensions"] = result.extensions
    return out


def _response(body: dict[str, Any], status: int, media: str,
              headers: dict[str, str] | None = None) -> Response:
    # orjson: the response's encoding was a visible share of a request's CPU (issue 9's profile)
    content = orjson.dumps(body, default=str)
    return Response(content, status_code=status, headers=headers,
                    media_type=f"{media}; charset=utf-8")


def error_response(exc: RequestError, media: str = JSON) -> Response:
    return _response({"errors": [{"message": exc.message}]}, exc.status, media, exc.headers)


def graphql_endpoint(runner: Runner, state: dict[str, Any], limits: HttpLimits) -> Any:
    """The ASGI endpoint of /graphql. ``state`` holds the driver and the database name."""

    async def endpoint(request: Request) -> Response:
        if _wants_page(request):
            return HTMLResponse(playground_html())
        media = JSON
        try:
            media = _media_type(request)
            params = await read_params(request, limits.max_body)
        except RequestError as exc:
            return error_response(exc, media)
        context = Context(driver=state["driver"], database=state["database"],
                          timeout=limits.query_timeout,
                          slots=asyncio.Semaphore(limits.cypher_per_request),
                          gate=state["gate"])
        request.state.operation = params.get("operationName") or ""
        request.state.context = context
        if request.method == "GET" and _is_mutation(params["query"], limits.max_tokens):
            return error_response(RequestError(405, "mutations are not accepted over GET",
                                               {"Allow": "POST"}), media)
        refused = precheck(runner.schema, params["query"], limits.document, limits.max_tokens)
        if refused is not None:
            return _response({"errors": [refused]}, 400 if media == GRAPHQL_RESPONSE else 200,
                             media)
        try:
            async with asyncio.timeout(limits.deadline):
                result = await runner.run(params["query"], params.get("variables"),
                                          params.get("operationName"), context)
        except TimeoutError:
            return error_response(RequestError(
                504, f"the request took more than {limits.deadline:g} s and was stopped; ask for "
                "less (smaller pages, fewer nested lists)"), media)
        errors = result.errors or []
        if any(_is_unavailable(e) for e in errors):
            return error_response(RequestError(503, UNAVAILABLE_MESSAGE, {"Retry-After": RETRY_AFTER}),
                                  media)
        pre_execution = bool(errors) and result.data is None and all(e.path is None for e in errors)
        status = 400 if pre_execution and media == GRAPHQL_RESPONSE else 200
        return _response(_body_of(result, pre_execution), status, media)

    return endpoint


def _is_mutation(query: str, max_tokens: int) -> bool:
    from graphql import OperationDefinitionNode, OperationType

    document = parsed(query, max_tokens)  # the same cached parse the limits check uses
    if isinstance(document, GraphQLError):
        return False
    return any(isinstance(d, OperationDefinitionNode) and d.operation is not OperationType.QUERY
               for d in document.definitions)
