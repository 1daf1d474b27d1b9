"""Requests as an attacker or a careless client would send them: each gets a clear, specific
answer in bounded time, other clients are served meanwhile, and Neo4j being down is a 503 that
heals by itself. Against a real Neo4j, through a real uvicorn."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from graph.db import Target
from schema.config import Config

CHEAP = {"query": '{ place(id: "kursk") { name } }'}
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def post(url: str, body: object = None, *, content: bytes | None = None,
         headers: dict[str, str] | None = None, timeout: float = 30) -> httpx.Response:
    if content is None:
        content = json.dumps(body).encode()
    return httpx.post(f"{url}/graphql", content=content, timeout=timeout,
                      headers={"content-type": "application/json", **(headers or {})})


def message(response: httpx.Response) -> str:
    return str(response.json()["errors"][0]["message"])


def fragment_bomb(levels: int = 22) -> str:
    parts = ["fragment F0 on Query { __typename }"]
    parts += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    return f"query {{ ...F{levels} }} " + " ".join(parts)


def baseline(url: str) -> float:
    """A cheap query's time on an idle server, the median of five (the machine is shared)."""
    times = []
    for _ in range(5):
        started = time.perf_counter()
        post(url, CHEAP)
        times.append(time.perf_counter() - started)
    return sorted(times)[2]


def served_meanwhile(took: float, idle: float) -> bool:
    """The cheap query was served while the stall ran: within 200 ms, or, on a machine too busy
    for that even when idle, within four times its idle time."""
    return took < max(0.2, 4 * idle)


def cheap_while(url: str, stall: dict[str, object] | bytes) -> tuple[float, httpx.Response]:
    """Send ``stall`` and, while it runs, a cheap query: the cheap one's time and the stall's
    answer."""
    answer: dict[str, httpx.Response] = {}

    def run() -> None:
        if isinstance(stall, bytes):
            answer["r"] = post(url, content=stall, timeout=120)
        else:
            answer["r"] = post(url, stall, timeout=120)

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.05)
    started = time.perf_counter()
    cheap = post(url, CHEAP)
    took = time.perf_counter() - started
    thread.join(timeout=120)
    assert cheap.status_code == 200 and cheap.json()["data"]["place"]["name"] == "Kursk"
    return took, answer["r"]


def answered_while_served(url: str, stall: dict[str, object] | bytes,
                          tries: int = 3) -> httpx.Response:
    """The stall's answer, once a cheap query sent while it ran was served in time. A stall
    that freezes the server fails every try; a shared machine's passing hiccup (one try of
    290 ms against 22 ms idle was seen in CI) does not fail the test."""
    timings = []
    for _ in range(tries):
        idle = baseline(url)
        took, answer = cheap_while(url, stall)
        if served_meanwhile(took, idle):
            return answer
        timings.append((round(took, 3), round(idle, 3)))
    raise AssertionError(f"a cheap query waited for the stall in every try: (took, idle) = {timings}")


@pytest.fixture(scope="module")
def url(neo4j_settings: Target) -> Iterator[str]:
    """The API in a process of its own, as `revgraph serve` runs it: the timings of one client
    are not those of the test's own threads."""
    import os
    import subprocess
    import sys

    port = _free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database,
           "REVGRAPH_RESPONSE_CACHE": "off"}
    process = subprocess.Popen([sys.executable, "-m", "uvicorn", "api.app:app_from_env",
                                "--factory", "--host", "127.0.0.1", "--port", str(port),
                                "--log-level", "warning"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{address}/ready", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    try:
        yield address
    finally:
        process.terminate()
        process.wait(timeout=10)


# -- documents that would stall the server -----------------------------------------------------

def test_fragments_that_double_are_refused_and_others_are_served(mini_graph, url):
    answer = answered_while_served(url, {"query": fragment_bomb()})
    assert "query too costly" in message(answer) or "too deep" in message(answer)


def test_a_thousand_aliases_are_refused(mini_graph, url):
    for field in ('search(text: "kursk") { id }', 'connection(from: "kursk", to: "tver") { length }'):
        query = "{ " + " ".join(f"a{i}: {field}" for i in range(1000)) + " }"
        answer = answered_while_served(url, {"query": query})
        # refused by the alias limit, or before that by the parser's token limit
        assert ("too many aliases: 1000, over the limit of 30" in message(answer)
                or "more than 2000 tokens" in message(answer)), message(answer)


def test_a_19_mb_body_is_refused_at_once(mini_graph, url):
    huge = json.dumps({"query": "{ __typename }", "variables": {"x": "a" * 19_000_000}}).encode()
    answer = answered_while_served(url, huge)
    assert answer.status_code == 413
    assert "at most 100,000 are accepted" in message(answer)


def test_too_many_tokens_are_refused(mini_graph, url):
    query = "{ " + " ".join(["a"] * 2_500) + " }"
    answer = post(url, {"query": query})
    assert "tokens" in message(answer)


# -- bodies that are not a GraphQL request ------------------------------------------------------

@pytest.mark.parametrize("content,headers,status,words", [
    (b'{"query": "{ __typename \xff }"}', {}, 400, "not UTF-8"),
    (b"\x1f\x8b\x08\x00", {"content-encoding": "gzip"}, 415, "send it uncompressed"),
    (b"[" * 1000 + b"]" * 1000, {}, 400, "nested more than"),
    (b'{"query": "{ __typename }", "variables": {"n": ' + b"9" * 5000 + b"}}", {}, 400,
     "not valid JSON"),
    (b'["query"]', {}, 400, "must be a JSON object"),
    (b'"just a string"', {}, 400, "must be a JSON object"),
    (b"{not json", {}, 400, "not valid JSON"),
    (b'{"query": "{ __typename }"}', {"content-type": "text/plain"}, 415, "application/json"),
    (b'{"variables": {}}', {}, 400, 'GraphQL document as a string in "query"'),
    (b'{"query": "{ __typename }", "variables": [1]}', {}, 400, '"variables" must be a JSON object'),
])
def test_bodies_that_are_not_graphql_get_a_4xx(url, content, headers, status, words):
    answer = post(url, content=content, headers=headers)
    assert answer.status_code == status, answer.text
    assert words in message(answer)


# -- user mistakes are the user's, not "Internal error" -----------------------------------------

@pytest.mark.parametrize("query,words", [
    ('{ controlOf(place: "kursk", on: "0001-01-01", calendar: JULIAN) { alignment } }',
     "year 1 is out of range"),
    ('{ controlOf(place: "kursk", on: "9999-12-31", calendar: JULIAN) { alignment } }',
     "year 9999 is out of range"),
    ('{ places(after: "b2Zmc2V0OjEwMDAwMDAwMDAwMDAwMDAwMDAwMA==") { totalCount } }',
     "invalid cursor"),
    ('{ search(text: "%s") { id } }' % ("k" * 1500), "give at most 200"),
    ('{ search(text: "%s") { id } }' % ("kursk" + "x" * 100), "too many or too long words"),
])
def test_user_mistakes_get_a_message_to_act_on(mini_graph, url, query, words):
    answer = post(url, {"query": query})
    assert answer.status_code == 200
    assert words in message(answer) and "Internal error" not in message(answer)


def test_a_neo4j_timeout_says_so(neo4j_settings):
    """Neo4j's own transaction timeout becomes a message, not "Internal error" (a query the
    API never sends stands in for a slow one)."""
    from graphql import GraphQLError

    from api.graphql.context import Context
    from graph.db import open_async_driver

    async def run() -> None:
        driver = open_async_driver(neo4j_settings)
        try:
            context = Context(driver=driver, database=neo4j_settings.database, timeout=0.05)
            with pytest.raises(GraphQLError, match="took more than 0.05 s"):
                await context.read("UNWIND range(1, 100000000) AS x RETURN count(x) AS n")
        finally:
            await driver.close()

    asyncio.run(run())


def test_queries_beyond_the_gate_wait_their_turn(neo4j_settings):
    """The gate all requests share (REVGRAPH_NEO4J_CONCURRENCY): a query waits while the gate
    is full, and runs once a place frees."""
    from api.graphql.context import Context
    from graph.db import open_async_driver

    async def run() -> None:
        driver = open_async_driver(neo4j_settings)
        gate = asyncio.Semaphore(1)
        try:
            context = Context(driver=driver, database=neo4j_settings.database, timeout=5,
                              gate=gate)
            async with gate:  # another request's query holds the one place
                waiting = asyncio.create_task(context.read("RETURN 1 AS one"))
                await asyncio.sleep(0.5)
                assert not waiting.done()
            assert await asyncio.wait_for(waiting, 5) == [{"one": 1}]
        finally:
            await driver.close()

    asyncio.run(run())


def test_the_gate_is_sized_from_the_cores_unless_set():
    import os

    from schema.config import Config

    assert Config().neo4j_slots == 2 * (os.cpu_count() or 1) + 2
    assert Config.from_env({"REVGRAPH_NEO4J_CONCURRENCY": "3"}).neo4j_slots == 3


# -- the GraphQL-over-HTTP media types and status codes -----------------------------------------

def test_graphql_response_media_type_and_status_codes(mini_graph, url):
    ok = post(url, CHEAP, headers={"accept": GRAPHQL_RESPONSE})
    assert ok.status_code == 200 and ok.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    invalid = post(url, {"query": "{ nope }"}, headers={"accept": GRAPHQL_RESPONSE})
    assert invalid.status_code == 400 and "data" not in invalid.json()
    legacy = post(url, {"query": "{ nope }"}, headers={"accept": "application/json"})
    assert legacy.status_code == 200 and legacy.headers["content-type"].startswith("application/json")
    unacceptable = post(url, CHEAP, headers={"accept": "text/csv"})
    assert unacceptable.status_code == 406


# -- Neo4j down --------------------------------------------------------------------------------

class Proxy:
    """A TCP relay to Neo4j that can be cut and restored: Neo4j "stops" and "starts" without
    waiting for a real server."""

    def __init__(self, target: str) -> None:
        parsed = urlparse(target)
        self.to = (parsed.hostname or "127.0.0.1", parsed.port or 7687)
        self.port = _free_port()
        self.loop = asyncio.new_event_loop()
        self.server: asyncio.base_events.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.to)
        self.writers += [writer, up_writer]
        await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))

    def up(self) -> None:
        async def start() -> None:
            self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        asyncio.run_coroutine_threadsafe(start(), self.loop).result(5)

    def down(self) -> None:
        async def stop() -> None:
            if self.server is not None:
                self.server.close()
            for w in self.writers:
                w.close()
            self.writers.clear()
        asyncio.run_coroutine_threadsafe(stop(), self.loop).result(5)


def test_neo4j_down_is_a_503_in_two_seconds_and_heals_by_itself(mini_graph, neo4j_settings):
    from api.app import create_app

    proxy = Proxy(neo4j_settings.uri)
    relayed = Target(f"bolt://127.0.0.1:{proxy.port}", neo4j_settings.user,
                     neo4j_settings.password, neo4j_settings.database, False)
    with serve(create_app(Config(response_cache=False), relayed)) as url:  # starts with Neo4j down
        started = time.perf_counter()
        down = post(url, CHEAP)
        assert time.perf_counter() - started < 2.5
        assert down.status_code == 503 and down.headers["retry-after"] == "5"
        assert "the graph database is unavailable" in message(down)
        assert httpx.get(f"{url}/health").json() == {"ok": True}
        ready = httpx.get(f"{url}/ready")
        assert ready.status_code == 503 and str(proxy.port) not in ready.text
        proxy.up()
        deadline = time.monotonic() + 5
        while (answer := post(url, CHEAP)).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer.status_code == 200, answer.text
        assert httpx.get(f"{url}/ready").json() == {"ready": True, "neo4j": "ok"}
        proxy.down()
        started = time.perf_counter()
        again = post(url, CHEAP)
        assert again.status_code == 503 and time.perf_counter() - started < 2.5


# -- logs --------------------------------------------------------------------------------------

def test_one_log_line_per_request_with_its_id(mini_graph, neo4j_settings, caplog):
    from starlette.testclient import TestClient

    from api.app import create_app
    from api.web import logs

    with TestClient(create_app(Config(log_format="json"), neo4j_settings)) as client:
        logs.log.propagate = True  # for caplog
        with caplog.at_level("INFO", logger="revgraph.api"):
            response = client.post("/graphql", headers={"x-request-id": "abc-123"},
                                   json={"query": "query Kursk " + CHEAP["query"],
                                         "operationName": "Kursk"})
            client.post("/graphql", json={"query": "{ nope }"})
    assert response.headers["x-request-id"] == "abc-123"
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "revgraph.api"]
    assert len(lines) == 2
    assert lines[0] | {"ms": 0} == {"method": "POST", "path": "/graphql", "status": 200, "ms": 0,
                                    "roundTrips": 1, "operation": "Kursk", "requestId": "abc-123"}
    assert not any(r.exc_info for r in caplog.records)  # a user's mistake logs no traceback
