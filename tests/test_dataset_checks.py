"""The dataset defends itself (loaders/dataset_checks.py): each check fails a broken file with
its file, line and what to do, passes once the file says what it means, and a failed load leaves
the graph as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from loaders.dataset_checks import fold
from loaders.validate import ValidationFailed, validate_paths
from loaders.write import load
from tests.test_loader import fingerprint

FIXTURES = Path(__file__).parent / "fixtures"
MINI = FIXTURES / "mini" / "mini.yaml"
BROKEN = FIXTURES / "broken"


def problems_with(name: str) -> list[str]:
    with pytest.raises(ValidationFailed) as info:
        validate_paths([MINI, BROKEN / name])
    return [str(p) for p in info.value.problems]


def fixed(tmp_path: Path, name: str, old: str, new: str) -> list[Path]:
    """The broken fixture with one line changed, beside a copy of the mini dataset."""
    path = tmp_path / name
    text = (BROKEN / name).read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return [MINI, path]


def test_folding_ignores_accents_case_and_spacing():
    assert fold("  Chişinău ") == fold("chisinau")
    assert fold("Kursk  military-revolutionary Committee") == fold(
        "Kursk Military-Revolutionary Committee")


def test_the_same_name_twice_is_refused_with_file_and_line(tmp_path):
    problems = problems_with("same_name.yaml")
    assert len(problems) == 1
    # Reported at the later of the two in reading order, naming the earlier's file and line.
    assert problems[0].startswith("tests/fixtures/mini/mini.yaml:54: name: Organization "
                                  "'kursk-mrc'")
    assert "has the name of 'kursk-revcom'" in problems[0]
    assert "tests/fixtures/broken/same_name.yaml:4" in problems[0]
    assert "merge them" in problems[0] and "distinct_from: kursk-revcom" in problems[0]
    validate_paths(fixed(tmp_path, "same_name.yaml", "    kind: mrc\n",
                         "    kind: mrc\n    distinct_from: [kursk-mrc]\n"))


def test_an_alias_of_two_entities_is_refused_unless_both_share_it(tmp_path):
    problems = problems_with("shared_alias.yaml")
    assert len(problems) == 1
    assert problems[0].startswith("tests/fixtures/mini/mini.yaml:41: aliases: the alias "
                                  "'Kalinin' of 'tver' is also an alias of 'kalinin-station'")
    assert "tests/fixtures/broken/shared_alias.yaml:3" in problems[0]
    assert "shared_aliases" in problems[0]
    # Only one of the two listing it knowingly is not enough.
    one_side = fixed(tmp_path, "shared_alias.yaml", "    kind: town\n",
                     "    shared_aliases: [Kalinin]\n    kind: town\n")
    with pytest.raises(ValidationFailed):
        validate_paths(one_side)


def test_a_period_without_a_start_beside_dated_ones_is_refused(tmp_path):
    problems = problems_with("missing_start.yaml")
    assert len(problems) == 1
    assert problems[0].startswith("tests/fixtures/broken/missing_start.yaml:4: start: this RED "
                                  "period of 'kursk' has no start")
    assert "give the start a source states" in problems[0]
    # A place none of whose periods has a start is not refused: nothing to place it against.
    validate_paths(fixed(tmp_path, "missing_start.yaml", "place: kursk", "place: tver"))


def test_soviet_power_from_a_month_before_the_rising_is_refused(tmp_path):
    problems = problems_with("vague_start.yaml")
    assert len(problems) == 1
    assert problems[0].startswith("tests/fixtures/broken/vague_start.yaml:7: start: soviet power "
                                  "from '1917-10 O.S.' begins, at month precision, before the "
                                  "October rising")
    assert 'start: "1917-10-25 O.S."' in problems[0]
    validate_paths(fixed(tmp_path, "vague_start.yaml", "start: 1917-10 O.S.",
                         "start: 1917-10-25 O.S."))


def test_the_project_data_passes_the_checks():
    validate_paths([Path(__file__).parent.parent / "data"])


@pytest.mark.parametrize("name", sorted(p.name for p in BROKEN.glob("*.yaml")))
def test_a_load_refused_by_a_check_leaves_the_graph_as_it_was(empty_graph, tmp_path, name):
    driver, database = empty_graph
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.yaml")
    load(driver, database, validate_paths([folder]))
    before = fingerprint(driver, database)
    shutil.copy(BROKEN / name, folder / name)
    with pytest.raises(ValidationFailed):
        load(driver, database, validate_paths([folder]))
    assert fingerprint(driver, database) == before
