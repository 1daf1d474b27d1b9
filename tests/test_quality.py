"""`revgraph report --quality` (graph/quality.py) against the small dataset, in one round trip."""

from __future__ import annotations

from graph.quality import quality, render


def test_quality_figures_of_the_mini_dataset(mini_graph):
    data = quality(*mini_graph)
    assert {r["confidence"]: r["count"] for r in data["byConfidence"]} == {"high": 1, "low": 2}
    assert data["controlPeriods"] == 2
    assert data["vagueStarts"] == 1  # Kursk's Provisional Government period: "1917-03 O.S."
    assert data["vagueEnds"] == 0
    assert data["periodsWithoutStart"] == 0
    assert data["disputedPeriods"] == 0
    assert data["citiesWithoutControl"] == ["tver"]
    assert data["citedRecords"] == 6  # three facts and three events
    assert data["oneSourceOnly"] == 6
    assert data["encyclopediaOnly"] == 0
    lines = render(data)
    assert lines[0] == "facts by confidence: high 1, low 2"
    assert lines[3] == "cities and towns without control data (1): tver"
