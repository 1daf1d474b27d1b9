"""`revgraph release`: a bundle built from the test data verifies by its checksums (its own
--verify and sha256sum -c), holds what it says, lists the changes since the previous release,
and is refused when the graph does not hold the files being released."""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from rdflib import Graph

from cli.release import build, records_of, verify
from graph.db import read
from loaders.validate import validate_paths
from schema.errors import InputError
from tests.conftest import MINI, _holding
from tests.test_cli import run

ARTICLE = """How the soviets took Kursk and Tver

In Kursk the soviet took power late in November, after street fighting; in Tver the garrison
went over to the soviet within days of the rising in Petrograd.
"""
DOCUMENTS = """sources:
  - id: test-article
    title: How the soviets took Kursk and Tver
    year: 2024
    kind: article
documents:
  - id: doc-test-article
    title: How the soviets took Kursk and Tver
    source: test-article
    path: documents/test-article.txt
    language: en
    license: CC BY 4.0
    attribution: "A test article written for revgraph's tests (2024)."
"""


def dataset_folder(root: Path, tver: str = "Tver") -> Path:
    """The mini dataset with one stored document, in a folder of its own."""
    (root / "documents").mkdir(parents=True)
    mini = (MINI / "mini.yaml").read_text().replace("name: Tver", f"name: {tver}")
    (root / "mini.yaml").write_text(mini)
    (root / "documents.yaml").write_text(DOCUMENTS)
    (root / "documents" / "test-article.txt").write_text(ARTICLE)
    return root


@pytest.fixture
def released(driver, neo4j_settings, tmp_path):
    data = dataset_folder(tmp_path / "data")
    graph = _holding(driver, neo4j_settings.database, data)
    out = tmp_path / "releases"
    folder = build(*graph, validate_paths([data]), "1.0", out, base="https://revgraph.example")
    return graph, data, out, folder


def test_a_release_verifies_by_its_checksums(released):
    graph, _, out, folder = released
    assert folder == out / "revgraph-data-1.0"
    assert verify(folder) == []
    sums = subprocess.run(["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=folder,
                          capture_output=True, text=True)
    assert sums.returncode == 0, sums.stdout + sums.stderr
    archive = subprocess.run(["sha256sum", "-c", "revgraph-data-1.0.tar.gz.sha256"], cwd=out,
                             capture_output=True, text=True)
    assert archive.returncode == 0, archive.stdout + archive.stderr
    with tarfile.open(out / "revgraph-data-1.0.tar.gz") as tar:
        names = {m.name for m in tar.getmembers() if m.isfile()}
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    assert names == {f"revgraph-data-1.0/{n}" for n in listed | {"SHA256SUMS"}}


def test_a_changed_file_does_not_verify(released):
    _, _, _, folder = released
    target = folder / "data" / "mini.yaml"
    target.write_text(target.read_text() + "\n# edited\n")
    (folder / "stray.txt").write_text("not released")
    assert verify(folder) == ["stray.txt: not listed in SHA256SUMS",
                              "data/mini.yaml: its SHA-256 differs from SHA256SUMS"]
    assert subprocess.run(["sha256sum", "-c", "--quiet", "SHA256SUMS"], cwd=folder,
                          capture_output=True).returncode != 0


def test_a_release_holds_the_data_its_dumps_and_licences(released):
    graph, data, _, folder = released
    manifest = json.loads((folder / "manifest.json").read_text())
    stamped = read(*graph, "MATCH (v:GraphVersion) RETURN v.dataVersion AS v")[0]["v"]
    assert manifest["version"] == "1.0" and manifest["dataVersion"] == stamped
    assert manifest["previous"] is None and manifest["base"] == "https://revgraph.example"
    for name in ("mini.yaml", "documents.yaml", "documents/test-article.txt"):
        assert (folder / "data" / name).read_bytes() == (data / name).read_bytes()
    # the released files are the data version the graph states
    assert records_of(validate_paths([folder / "data"]))[0] == stamped
    [doc] = json.loads((folder / "documents.json").read_text())
    assert doc["license"] == "CC BY 4.0" and doc["path"] == "data/documents/test-article.txt"
    assert "CC BY 4.0" in (folder / "LICENSES.md").read_text()
    nodes = read(*graph, "MATCH (n) WHERE n:Entity OR n:Fact RETURN count(n) AS n")[0]["n"]
    assert manifest["nodes"] == nodes
    dump = Graph().parse(folder / "dump" / "revgraph.jsonld", format="json-ld")
    subjects = {str(s) for s in dump.subjects() if "#" not in str(s)}
    assert len(subjects) == nodes + 1  # every node, and the dataset
    assert "https://revgraph.example/entity/kursk" in subjects
    rows = (folder / "dump" / "nodes.csv").read_text().strip().splitlines()
    assert len(rows) == nodes + 1  # a header and a row per node
    assert (folder / "docs" / "model.md").read_text().startswith("# The graph model")
    assert "The first release" in (folder / "CHANGES.md").read_text()
    assert f"data version {stamped}" in (folder / "CITATION.cff").read_text()


def test_the_next_release_lists_the_changes(released, driver, neo4j_settings, tmp_path):
    _, _, out, _ = released
    data = dataset_folder(tmp_path / "data-2", tver="Tver (Kalinin)")
    graph = _holding(driver, neo4j_settings.database, data)
    folder = build(*graph, validate_paths([data]), "1.1", out)
    changes = json.loads((folder / "changes.json").read_text())
    assert changes["since"] == "1.0" and changes["changed"] == ["tver"]
    assert changes["added"] == changes["removed"] == []
    assert "Tver (Kalinin) (`tver`)" in (folder / "CHANGES.md").read_text()
    assert json.loads((folder / "manifest.json").read_text())["previous"] == "1.0"
    with pytest.raises(InputError, match="already exists"):
        build(*graph, validate_paths([data]), "1.1", out)


def test_a_release_of_other_files_than_the_graph_holds_is_refused(mini_graph, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "mini.yaml").write_text((MINI / "mini.yaml").read_text().replace(
        "name: Tver", "name: Tver (Kalinin)"))
    with pytest.raises(InputError, match="run `revgraph load` with the same files first"):
        build(*mini_graph, validate_paths([data]), "1.0", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    for bad in ("../x", "", "a b"):
        with pytest.raises(InputError, match="use letters, digits"):
            build(*mini_graph, validate_paths([MINI]), bad, tmp_path / "out")


def test_the_command(mini_graph, neo4j_settings, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    out = tmp_path / "releases"
    made = run(["release", "2026.1", "--data", str(data), "-o", str(out)], neo4j_settings)
    assert made.returncode == 0, made.stderr
    assert "data version" in made.stdout
    checked = run(["release", "--verify", str(out / "revgraph-data-2026.1")], neo4j_settings)
    assert checked.returncode == 0 and "OK" in checked.stdout
    (out / "revgraph-data-2026.1" / "README.md").write_text("changed")
    checked = run(["release", "--verify", str(out / "revgraph-data-2026.1")], neo4j_settings)
    assert checked.returncode == 1 and "README.md: its SHA-256 differs" in checked.stdout
