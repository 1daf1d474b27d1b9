"""In a cluster the API's reads go to a reader (docs/scaling.md, "Beyond one machine").

A Bolt stub (tests/boltstub.py) stands in for a cluster's routing: the router hands the driver
a table naming a router, a reader and a writer; the reader and the writer relay to the test
Neo4j and record what the driver sent each of them. The API is served as `make run` serves it
(`revgraph serve`, the shipped defaults), configured with the router's `neo4j://` URI.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from neo4j import GraphDatabase, RoutingControl

from graph.db import Target
from schema.model import PLACE
from tests.boltstub import Received, RoutingStub, bolt_address
from tests.conftest import ROOT

pytestmark = pytest.mark.usefixtures("mini_graph")

PLACES = "{ places(sortBy: NAME) { nodes { id name } } }"
MINI_PLACES = ["kursk", "kursk-province", "russian-empire", "tver"]


@pytest.fixture
def stub(neo4j_settings: Target) -> Iterator[RoutingStub]:
    scheme = neo4j_settings.uri.partition("://")[0]
    if scheme not in ("bolt", "neo4j"):
        pytest.skip(f"the test server's URI is {scheme}://: the stub relays plain Bolt only")
    s = RoutingStub(bolt_address(neo4j_settings.uri)).start()
    try:
        yield s
    finally:
        s.stop()


def _runs(messages: list[Received]) -> list[Received]:
    return [m for m in messages if m.name == "RUN"]


def test_the_stub_routes_reads_to_the_reader_and_writes_to_the_writer(stub, neo4j_settings):
    """The stub itself: the driver takes its table and sends by access mode."""
    with GraphDatabase.driver(stub.uri, auth=(neo4j_settings.user, neo4j_settings.password)) as d:
        d.execute_query("RETURN 'read' AS x", database_=neo4j_settings.database,
                        routing_=RoutingControl.READ)
        d.execute_query("RETURN 'write' AS x", database_=neo4j_settings.database,
                        routing_=RoutingControl.WRITE)
    routes = [m for m in stub.messages("router") if m.name == "ROUTE"]
    assert routes and routes[0].fields[2].get("db") == neo4j_settings.database
    assert [(m.query, m.mode) for m in _runs(stub.messages("reader"))] == [("RETURN 'read' AS x", "r")]
    assert [(m.query, m.mode) for m in _runs(stub.messages("writer"))] == [("RETURN 'write' AS x", "w")]


@contextmanager
def serving(uri: str, t: Target, home: Path) -> Iterator[str]:
    """`revgraph serve` on a free port with NEO4J_URI=uri; its base URL once /health answers."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "NEO4J_URI": uri, "NEO4J_USER": t.user, "NEO4J_PASSWORD": t.password,
           "NEO4J_DATABASE": t.database, "REVGRAPH_HOME": str(home)}
    serve = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port)],
                             cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert serve.poll() is None, serve.stderr.read() if serve.stderr else ""
            assert time.monotonic() < deadline, "the API did not answer within 60 s"
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield url
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)


def test_graphql_reads_arrive_at_the_reader(stub, neo4j_settings, tmp_path):
    with serving(stub.uri, neo4j_settings, tmp_path) as url:
        before = {role: len(stub.messages(role)) for role in ("reader", "writer")}
        body = httpx.post(f"{url}/graphql", json={"query": PLACES}, timeout=30).json()
        reader = _runs(stub.messages("reader")[before["reader"]:])
        writer = _runs(stub.messages("writer")[before["writer"]:])

    assert [n["id"] for n in body["data"]["places"]["nodes"]] == MINI_PLACES  # real answers
    assert any(m.name == "ROUTE" for m in stub.messages("router"))
    asked = [m for m in reader if f":{PLACE.name}" in m.query]
    assert asked, f"no query of places reached the reader: {[m.query for m in reader]}"
    assert {m.mode for m in asked} == {"r"}
    assert writer == [], f"the writer was asked: {[m.query or m.fields for m in writer]}"
