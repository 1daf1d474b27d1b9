"""The bulk path of a first load (loaders/bulk.py): it writes the same graph as the incremental
path, in many transactions, and a failure in the middle leaves the database empty again.
Against the real test Neo4j, on the real data (documents included) and a small synthetic set."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from neo4j import Driver

from loaders.bulk import BulkLoadFailed, load_bulk, loaded_count
from loaders.synth import generate, shape
from loaders.validate import Dataset, validate_paths
from loaders.write import load
from schema.config import Config
from schema.model import GRAPH_VERSION_LABEL
from tests.conftest import wipe

DATA = Path(__file__).parent.parent / "data"


def graph(driver: Driver, database: str) -> tuple[int, int, str]:
    """Node and relationship counts and a digest of every node's labels and properties and
    every relationship (the graph's version stamp aside: a fresh token on every load)."""
    nodes, _, _ = driver.execute_query(
        f"MATCH (n) WHERE NOT n:{GRAPH_VERSION_LABEL} RETURN labels(n) AS l, properties(n) AS p",
        database_=database)
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN coalesce(a.id, a.text) AS a, type(r) AS t, properties(r) AS p, "
        "coalesce(b.id, b.text) AS b", database_=database)
    canon = sorted(json.dumps([sorted(r["l"]), r["p"]], sort_keys=True, default=str) for r in nodes)
    canon += sorted(json.dumps([r["a"], r["t"], r["p"], r["b"]], sort_keys=True, default=str)
                    for r in rels)
    return len(nodes), len(rels), hashlib.sha256("\n".join(canon).encode()).hexdigest()


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    folder = tmp_path_factory.mktemp("synth")
    generate(shape(validate_paths([Config.from_env({}).data]).records), 0.3, 11, folder)
    return validate_paths([folder])


def _both_ways(driver: Driver, database: str, dataset: Dataset) -> None:
    load(driver, database, dataset, bulk=False)
    incremental = graph(driver, database)
    wipe(driver, database)
    stages: list[str] = []
    # A small batch: many transactions, and batches that end inside a kind.
    load_bulk(driver, database, dataset, lambda stage, _n: stages.append(stage), size=97)
    assert stages.count("nodes") > 10 and stages.count("relationships") > 10
    assert graph(driver, database) == incremental
    assert incremental[0] > 0 and incremental[1] > 0


def test_bulk_and_incremental_write_the_same_graph(empty_graph, synthetic: Dataset) -> None:
    driver, database = empty_graph
    _both_ways(driver, database, synthetic)


def test_the_same_for_the_real_data_and_its_documents(empty_graph) -> None:
    driver, database = empty_graph
    _both_ways(driver, database, validate_paths([DATA]))


def test_a_first_load_is_bulk_and_a_second_incremental(empty_graph, synthetic: Dataset) -> None:
    driver, database = empty_graph
    first: list[str] = []
    summary = load(driver, database, synthetic, lambda stage, _n: first.append(stage))
    assert "plan" not in first and sum(summary.created.values()) == len(synthetic.records)
    second: list[str] = []
    again = load(driver, database, synthetic, lambda stage, _n: second.append(stage))
    assert second[0] == "plan" and not again.changed  # the incremental path: nothing changed
    with pytest.raises(BulkLoadFailed, match="for a first load into an empty database"):
        load(driver, database, synthetic, bulk=True)


def test_a_value_neo4j_refuses_midway_leaves_the_database_empty(empty_graph, synthetic: Dataset) -> None:
    """Neo4j refuses a map as a property value (no valid file can produce one), in a batch
    long after the first ones were committed."""
    driver, database = empty_graph
    late = synthetic.records[len(synthetic.records) * 3 // 4]
    late.props["note"] = {"not": "a property value"}
    written: list[int] = []
    try:
        with pytest.raises(BulkLoadFailed) as info:
            load_bulk(driver, database, synthetic, lambda _s, n: written.append(n), size=97)
    finally:
        late.props.pop("note")
    assert sum(written) > 200  # batches had been committed before the failure
    message = str(info.value)
    assert "the first load failed in a batch of" in message and late.kind.name in message
    assert "Property values can only be of primitive types" in message
    assert "the database is empty again" in message
    assert loaded_count(driver, database) == 0
    assert graph(driver, database)[:2] == (0, 0)


def test_a_failure_among_the_relationships_leaves_the_database_empty(empty_graph, synthetic: Dataset) -> None:
    driver, database = empty_graph
    seen: list[str] = []

    def explode(stage: str, _n: int) -> None:
        seen.append(stage)
        if seen.count("relationships") == 5:
            raise RuntimeError("simulated failure in the middle of the load")

    with pytest.raises(BulkLoadFailed, match="simulated failure.*the database is empty again"):
        load(driver, database, synthetic, explode)
    assert "nodes" in seen
    assert graph(driver, database)[:2] == (0, 0)
