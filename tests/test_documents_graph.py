"""Documents in the graph, against a real Neo4j: passages, mentions, located quotations, all or
nothing, idempotent, and bad documents refused with the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graph.db import read
from loaders.validate import ValidationFailed, validate_paths
from loaders.write import load
from tests.conftest import ROOT as PROJECT_ROOT

SEED_002 = PROJECT_ROOT / "data" / "documents" / "002_37eb5554342f881c.txt"
MINI = Path(__file__).parent / "fixtures" / "mini" / "mini.yaml"
DOCS_YAML = """documents:
  - id: doc-figes
    title: Figes, quoted in a thread
    source: figes-1996
    path: {path}
    language: en
    license: CC BY-SA 4.0
    attribution: "A History Stack Exchange thread, as scraped into the project's seed 002."
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The mini dataset with one document: the seed thread, which quotes Figes."""
    (tmp_path / "documents").mkdir()
    shutil.copy(MINI, tmp_path / "mini.yaml")
    shutil.copy(SEED_002, tmp_path / "documents" / "thread.txt")
    (tmp_path / "documents.yaml").write_text(DOCS_YAML.format(path="documents/thread.txt"))
    return tmp_path


def _count(driver, db, cypher: str) -> int:
    return read(driver, db, cypher)[0]["n"]


def test_the_seed_documents_are_in_the_graph(loaded_graph) -> None:
    driver, db = loaded_graph
    docs = read(driver, db, "MATCH (d:Document)-[:OF_SOURCE]->(s:Source) "
                            "RETURN d.id AS id, s.id AS source ORDER BY id")
    # data/ grows: the seeds are two of its documents, whatever their number
    assert [{"id": "doc-history-se-thread", "source": "seed-history-se-thread"},
            {"id": "doc-socialist-worker-2017", "source": "seed-socialist-worker-2017"}] == [
        d for d in docs if d["source"].startswith("seed-")]
    linked = read(driver, db, """
        MATCH (:Document {id: 'doc-socialist-worker-2017'})<-[:IN_DOCUMENT]-(p:Passage)
              -[m:MENTIONS]->(e)
        WHERE m.text IN ['Krasnoyask', 'Tsaitzyn', 'Ivonovo-Voznesensk']
        RETURN m.text AS text, e.id AS entity, substring(p.text, m.start - p.textStart,
               m.end - m.start) AS at ORDER BY m.start""")
    assert linked == [
        {"text": "Krasnoyask", "entity": "krasnoyarsk", "at": "Krasnoyask"},
        {"text": "Tsaitzyn", "entity": "tsaritsyn", "at": "Tsaitzyn"},
        {"text": "Ivonovo-Voznesensk", "entity": "ivanovo-voznesensk", "at": "Ivonovo-Voznesensk"}]
    # Every quotation that cites a seed has its span, and the span is the quotation.
    rows = read(driver, db, """
        MATCH ()-[c:CITES]->(s:Source) WHERE s.id STARTS WITH 'seed-' AND c.quote IS NOT NULL
        OPTIONAL MATCH (d:Document {id: c.spanDocument})<-[:IN_DOCUMENT]-(p:Passage)
        WHERE p.textStart <= c.spanStart AND c.spanEnd <= p.textEnd
        RETURN c.quote AS quote, substring(p.text, c.spanStart - p.textStart,
               c.spanEnd - c.spanStart) AS span""")
    assert len(rows) >= 100
    assert all(r["span"] == r["quote"] for r in rows), [r for r in rows if r["span"] != r["quote"]]


def test_documents_load_all_or_nothing_and_idempotent(empty_graph, data_dir: Path) -> None:
    driver, db = empty_graph
    first = load(driver, db, validate_paths([data_dir]))
    passages = _count(driver, db, "MATCH (p:Passage) RETURN count(p) AS n")
    assert first.created["Passage"] == passages > 20
    assert _count(driver, db, "MATCH (:Passage)-[m:MENTIONS]->(:Place {id: 'kursk'}) "
                              "RETURN count(m) AS n") == 1
    again = load(driver, db, validate_paths([data_dir]))
    assert not again.changed and again.unchanged["Passage"] == passages
    # One paragraph changed, three from the end: it is rewritten, and the two after it whose
    # offsets moved; the others are left alone.
    path = data_dir / "documents" / "thread.txt"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "More post", "More post about Tver"), encoding="utf-8")
    changed = load(driver, db, validate_paths([data_dir]))
    assert changed.created.get("Passage", 0) == 0 and changed.updated["Passage"] == 3
    assert changed.unchanged["Passage"] == passages - 3
    assert _count(driver, db, "MATCH (p:Passage)-[:MENTIONS]->(:Place {id: 'tver'}) "
                              "WHERE p.text CONTAINS 'More post' RETURN count(p) AS n") == 1
    # The document removed from the files: its passages go with it.
    (data_dir / "documents.yaml").unlink()
    gone = load(driver, db, validate_paths([data_dir]))
    assert gone.deleted["Passage"] == passages
    assert _count(driver, db, "MATCH (p:Passage) RETURN count(p) AS n") == 0


@pytest.mark.parametrize("content, path, message", [
    (b"\x00\x01binary", "documents/thread.txt", "binary file"),
    ("caf\u00e9".encode("latin-1"), "documents/thread.txt", "not UTF-8"),
    (b"", "documents/thread.txt", "is empty"),
    (None, "../mini.yaml", "is outside"),
    (None, "documents/nothing.txt", "no such file"),
    (b"Only in Novgorod did fighting take place.", "documents/thread.txt",
     "quotation not found"),
])
def test_a_bad_document_is_a_validation_error_and_the_graph_is_unchanged(
        empty_graph, data_dir: Path, content: bytes | None, path: str, message: str) -> None:
    driver, db = empty_graph
    load(driver, db, validate_paths([data_dir]))
    before = _count(driver, db, "MATCH (n) RETURN count(n) AS n")
    if content is not None:
        (data_dir / "documents" / "thread.txt").write_bytes(content)
    (data_dir / "documents.yaml").write_text(DOCS_YAML.format(path=path))
    with pytest.raises(ValidationFailed) as exc:
        validate_paths([data_dir])
    problems = [str(p) for p in exc.value.problems]
    assert any(message in p for p in problems), problems
    where = "documents.yaml:5: path:" if "quotation" not in message else "mini.yaml:"
    assert any(where in p for p in problems if message in p), problems
    assert _count(driver, db, "MATCH (n) RETURN count(n) AS n") == before
