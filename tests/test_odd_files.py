"""Odd files and every problem at once: what the loader says about files that are not what they
should be (unreadable, a FIFO, an upper-case suffix, a scalar where a record goes), about
periods that hold on no day and dates in other digits, and that one run reports every problem
of every file, unknown references included. None of these needs Neo4j."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from loaders.validate import validate_paths
from tests.conftest import MINI
from tests.test_loader import problems_of

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parent.parent


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def revgraph(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=timeout, env={**os.environ, "COLUMNS": "300"})


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "mini.yaml").write_text(MINI.joinpath("mini.yaml").read_text())
    return folder


# -- files that are not plain readable files -----------------------------------------------

def test_an_unreadable_file_is_a_problem_of_that_file(data: Path, monkeypatch) -> None:
    import loaders.read

    locked = write(data, "locked.yaml", "places: []\n")
    real_open = os.open

    def refuse(path, flags, *args):  # as root, chmod 000 does not stop a read: refuse it here
        if Path(path) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(loaders.read.os, "open", refuse)
    assert any("locked.yaml:0: could not be read: Permission denied" in p
               for p in problems_of(data))


def test_a_dangling_symlink_is_a_clear_error_not_a_traceback(data: Path) -> None:
    (data / "gone.yaml").symlink_to(data / "moved-away.yaml")
    result = revgraph("validate", str(data))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "gone.yaml:0" in result.stderr and "could not be read" in result.stderr


def test_a_fifo_is_refused_without_being_opened(data: Path) -> None:
    """A FIFO named on the command line, and one inside a data folder: opening either would
    wait for a writer forever. Each is refused at once, named, with the reason."""
    fifo = data / "pipe.yaml"
    os.mkfifo(fifo)
    for target in (fifo, data):
        result = revgraph("validate", str(target), timeout=30)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert "pipe.yaml:0" in result.stderr
        assert "is a FIFO (named pipe), not a regular file" in result.stderr.replace("\n", "")


def test_a_device_is_refused(tmp_path: Path) -> None:
    (tmp_path / "null.yaml").symlink_to("/dev/null")
    problems = problems_of(tmp_path / "null.yaml")
    assert any("is a character device, not a regular file" in p for p in problems), problems


@pytest.mark.parametrize("name", ["REGIONS.YAML", "regions.yml", "Regions.Yml"])
def test_yaml_files_are_read_whatever_the_case_of_their_suffix(data: Path, name: str) -> None:
    write(data, name, """
        places:
          - id: nowhere
            name: Nowhere
            kind: village
            lat: 50.0
            lon: 30.0
        """)
    problems = problems_of(data)
    assert any(f"{name}:5: kind: 'village' is not one of" in p for p in problems), problems
    problems = problems_of(data / name)  # named on the command line too
    assert any(f"{name}:5: kind:" in p for p in problems), problems


def test_a_scalar_record_is_reported_on_its_own_line(data: Path) -> None:
    write(data, "extra.yaml", """
        places:
          - id: fine
            name: Fine
            kind: city
            lat: 50.0
            lon: 30.0
          - just a line of text
          - 42
        """)
    problems = problems_of(data)
    assert any("extra.yaml:8: places: expected a record (a mapping), got 'just a line of text'"
               in p for p in problems), problems
    assert any("extra.yaml:9: places: expected a record (a mapping), got 42" in p
               for p in problems), problems


# -- periods and dates -----------------------------------------------------------------------

CONTROL = """
    control:
      - place: tver
        controller: kursk-mrc
        alignment: RED
        start: {start}
        end: {end}
        citations: [{{source: figes-1996}}]
    """


@pytest.mark.parametrize("start, end, expected", [
    ("1917-11-01 O.S.", "1917-11-01 O.S.", "on the day it starts"),
    ("1917-11-14 N.S.", "1917-11-01 O.S.", "on the day it starts"),  # the same day, two calendars
    ("1917-11-01 O.S.", "1917-10-01 O.S.", "before it starts"),
    ("1917-11 O.S.", "1917-11-01 O.S.", "on the day it starts"),  # could begin no earlier
])
def test_a_control_period_that_holds_on_no_day_is_refused(data, start, end, expected) -> None:
    write(data, "extra.yaml", CONTROL.format(start=start, end=end))
    problems = problems_of(data)
    assert any("extra.yaml:7: end: ends" in p and expected in p for p in problems), problems


def test_a_control_period_of_one_day_and_an_event_of_one_day_are_accepted(data) -> None:
    write(data, "extra.yaml", CONTROL.format(start="1917-11-01 O.S.", end="1917-11-02 O.S."))
    write(data, "event.yaml", """
        events:
          - id: one-day
            name: One day
            kind: strike
            start: 1917-11-01 O.S.
            end: 1917-11-01 O.S.
            citations: [{source: figes-1996}]
        """)
    validate_paths([data])


@pytest.mark.parametrize("digits", ["１９１７-１１-０１ O.S.", "١٩١٧-١١-٠١ O.S.", "1917-11-٠١ O.S."])
def test_dates_in_other_digits_are_refused(data: Path, digits: str) -> None:
    write(data, "event.yaml", f"""
        events:
          - id: other-digits
            name: Other digits
            kind: strike
            start: "{digits}"
            citations: [{{source: figes-1996}}]
        """)
    problems = problems_of(data)
    assert any("event.yaml:6: start:" in p and "ASCII digits" in p for p in problems), problems


# -- every problem of every file in one run -------------------------------------------------

def test_unknown_references_come_with_every_other_problem(data: Path) -> None:
    write(data, "a.yaml", """
        places:
          - id: broken-town
            name: Broken Town
            kind: village
            lat: 50.0
            lon: 30.0
            in: no-such-province
        control:
          - place: broken-town
            controller: nobody-at-all
            alignment: RED
            start: 1918-01 O.S.
            citations: [{source: figes-1996}]
          - place: tver
            controller: kursk-mrc
            alignment: PINK
            start: 1918-02 N.S.
            citations: [{source: no-such-source}]
        """)
    write(data, "b.yaml", """
        events:
          - id: a-strike
            name: A strike
            kind: strike
            start: 1917-10-25
            places: [nowhere-at-all]
            citations: [{source: figes-1996}]
        """)
    text = "\n".join(problems_of(data))
    assert "a.yaml:5: kind: 'village' is not one of" in text
    assert "a.yaml:8: in: unknown reference 'no-such-province'" in text  # in the broken record
    assert "a.yaml:11: controller: unknown reference 'nobody-at-all'" in text
    assert "a.yaml:17: alignment: 'PINK' is not one of" in text
    assert "citations.source: unknown reference 'no-such-source'" in text
    assert "b.yaml:6: start: 1917-10-25 states no calendar" in text
    assert "b.yaml:7: places: unknown reference 'nowhere-at-all'" in text
    # broken-town has problems of its own, but it exists: referring to it is no problem
    assert "unknown reference 'broken-town'" not in text


def test_a_key_given_twice_does_not_hide_the_other_records(data: Path) -> None:
    write(data, "extra.yaml", """
        places:
          - id: twice
            name: Twice
            name: Twice again
            kind: city
            lat: 50.0
            lon: 30.0
          - id: later
            name: Later
            kind: village
            lat: 50.0
            lon: 30.0
        """)
    text = "\n".join(problems_of(data))
    assert "extra.yaml:5: 'name' is given twice in this mapping" in text
    assert "extra.yaml:11: kind: 'village' is not one of" in text


def test_a_file_that_stops_reading_keeps_what_came_before(data: Path) -> None:
    """A syntax error ends the file: the records before it are checked, and the references
    to ids it may define further on are counted at the error, not listed one by one."""
    write(data, "a.yaml", """
        places:
          - id: before
            name: Before
            kind: village
            lat: 50.0
            lon: 30.0
          - id: after
            name: [unclosed
        """)
    write(data, "b.yaml", """
        control:
          - place: after
            controller: kursk-mrc
            alignment: RED
            start: 1918-01 O.S.
            citations: [{source: figes-1996}]
        """)
    problems = problems_of(data)
    text = "\n".join(problems)
    assert "a.yaml:5: kind: 'village' is not one of" in text
    assert "a.yaml:10: not valid YAML" in text
    assert "unknown reference 'after'" not in text
    assert any("1 reference(s) name ids not found (the first, 'after' at" in p
               and "they may be defined past where reading stopped" in p for p in problems)
