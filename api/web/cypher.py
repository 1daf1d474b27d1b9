"""POST /cypher: read-only Cypher over HTTP for researchers who do not hold the database password.

Request: ``Content-Type: application/json``, body ``{"query": "...", "parameters": {...}}``.
Answer: JSON ``{"columns": [...], "rows": [{column: value}], "rowCount": n, "truncated": bool,
"rowLimit": n}``, or CSV with ``Accept: text/csv`` or ``?format=csv`` (a header row, then one
line per row; ``X-Revgraph-Truncated`` says whether rows were cut off).

The rules (what is refused and why, the timeout, the row limit) are graph/readonly.py's, the same
as ``revgraph cypher`` without ``--write``. Errors are JSON ``{"error": {"status", "message"}}``:
400 refused or malformed query, 413 body too large, 415 not JSON, 429 too many queries at once,
503 (with Retry-After) Neo4j unavailable, 504 the query ran out of time.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.web.body import loads, read_body
from api.web.errors import error_response
from graph.readonly import (
    RUNAWAYS,
    TX_METADATA,
    Busy,
    Limits,
    QueryError,
    Refused,
    TimedOut,
    run_async,
)
from schema.config import Config
from schema.errors import InputError, RevgraphError
from schema.errors import RevgraphError as HttpError

QUEUE_WAIT = 2.0                # seconds a query waits for a free slot before a 429
RETRY_AFTER_DOWN = "5"          # seconds, for 503 when Neo4j does not answer


def _error(status: int, message: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    return error_response(RevgraphError(message, status=status, headers=headers, **extra))


def _Bad(status: int, message: str) -> InputError:  # noqa: N802 - reads as the error it makes
    return InputError(message, status=status)


def _parse(request: Request, body: bytes) -> tuple[str, dict[str, Any]]:
    """The query and parameters of a JSON body, or an HttpError that says what to change."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise _Bad(415, "send the query as JSON: Content-Type: application/json and a body "
                        '{"query": "...", "parameters": {...}}'
                        + (f" (got Content-Type {media!r})" if media else ""))
    encoding = request.headers.get("content-encoding", "identity").strip().lower()
    if encoding not in ("", "identity"):
        raise _Bad(415, f"Content-Encoding {encoding!r} is not accepted: send the body "
                        "uncompressed")
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _Bad(400, f"the body is not UTF-8 (byte {exc.start})") from None
    data = loads(body, "the body")
    if not isinstance(data, dict):
        raise _Bad(400, 'the body must be a JSON object: {"query": "...", "parameters": {...}}')
    unknown = sorted(set(data) - {"query", "parameters"})
    if unknown:
        raise _Bad(400, f"unknown field(s) {', '.join(map(repr, unknown))}: the body takes "
                        '"query" and "parameters"')
    query = data.get("query")
    if not isinstance(query, str) or not query.strip():
        raise _Bad(400, '"query" must be a non-empty string of Cypher')
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise _Bad(400, '"parameters" must be a JSON object of name: value')
    return query, parameters


def _wants_csv(request: Request) -> bool:
    fmt = request.query_params.get("format", "").lower()
    if fmt:
        if fmt not in ("csv", "json"):
            raise _Bad(400, f"format={fmt!r}: expected csv or json")
        return fmt == "csv"
    accept = request.headers.get("accept", "").lower()
    return "text/csv" in accept and "application/json" not in accept


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False)


def _csv(keys: list[str], rows: list[dict[str, Any]], truncated: bool, limit: int) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow([_cell(row[k]) for k in keys])
    return Response(buffer.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"X-Revgraph-Truncated": "true" if truncated else "false",
                             "X-Revgraph-Row-Limit": str(limit)})


class Runaways:
    """Whether queries this API started still run in Neo4j past their deadline: then new ones
    wait (503) until those have ended for real, so that a few runaways cannot pile up on
    Neo4j's cores (Neo4j marks a timed-out transaction terminated, but an expression it cannot
    interrupt computes on). Asked only after a query of ours ran out of time, and then at most
    once a second."""

    def __init__(self, state: dict[str, Any], limits: Limits) -> None:
        self.state, self.limits = state, limits
        self.suspect = False  # a query of ours timed out: look before running the next
        self.checked = 0.0
        self.running = 0

    def timed_out(self) -> None:
        self.suspect = True

    async def refuse_if_running(self) -> None:
        if not self.suspect:
            return
        loop = asyncio.get_running_loop()
        if loop.time() - self.checked >= 1.0:
            self.checked = loop.time()
            async with asyncio.timeout(QUEUE_WAIT):
                records, _, _ = await self.state["driver"].execute_query(
                    RUNAWAYS, app=TX_METADATA["app"], seconds=int(self.limits.timeout) + 1,
                    database_=self.state["database"])
            self.running = len(records)
            self.suspect = self.running > 0
        if self.running:
            raise Busy(f"{self.running} earlier quer{'y' if self.running == 1 else 'ies'} of "
                       "/cypher still run in Neo4j past their time limit; new ones wait until "
                       "they end. Try again in a few seconds", headers={"Retry-After": "5"})


def routes(state: dict[str, Any], config: Config) -> list[Route]:
    """The /cypher route; ``state`` holds the app's "driver" (AsyncDriver) and "database"."""
    limits = Limits.from_config(config)
    max_body = config.cypher_max_body
    slots = asyncio.Semaphore(config.cypher_concurrency)
    runaways = Runaways(state, limits)

    async def guarded(run: Callable[[], Awaitable[Response]]) -> Response:
        try:
            await asyncio.wait_for(slots.acquire(), QUEUE_WAIT)
        except TimeoutError:
            return _error(429, "too many Cypher queries are running; try again shortly",
                          {"Retry-After": "1"})
        health = state.get("health")
        if health is not None and not await health.answers():
            slots.release()
            return _error(503, "the graph database is unavailable; try again shortly",
                          {"Retry-After": RETRY_AFTER_DOWN})
        try:
            await runaways.refuse_if_running()
            # The server stops the transaction at the timeout; this deadline is for a server
            # that does not answer at all.
            return await asyncio.wait_for(run(), limits.timeout + 5)
        except (TimedOut, TimeoutError):
            runaways.timed_out()
            raise
        finally:
            slots.release()

    async def cypher(request: Request) -> Response:
        try:
            as_csv = _wants_csv(request)
            async with asyncio.timeout(config.request_deadline):  # a body that never arrives
                body = await read_body(request, max_body, "REVGRAPH_CYPHER_MAX_BODY")
            query, parameters = _parse(request, body)
        except HttpError as exc:
            return _error(exc.status, exc.message, exc.headers)
        except TimeoutError:
            return _error(408, f"the request's body did not arrive within "
                          f"{config.request_deadline:g} s")

        async def answer() -> Response:
            result = await run_async(state["driver"], state["database"], query, parameters, limits)
            rows = result.rows
            if as_csv:
                return _csv(result.keys, rows, result.truncated, limits.max_rows)
            body: dict[str, Any] = {"columns": result.keys, "rows": rows, "rowCount": len(rows),
                                    "truncated": result.truncated, "rowLimit": limits.max_rows}
            if result.cut:
                body["cut"] = f"the answer holds only {result.cut}"
            return Response(orjson.dumps(body, default=str), media_type="application/json")

        try:
            return await guarded(answer)
        except Refused as exc:
            return _error(400, f"refused: {exc}", refused=True)
        except QueryError as exc:
            return _error(400, f"Neo4j could not run the query: {exc.message}", code=exc.code)
        except Busy as exc:
            return _error(exc.status, exc.message, exc.headers)
        except (TimedOut, TimeoutError):
            return _error(504, f"the query did not finish within {limits.timeout:g} s and was "
                          "stopped; narrow it (a LIMIT, an indexed property) and try again")
        except (ServiceUnavailable, SessionExpired):
            if state.get("health") is not None:
                state["health"].lost()
            return _error(503, "the graph database is unavailable; try again shortly",
                          {"Retry-After": RETRY_AFTER_DOWN})
        except TransientError as exc:
            return _error(503, f"the graph database could not run the query now ({exc.code}); "
                          "try again shortly", {"Retry-After": RETRY_AFTER_DOWN})

    async def not_allowed(request: Request) -> Response:
        return _error(405, 'POST a JSON body {"query": "...", "parameters": {...}} to /cypher',
                      {"Allow": "POST"})

    return [Route("/cypher", cypher, methods=["POST"]),
            Route("/cypher", not_allowed, methods=["GET", "PUT", "DELETE", "PATCH"])]
