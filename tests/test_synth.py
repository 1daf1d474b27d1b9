"""The synthetic dataset (loaders/synth.py): it validates, the same seed writes the same bytes,
and the counts scale with N. Pure Python: no Neo4j."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.synth import check_output, counts, generate, shape
from loaders.validate import validate_paths
from schema.config import Config
from schema.model import CONTROL


@pytest.fixture(scope="module")
def real_shape():
    return shape(validate_paths([Config.from_env({}).data]).records)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_fraction_validates_and_is_synthetic(real_shape, tmp_path: Path) -> None:
    written = generate(real_shape, 0.3, 7, tmp_path)
    dataset = validate_paths([tmp_path])
    assert len(dataset.records) == sum(written.values())
    assert {r.kind.name for r in dataset.records} == set(written)
    for r in dataset.records:
        assert r.id.startswith("synth-")
        for c in r.citations:
            assert c.source.startswith("synth-source-")
            assert c.quote is None or c.quote.startswith("[synthetic")
        if r.kind.cites_required:
            assert r.citations


def test_scale_1_validates(real_shape, tmp_path: Path) -> None:
    written = generate(real_shape, 1, 1917, tmp_path)
    assert len(validate_paths([tmp_path]).records) == sum(written.values())
    assert written[CONTROL.name] == real_shape[CONTROL.name].count


def test_the_same_seed_writes_the_same_bytes(real_shape, tmp_path: Path) -> None:
    generate(real_shape, 0.5, 42, tmp_path / "a")
    generate(real_shape, 0.5, 42, tmp_path / "b")
    generate(real_shape, 0.5, 43, tmp_path / "c")
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a") != _files(tmp_path / "c")


def test_counts_scale_with_n(real_shape) -> None:
    one, ten = counts(real_shape, 1), counts(real_shape, 10)
    assert one == {label: s.count for label, s in real_shape.items() if s.count} | {
        label: 0 for label, s in real_shape.items() if not s.count}
    for label, n in one.items():
        assert ten[label] == 10 * n


def test_counts_written_scale_with_n(real_shape, tmp_path: Path) -> None:
    small = generate(real_shape, 0.5, 1, tmp_path / "small")
    big = generate(real_shape, 2, 1, tmp_path / "big")
    assert sum(big.values()) == pytest.approx(4 * sum(small.values()), rel=0.02)


def test_never_into_the_real_data(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    assert check_output(data, data)
    assert check_output(data / "synth", data)
    assert check_output(tmp_path, data)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    assert check_output(tmp_path / "other", data)
    assert check_output(tmp_path / "fresh", data) is None


def test_the_command_writes_a_folder_that_validates(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cli.main import app

    folder = tmp_path / "synth"
    result = CliRunner().invoke(app, ["synth", "--scale", "0.2", "--seed", "3", "-o", str(folder)])
    assert result.exit_code == 0, result.output
    assert (folder / ".revgraph-synth").exists()
    result = CliRunner().invoke(app, ["validate", str(folder)])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(app, ["synth", "--scale", "0.2", "-o", "data/synth"])
    assert refused.exit_code == 1
    assert not Path("data/synth").exists()
