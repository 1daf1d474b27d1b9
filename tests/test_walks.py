"""The walks (schema/walks.py) are declared once and understood everywhere: every walking field
of the API takes exactly the arguments its walk declares, and a question using them is answered
from what the lookup fetched, in one round trip, never by the slower loaders' path."""

from __future__ import annotations

import pytest
from graphql import GraphQLObjectType

from api.app import build_schema
from graph.db import read
from schema.model import KIND_BY_LABEL
from schema.walks import every_walk

pytestmark = pytest.mark.usefixtures("mini_graph")

ARGS = {"on": '"1917-11-20"', "calendar": "JULIAN"}
WINDOW = {"from": '"1917-03-01"', "to": '"1918-03-01"', "calendar": "JULIAN"}


def test_every_walking_field_takes_what_its_walk_declares():
    schema = build_schema()._schema
    for w in every_walk():
        t = schema.get_type(KIND_BY_LABEL[w.start].gql)
        assert isinstance(t, GraphQLObjectType)
        field = t.fields[w.name]
        assert set(field.args) == {a.name for a in w.args}, (w.start, w.name)


def _lookup(label: str) -> str:
    gql = KIND_BY_LABEL[label].gql
    return gql[0].lower() + gql[1:]


@pytest.mark.parametrize("walk", [w for w in every_walk() if w.args],
                         ids=lambda w: f"{w.start}.{w.name}")
def test_a_walk_with_arguments_is_answered_from_the_lookup(api, mini_graph, walk):
    driver, db = mini_graph
    rows = read(driver, db, f"MATCH (n:{walk.start}) RETURN n.id AS id LIMIT 1")
    if not rows:
        pytest.skip(f"the small dataset has no {walk.start}")
    for args in (ARGS, WINDOW):
        given = ", ".join(f"{k}: {v}" for k, v in args.items())
        query = (f'{{ {_lookup(walk.start)}(id: "{rows[0]["id"]}") {{ '
                 f"{walk.name}({given}) {{ __typename }} }} }}")
        body = api.post("/graphql", json={"query": query}).json()
        assert "errors" not in body, body
        assert body["extensions"]["roundTrips"] == 1, (query, body)
