"""Requests as an attacker or a careless client would send them: each gets a clear, specific
answer in bounded time, other clients are served meanwhile, and Neo4j being down is a 503 that
heals by itself. Against a real Neo4j, through a real uvicorn."""

from __future__ import annotations

import asyncio
import json
import socket
import tempfile
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
from tests.conftest import shipped

CHEAP = {"query": '{ place(id: "kursk") { name } }'}
GRAPHQL_RESPONSE = "application/graphql-response+json"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(app: Any) -> Iterator[str]:
    from api.web.server import server as shipped_server

    port = _free_port()
    server = shipped_server(app, shipped(), "127.0.0.1", port, log_level="warning")
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


@pytest.fixture(scope="module", params=["shipped", "cache off"])
def url(request: pytest.FixtureRequest, neo4j_settings: Target) -> Iterator[str]:
    """The API in a process of its own, as `revgraph serve` runs it (the timings of one client
    are not those of the test's own threads): with the shipped defaults, and with the response
    cache off, since every case must answer the same either way."""
    import os
    import subprocess
    import sys

    port = _free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database}
    env = {k: v for k, v in env.items() if not k.startswith("REVGRAPH_")}  # the shipped defaults
    # Its pid file in a folder of its own, not beside the project's own server's.
    env["REVGRAPH_HOME"] = tempfile.mkdtemp(prefix="revgraph-hardening-")
    if request.param == "cache off":
        env["REVGRAPH_RESPONSE_CACHE"] = "off"
    # `revgraph serve`, as `make run` starts it.
    process = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--host", "127.0.0.1",
                                "--port", str(port)], env=env,
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


# -- the one request path: every check before the cache, each once -------------------------

def _full_introspection() -> str:
    from graphql import get_introspection_query

    return get_introspection_query(descriptions=True, specified_by_url=True,
                                   directive_is_repeatable=True, schema_description=True,
                                   input_value_deprecation=True)


_INTROSPECTION = _full_introspection()

def test_the_answer_follows_accept_even_when_cached(mini_graph, url):
    for _ in range(2):  # the second time from the cache, where it is on
        legacy = post(url, CHEAP)
        modern = post(url, CHEAP, headers={"accept": GRAPHQL_RESPONSE})
        assert legacy.headers["content-type"].startswith("application/json")
        assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
        assert legacy.headers["vary"] == modern.headers["vary"] == "Accept"


@pytest.mark.parametrize("content_type", [
    "application/jsonx", "application/json-seq", "application/json; charset=utf-16"])
def test_a_cached_question_in_a_body_the_app_refuses_is_refused(mini_graph, url, content_type):
    assert post(url, CHEAP).status_code == 200  # now in the cache, where it is on
    body = json.dumps(CHEAP).encode("utf-16" if "16" in content_type else "utf-8")
    refused = post(url, content=body, headers={"content-type": content_type})
    assert refused.status_code == 415, refused.text


def test_a_large_body_is_refused_before_it_is_read_and_others_are_served(mini_graph, url):
    big = json.dumps({"query": "{ __typename " + "a: __typename " * 70_000 + "}"}).encode()
    assert len(big) > 975_000
    answer = answered_while_served(url, big)
    assert answer.status_code == 413


def test_a_body_without_a_length_is_cut_off_at_the_limit(mini_graph, url):
    def chunks() -> Iterator[bytes]:
        yield b'{"query": "{ __typename }", "x": "'
        for _ in range(200):
            yield b"x" * 10_000
        yield b'"}'

    answer = httpx.post(f"{url}/graphql", content=chunks(), timeout=30,
                        headers={"content-type": "application/json"})
    assert answer.status_code == 413 and "100,000" in message(answer)


def test_five_thousand_includes_are_refused_while_others_are_served(mini_graph, url):
    stall = {"query": "{ " + " ".join("__typename@include(if:true)" for _ in range(3500)) + " }"}
    answer = answered_while_served(url, stall)
    assert answer.status_code == 200 and "tokens" in message(answer)


@pytest.mark.parametrize(("content", "words"), [
    (b'{"query": "{ __typename }", "variables": {"x": ' + b"[" * 1000 + b"]" * 1000 + b"}}",
     "nested more than"),
    (b'{"query": "{ __typename }", "operationName": {"a": 1}}', "must be a string"),
    (b'{"query": "{ __typename }", "operationName": ["a"]}', "must be a string"),
    (b'{"query": "query Q($t: String!) { search(text: $t) { id } }", '
     b'"variables": {"t": "\\ud800"}}', "not valid JSON"),  # a lone surrogate, escaped
])
def test_odd_json_is_a_400_never_a_500(mini_graph, url, content, words):
    answer = post(url, content=content)
    assert answer.status_code == 400, answer.text
    assert words in message(answer)
    assert post(url, CHEAP).status_code == 200  # the connection and the server are fine


def test_several_operations_need_a_name(mini_graph, url):
    both = {"query": "query A { __typename } query B { __typename }"}
    legacy = post(url, both)
    assert legacy.status_code == 200 and "data" not in legacy.json()
    assert "several operations" in message(legacy)
    modern = post(url, both, headers={"accept": GRAPHQL_RESPONSE})
    assert modern.status_code == 400


@pytest.mark.parametrize(("query", "code"), [
    ('{ __type(name: "Place") { fields { type { ' + "ofType { " * 40 + "name" + " }" * 40
     + " } } } }", "QUERY_TOO_DEEP"),
    ("{ __schema { " + " ".join(f"a{i}: types {{ name fields {{ name }} }}" for i in range(40))
     + " } }", "TOO_MANY_ALIASES"),
    ("{ __schema { " + " ".join(f"a{i}: types {{ ...FullType }}" for i in range(3)) + " } } "
     + _INTROSPECTION[_INTROSPECTION.index("fragment FullType"):], "INTROSPECTION_TOO_COSTLY"),
])
def test_introspection_is_limited_too(mini_graph, url, query, code):
    answer = post(url, {"query": query})
    assert answer.status_code == 200 and answer.json()["errors"][0]["extensions"]["code"] == code


def test_the_playground_s_own_introspection_is_answered(mini_graph, url):
    answer = post(url, {"query": _INTROSPECTION})
    assert answer.status_code == 200 and "errors" not in answer.json()


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
    with serve(create_app(shipped(), relayed)) as url:  # starts with Neo4j down
        started = time.perf_counter()
        down = post(url, CHEAP)
        assert time.perf_counter() - started < 2.5
        assert down.status_code == 503 and down.headers["retry-after"] == "5"
        assert "the graph database is unavailable" in message(down)
        for path, how in [("/cypher", "post"), ("/export/places.geojson", "get"),
                          ("/export/graph.gexf?around=odessa", "get")]:
            started = time.perf_counter()
            if how == "post":
                answer = httpx.post(f"{url}{path}", json={"query": "RETURN 1 AS x"}, timeout=10)
            else:
                answer = httpx.get(f"{url}{path}", timeout=10)
            assert answer.status_code == 503, (path, answer.text)
            assert time.perf_counter() - started < 2.5 and answer.headers["retry-after"], path
        assert httpx.get(f"{url}/health").json() == {"ok": True}
        ready = httpx.get(f"{url}/ready")
        assert ready.status_code == 503 and str(proxy.port) not in ready.text
        proxy.up()
        deadline = time.monotonic() + 5
        while (answer := post(url, CHEAP)).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert answer.status_code == 200, answer.text
        back = httpx.get(f"{url}/ready").json()
        assert back["ready"] is True and back["neo4j"] == "ok" and back["load"]["complete"]
        proxy.down()
        started = time.perf_counter()
        # A question not asked before: the response cache may serve one answered within the
        # last second (the graph's version is that old at most), never one it has not seen.
        again = post(url, {"query": '{ place(id: "tver") { name } }'})
        assert again.status_code == 503 and time.perf_counter() - started < 2.5


# -- logs --------------------------------------------------------------------------------------

def test_one_log_line_per_request_with_its_id(mini_graph, neo4j_settings, caplog):
    from starlette.testclient import TestClient

    from api.app import create_app
    from api.web import logs

    with TestClient(create_app(shipped(why="the JSON log is what is checked", log_format="json"),
                                       neo4j_settings)) as client:
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


# -- exports: bounded like every reader ----------------------------------------------------------

def _our_transactions(neo4j_settings: Target) -> int:
    from graph.db import open_driver

    with open_driver(neo4j_settings) as driver:
        records, _, _ = driver.execute_query(
            "SHOW TRANSACTIONS YIELD currentQuery WHERE currentQuery CONTAINS 'citations' "
            "AND NOT currentQuery STARTS WITH 'SHOW' RETURN count(*) AS n",
            database_=neo4j_settings.database)
        return int(records[0]["n"])


def test_an_export_left_unread_releases_its_transaction(loaded_graph, neo4j_settings):
    from api.app import create_app

    # One second instead of ten, so that the test does not wait long for what it checks.
    app = create_app(shipped(why="a short send timeout to wait for", send_timeout=1.0,
                             export_concurrency=1), neo4j_settings)
    with serve(app) as url, httpx.Client(timeout=30) as client:
        with client.stream("GET", f"{url}/export/graph.gexf") as stalled:
            assert stalled.status_code == 200
            next(stalled.iter_raw(1024))  # then read nothing more
            busy = client.get(f"{url}/export/places.geojson")
            assert busy.status_code == 503 and busy.headers["retry-after"]
            deadline = time.monotonic() + 10
            while _our_transactions(neo4j_settings) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert _our_transactions(neo4j_settings) == 0, "the unread export still holds Neo4j"
        deadline = time.monotonic() + 5  # its slot is free again once the cut is done
        while (again := client.get(f"{url}/export/places.geojson")).status_code == 503 \
                and time.monotonic() < deadline:
            time.sleep(0.2)
        assert again.status_code == 200


def test_an_export_cut_off_midway_is_a_broken_transfer(loaded_graph, neo4j_settings):
    import logging

    from api.app import create_app

    said: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: said.append(record.getMessage())
    proxy = Proxy(neo4j_settings.uri)
    proxy.up()
    relayed = Target(f"bolt://127.0.0.1:{proxy.port}", neo4j_settings.user,
                     neo4j_settings.password, neo4j_settings.database, False)
    app = create_app(shipped(), relayed)  # which sets the log's handlers: ours after it
    logging.getLogger("revgraph.api").addHandler(handler)
    with serve(app) as url, httpx.Client(timeout=30) as client:
        with client.stream("GET", f"{url}/export/graph.gexf") as response:
            assert response.status_code == 200
            chunks = response.iter_raw(65536)
            next(chunks)
            proxy.down()
            with pytest.raises(httpx.HTTPError):  # never a complete-looking file
                for _ in chunks:
                    pass
    logging.getLogger("revgraph.api").removeHandler(handler)
    assert any("cut off" in line for line in said), said


# -- costs from the graph ------------------------------------------------------------------------

def test_the_cost_estimate_reads_list_sizes_from_the_graph(loaded_graph, neo4j_settings):
    """81 provinces in the empire, each with its places: three levels of `contains` are
    hundreds of thousands of names, refused before they run, however short the document."""
    from starlette.testclient import TestClient

    from api.app import create_app
    from api.graphql.limits import LIST_GUESS

    nested = '{ place(id: "russian-empire") { contains { in { contains { in { contains { name } } } } } } }'
    with TestClient(create_app(shipped(), neo4j_settings)) as client:  # sizes read at start
        answer = client.post("/graphql", json={"query": nested}).json()
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COSTLY", answer
    assert answer["errors"][0]["extensions"]["value"] > 20_000 > LIST_GUESS ** 3


def test_an_answer_over_the_size_limit_says_to_ask_for_less(loaded_graph, neo4j_settings):
    from starlette.testclient import TestClient

    from api.app import create_app

    app = create_app(shipped(why="a limit small enough to reach", max_answer=2_000),
                     neo4j_settings)
    with TestClient(app) as client:
        answer = client.post("/graphql", json={"query": "{ places(first: 100) { nodes { name } } }"})
    assert answer.status_code == 400 and "REVGRAPH_MAX_ANSWER" in answer.json()["errors"][0]["message"]
