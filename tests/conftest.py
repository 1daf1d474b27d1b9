"""Fixtures: a real Neo4j for the tests, never a mock of one.

Where it comes from, first that applies:
1. NEO4J_TEST_URI (with NEO4J_TEST_USER / NEO4J_TEST_PASSWORD / NEO4J_TEST_DATABASE): any server.
   The tests wipe that database, so point it at a scratch one. (NEO4J_URI is deliberately not
   used: the tests must never wipe the graph you work with.)
2. A Neo4j container through testcontainers, where a Docker engine answers.
3. Otherwise the project's own local server, in its own folder (.revgraph-test) on its own ports
   (REVGRAPH_TEST_BOLT_PORT, default 17687; REVGRAPH_TEST_HTTP_PORT, default 17474), started for
   the session and stopped after it.

Every test that uses Neo4j is marked ``neo4j`` (by the fixtures it asks for), so that
``pytest -m "not neo4j"`` runs the rest with no server. The graph's content is tracked: a test
asking for ``loaded_graph`` or ``mini_graph`` gets that dataset whatever ran before it (it is
loaded again only when something else was there), and ``empty_graph`` gives a test that writes an
empty graph. Tests can run in any order (``pytest -p random_order --random-order``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db import Target, open_driver
from graph.migrations import migrate
from graph.server import pinned_versions
from schema.config import Config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MINI = Path(__file__).parent / "fixtures" / "mini"
NEO4J_FIXTURES = {"neo4j_settings", "driver", "empty_graph", "mini_graph", "loaded_graph", "api",
                  "live_api"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.neo4j)


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no engine to use
        return False


def test_config() -> Config:
    """The local test server's settings: its own folder and ports, so it never touches the
    graph of `make run`."""
    env = os.environ
    return Config.from_env({}, home=Path(env.get("REVGRAPH_TEST_HOME", ROOT / ".revgraph-test")),
                           bolt_port=int(env.get("REVGRAPH_TEST_BOLT_PORT", "17687")),
                           http_port=int(env.get("REVGRAPH_TEST_HTTP_PORT", "17474")),
                           neo4j_heap=env.get("REVGRAPH_NEO4J_HEAP", "1g"),
                           neo4j_pagecache=env.get("REVGRAPH_NEO4J_PAGECACHE", "512m"),
                           **({"cache": Path(env["REVGRAPH_CACHE"])}
                              if env.get("REVGRAPH_CACHE") else {}))


vars(test_config)["__test__"] = False  # a helper, not a test


@pytest.fixture(scope="session")
def neo4j_settings() -> Iterator[Target]:
    uri = os.environ.get("NEO4J_TEST_URI")
    if uri:
        yield Target(uri=uri, user=os.environ.get("NEO4J_TEST_USER", "neo4j"),
                     password=os.environ.get("NEO4J_TEST_PASSWORD", ""),
                     database=os.environ.get("NEO4J_TEST_DATABASE", "neo4j"), local=False)
        return
    if os.environ.get("REVGRAPH_TEST_DOCKER", "auto") != "off" and _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        image = f"neo4j:{pinned_versions()['neo4j']}-community"
        with Neo4jContainer(image) as container:
            yield Target(uri=container.get_connection_url(), user="neo4j",
                         password=container.password, database="neo4j", local=False)
        return
    from graph.server import LocalServer

    server = LocalServer(test_config())
    started = server.start()
    try:
        yield Target(uri=server.bolt_uri, user=server.user, password=server.password(),
                     database="neo4j", local=True)
    finally:
        if started:
            server.stop()


def shipped(why: str = "", **changes: object) -> Config:
    """The API's settings as `make run` leaves them (what users run is what the tests run),
    with ``changes`` only where ``why`` says why the test departs from them."""
    if changes and not why.strip():
        raise AssertionError(f"a test changes the shipped defaults {sorted(changes)} without "
                             "saying why: give why=...")
    return Config().with_(**changes)


# The response caches of the apps the fixtures made: a test that loads other data empties them,
# as the cache itself would within a second of the load (api/web/cache.py).
APPS: list[object] = []


def forget_answers() -> None:
    for app in APPS:
        cache = getattr(getattr(app, "state", None), "cache", None)
        if cache is not None:
            cache.clear()


class GraphState:
    """What the test database holds now: a dataset's path, or None when unknown."""

    content: Path | None = None


@pytest.fixture(scope="session")
def driver(neo4j_settings: Target) -> Iterator[Driver]:
    with open_driver(neo4j_settings) as d:
        d.verify_connectivity()
        migrate(d, neo4j_settings.database)
        GraphState.content = None
        yield d


def wipe(driver: Driver, database: str) -> None:
    with driver.session(database=database) as session:  # auto-commit, as IN TRANSACTIONS needs
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


@pytest.fixture
def empty_graph(driver: Driver, neo4j_settings: Target) -> Iterator[tuple[Driver, str]]:
    """An empty graph (constraints and indexes kept) for a test that writes."""
    wipe(driver, neo4j_settings.database)
    GraphState.content = None
    forget_answers()
    yield driver, neo4j_settings.database
    GraphState.content = None  # whatever the test wrote
    forget_answers()


def _holding(driver: Driver, database: str, path: Path) -> tuple[Driver, str]:
    if GraphState.content != path:
        from loaders.validate import validate_paths
        from loaders.write import load

        wipe(driver, database)
        GraphState.content = None
        load(driver, database, validate_paths([path]))
        GraphState.content = path
        forget_answers()
    return driver, database


@pytest.fixture
def mini_graph(driver: Driver, neo4j_settings: Target) -> tuple[Driver, str]:
    """The small test dataset, for read-only tests (loaded when not already there)."""
    return _holding(driver, neo4j_settings.database, MINI)


@pytest.fixture
def loaded_graph(driver: Driver, neo4j_settings: Target) -> tuple[Driver, str]:
    """The project's whole dataset (data/), for read-only tests (loaded when not there)."""
    return _holding(driver, neo4j_settings.database, DATA)


@pytest.fixture(scope="session")
def api(neo4j_settings: Target) -> Iterator[object]:
    """A client of the ASGI app (lifespan run), talking to the test Neo4j."""
    from starlette.testclient import TestClient

    from api.app import create_app

    app = create_app(shipped(), neo4j_settings)
    APPS.append(app)
    with TestClient(app) as client:
        yield client
    APPS.remove(app)


@pytest.fixture(scope="session")
def live_api(neo4j_settings: Target) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for the browser test."""
    import socket
    import threading
    import time

    from api.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    from api.web.server import server as shipped_server

    app = create_app(shipped(), neo4j_settings)
    APPS.append(app)
    server = shipped_server(app, shipped(), "127.0.0.1", port, log_level="warning")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
