"""How `revgraph serve` runs the app on uvicorn: connections bounded in number and in time.

uvicorn closes an idle keep-alive connection (``REVGRAPH_KEEP_ALIVE``) but waits forever for a
request's first bytes or for the rest of its headers, so a client that opens connections and
sends nothing, or a header a byte at a time (slowloris), held them all. ``TimedProtocol``
closes a connection whose request headers are not complete ``REVGRAPH_HEADER_TIMEOUT`` seconds
after its first byte (or after the connection opened, or the last response ended). A body
that arrives slowly is the request's own business: its deadline (``REVGRAPH_REQUEST_DEADLINE``)
counts from the moment its headers were read, body included (api/web/graphql.py). Beyond
``REVGRAPH_MAX_CONNECTIONS`` connections and requests at once, uvicorn answers 503.
"""

from __future__ import annotations

import asyncio
import time
from functools import cache
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from schema.config import Config


@cache
def _from_env() -> Config:
    # Each worker process builds its app from the environment (api.app.app_from_env); the
    # protocol of each reads it the same way, once.
    return Config.from_env()


class TimedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol (its C parser: uvicorn's pure-Python h11 costs some 0.2 ms
    of CPU a request more) with a deadline on each request's headers (``header_timeout``;
    None: the environment's REVGRAPH_HEADER_TIMEOUT)."""

    header_timeout: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._headers_due: asyncio.TimerHandle | None = None
        self._first_byte: float | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._headers_due is None and self._between_requests():
            self._arm()  # the first bytes of the next request on a kept-alive connection
        if self._first_byte is None and self._between_requests():
            self._first_byte = time.monotonic()
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle and self.cycle is not None:
            # A request began: its deadline counts from its first byte (api/web/logs.py).
            self.cycle.scope.setdefault("state", {})["started"] = self._first_byte
            self._first_byte = None
        if not self._between_requests():
            self._disarm()  # its headers are in: the request's deadline takes over

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _between_requests(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm(self) -> None:
        self._disarm()
        seconds = self.header_timeout or _from_env().header_timeout
        self._headers_due = self.loop.call_later(seconds, self._headers_late)

    def _disarm(self) -> None:
        if self._headers_due is not None:
            self._headers_due.cancel()
            self._headers_due = None

    def _headers_late(self) -> None:
        self._headers_due = None
        if self._between_requests() and not self.transport.is_closing():
            self.transport.close()


def protocol(config: Config) -> type[TimedProtocol]:
    """The protocol class with ``config``'s header timeout."""
    return type("Protocol", (TimedProtocol,), {"header_timeout": config.header_timeout})


def uvicorn_options(config: Config, importable: bool = False) -> dict[str, Any]:
    """The options `revgraph serve` (and the tests that serve the app) give uvicorn;
    ``importable``: the protocol named by its import path, as worker processes need it (they
    read the header timeout from the environment)."""
    http = "api.web.server:TimedProtocol" if importable else protocol(config)
    return {"http": http, "timeout_keep_alive": config.keep_alive,
            "limit_concurrency": config.max_connections,
            "access_log": False}  # the API logs one line a request itself (api/web/logs.py)


def server(app: Any, config: Config, host: str, port: int, **extra: Any) -> uvicorn.Server:
    """A uvicorn server for ``app`` as `revgraph serve` runs it."""
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                         **{**uvicorn_options(config), **extra}))
