"""The data version in every answer: ``X-Revgraph-Data-Version`` on every response that has one
to give, and ``extensions.dataVersion`` in GraphQL's.

The loader stamps the data version beside the graph's version token (graph/version.py,
loaders/dataversion.py). ``DataVersion`` reads both in one query, on the response cache's
schedule (api/web/cache.py ``GraphVersion``: again in the background when half a second old,
waited for when a second old); the app gives the cache this same reader (api/app.py), so an
answer cached under a version token states the data version read with that token. The header
never waits for a read: it states the last version read (the app reads one at start-up), and a
response before any read has none, as a graph loaded by a revgraph from before data versions
has none until its next `revgraph load`.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from neo4j import RoutingControl
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.web.cache import CHECK_EVERY, GraphVersion
from graph import version

HEADER = "x-revgraph-data-version"


class DataVersion(GraphVersion):
    """The graph's version token (``value``, for the response cache) and its data version
    (``data``), read together."""

    def __init__(self, state: dict[str, Any]) -> None:
        super().__init__(state)
        self.data: str | None = None

    async def _read(self) -> None:
        try:
            records, _, _ = await self.state["driver"].execute_query(
                version.READ, database_=self.state["database"], routing_=RoutingControl.READ)
            row = records[0] if records else None
            self.value = row["version"] if row else None
            self.data = row["dataVersion"] if row else None
            self.error = None
            self.checked = time.monotonic()
        except Exception as e:  # noqa: BLE001 - told to the requests: no version, no cache
            self.error = e
        finally:
            self.reading = None

    async def current_data(self) -> str | None:
        """The data version, read again first when a second old; None when unknown."""
        try:
            await self.current()
        except Exception:  # noqa: BLE001 - Neo4j unreachable: the answer says so itself
            return None
        return self.data

    def latest(self) -> str | None:
        """The last data version read, without waiting; a read starts in the background when
        it is half a second old."""
        if time.monotonic() - self.checked >= CHECK_EVERY / 2 and self.reading is None:
            self.reading = asyncio.create_task(self._read())
        return self.data


class DataVersionHeader:
    """ASGI middleware: the data version on every response (never waiting for Neo4j)."""

    def __init__(self, app: ASGIApp, versions: DataVersion) -> None:
        self.app = app
        self.versions = versions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_version(message: Message) -> None:
            if message["type"] == "http.response.start":
                data = self.versions.latest()
                headers = message.setdefault("headers", [])
                if data and not any(k.lower() == HEADER.encode() for k, _ in headers):
                    headers.append((HEADER.encode(), data.encode()))
            await send(message)

        await self.app(scope, receive, send_with_version)
