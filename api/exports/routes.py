"""The export endpoints, /export/<name>, streamed.

Query parameters: ``on``, ``calendar`` (julian/gregorian), ``from``, ``to``, ``kind`` (repeat
it or separate with commas), ``around`` and ``depth``. A bad one answers 400 with a message
saying what to change; where the export came from is in the document (where the format has
room), in short in X-Revgraph-* headers, and whole behind the ``Link`` header
(/export/provenance.json: api/exports/about.py).

An export is bounded like every other reader of the graph:

- at most ``REVGRAPH_EXPORT_CONCURRENCY`` run at once in a process, each holding one of the
  process's Neo4j slots (the gate every query shares) while it runs: more answer 503 with
  Retry-After;
- its read is opened before the first byte is sent (the transaction begun, the first rows
  asked for), so an unreachable Neo4j answers 503 within the connection timeout rather than a
  200 followed by nothing;
- the whole export has a deadline (``REVGRAPH_EXPORT_DEADLINE``, its transaction's timeout
  too), and a client that leaves the stream unread for ``REVGRAPH_SEND_TIMEOUT`` seconds is cut
  off, its transaction released;
- a failure once bytes have been sent ends the transfer without its last chunk, so no client
  takes a cut file for a whole one, and it is logged as one line saying why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator
from typing import Any
from urllib.parse import quote

import orjson
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from api.exports import about
from api.exports.catalog import EXPORTS, Export, aresolve, plan
from api.exports.options import parse_options
from api.exports.render import arender, provenance
from graph import exports as q
from graph.db import NEO4J_UNAVAILABLE
from schema.config import Config
from schema.errors import InputError, Unavailable

KNOWN = {"on", "calendar", "from", "to", "kind", "around", "depth"}
log = logging.getLogger("revgraph.api")
UNAVAILABLE = ("the graph database is unavailable just now; try again in a few seconds "
               "(GET /ready says when it is back)")


class Cut(Exception):
    """An export stopped after its first byte: why, for the log."""


class ExportResponse(StreamingResponse):
    """A streamed export whose first piece is already in hand, sent with a timeout per piece;
    on any failure the transfer ends without its last chunk."""

    def __init__(self, first: bytes, rest: AsyncGenerator[bytes, None], media_type: str,
                 headers: dict[str, str], send_timeout: float, release: Any) -> None:
        super().__init__(rest, media_type=media_type, headers=headers)  # no Content-Length
        self.first, self.rest = first, rest
        self.send_timeout = send_timeout
        self.release = release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.gone = False
        watcher = asyncio.create_task(self._watch(receive))
        try:
            await self._send(send, {"type": "http.response.start", "status": self.status_code,
                                    "headers": self.raw_headers})
            await self._send(send, {"type": "http.response.body", "body": self.first,
                                    "more_body": True})
            async for piece in self.rest:
                await self._send(send, {"type": "http.response.body", "body": piece,
                                        "more_body": True})
            await self._send(send, {"type": "http.response.body", "body": b"",
                                    "more_body": False})
        except Exception as exc:  # noqa: BLE001 - every failure cuts the transfer, logged once
            reason = exc.args[0] if isinstance(exc, Cut) else f"{type(exc).__name__}: {exc}"
            scope.setdefault("state", {})["cut"] = str(reason)[:300]
            log.warning("export %s cut off: %s", scope.get("path"), reason)
            # Returning without the last chunk makes the server close the connection: the
            # client sees a broken transfer, not a complete-looking file.
        finally:
            watcher.cancel()
            try:
                await self.rest.aclose()
            finally:
                self.release()

    async def _watch(self, receive: Receive) -> None:
        """Note when the client goes away: the server then drops what is sent without a word,
        and the export would run on to its end for nobody."""
        while (await receive())["type"] != "http.disconnect":
            pass
        self.gone = True

    async def _send(self, send: Send, message: dict[str, Any]) -> None:
        if self.gone:
            raise Cut("the client went away")
        try:
            async with asyncio.timeout(self.send_timeout):
                await send(message)
        except TimeoutError:
            raise Cut(f"the client read nothing for {self.send_timeout:g} s") from None


def _endpoint(export: Export, state: dict[str, Any], config: Config,
              slots: asyncio.Semaphore) -> Any:
    async def handle(request: Request) -> Response:
        qp = request.query_params
        unknown = sorted(set(qp) - KNOWN)
        if unknown:
            raise InputError(f"unknown parameter {', '.join(unknown)}: use "
                             f"{', '.join(sorted(KNOWN))}")
        options = parse_options(on=qp.get("on"), calendar=qp.get("calendar"),
                                from_=qp.get("from"), to=qp.get("to"),
                                kind=qp.getlist("kind"), around=qp.get("around"),
                                depth=qp.get("depth"), places=export.places)
        health = state.get("health")
        if health is not None and not await health.answers():
            raise Unavailable(UNAVAILABLE)  # an outage, and Neo4j still does not answer
        if slots.locked():
            raise Unavailable(f"{config.export_concurrency} exports are running already; try "
                              "again shortly")
        await slots.acquire()
        gate: asyncio.Semaphore = state["gate"]
        held = [slots]
        try:
            async with asyncio.timeout(config.connect_timeout + 1):
                await gate.acquire()
            held.append(gate)
            return await _open(request, export, options, state, config, held)
        except TimeoutError:
            _release(held)
            raise Unavailable("the graph database is busy; try again shortly") from None
        except NEO4J_UNAVAILABLE:
            _release(held)
            if health is not None:
                health.lost()
            raise Unavailable(UNAVAILABLE) from None
        except BaseException:
            _release(held)
            raise

    return handle


async def _open(request: Request, export: Export, options: Any, state: dict[str, Any],
                config: Config, held: list[asyncio.Semaphore]) -> Response:
    """The export with its first piece read: Neo4j has answered before a byte is sent."""
    driver, database = state["driver"], state["database"]
    async with asyncio.timeout(config.connect_timeout + config.query_timeout):
        ids = await aresolve(driver, database, options)
    fmt = export.make(options)
    the_plan = plan(export, options, ids)
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    prov = provenance(the_plan, target, fmt.sections)
    headers = {
        "Content-Disposition": f'attachment; filename="{export.name}"',
        "X-Revgraph-Version": prov["generator"],
        "X-Revgraph-Generated": prov["generated"],
        # Short, as proxies cut long headers: the whole Cypher and its parameters are in the
        # document where the format has room.
        "X-Revgraph-Parameters": quote(orjson.dumps(prov["parameters"]).decode()[:512], safe=""),
        # The whole of it, for CSV too: api/exports/about.py.
        "Link": about.link(export.name, request.query_params.multi_items()),
    }
    rows = _rows(driver, database, config.export_deadline)
    body = _deadline(arender(fmt, the_plan, prov, rows), config.export_deadline)
    async with asyncio.timeout(config.connect_timeout + config.query_timeout):
        first = await anext(body)
    return ExportResponse(first, body, fmt.media_type, headers, config.send_timeout,
                          lambda: _release(held))


def _rows(driver: Any, database: str, timeout: float) -> Any:
    return lambda cypher, params: q.astream(driver, database, cypher, params, timeout)


async def _deadline(pieces: AsyncGenerator[bytes, None], seconds: float
                    ) -> AsyncGenerator[bytes, None]:
    """The pieces, stopped ``seconds`` after the first was asked for."""
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    try:
        while True:
            left = end - loop.time()
            if left <= 0:
                raise Cut(f"the export took more than {seconds:g} s")
            try:
                async with asyncio.timeout(left):
                    piece = await anext(pieces)
            except StopAsyncIteration:
                return
            except TimeoutError:
                raise Cut(f"the export took more than {seconds:g} s") from None
            yield piece
    finally:
        with contextlib.suppress(Exception):
            await pieces.aclose()


def _release(held: list[asyncio.Semaphore]) -> None:
    while held:
        held.pop().release()


def routes(state: dict[str, Any], config: Config) -> list[Route]:
    """The /export/* routes, reading Neo4j through ``state["driver"]``."""
    slots = asyncio.Semaphore(max(1, config.export_concurrency))
    return [*(Route(f"/export/{name}", _endpoint(e, state, config, slots), methods=["GET"])
              for name, e in EXPORTS.items()), *about.routes()]
