"""The response cache: the API never writes, so a whole GraphQL response can be served again
until the graph changes.

A response is kept under the normalised document (parsed and printed again, so spacing and
comments do not matter), the variables, the operation name and the graph version the loader
stamps on every load that changes something (graph/version.py). The version is read again
when it is half a second old, so a load is seen within a second; when it changes, every entry
goes. Only answers without errors are kept (a timeout or a bad argument is answered afresh
each time).

Bounded: least recently used entries go first, beyond ``REVGRAPH_CACHE_ENTRIES`` (2048) entries
or ``REVGRAPH_CACHE_MB`` (64) megabytes of bodies. Responses carry an ``ETag``; a GET with a
matching ``If-None-Match`` gets ``304 Not Modified``, and GET answers carry ``Cache-Control:
public, max-age=<REVGRAPH_CACHE_MAX_AGE, default 1>`` so HTTP caches in front can serve them
too, no staler than this cache. ``x-revgraph-cache: hit|miss`` says which it was.

On by default; ``REVGRAPH_RESPONSE_CACHE=off`` turns it off (the route is then the bare app).
A cached answer's ``extensions.roundTrips`` is what the first answer cost.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from graphql import GraphQLError, parse, print_ast
from neo4j import RoutingControl
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import request_response

from graph import version
from schema.config import Config

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CHECK_EVERY = 1.0  # seconds between two reads of the graph version
MAX_BODY = 1 << 20  # requests larger than this pass through uncached
OFF = {"off", "0", "false", "no"}



@dataclass(frozen=True)
class Entry:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes


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


class Documents:
    """Normalised GraphQL documents, memoised (bounded) by their text."""

    def __init__(self, max_entries: int = 1024) -> None:
        self.max_entries = max_entries
        self.seen: OrderedDict[str, str | None] = OrderedDict()

    def normalise(self, text: str) -> str | None:
        """The document printed in canonical form, or None if it does not parse."""
        if text in self.seen:
            self.seen.move_to_end(text)
            return self.seen[text]
        try:
            out: str | None = print_ast(parse(text, no_location=True))
        except GraphQLError:
            out = None
        self.seen[text] = out
        if len(self.seen) > self.max_entries:
            self.seen.popitem(last=False)
        return out


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
    """ASGI wrapper of the GraphQL app serving repeated queries from memory."""

    def __init__(self, app: ASGIApp, state: dict[str, Any], config: Config) -> None:
        self.app = app
        self.version = GraphVersion(state)
        self.documents = Documents()
        self.responses = LRU(config.cache_entries, int(config.cache_mb * (1 << 20)))
        self.max_age = config.cache_max_age
        self.seen_version: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        body = b""
        if scope["method"] == "POST":
            body = await _read_body(receive)
            receive = _replay(body, receive)
        request = self._request(scope, body)
        if request is None:
            await self.app(scope, receive, send)
            return
        try:
            graph = await self.version.current()
        except Exception:  # noqa: BLE001 - no version, no cache: the app reports the trouble
            await self.app(scope, receive, send)
            return
        if graph != self.seen_version:
            self.responses.clear()  # entries of an older graph are never asked for again
            self.seen_version = graph
        key = (graph, *request)
        entry = self.responses.get(key)
        state = b"hit"
        if entry is None:
            state = b"miss"
            entry = await self._answer(scope, receive, send, key)
            if entry is None:
                return  # answered without caching
        await self._send(scope, send, entry, state)

    def _request(self, scope: Scope, body: bytes) -> tuple[str, str, str] | None:
        """(document, variables, operation name), normalised; None if not a cacheable query."""
        if scope["method"] == "GET":
            qs = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            if "query" not in qs:
                return None  # the playground's page
            try:
                variables = json.loads(qs["variables"][0]) if "variables" in qs else None
            except ValueError:
                return None  # the app says what is wrong with them
            payload: Any = {"query": qs["query"][0], "variables": variables,
                            "operationName": qs.get("operationName", [None])[0]}
        else:
            ctype = dict(scope["headers"]).get(b"content-type", b"")
            if not ctype.startswith(b"application/json") or len(body) > MAX_BODY:
                return None
            try:
                payload = json.loads(body)
            except ValueError:
                return None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return None
        document = self.documents.normalise(payload["query"])
        if document is None or document.lstrip().startswith(("mutation", "subscription")):
            return None
        values = json.dumps(payload.get("variables") or {}, sort_keys=True, separators=(",", ":"))
        return document, values, payload.get("operationName") or ""

    async def _answer(self, scope: Scope, receive: Receive, send: Send,
                      key: tuple[Any, ...]) -> Entry | None:
        """Run the app; keep its answer if it is a 200 without errors. Returns None when the
        answer was passed on as it came (not cacheable)."""
        start: Message = {}
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, capture)
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", [])
                   if k.lower() not in (b"content-length", b"etag", b"cache-control")]
        status = int(start.get("status", 500))
        if status != 200 or not _without_errors(body):
            await send({"type": "http.response.start", "status": status,
                        "headers": [*headers, (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return None
        etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode() + b'"'
        entry = Entry(status, headers, body, etag)
        self.responses.put(key, entry)
        return entry

    async def _send(self, scope: Scope, send: Send, entry: Entry, state: bytes) -> None:
        headers = [*entry.headers, (b"etag", entry.etag), (b"x-revgraph-cache", state)]
        if scope["method"] == "GET":
            headers.append((b"cache-control", f"public, max-age={self.max_age}".encode()))
            if _matches(dict(scope["headers"]).get(b"if-none-match"), entry.etag):
                await send({"type": "http.response.start", "status": 304, "headers": [
                    (k, v) for k, v in headers if k.lower() != b"content-type"]})
                await send({"type": "http.response.body", "body": b""})
                return
        headers.append((b"content-length", str(len(entry.body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": headers})
        await send({"type": "http.response.body", "body": entry.body})


def _without_errors(body: bytes) -> bool:
    try:
        payload = json.loads(body)
    except ValueError:
        return False
    return isinstance(payload, dict) and not payload.get("errors")


def _matches(if_none_match: bytes | None, etag: bytes) -> bool:
    if not if_none_match:
        return False
    tags = [t.strip() for t in if_none_match.split(b",")]
    return b"*" in tags or etag in tags or b"W/" + etag in tags


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, original: Receive) -> Receive:
    """The request body again for the app; then the connection's own messages (disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive


def cached(endpoint: Callable[[Request], Awaitable[Response]], state: dict[str, Any],
           config: Config) -> Any:
    """The GraphQL endpoint behind the response cache, unless REVGRAPH_RESPONSE_CACHE=off
    (then the endpoint itself, for Starlette to call)."""
    if not config.response_cache:
        return endpoint
    return ResponseCache(request_response(endpoint), state, config)
