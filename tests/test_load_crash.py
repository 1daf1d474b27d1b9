"""Loads that cannot be half-done: Neo4j killed (kill -9 of the test server's java process)
in the middle of each load path that takes many transactions, started again, and then the graph
says its last load is unfinished, and a plain load repairs it: the graph equals a clean load's,
fingerprint for fingerprint. Without a kill: a graph in the state the users found (nodes with
their hashes, most relationships missing, no record of the load) is repaired the same way, and
`revgraph load` says what it does.

The kills need the project's own local test server (the one the tests start themselves); with
NEO4J_TEST_URI or a container they are skipped. Each costs a restart of Neo4j (about 15 s), so
there are four: two points of the bulk path, two of the incremental path in batches."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from neo4j import Driver

from graph.db import Target, open_driver
from graph.loadstate import BEGIN, load_state
from graph.server import LocalServer
from loaders.nodes import LoadFailed
from loaders.synth import generate, shape
from loaders.validate import Dataset, validate_paths
from loaders.write import load
from schema.config import Config
from schema.model import CITES_REL, CONTROL, GRAPH_VERSION_LABEL
from tests.conftest import MINI, GraphState, test_config, wipe
from tests.test_bulk_load import graph

SMALL = 97  # rows per transaction: many batches to be killed among


@pytest.fixture(scope="module")
def datasets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Dataset, Dataset]:
    """Two synthetic datasets of one shape and different content (seeds): the graph before a
    change, and after it."""
    real = shape(validate_paths([Config.from_env({}).data]).records)
    out = []
    for seed in (12, 11):
        folder = tmp_path_factory.mktemp(f"synth-{seed}")
        generate(real, 0.3, seed, folder)
        out.append(validate_paths([folder]))
    return out[0], out[1]


_CLEAN: dict[int, tuple[int, int, str]] = {}


def clean(driver: Driver, database: str, dataset: Dataset) -> tuple[int, int, str]:
    """The graph a clean load of ``dataset`` writes (taken once per dataset)."""
    if id(dataset) not in _CLEAN:
        wipe(driver, database)
        load(driver, database, dataset)
        _CLEAN[id(dataset)] = graph(driver, database)
    return _CLEAN[id(dataset)]


@pytest.fixture
def local(neo4j_settings: Target) -> Iterator[Target]:
    if not neo4j_settings.local:
        pytest.skip("killing Neo4j needs the tests' own local server")
    yield neo4j_settings
    GraphState.content = None


def kill_neo4j() -> None:
    """kill -9 of the test server's java process, waiting until it is gone."""
    pid = LocalServer(test_config()).pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)  # the test session started it: reap it
    except ChildProcessError:  # started by another process: wait for it to go
        while Path(f"/proc/{pid}").exists():
            time.sleep(0.05)


def killer(stage: str, nth: int) -> tuple[Callable[[str, int], None], list[str]]:
    """A progress callback that kills Neo4j after the ``nth`` committed batch of ``stage``."""
    seen: list[str] = []

    def step(s: str, _n: int) -> None:
        seen.append(s)
        if s == stage and seen.count(stage) == nth:
            kill_neo4j()

    return step, seen


def crash_then_repair(target: Target, driver: Driver, dataset: Dataset, stage: str, nth: int,
                      one_tx_rows: int | None = None) -> None:
    expected = clean(driver, target.database, dataset)
    step, seen = killer(stage, nth)
    # Few retries: a transaction against a dead server fails at once, as a user's would.
    with open_driver(target, max_transaction_retry_time=0.5) as short:
        with pytest.raises(LoadFailed, match="once Neo4j answers, run `revgraph load` again"):
            if one_tx_rows is None:
                load(short, target.database, dataset, step, batch_rows=SMALL)
            else:  # a change in batches, however small (the default: one transaction)
                load(short, target.database, dataset, step, batch_rows=SMALL,
                     one_tx_rows=one_tx_rows)
    assert seen.count(stage) == nth
    LocalServer(test_config()).start(echo=False)
    state = load_state(driver, target.database)
    assert state.state == "writing" and not state.complete, state
    assert "has not finished" in state.message
    assert graph(driver, target.database) != expected  # part of the load is missing
    summary = load(driver, target.database, dataset)
    assert summary.repaired
    assert load_state(driver, target.database).complete
    assert graph(driver, target.database) == expected
    again = load(driver, target.database, dataset)
    assert not again.changed and not again.repaired


@pytest.mark.parametrize("stage, nth", [("nodes", 3), ("relationships", 4)])
def test_a_first_load_killed_midway_is_repaired_by_the_next(local, driver, datasets, stage,
                                                            nth) -> None:
    _, after = datasets
    clean(driver, local.database, after)
    wipe(driver, local.database)
    crash_then_repair(local, driver, after, stage, nth)


@pytest.mark.parametrize("stage, nth", [("nodes", 2), ("relationships", 2)])
def test_a_large_change_killed_midway_is_repaired_by_the_next(local, driver, datasets, stage,
                                                              nth) -> None:
    before, after = datasets
    clean(driver, local.database, after)
    wipe(driver, local.database)
    load(driver, local.database, before)  # the graph holds `before`, whole
    assert load_state(driver, local.database).complete
    crash_then_repair(local, driver, after, stage, nth, one_tx_rows=0)


def test_a_graph_loaded_half_by_an_earlier_loader_is_repaired(empty_graph) -> None:
    """The state users found: every node with its hash, most relationships missing, no record
    of the load. It is `unverified`, and a plain load writes what is missing."""
    driver, database = empty_graph
    dataset = validate_paths([MINI])
    expected = clean(driver, database, dataset)
    driver.execute_query(f"MATCH (:{CONTROL.name})-[r]->() DELETE r", database_=database)
    driver.execute_query(f"MATCH ()-[r:{CITES_REL}]->() DELETE r", database_=database)
    driver.execute_query(f"MATCH (v:{GRAPH_VERSION_LABEL}) REMOVE v.loadState",
                         database_=database)
    state = load_state(driver, database)
    assert state.state == "unverified" and not state.complete
    # Without a record of its load, no hash is trusted (an earlier loader wrote them before
    # the relationships): every node is written again.
    summary = load(driver, database, dataset)
    assert summary.repaired and sum(summary.updated.values()) == len(dataset.records)
    assert graph(driver, database) == expected
    assert load_state(driver, database).complete


def test_revgraph_load_says_it_repairs_an_unfinished_load(empty_graph, neo4j_settings) -> None:
    from tests.test_cli import run

    driver, database = empty_graph
    assert run(["load", str(MINI)], neo4j_settings).returncode == 0
    driver.execute_query(BEGIN, {"mode": "bulk"}, database_=database)  # as if interrupted
    report = run(["report", "--json"], neo4j_settings)
    assert "has not finished" in report.stderr
    result = run(["load", str(MINI)], neo4j_settings)
    assert result.returncode == 0, result.stderr
    assert "has not finished" in result.stderr and "Repairing" in result.stderr
    assert "Graph repaired" in result.stdout
    again = run(["load", str(MINI)], neo4j_settings)
    assert "Graph unchanged." in again.stdout and "warning" not in again.stderr


def test_ready_refuses_a_graph_whose_load_did_not_finish(empty_graph, neo4j_settings) -> None:
    """/ready (what a load balancer asks) answers 503 with the reason while the graph's last
    load is unfinished: such a graph answers with part of the data and no error."""
    from starlette.testclient import TestClient

    from api.app import create_app
    from tests.conftest import shipped

    driver, database = empty_graph
    load(driver, database, validate_paths([MINI]))
    with TestClient(create_app(shipped(), neo4j_settings)) as client:
        whole = client.get("/ready")
        assert whole.status_code == 200 and whole.json()["load"]["complete"], whole.text
        driver.execute_query(BEGIN, {"mode": "bulk"}, database_=database)  # as if interrupted
        half = client.get("/ready")
        assert half.status_code == 503 and not half.json()["ready"], half.text
        assert "has not finished" in half.json()["load"]["message"]
        load(driver, database, validate_paths([MINI]))  # the next load finishes it
        assert client.get("/ready").status_code == 200


def test_load_state_of_an_empty_graph(empty_graph) -> None:
    state = load_state(*empty_graph)
    assert state.state == "empty" and not state.complete and "nothing is loaded" in state.message
