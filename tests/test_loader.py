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

    # -- hostile or careless files: each a clear error, nothing written -----------------------
    "a Julian date in year 1": (
        """
        events:
          - id: early
            name: Early
            kind: strike
            start: 0001-01-01 O.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: start: year 1 is out of range"),
    "a Julian date in year 9999": (
        """
        events:
          - id: late
            name: Late
            kind: strike
            start: 9999-12-31 O.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: start: year 9999 is out of range"),
    "an Old Style date after the switch": (
        """
        events:
          - id: skipped-day
            name: A day that never was
            kind: strike
            start: 1918-02-05 O.S.
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: start: '1918-02-05 O.S.' is after Russia's switch"),
    "a count that overflows": (
        """
        composition:
          - body: kursk-mrc
            party: bolsheviks
            date: 1917-11 O.S.
            seats: 99999999999999999999999
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: seats: 99999999999999999999999 is out of range"),
    "a negative count": (
        """
        composition:
          - body: kursk-mrc
            party: bolsheviks
            date: 1917-11 O.S.
            seats: -3
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: seats: -3 is out of range"),
    "more seats than there are": (
        """
        composition:
          - body: kursk-mrc
            party: bolsheviks
            date: 1917-11 O.S.
            seats: 500
            of: 10
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: seats: seats 500 is more than of 10"),
    "a share over one": (
        """
        composition:
          - body: kursk-mrc
            party: bolsheviks
            date: 1917-11 O.S.
            share: 90
            citations: [{source: figes-1996}]
        """, "extra.yaml:6: share: 90 is out of range: share is from 0 to 1"),
    "a place inside itself": (
        """
        places:
          - id: ouroboros
            name: Ouroboros
            kind: city
            lat: 50.0
            lon: 30.0
            in: ouroboros
        """, "extra.yaml:8: in: a cycle: ouroboros -> ouroboros"),
    "places inside each other": (
        """
        places:
          - id: east-town
            name: East Town
            kind: town
            lat: 50.0
            lon: 30.0
            in: west-town
          - id: west-town
            name: West Town
            kind: town
            lat: 50.0
            lon: 31.0
            in: east-town
        """, "extra.yaml:8: in: a cycle: east-town -> west-town -> east-town"),
    "factions of each other": (
        """
        parties:
          - id: left-wing
            name: Left wing
            faction_of: right-wing
          - id: right-wing
            name: Right wing
            faction_of: left-wing
        """, "extra.yaml:5: faction_of: a cycle: left-wing -> right-wing -> left-wing"),
    "a quotation of ten thousand words": (
        """
        events:
          - id: long-quote
            name: Long quote
            kind: strike
            citations: [{source: figes-1996, quote: "%s"}]
        """ % ("word " * 10000), "citations.quote: 49,999 characters, over the limit"),
    "a key given twice": (
        """
        places:
          - id: twice
            name: Twice
            name: Twice again
            kind: city
            lat: 50.0
            lon: 30.0
        """, "extra.yaml:5: 'name' is given twice in this mapping (first at line 4)"),
    "a NUL byte in a name": (
        """
        places:
          - id: nul
            name: "Nul\\0byte"
            kind: city
            lat: 50.0
            lon: 30.0
        """, "extra.yaml:4: name: contains a control character"),
    "a billion laughs": (
        """
        a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
        b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
        c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
        places:
          - id: laughs
            name: *c
        """, "extra.yaml:3: YAML aliases (*name) are not allowed"),
    "nested twenty thousand deep": (
        "places: " + "[" * 20000 + "]" * 20000 + "\n",
        "extra.yaml:1: nested more than 50 levels deep"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_validation_errors_name_file_line_field(case, data_dir):
    text, expected = CASES[case]
    problems = problems_of(data_dir, write(data_dir, text))
    assert any(expected in p for p in problems), problems


def test_a_symlink_out_of_the_data_folder_is_refused(data_dir, tmp_path):
    outside = write(tmp_path, CASES["duplicate id"][0], "outside.yaml")
    (data_dir / "linked.yaml").symlink_to(outside)
    with pytest.raises(FileNotFoundError, match="a symlink to .* outside"):
        validate_paths([data_dir])


def test_a_file_over_the_size_limit_is_refused(data_dir, monkeypatch):
    import loaders.read

    monkeypatch.setattr(loaders.read, "MAX_FILE_BYTES", 100)
    problems = problems_of(data_dir)
    assert any("over the limit of 100: split it" in p for p in problems), problems


def test_a_file_not_in_utf8_is_refused(data_dir):
    (data_dir / "latin1.yaml").write_bytes("places:\n  - id: k\n    name: K\xf6ln\n".encode("latin-1"))
    problems = problems_of(data_dir)
    assert any("latin1.yaml:3: not UTF-8 text" in p for p in problems), problems


def test_all_errors_are_reported_at_once(data_dir):
    write(data_dir, CASES["unknown reference"][0], "a.yaml")
    write(data_dir, CASES["missing citation"][0], "b.yaml")
    write(data_dir, CASES["duplicate id"][0], "c.yaml")
    problems = problems_of(data_dir)
    text = "\n".join(problems)
    assert "a.yaml:4: controller: unknown reference" in text
    assert "b.yaml:3: citations: missing citation" in text
    assert "duplicate id 'kursk': already defined at" in text and "c.yaml:3" in text


def test_a_load_that_neo4j_refuses_leaves_the_graph_as_it_was(empty_graph, data_dir):
    """A failure in the database itself (here Neo4j refusing a map as a property value, which
    no valid file can produce) rolls the whole load back."""
    from neo4j.exceptions import Neo4jError

    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    before = fingerprint(driver, database)
    dataset = validate_paths([data_dir])
    for record in dataset.records:
        record.props["name"] = f"{record.props.get('name')} (changed)"
    dataset.records[-1].props["name"] = {"not": "a property value"}
    with pytest.raises(Neo4jError):
        load(driver, database, dataset)
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
