"""The loader: every kind of validation error, all-or-nothing writes, idempotency."""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from loaders.validate import ValidationFailed, validate_paths
from loaders.write import load

MINI = Path(__file__).parent / "fixtures" / "mini" / "mini.yaml"


def fingerprint(driver, database) -> str:
    """A digest of the whole graph: every node's labels and properties, every relationship."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n) RETURN labels(n) AS labels, properties(n) AS props", database_=database)
    rels, _, _ = driver.execute_query(
        "MATCH (a)-[r]->(b) RETURN a.id AS a, type(r) AS t, properties(r) AS p, b.id AS b",
        database_=database)
    canon = sorted(json.dumps([sorted(r["labels"]), r["props"]], sort_keys=True, default=str)
                   for r in nodes)
    canon += sorted(json.dumps([r["a"], r["t"], r["p"], r["b"]], sort_keys=True, default=str)
                    for r in rels)
    return hashlib.sha256("\n".join(canon).encode()).hexdigest()


def write(tmp_path: Path, text: str, name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def problems_of(*paths: Path) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        validate_paths(list(paths))
    return [str(p) for p in info.value.problems]


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.yaml")
    return folder


def test_mini_dataset_is_valid():
    dataset = validate_paths([MINI])
    assert len(dataset.records) == 17


CASES = {
    "unknown reference": (
        """
        control:
          - place: kursk
            controller: nobody-at-all
            alignment: RED
            start: 1918-01 O.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:4: controller: unknown reference 'nobody-at-all'"),
    "reference of the wrong kind": (
        """
        soviets:
          - id: odd-soviet
            name: Odd Soviet
            place: bolsheviks
        """, "extra.yaml:5: place: 'bolsheviks' is a Party"),
    "date without a calendar": (
        """
        events:
          - id: a-strike
            name: A strike
            kind: strike
            start: "1917-10-25"
            citations: [{source: figes-1996}]
        """, 'extra.yaml:6: start: "1917-10-25" states no calendar'),
    "unquoted date without a calendar": (
        """
        events:
          - id: a-strike
            name: A strike
            kind: strike
            start: 1917-10-25
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: start: 1917-10-25 states no calendar"),
    "malformed date": (
        """
        events:
          - id: a-strike
            name: A strike
            kind: strike
            start: 1917-02-30 O.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: start: day 30 does not exist"),
    "duplicate id": (
        """
        places:
          - id: kursk
            name: Kursk again
            kind: city
            lat: 51.7
            lon: 36.2
        """, "duplicate id 'kursk': already defined at"),
    "missing citation": (
        """
        figures:
          - about: kursk
            measure: crowd
            label: A crowd
            value: 100
            date: 1917-10 O.S.
        """, "extra.yaml:3: citations: missing citation"),
    "overlapping control not marked disputed": (
        """
        control:
          - place: kursk
            controller: provisional-government
            alignment: PROVISIONAL
            start: 1917-12-01 O.S.
            end: 1918-01-01 O.S.
            citations: [{source: figes-1996}]
        """, "disputed: control of 'kursk' by 'provisional-government' overlaps"),
    "missing required field": (
        """
        places:
          - id: nowhere
            name: Nowhere
            kind: city
            lat: 50.0
        """, "extra.yaml:3: lon: required field is missing"),
    "unknown field": (
        """
        places:
          - id: nowhere
            name: Nowhere
            kind: city
            lat: 50.0
            lon: 30.0
            latitude: 50.0
        """, "extra.yaml:8: latitude: unknown field for places"),
    "value not among the choices": (
        """
        control:
          - place: kursk
            controller: kursk-mrc
            alignment: PINK
            start: 1919-01 N.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:5: alignment: 'PINK' is not one of: RED, PROVISIONAL"),
    "bad id": (
        """
        parties:
          - id: Left SRs
            name: Left SRs
        """, "extra.yaml:3: id: 'Left SRs' is not a valid id"),
    "unknown section": (
        """
        cities:
          - id: x
        """, "extra.yaml:2: cities: unknown section"),
    "end before start": (
        """
        events:
          - id: backwards
            name: Backwards
            kind: strike
            start: 1917-11-01 O.S.
            end: 1917-10-01 O.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:7: end: ends (1917-10-01 O.S.) before it starts"),
    "not YAML": (
        """
        places: [unclosed
        """, "extra.yaml:3: not valid YAML"),
    "citation of an unknown source": (
        """
        events:
          - id: a-strike
            name: A strike
            kind: strike
            citations: [{source: pipes-1999, quote: "words"}]
        """, "citations.source: unknown reference 'pipes-1999'"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validation_errors_name_file_line_field(case, data_dir):
    text, expected = CASES[case]
    problems = problems_of(data_dir, write(data_dir, text))
    assert any(expected in p for p in problems), problems


def test_all_errors_are_reported_at_once(data_dir):
    write(data_dir, CASES["unknown reference"][0], "a.yaml")
    write(data_dir, CASES["missing citation"][0], "b.yaml")
    write(data_dir, CASES["duplicate id"][0], "c.yaml")
    problems = problems_of(data_dir)
    text = "\n".join(problems)
    assert "a.yaml:4: controller: unknown reference" in text
    assert "b.yaml:3: citations: missing citation" in text
    assert "duplicate id 'kursk': already defined at" in text and "c.yaml:3" in text


def test_a_failed_load_leaves_the_graph_as_it_was(empty_graph, data_dir):
    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    before = fingerprint(driver, database)
    write(data_dir, CASES["unknown reference"][0])
    with pytest.raises(ValidationFailed):
        load(driver, database, validate_paths([data_dir]))
    assert fingerprint(driver, database) == before


def test_a_write_that_fails_midway_rolls_back(empty_graph, data_dir):
    """All or nothing even past validation: a failure inside the transaction writes nothing."""
    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    before = fingerprint(driver, database)
    dataset = validate_paths([data_dir])
    calls = []

    def explode(stage: str, n: int) -> None:
        calls.append(stage)
        if stage == "relationships":
            raise RuntimeError("simulated failure in the middle of the load")

    kursk = next(r for r in dataset.records if r.id == "kursk")
    kursk.props["name"] = "Kursk (changed)"
    with pytest.raises(RuntimeError):
        load(driver, database, dataset, explode)
    assert "nodes" in calls
    assert fingerprint(driver, database) == before


def test_second_load_changes_nothing(empty_graph, data_dir):
    driver, database = empty_graph
    first = load(driver, database, validate_paths([data_dir]))
    assert sum(first.created.values()) == 17
    after_first = fingerprint(driver, database)
    second = load(driver, database, validate_paths([data_dir]))
    assert not second.changed
    assert sum(second.unchanged.values()) == 17
    assert fingerprint(driver, database) == after_first


def test_removed_and_changed_records_follow_the_files(empty_graph, data_dir):
    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    text = (data_dir / "mini.yaml").read_text()
    text = text.replace("aliases: [Kalinin]", "aliases: [Kalinin, Тверь]")
    start = text.index("  - id: tver-fighting-1917")
    end = text.index("control:")
    (data_dir / "mini.yaml").write_text(text[:start] + text[end:])
    summary = load(driver, database, validate_paths([data_dir]))
    assert summary.deleted == {"Event": 1}
    assert summary.updated == {"Place": 1}
    records, _, _ = driver.execute_query(
        "MATCH (e:Event {id: 'tver-fighting-1917'}) RETURN count(e) AS n", database_=database)
    assert records[0]["n"] == 0
    records, _, _ = driver.execute_query(
        "MATCH (p:Place {id: 'tver'}) RETURN p.aliases AS a", database_=database)
    assert records[0]["a"] == ["Kalinin", "Тверь"]


def test_graph_shape(empty_graph, data_dir):
    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    records, _, _ = driver.execute_query("""
        MATCH (c:Control:Fact)-[:OF_PLACE]->(p:Place:Entity {id: 'kursk'}),
              (c)-[:BY]->(o:Organization {id: 'kursk-mrc'}),
              (c)-[cite:CITES]->(s:Source {id: 'figes-1996'})
        RETURN c.start AS start, c.startCalendar AS cal, c.startPrecision AS precision
        """, database_=database)
    row = records[0]
    assert row["start"].iso_format() == "1917-12-09"
    assert (row["cal"], row["precision"]) == ("JULIAN", "DAY")
    records, _, _ = driver.execute_query(
        "MATCH (h:Person:Historian) RETURN collect(h.id) AS ids", database_=database)
    assert sorted(records[0]["ids"]) == ["figes", "pipes"]
