"""The short path for attribute-read leaves (api/execution.py) answers exactly as
graphql-core's full path, errors included."""

from __future__ import annotations

import pytest

from api.execution import LeanExecutionContext
from tests.test_api import gql
from tests.test_prefetch import SAME

pytestmark = pytest.mark.usefixtures("mini_graph")

QUERIES = {**SAME, "search, enums, lists and nulls": ("""{ search(text: "kursk", limit: 5) {
    __typename id name aliases note ... on Place { kind lat lon sharedAliases } } }""", {}),
    "a missing node": ('{ place(id: "nowhere") { id name } }', {})}


@pytest.mark.parametrize("name", list(QUERIES))
def test_same_answer_as_the_full_path(api, monkeypatch, name):
    query, variables = QUERIES[name]
    lean = gql(api, query, variables)
    monkeypatch.setattr(LeanExecutionContext, "enabled", False)
    full = gql(api, query, variables)
    assert lean.get("data") == full.get("data")
    assert lean.get("errors") == full.get("errors")
    assert "errors" not in lean
