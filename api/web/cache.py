"""The response cache: the API never writes, so a whole GraphQL answer can be served again until
the graph changes.

It sits behind every check of the request path (api/web/graphql.py): only a request the app
has read, measured and validated reaches it, so it never answers what the app would refuse, and
reads nothing the app did not. An answer is kept under the graph's version (the token the
loader stamps on every load that changes something: graph/version.py), the document in
canonical form (api/graphql/operation.py prints it once per text), the variables, the
operation's name and the answer's media type; every response says ``Vary: Accept``. Only
answers without errors are kept (a timeout or a bad argument is answered afresh each time).

The version is read again in the background when it is half a second old, so a load is seen
within a second; when it changes, every entry goes. Without a version (Neo4j unreachable) a
request runs uncached, and the app reports the trouble.

Bounded: least recently used entries go first, beyond ``REVGRAPH_CACHE_ENTRIES`` entries or
``REVGRAPH_CACHE_MB`` megabytes of bodies. Responses carry an ``ETag``; a GET with a matching
``If-None-Match`` gets ``304 Not Modified``, and GET answers carry ``Cache-Control: public,
max-age=<REVGRAPH_CACHE_MAX_AGE>`` so that HTTP caches in front can serve them too, no staler
than this cache. ``x-revgraph-cache: hit|miss`` says which it was. A cached answer's
``extensions.roundTrips`` is what the first answer cost. ``REVGRAPH_RESPONSE_CACHE=off`` turns
it off.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import orjson
from neo4j import RoutingControl
from starlette.requests import Request
from starlette.responses import Response

from graph import version
from schema.config import Config

CHECK_EVERY = 1.0  # seconds between two reads of the graph version


@dataclass(frozen=True)
class Entry:
    body: bytes
    media: str
    etag: str = field(default="")

    def tagged(self) -> Entry:
        return Entry(self.body, self.media,
                     '"' + hashlib.blake2b(self.body, digest_size=12).hexdigest() + '"')


class LRU:
    """Entries by key, least recently used out first, bounded by count and by bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self.entries: OrderedDict[Any, Entry] = OrderedDict()
        self.bytes = 0

    def get(self, key: Any) -> Entry | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: Any, entry: Entry) -> None:
        if len(entry.body) > self.max_bytes // 8:
            return  # one answer must not push out most of the others
        old = self.entries.pop(key, None)
        if old is not None:
            self.bytes -= len(old.body)
        self.entries[key] = entry
        self.bytes += len(entry.body)
        while len(self.entries) > self.max_entries or self.bytes > self.max_bytes:
            _, gone = self.entries.popitem(last=False)
            self.bytes -= len(gone.body)

    def clear(self) -> None:
        self.entries.clear()
        self.bytes = 0


class GraphVersion:
    """The graph's version token, never older than ``CHECK_EVERY`` seconds.

    A token half that old is read again in the background while requests go on with it: at
    thousands of requests a second, a read that every request waited for (one Neo4j round trip
    on a busy event loop) made the slowest one in a hundred wait for it too. Only a token older
    than ``CHECK_EVERY`` (the first request, or one after a quiet spell) is waited for."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.value: str | None = None
        self.error: Exception | None = None
        self.checked = -CHECK_EVERY
        self.reading: asyncio.Task[None] | None = None  # held, so that it is not collected

    async def current(self) -> str | None:
        age = time.monotonic() - self.checked
        if age >= CHECK_EVERY / 2 and self.reading is None:
            self.reading = asyncio.create_task(self._read())  # one read for every request
        if age >= CHECK_EVERY and self.reading is not None:
            await asyncio.shield(self.reading)
        if self.error is not None:
            raise self.error
        return self.value

    def forget(self) -> None:
        """Read the version again before the next answer (after a load in this process)."""
        self.checked = -CHECK_EVERY

    async def _read(self) -> None:
        try:
            records, _, _ = await self.state["driver"].execute_query(
                version.READ, database_=self.state["database"], routing_=RoutingControl.READ)
            self.value, self.error = (records[0]["version"] if records else None), None
            self.checked = time.monotonic()
        except Exception as e:  # noqa: BLE001 - told to the requests: no version, no cache
            self.error = e
        finally:
            self.reading = None


class ResponseCache:
    """Whole answers of the GraphQL endpoint by request, for the graph's current version."""

    def __init__(self, state: dict[str, Any], config: Config) -> None:
        self.version = GraphVersion(state)
        self.responses = LRU(config.cache_entries, int(config.cache_mb * (1 << 20)))
        self.max_age = config.cache_max_age
        self.seen_version: str | None = None

    async def key(self, document: str, variables: dict[str, Any] | None,
                  operation: str | None, media: str) -> tuple[Any, ...] | None:
        """The key of a checked request, or None when it cannot be cached now (no version)."""
        try:
            graph = await self.version.current()
        except Exception:  # noqa: BLE001 - no version, no cache: the app reports the trouble
            return None
        if graph != self.seen_version:
            self.responses.clear()  # entries of an older graph are never asked for again
            self.seen_version = graph
        values = orjson.dumps(variables or {}, option=orjson.OPT_SORT_KEYS)
        return graph, document, values, operation or "", media

    def get(self, key: tuple[Any, ...]) -> Entry | None:
        return self.responses.get(key)

    def put(self, key: tuple[Any, ...], entry: Entry) -> Entry:
        tagged = entry.tagged()
        self.responses.put(key, tagged)
        return tagged

    def clear(self) -> None:
        """Forget every answer and read the version again (a load in this process)."""
        self.responses.clear()
        self.version.forget()

    def response(self, request: Request, entry: Entry, hit: bool) -> Response:
        headers = {"etag": entry.etag, "x-revgraph-cache": "hit" if hit else "miss",
                   "vary": "Accept"}
        if request.method == "GET":
            headers["cache-control"] = f"public, max-age={self.max_age}"
            if _matches(request.headers.get("if-none-match"), entry.etag):
                return Response(status_code=304, headers=headers)
        return Response(entry.body, status_code=200, headers=headers,
                        media_type=f"{entry.media}; charset=utf-8")


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(",")]
    return "*" in tags or etag in tags or "W/" + etag in tags
