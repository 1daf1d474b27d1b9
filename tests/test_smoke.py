"""The thinnest path: a data file, through the loader, into Neo4j, out of the API."""


def test_cypher_answers(driver):
    records, _, _ = driver.execute_query("RETURN 40 + 2 AS answer")
    assert records[0]["answer"] == 42


def test_api_reads_the_graph(mini_graph, api):
    response = api.post("/graphql", json={"query": '{ place(id: "kursk") { name lat lon } }'})
    assert response.status_code == 200
    assert response.json()["data"]["place"] == {"name": "Kursk", "lat": 51.7304, "lon": 36.1926}
