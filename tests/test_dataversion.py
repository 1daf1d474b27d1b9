"""The data version: the same for the same files however they are loaded, different when the
data changes, stamped on a graph that lacks it, and stated by every answer."""

from __future__ import annotations

import shutil
from typing import Any

from neo4j import Driver

from cli.release import records_of
from graph.db import read
from loaders.validate import validate_paths
from loaders.write import load
from tests.conftest import MINI, wipe

STAMPED = "MATCH (v:GraphVersion {id: 'graph'}) RETURN v.version AS token, v.dataVersion AS data"


def stamped(graph: tuple[Driver, str]) -> dict[str, Any]:
    return read(*graph, STAMPED)[0]


def test_the_same_files_give_the_same_data_version_by_either_path(empty_graph):
    files = records_of(validate_paths([MINI]))[0]
    bulk = load(*empty_graph, validate_paths([MINI]), bulk=True)
    assert bulk.data_version == files == stamped(empty_graph)["data"]
    wipe(*empty_graph)
    incremental = load(*empty_graph, validate_paths([MINI]), bulk=False)
    assert incremental.data_version == files == stamped(empty_graph)["data"]
    token = stamped(empty_graph)["token"]
    again = load(*empty_graph, validate_paths([MINI]))
    assert not again.changed and stamped(empty_graph) == {"token": token, "data": files}


def test_a_change_to_the_data_changes_it_and_undoing_it_restores_it(empty_graph, tmp_path):
    original = load(*empty_graph, validate_paths([MINI])).data_version
    changed = tmp_path / "mini.yaml"
    shutil.copyfile(MINI / "mini.yaml", changed)
    changed.write_text(changed.read_text().replace("lat: 56.8587", "lat: 56.8588"))
    other = load(*empty_graph, validate_paths([changed])).data_version
    assert other != original == records_of(validate_paths([MINI]))[0]
    assert stamped(empty_graph)["data"] == other
    assert load(*empty_graph, validate_paths([MINI])).data_version == original
    assert stamped(empty_graph)["data"] == original


def test_a_graph_loaded_before_data_versions_gets_one_at_the_next_load(empty_graph):
    version = load(*empty_graph, validate_paths([MINI])).data_version
    driver, database = empty_graph
    driver.execute_query("MATCH (v:GraphVersion) REMOVE v.dataVersion", database_=database)
    summary = load(*empty_graph, validate_paths([MINI]))
    assert not summary.changed and stamped(empty_graph)["data"] == version


def test_every_answer_states_it(mini_graph, api):
    version = stamped(mini_graph)["data"]
    assert version
    body = api.post("/graphql", json={"query": "{ place(id: \"kursk\") { name } }"})
    assert body.json()["extensions"]["dataVersion"] == version
    assert body.headers["x-revgraph-data-version"] == version
    for path in ("/graphql?query={__typename}", "/export/nodes.csv", "/entity/kursk",
                 "/reconcile", "/explore", "/health", "/static/entity/entity.css"):
        r = api.get(path)
        assert r.status_code == 200, path
        assert r.headers["x-revgraph-data-version"] == version, path
    cached = api.get("/graphql", params={"query": "{ place(id: \"kursk\") { name } }"})
    again = api.get("/graphql", params={"query": "{ place(id: \"kursk\") { name } }"})
    assert again.headers["x-revgraph-cache"] == "hit"
    assert cached.json()["extensions"]["dataVersion"] == again.json()["extensions"][
        "dataVersion"] == version
