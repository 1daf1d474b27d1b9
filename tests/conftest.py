"""Fixtures: a real Neo4j for the tests, never a mock of one.

Where it comes from, first that applies:
1. NEO4J_TEST_URI (with NEO4J_TEST_USER / NEO4J_TEST_PASSWORD / NEO4J_TEST_DATABASE): any server.
   The tests wipe that database, so point it at a scratch one. (NEO4J_URI is deliberately not
   used: the tests must never wipe the graph you work with.)
2. A Neo4j container through testcontainers, where a Docker engine answers.
3. Otherwise the project's own local server, in its own folder (.revgraph-test) on its own ports
   (REVGRAPH_TEST_BOLT_PORT, default 17687; REVGRAPH_TEST_HTTP_PORT, default 17474), started for
   the session and stopped after it.

Each test that writes starts from an empty graph (``empty_graph``); tests that only read share
a graph loaded once per module (``loaded_graph``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db import open_driver
from graph.migrations import migrate
from graph.server import pinned_versions
from graph.settings import PROJECT_ROOT, Settings

DATA = PROJECT_ROOT / "data"
MINI = Path(__file__).parent / "fixtures" / "mini"


def _docker_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means: no engine to use
        return False


@pytest.fixture(scope="session")
def neo4j_settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    uri = os.environ.get("NEO4J_TEST_URI")
    if uri:
        yield Settings(uri=uri, user=os.environ.get("NEO4J_TEST_USER", "neo4j"),
                       password=os.environ.get("NEO4J_TEST_PASSWORD", ""),
                       database=os.environ.get("NEO4J_TEST_DATABASE", "neo4j"), local=False)
        return
    if os.environ.get("REVGRAPH_TEST_DOCKER", "auto") != "off" and _docker_answers():
        from testcontainers.neo4j import Neo4jContainer

        image = f"neo4j:{pinned_versions()['neo4j']}-community"
        with Neo4jContainer(image) as container:
            yield Settings(uri=container.get_connection_url(), user="neo4j",
                           password=container.password, database="neo4j", local=False)
        return
    from graph.server import LocalServer

    saved = {k: os.environ.get(k) for k in ("REVGRAPH_HOME", "REVGRAPH_BOLT_PORT",
                                            "REVGRAPH_HTTP_PORT")}
    os.environ["REVGRAPH_HOME"] = os.environ.get("REVGRAPH_TEST_HOME",
                                                 str(PROJECT_ROOT / ".revgraph-test"))
    os.environ["REVGRAPH_BOLT_PORT"] = os.environ.get("REVGRAPH_TEST_BOLT_PORT", "17687")
    os.environ["REVGRAPH_HTTP_PORT"] = os.environ.get("REVGRAPH_TEST_HTTP_PORT", "17474")
    server = LocalServer()
    started = server.start()
    try:
        yield Settings(uri=server.bolt_uri, user=server.user, password=server.password(),
                       database="neo4j", local=True)
    finally:
        if started:
            server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture(scope="session")
def driver(neo4j_settings: Settings) -> Iterator[Driver]:
    with open_driver(neo4j_settings) as d:
        d.verify_connectivity()
        migrate(d, neo4j_settings.database)
        yield d


def wipe(driver: Driver, database: str) -> None:
    with driver.session(database=database) as session:  # auto-commit, as IN TRANSACTIONS needs
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


@pytest.fixture
def empty_graph(driver: Driver, neo4j_settings: Settings) -> Iterator[tuple[Driver, str]]:
    """An empty graph (constraints and indexes kept) for a test that writes."""
    wipe(driver, neo4j_settings.database)
    yield driver, neo4j_settings.database


def _load(driver: Driver, database: str, path: Path) -> None:
    from loaders.validate import validate_paths
    from loaders.write import load

    wipe(driver, database)
    load(driver, database, validate_paths([path]))


@pytest.fixture(scope="module")
def mini_graph(driver: Driver, neo4j_settings: Settings) -> tuple[Driver, str]:
    """The small test dataset, loaded once for a module of read-only tests."""
    _load(driver, neo4j_settings.database, MINI)
    return driver, neo4j_settings.database


@pytest.fixture(scope="module")
def loaded_graph(driver: Driver, neo4j_settings: Settings) -> tuple[Driver, str]:
    """The project's whole dataset (data/), loaded once for a module of read-only tests."""
    _load(driver, neo4j_settings.database, DATA)
    return driver, neo4j_settings.database


@pytest.fixture(scope="module")
def api(neo4j_settings: Settings) -> Iterator[object]:
    """A client of the ASGI app (lifespan run), talking to the test Neo4j."""
    from starlette.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(neo4j_settings)) as client:
        yield client


@pytest.fixture(scope="module")
def live_api(neo4j_settings: Settings) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, for the browser test."""
    import socket
    import threading
    import time

    import uvicorn

    from api.app import create_app

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(neo4j_settings), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
