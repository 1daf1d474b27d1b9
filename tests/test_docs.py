"""The example Cypher in docs/model.md and README.md runs on the graph: Neo4j plans each one
(EXPLAIN), so a renamed label, relationship type or property shows here (the structure test
exempts the docs generator from its bare-name rule for this reason)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT


def examples() -> list[tuple[str, str]]:
    found = []
    for name in ("docs/model.md", "README.md"):
        text = (ROOT / name).read_text()
        for block in re.findall(r"```cypher\n(.*?)```", text, re.S):
            for statement in re.split(r"\n\s*\n", block.strip()):
                lines = [x for x in statement.splitlines() if not x.strip().startswith("//")]
                if lines:
                    found.append((name, "\n".join(lines)))
    return found


@pytest.mark.parametrize("name,query", examples())
def test_example_cypher_is_planned_on_the_graph(loaded_graph, name, query):
    driver, database = loaded_graph
    summary = driver.execute_query("EXPLAIN " + query, database_=database).summary
    assert summary.plan, (name, query)
    labels = {n for (n,) in driver.execute_query("CALL db.labels()", database_=database).records}
    rels = {n for (n,) in driver.execute_query("CALL db.relationshipTypes()",
                                               database_=database).records}
    for label in re.findall(r"\(\w*:(\w+)", query):
        assert label in labels, (name, label)
    for rel in re.findall(r"\[\w*:(\w+)", query):
        assert rel in rels, (name, rel)
