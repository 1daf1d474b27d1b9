"""The short path for attribute-read leaves (api/graphql/execution.py) answers exactly as
graphql-core's full path, errors included."""

from __future__ import annotations

import pytest

from api.graphql.execution import LeanExecutionContext
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


# The compiled selections are kept across requests, keyed by the values of the variables
# used below them: the same document with other variables must give its own answer.
AGAIN = """query Again($on: Date, $with: Boolean!, $skip: Boolean!) {
  places(first: 20, sortBy: NAME) { totalCount nodes { id name
    control(on: $on) { alignment controller { __typename id ... on Soviet { place { id } } } }
    lat @include(if: $with) lon @skip(if: $skip)
    citations { quote source { id } } } } }"""


@pytest.mark.parametrize("variables", [
    {"on": "1917-11-20", "with": True, "skip": False},
    {"on": "1919-06-01", "with": False, "skip": True},
    {"on": None, "with": True, "skip": True},
    {"on": "1917-11-20", "with": False, "skip": False},
])
def test_a_kept_selection_answers_for_its_variables(api, monkeypatch, variables):
    lean = gql(api, AGAIN, variables)
    assert "errors" not in lean
    monkeypatch.setattr(LeanExecutionContext, "enabled", False)
    assert lean == gql(api, AGAIN, variables)


def test_a_page_with_its_walks_and_citations_is_compiled_whole(api):
    from api.graphql import execution
    from tests.conftest import forget_answers

    execution._SHARED.clear()
    forget_answers()  # an answer the cache kept would not be executed again
    gql(api, AGAIN, {"on": "1917-11-20", "with": True, "skip": False})
    compiled = {k[0][1] for k, (_, plan) in execution._SHARED.items()
                if k[0][0] == "plan" and plan is not None}
    assert {"PlaceConnection", "Place", "ControlPeriod", "Citation", "Source"} <= compiled


def test_the_library_internals_the_compiled_path_relies_on():
    """Fails loudly when strawberry or graphql-core change what api/graphql/execution.py
    needs of them (docs/decisions/0007-compiled-executor.md), before any answer changes."""
    import inspect

    from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
    from strawberry.schema.schema_converter import GraphQLCoreConverter

    from api.app import build_schema
    from api.graphql import execution

    schema = build_schema()._schema
    place = schema.get_type("Place")
    name = place.fields["name"]
    definition = (name.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    assert definition is not None and definition.python_name == "name"
    assert execution._attribute(name) == "name"

    class Holder:
        name = "Kursk"

    # strawberry's resolver of such a field reads the attribute, whatever its info.
    assert name.resolve(Holder(), None) == "Kursk"
    # The graphql-core hooks the execution context overrides, with the parameters it passes.
    for hook, params in (("execute_fields", ["parent_type", "source_value", "path",
                                              "grouped_field_set"]),
                         ("execute_field", ["parent_type", "source", "field_details_list",
                                            "path"])):
        found = list(inspect.signature(getattr(StrawberryGraphQLCoreExecutionContext,
                                               hook)).parameters)[1:]
        assert found[:len(params)] == params, (hook, found)
