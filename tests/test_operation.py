"""Requests are read once and run on graphql-core (api/graphql/operation.py); every case answers
the same with the response cache on (the shipped default) and off, the first time and the
second (a hit)."""

from __future__ import annotations

import pytest
import strawberry
from starlette.testclient import TestClient

from api.app import create_app
from tests.conftest import shipped
from tests.test_prefetch import SAME

pytestmark = pytest.mark.usefixtures("mini_graph")

CASES = {
    **SAME,
    "a syntax error": ("{ place(id: ", {}),
    "an unknown field": ('{ place(id: "kursk") { id colour } }', {}),
    "a variable of the wrong type": ("query Q($id: ID!) { place(id: $id) { id } }", {"id": [1]}),
    "a missing variable": ("query Q($id: ID!) { place(id: $id) { id } }", {}),
    "a user error in a resolver": ('{ search(text: "!!!") { id } }', {}),
    "a mutation": ("mutation { x }", {}),
    "two operations, none named": ('query A { place(id: "kursk") { id } } query B { __typename }', {}),
    "an operation not in the document": ("query A { __typename }", {"__operation": "B"}),
    "the operation named": ('query A { place(id: "kursk") { id } } query B { __typename }',
                            {"__operation": "B"}),
    "too deep": ('{ place(id: "kursk") { ' + "in { " * 20 + "id" + " }" * 21, {}),
}


def _ask(api, query: str, variables: dict) -> tuple[int, dict]:
    variables = dict(variables)
    body = {"query": query, "variables": variables}
    if "__operation" in variables:
        body["operationName"] = variables.pop("__operation")
    response = api.post("/graphql", json=body)
    return response.status_code, response.json()


@pytest.fixture(scope="module")
def uncached(neo4j_settings):
    # The cache off, to compare with the shipped default (on): the answers must not differ.
    app = create_app(shipped(why="compared with the cache on", response_cache=False),
                     neo4j_settings)
    with TestClient(app) as client:
        yield client


@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_with_the_cache_on_and_off(api, uncached, name):
    query, variables = CASES[name]
    direct = _ask(uncached, query, variables)
    assert _ask(api, query, variables) == direct
    assert _ask(api, query, variables) == direct  # again: from the cache, where it was kept


def test_a_valid_query_does_not_go_through_strawberry(api, monkeypatch):
    async def refuse(*args, **kwargs):
        raise AssertionError("strawberry's execute was called")

    monkeypatch.setattr(strawberry.Schema, "execute", refuse)
    status, body = _ask(api, '{ place(id: "kursk") { id name } }', {})
    assert status == 200 and body["data"]["place"]["id"] == "kursk"
    assert body["extensions"]["roundTrips"] == 1
    assert set(body["extensions"]) == {"roundTrips", "dataVersion"}  # docs/releases.md


def test_an_unknown_operation_name_is_the_request_s_mistake(api):
    status, body = _ask(api, "query A { __typename } query B { __typename }",
                        {"__operation": "C"})
    assert status == 200 and "data" not in body  # a request error (400 with graphql-response+json)
    assert body["errors"][0]["message"] == ("the document has no operation named 'C': give "
                                            "operationName as one of A, B")
