"""What docs/scaling.md says can be tried on one machine: several API processes on one port
(`revgraph serve --workers N`), and a `neo4j://` routing URI, as a cluster or Aura is reached,
against the single local server (the driver asks it for a routing table and reads from it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from neo4j import RoutingControl

from graph.db import Target, open_driver
from schema.config import Config

pytestmark = pytest.mark.usefixtures("mini_graph")

PLACES = "{ places(sortBy: NAME) { nodes { id } } }"
MINI_PLACES = ["kursk", "kursk-province", "russian-empire", "tver"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def _workers(pid: int) -> list[int]:
    """The uvicorn workers under the serve process: children that run the app (multiprocessing
    also starts a resource tracker, which is not one)."""
    return [c for c in _children(pid)
            if "resource_tracker" not in Path(f"/proc/{c}/cmdline").read_text()]


def test_serve_with_several_workers(neo4j_settings, tmp_path):
    port = _free_port()
    env = {**os.environ, "NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
           "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database,
           "REVGRAPH_HOME": str(tmp_path / "home"), "REVGRAPH_RESPONSE_CACHE": "off"}
    serve = subprocess.Popen([sys.executable, "-m", "cli.main", "serve", "--port", str(port),
                              "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while len(_workers(serve.pid)) < 2 or not _answers(f"{url}/health"):
            assert serve.poll() is None, serve.stderr.read() if serve.stderr else ""
            assert time.monotonic() < deadline, "the workers did not answer within 60 s"
            time.sleep(0.2)
        assert len(_workers(serve.pid)) == 2
        for _ in range(12):  # a new connection each time: the kernel hands them to either worker
            body = httpx.post(f"{url}/graphql", json={"query": PLACES}, timeout=30).json()
            assert [n["id"] for n in body["data"]["places"]["nodes"]] == MINI_PLACES
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _routing(t: Target) -> Target:
    scheme, _, rest = t.uri.partition("://")
    if scheme not in ("bolt", "neo4j"):
        pytest.skip(f"the test server's URI is {scheme}://, not a plain one to route to")
    return Target(f"neo4j://{rest}", t.user, t.password, t.database, local=False)


def test_a_routing_uri_reads_from_a_single_server(neo4j_settings):
    routed = _routing(neo4j_settings)
    with open_driver(routed) as driver:
        records, _, _ = driver.execute_query(
            "MATCH (n) RETURN count(n) AS n", database_=routed.database,
            routing_=RoutingControl.READ)
        assert records[0]["n"] > 0

    from starlette.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(Config(response_cache=False), routed)) as api:
        body = api.post("/graphql", json={"query": PLACES}).json()
    assert [n["id"] for n in body["data"]["places"]["nodes"]] == MINI_PLACES
