"""The documents through the GraphQL API, against a real Neo4j holding data/: a document's
passages and mentions, an entity's mentions, full-text search, and citations' spans."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("loaded_graph")


def data(api, query: str, variables: dict | None = None) -> dict:
    response = api.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_a_document_with_its_passages_and_mentions(api) -> None:
    doc = data(api, """{ document(id: "doc-socialist-worker-2017") {
        id title language source { id }
        passages { index start end text mentions { start end text method entity { id name } } }
    } }""")["document"]
    assert doc["source"] == {"id": "seed-socialist-worker-2017"} and doc["language"] == "en"
    linked = {m["text"]: m["entity"]["name"] for p in doc["passages"] for m in p["mentions"]}
    assert linked["Krasnoyask"] == "Krasnoyarsk" and linked["Tsaitzyn"] == "Tsaritsyn"
    for p in doc["passages"]:
        for m in p["mentions"]:  # offsets are the document's: the passage's text agrees
            assert p["text"][m["start"] - p["start"]:m["end"] - p["start"]] == m["text"]
    # data/ grows: the seeds are two of its documents, whatever their number
    assert data(api, "{ documents { totalCount nodes { id } } }")["documents"]["totalCount"] >= 2


def test_an_entity_s_mentions_page_by_page(api) -> None:
    query = """query ($after: String) { party(id: "bolsheviks") {
        mentions(first: 5, after: $after) { totalCount pageInfo { hasNextPage endCursor }
            nodes { text start passage { id document { id } } } } } }"""
    first = data(api, query)["party"]["mentions"]
    assert first["totalCount"] > 10 and len(first["nodes"]) == 5 and first["pageInfo"]["hasNextPage"]
    second = data(api, query, {"after": first["pageInfo"]["endCursor"]})["party"]["mentions"]
    assert {n["passage"]["id"] + str(n["start"]) for n in first["nodes"]}.isdisjoint(
        n["passage"]["id"] + str(n["start"]) for n in second["nodes"])


def test_search_passages_uses_the_full_text_index(api) -> None:
    hits = data(api, '{ searchPassages(text: "Bolshevik mayor", limit: 3) { score passage { id '
                     'text document { id } } } }')["searchPassages"]
    assert "elected Bolshevik mayor" in hits[0]["passage"]["text"]
    assert hits[0]["passage"]["document"]["id"] == "doc-socialist-worker-2017"


def test_every_seed_quotation_has_its_span_in_context(api) -> None:
    soviet = data(api, """{ soviet(id: "moscow-province-soviet") {
        citations { quote source { id } span { start end contextStart context document { id } } } } }""")
    cited = [c for c in soviet["soviet"]["citations"] if c["source"]["id"].startswith("seed-")]
    assert cited
    for c in cited:
        span = c["span"]
        assert span["document"]["id"] == "doc-socialist-worker-2017"
        assert c["quote"] in span["context"] and len(span["context"]) > len(c["quote"])
        at = span["start"] - span["contextStart"]
        assert span["context"][at:at + span["end"] - span["start"]] == c["quote"]
