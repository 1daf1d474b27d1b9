"""The suggestions' benchmark (scripts/bench_suggestions.py) prints its figures, and its
matching rules (loaders/documents/suggest_score.py) say what they document. No Neo4j."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from loaders.documents.suggest_score import Fact, matches
from schema.dates import parse_date

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def test_the_benchmark_prints_precision_and_recall_per_kind_on_one_text() -> None:
    out = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "scripts" / "bench_suggestions.py"), "--gold",
         str(PROJECT_ROOT / "tests/fixtures/gold/en-wikipedia-baku.json")],
        capture_output=True, text=True, check=True, cwd=PROJECT_ROOT).stdout
    for kind in ("control", "soviets", "composition", "figures", "events", "overall"):
        row = re.search(rf"^dev\s+{kind}\s+(\d+)\s+(\d+)\s+([01]\.\d{{3}})\s+(\d+)\s+(\d+)"
                        rf"\s+([01]\.\d{{3}})", out, re.M)
        assert row, f"no figures for {kind} in:\n{out}"
    assert "heldout" not in out  # one development text: no held-out row


def _control(place: str, side: str, start: str) -> Fact:
    return Fact("control", "x", (place,), side, parse_date(start))


def test_a_control_period_matches_by_place_side_and_a_start_within_the_tolerance() -> None:
    held = _control("kharkov", "RED", "1917-12-10 O.S.")
    assert matches(_control("kharkov", "RED", "1917-12-23 N.S."), held)  # the same day, N.S.
    assert matches(_control("kharkov", "RED", "1917-12 O.S."), held)  # a month holds it
    assert not matches(_control("kharkov", "WHITE", "1917-12-10 O.S."), held)
    assert not matches(_control("kursk", "RED", "1917-12-10 O.S."), held)
    assert not matches(_control("kharkov", "RED", "1918-01-20 O.S."), held)
    assert not matches(_control("kharkov", "RED", "1917 O.S."), held)  # a year is too vague


def test_an_event_matches_by_place_and_a_date_within_its_span() -> None:
    held = Fact("events", "fighting", ("kiev",), when=parse_date("1918-01-16 N.S."),
                until=parse_date("1918-01-22 N.S."))
    assert matches(Fact("events", "d", ("kiev", "odessa"), when=parse_date("1918-01-20 N.S.")),
                   held)
    assert not matches(Fact("events", "d", ("odessa",), when=parse_date("1918-01-20 N.S.")),
                       held)
    assert not matches(Fact("events", "d", ("kiev",), when=parse_date("1918-03-20 N.S.")), held)
