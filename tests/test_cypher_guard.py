"""Read-only Cypher (graph/readonly.py) through POST /cypher and `revgraph cypher`: every
statement that could change the graph, the server or another client's work is refused, the graph's
fingerprint stays the same, and the allowed queries answer."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli.main import app as cli
from schema.model import CITES_REL, PLACE, SOURCE

P = PLACE.name   # "Place"
S = SOURCE.name  # "Source"
# Loopback, in this worktree's own port range, and nothing listens there: if a LOAD CSV ever
# got through, Neo4j would fetch nothing from anywhere.
NOWHERE = "http://127.0.0.1:24009/places.csv"

# (what it tries, the statement, its parameters). Each must be refused: by the guard itself
# (graph.readonly.Refused) unless marked NEO4J, where Neo4j refuses it before it could run.
NEO4J = "neo4j"
REFUSED: list[tuple[str, str, dict, str | None]] = [
    ("create node", "CREATE (:Scratch {id: 'x'})", {}, None),
    ("create and return", "CREATE (a:Scratch)-[:R]->(b:Scratch) RETURN a, b", {}, None),
    ("unwind create", "UNWIND range(1, 10) AS i CREATE (:Scratch {i: i})", {}, None),
    ("merge existing", f"MERGE (p:{P} {{id: 'kursk'}}) RETURN p", {}, None),
    ("merge on create set", "MERGE (n:Scratch {id: 'y'}) ON CREATE SET n.x = 1", {}, None),
    ("merge relationship", f"MATCH (n:{P}) WITH n LIMIT 1 MERGE (n)-[:TAMPERED]->(n)", {}, None),
    ("set property", "MATCH (n) SET n.tampered = true", {}, None),
    ("set map", f"MATCH (n:{P}) SET n += {{x: 1}}", {}, None),
    ("set label", f"MATCH (n:{P}) SET n:Tampered", {}, None),
    ("set dynamic property", f"MATCH (n:{P}) SET n[$key] = 1", {"key": "name"}, None),
    ("remove property", f"MATCH (n:{P}) REMOVE n.name", {}, None),
    ("remove label", f"MATCH (n:{P}) REMOVE n:{P}", {}, None),
    ("delete relationships", "MATCH ()-[r]->() DELETE r", {}, None),
    ("delete nodes", "MATCH (n) DELETE n", {}, None),
    ("detach delete", "MATCH (n) DETACH DELETE n", {}, None),
    ("create index", "CREATE INDEX scratch_idx FOR (n:Scratch) ON (n.x)", {}, None),
    ("create fulltext index",
     "CREATE FULLTEXT INDEX scratch_ft FOR (n:Scratch) ON EACH [n.name]", {}, None),
    ("create constraint", "CREATE CONSTRAINT scratch_c FOR (n:Scratch) REQUIRE n.id IS UNIQUE",
     {}, None),
    ("drop index", "DROP INDEX scratch_idx IF EXISTS", {}, None),
    ("drop constraint", "DROP CONSTRAINT scratch_c IF EXISTS", {}, None),
    ("load csv http", f"LOAD CSV FROM '{NOWHERE}' AS row RETURN row", {}, None),
    ("load csv file", "LOAD CSV WITH HEADERS FROM 'file:///etc/passwd' AS row RETURN row",
     {}, None),
    ("load csv url in a parameter", "LOAD CSV FROM $url AS row RETURN row", {"url": NOWHERE}, None),
    ("load csv in a subquery",
     f"CALL {{ LOAD CSV FROM '{NOWHERE}' AS r RETURN r }} RETURN count(r)", {}, None),
    ("clear query caches", "CALL db.clearQueryCaches()", {}, None),
    ("clear caches, quoted name", "CALL `db`.`clearQueryCaches`()", {}, None),
    ("allowed then refused procedure",
     "CALL db.labels() YIELD label WITH label CALL db.clearQueryCaches() YIELD value "
     "RETURN label, value", {}, None),
    ("dbms components", "CALL dbms.components()", {}, None),
    ("dbms list config", "CALL dbms.listConfig()", {}, None),
    ("dbms set config", "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')", {}, NEO4J),
    ("db create label", "CALL db.createLabel('Tampered')", {}, None),
    ("db create property", "CALL db.createProperty('tampered')", {}, None),
    ("db create relationship type", "CALL db.createRelationshipType('TAMPERED')", {}, None),
    ("tx metadata", "CALL tx.setMetaData({who: 'mallory'})", {}, None),
    ("db info", "CALL db.info()", {}, None),
    ("db ping", "CALL db.ping()", {}, None),
    ("node type properties", "CALL db.schema.nodeTypeProperties()", {}, None),
    ("routing table", "CALL dbms.routing.getRoutingTable({})", {}, None),
    ("apoc procedure", "CALL apoc.periodic.iterate('MATCH (n) RETURN n', 'DETACH DELETE n', {})",
     {}, NEO4J),
    ("apoc load", f"CALL apoc.load.json('{NOWHERE}')", {}, NEO4J),
    ("terminate transactions", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'", {}, None),
    ("terminate with yield",
     "TERMINATE TRANSACTIONS 'neo4j-transaction-1' YIELD transactionId RETURN transactionId",
     {}, None),
    ("show transactions", "SHOW TRANSACTIONS", {}, None),
    ("show transactions yield", "SHOW TRANSACTIONS YIELD currentQuery, username", {}, None),
    ("show users", "SHOW USERS", {}, None),
    ("show current user", "SHOW CURRENT USER", {}, None),
    ("show databases", "SHOW DATABASES", {}, None),
    ("show settings", "SHOW SETTINGS", {}, None),
    ("show procedures", "SHOW PROCEDURES", {}, None),
    ("show indexes", "SHOW INDEXES", {}, None),
    ("alter user", "ALTER USER neo4j SET PASSWORD 'tampered-password'", {}, None),
    ("create user", "CREATE USER mallory SET PASSWORD 'mallory-password'", {}, None),
    ("stop database", "STOP DATABASE neo4j", {}, NEO4J),
    ("create database", "CREATE DATABASE tampered", {}, NEO4J),
    ("use system", "USE system SHOW USERS", {}, None),
    ("use same database", f"USE neo4j MATCH (n:{P}) RETURN count(n)", {}, None),
    ("use in a subquery", "CALL { USE system RETURN 1 AS one } RETURN one", {}, None),
    ("use, lower case", "use system show users", {}, None),
    ("in transactions, read", "CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN count(n)",
     {}, None),
    ("in transactions, write", "MATCH (n) CALL (n) { SET n.x = 1 } IN TRANSACTIONS", {}, None),
    ("write in a subquery", "MATCH (n) CALL (n) { DETACH DELETE n } RETURN count(*)", {}, None),
    ("create in a subquery", "CALL { CREATE (:Scratch) RETURN 1 AS one } RETURN one", {}, None),
    ("union hiding a write",
     f"MATCH (p:{P}) RETURN p.id AS x UNION CALL {{ CREATE (s:Scratch) RETURN 'x' AS x }} "
     "RETURN x", {}, None),
    ("foreach create", "FOREACH (x IN range(1, 3) | CREATE (:Scratch {n: x}))", {}, None),
    ("foreach set", f"MATCH (n:{P}) FOREACH (x IN [1] | SET n.tampered = x)", {}, None),
    ("two statements", "RETURN 1; CREATE (:Scratch)", {}, NEO4J),
    ("read then delete", "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n", {}, NEO4J),
    ("comment before a write", "/* only a read */ CREATE (:Scratch)", {}, None),
    ("line comment before a write", "// MATCH (n) RETURN n\nCREATE (:Scratch)", {}, None),
    ("comment hiding the return", "MATCH (n) /* RETURN n */ DETACH DELETE n", {}, None),
    ("keyword in a comment", "MATCH (n) // RETURN n\nSET n.x = 1", {}, None),
    ("string that looks like the end", "WITH '*/' AS a /* */ CREATE (:Scratch)", {}, None),
    ("profile a write", "PROFILE MATCH (n) DETACH DELETE n", {}, None),
    ("explain a write", "EXPLAIN MATCH (n) DETACH DELETE n", {}, None),
    ("cypher prefix", "CYPHER runtime=slotted CREATE (:Scratch)", {}, None),
    ("cypher version prefix", "CYPHER 5 MATCH (n) DETACH DELETE n", {}, None),
    ("dynamic label", f"MATCH (n:{P}) SET n:$($label)", {"label": "Tampered"}, None),
    ("citation rewired", f"MATCH (f)-[c:{CITES_REL}]->(s:{S}) SET c.quote = 'invented'",
     {}, None),
]


def fingerprint(driver, database: str) -> dict:
    """Counts and a hash of every node's and relationship's id, labels or type and properties,
    plus the schema, the property-key tokens and the users: what any refused statement would
    have changed."""
    digest = hashlib.sha256()
    with driver.session(database=database) as session:
        nodes = session.run("MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, "
                            "properties(n) AS props ORDER BY id").data()
        rels = session.run("MATCH (a)-[r]->(b) RETURN elementId(r) AS id, type(r) AS type, "
                           "elementId(a) AS a, elementId(b) AS b, properties(r) AS props "
                           "ORDER BY id").data()
        schema = session.run("SHOW INDEXES YIELD name, type, state RETURN name, type, state "
                             "ORDER BY name").data()
        schema += session.run("SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name").data()
        keys = sorted(r["propertyKey"] for r in session.run("CALL db.propertyKeys()").data())
        labels = sorted(r["label"] for r in session.run("CALL db.labels()").data())
        databases = session.run("SHOW DATABASES YIELD name, currentStatus "
                                "RETURN name, currentStatus ORDER BY name").data()
    with driver.session(database="system") as session:
        users = session.run("SHOW USERS YIELD user RETURN user ORDER BY user").data()
    for part in (nodes, rels):
        digest.update(json.dumps(part, sort_keys=True, default=str).encode())
    return {"nodes": len(nodes), "relationships": len(rels), "hash": digest.hexdigest(),
            "schema": schema, "propertyKeys": keys, "labels": labels, "users": users,
            "databases": databases}


_BASELINE: dict[str, dict] = {}


@pytest.fixture
def baseline(loaded_graph) -> dict:
    """The loaded dataset's fingerprint, taken once (it is the same after any reload: it
    hashes ids and properties, not Neo4j's internal ids)."""
    if "data" not in _BASELINE:
        driver, database = loaded_graph
        _BASELINE["data"] = fingerprint(driver, database)
    before = _BASELINE["data"]
    assert before["nodes"] > 1000 and before["relationships"] > 1000
    return before


def cli_env(settings) -> dict[str, str]:
    return {"NEO4J_URI": settings.uri, "NEO4J_USER": settings.user,
            "NEO4J_PASSWORD": settings.password, "NEO4J_DATABASE": settings.database,
            "COLUMNS": "300"}


def run_cli(settings, *args: str, **env: str):
    return CliRunner().invoke(cli, ["cypher", *args], env={**cli_env(settings), **env})


def cypher(api, query: str, parameters: dict | None = None, **kwargs):
    return api.post("/cypher", json={"query": query, "parameters": parameters or {}}, **kwargs)


def test_there_are_enough_refused_statements():
    assert len(REFUSED) >= 40
    assert len({name for name, *_ in REFUSED}) == len(REFUSED)


@pytest.mark.parametrize(("name", "query", "params", "by"), REFUSED, ids=[r[0] for r in REFUSED])
def test_http_refuses(api, loaded_graph, baseline, name, query, params, by):
    response = cypher(api, query, params)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["message"]
    if by is None:
        assert error.get("refused") is True, error
        assert error["message"].startswith("refused: ")
    assert fingerprint(*loaded_graph) == baseline


@pytest.mark.parametrize(("name", "query", "params", "by"), REFUSED, ids=[r[0] for r in REFUSED])
def test_cli_refuses(neo4j_settings, loaded_graph, baseline, name, query, params, by):
    args = [query, *(arg for k, v in params.items() for arg in ("-p", f"{k}={v}"))]
    result = run_cli(neo4j_settings, *args)
    assert result.exit_code == (1 if by == NEO4J else 2), result.output
    assert "error:" in result.stderr
    if by is None:
        assert "refused:" in result.stderr
    assert fingerprint(*loaded_graph) == baseline


# -- messages say what is refused and why ---------------------------------------------------

@pytest.mark.parametrize(("query", "words"), [
    ("MATCH (n) DETACH DELETE n", ["writes", "DetachDelete", "read-only"]),
    ("CALL db.clearQueryCaches()", ["db.clearQueryCaches", "db.labels"]),
    (f"LOAD CSV FROM '{NOWHERE}' AS r RETURN r", ["LOAD CSV", "URL"]),
    ("TERMINATE TRANSACTIONS 'neo4j-transaction-1'", ["TERMINATE", "other clients"]),
    ("SHOW TRANSACTIONS", ["SHOW", "transactions"]),
    ("USE system SHOW USERS", ["USE", "system database"]),
    ("CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN 1", ["IN TRANSACTIONS"]),
    ("CREATE INDEX i FOR (n:Scratch) ON (n.x)", ["schema"]),
])
def test_messages_say_what_and_why(api, loaded_graph, query, words):
    message = cypher(api, query).json()["error"]["message"]
    for word in words:
        assert word in message, message


def test_words_in_strings_comments_and_properties_are_not_keywords(api, loaded_graph):
    query = (f"MATCH (p:{P} {{id: 'kursk'}}) // USE system, LOAD CSV, CREATE\n"
             "RETURN p.use AS use_, 'USE system; DELETE' AS text, {use: 1} AS m, `USE` /* x */")
    response = cypher(api, query.replace("`USE` /* x */", "1 AS `USE`"))
    assert response.status_code == 200, response.text
    assert response.json()["rows"][0]["text"] == "USE system; DELETE"


# -- allowed ---------------------------------------------------------------------------------

def test_match_returns_nodes_as_json(api, loaded_graph):
    body = cypher(api, f"MATCH (p:{P} {{id: $id}}) RETURN p, p.name AS name",
                  {"id": "kursk"}).json()
    assert body["columns"] == ["p", "name"]
    assert body["rowCount"] == 1 and body["truncated"] is False
    node = body["rows"][0]["p"]
    assert P in node["labels"] and node["properties"]["id"] == "kursk"
    assert node["elementId"] and body["rows"][0]["name"] == node["properties"]["name"]


def test_paths_relationships_and_temporal_values(api, loaded_graph):
    body = cypher(api, f"MATCH path = (f)-[c:{CITES_REL}]->(s:{S}) "
                  "RETURN path, c, date('1917-11-07') AS d, datetime('1917-11-07T10:00:00Z') AS t, "
                  "duration('P1D') AS span, point({x: 1, y: 2}) AS pt LIMIT 1").json()
    row = body["rows"][0]
    assert [n["labels"] for n in row["path"]["nodes"]][1] == sorted([S, "Entity"])
    assert row["path"]["relationships"][0]["type"] == CITES_REL
    assert row["c"]["type"] == CITES_REL and row["c"]["end"] == row["path"]["nodes"][1]["elementId"]
    assert row["d"] == "1917-11-07" and row["t"].startswith("1917-11-07T10:00:00")
    assert row["span"] == "P1D" and row["pt"] == {"srid": 7203, "coordinates": [1.0, 2.0]}


@pytest.mark.parametrize(("procedure", "column"), [
    ("db.labels", "label"), ("db.relationshipTypes", "relationshipType"),
    ("db.propertyKeys", "propertyKey"), ("db.schema.visualization", "nodes"),
])
def test_the_allowed_procedures(api, loaded_graph, neo4j_settings, procedure, column):
    body = cypher(api, f"CALL {procedure}()").json()
    assert body["rowCount"] >= 1 and column in body["columns"], body
    result = run_cli(neo4j_settings, "--json", f"CALL {procedure}() YIELD {column} RETURN {column}")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)


def test_procedure_inside_a_read(api, loaded_graph):
    body = cypher(api, "CALL db.labels() YIELD label WHERE label = $l RETURN label", {"l": P}).json()
    assert body["rows"] == [{"label": P}]


def test_csv_on_request(api, loaded_graph):
    query = f"MATCH (p:{P}) WHERE p.id IN ['kursk', 'tver'] RETURN p.id AS id, p.name AS name, " \
            "[1, 2] AS list, null AS nothing ORDER BY id"
    for response in (cypher(api, query, headers={"Accept": "text/csv"}),
                     api.post("/cypher?format=csv", json={"query": query})):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.text)))
        assert rows[0] == ["id", "name", "list", "nothing"]
        assert [r[0] for r in rows[1:]] == ["kursk", "tver"]
        assert rows[1][2] == "[1, 2]" and rows[1][3] == ""
        assert response.headers["x-revgraph-truncated"] == "false"


def test_cli_parameters_and_json(neo4j_settings, loaded_graph):
    result = run_cli(neo4j_settings, "--json", f"MATCH (p:{P} {{id: $id}}) RETURN p.id AS id",
                     "-p", "id=kursk")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == [{"id": "kursk"}]


# -- limits ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def limited_api(neo4j_settings) -> Iterator[object]:
    """The app with a 1 s timeout, 5 rows at most and a 2 KiB body."""
    from starlette.testclient import TestClient

    from api.app import create_app
    from schema.config import Config

    config = Config.from_env({"REVGRAPH_CYPHER_TIMEOUT": "1", "REVGRAPH_CYPHER_MAX_ROWS": "5",
                              "REVGRAPH_CYPHER_MAX_BODY": "2048"})
    with TestClient(create_app(config, neo4j_settings)) as client:
        yield client


SLOW = "UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(x) AS n"


def test_row_limit(limited_api, neo4j_settings):
    body = cypher(limited_api, "UNWIND range(1, 20) AS x RETURN x").json()
    assert body["rows"] == [{"x": x} for x in range(1, 6)]
    assert body["truncated"] is True and body["rowLimit"] == 5
    exact = cypher(limited_api, "UNWIND range(1, 5) AS x RETURN x").json()
    assert exact["rowCount"] == 5 and exact["truncated"] is False
    result = run_cli(neo4j_settings, "--json", "UNWIND range(1, 20) AS x RETURN x",
                     REVGRAPH_CYPHER_MAX_ROWS="3")
    assert result.exit_code == 0 and len(json.loads(result.stdout)) == 3
    assert "only the first 3 rows" in result.stderr


def test_timeout(limited_api, neo4j_settings):
    started = time.monotonic()
    response = cypher(limited_api, SLOW)
    assert response.status_code == 504, response.text
    assert "did not finish within 1 s" in response.json()["error"]["message"]
    assert time.monotonic() - started < 8
    result = run_cli(neo4j_settings, SLOW, REVGRAPH_CYPHER_TIMEOUT="1")
    assert result.exit_code == 1 and "timeout" in result.stderr


def test_oversized_body(limited_api):
    response = cypher(limited_api, "RETURN $x AS x", {"x": "a" * 4096})
    assert response.status_code == 413 and "2,048" in response.json()["error"]["message"]


def test_query_text_limit(api):
    response = cypher(api, "RETURN 1 AS x" + " " * 30_000)
    assert response.status_code == 400 and "characters" in response.json()["error"]["message"]


# -- malformed requests ----------------------------------------------------------------------

@pytest.mark.parametrize(("content", "headers", "status", "words"), [
    (b"RETURN 1", {"Content-Type": "text/plain"}, 415, "application/json"),
    (b'{"query": "RETURN 1"}', {}, 415, "application/json"),
    (b'{"query": "RETURN 1"}', {"Content-Type": "application/json", "Content-Encoding": "gzip"},
     415, "uncompressed"),
    (b"{not json", {"Content-Type": "application/json"}, 400, "not valid JSON"),
    (b"\xff\xfe{}", {"Content-Type": "application/json"}, 400, "UTF-8"),
    (b"[1, 2]", {"Content-Type": "application/json"}, 400, "JSON object"),
    (b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"}, 400, "JSON"),
    (b'{"query": "RETURN $x", "parameters": {"x": ' + b"9" * 5000 + b"}}",
     {"Content-Type": "application/json"}, 400, "JSON"),
    (b'{"query": "RETURN $x AS x", "parameters": {"x": 99999999999999999999999}}',
     {"Content-Type": "application/json"}, 400, "parameter"),
    (b'{"parameters": {}}', {"Content-Type": "application/json"}, 400, '"query"'),
    (b'{"query": 42}', {"Content-Type": "application/json"}, 400, '"query"'),
    (b'{"query": "RETURN 1", "parameters": [1]}', {"Content-Type": "application/json"}, 400,
     '"parameters"'),
    (b'{"query": "RETURN 1", "params": {}}', {"Content-Type": "application/json"}, 400, "params"),
    (b'{"query": "MATCH (n) RETRN n"}', {"Content-Type": "application/json"}, 400, "RETRN"),
    (b'{"query": "  // nothing\\n"}', {"Content-Type": "application/json"}, 400, "empty"),
])
def test_malformed_requests(api, content, headers, status, words):
    response = api.post("/cypher", content=content, headers=headers)
    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]


def test_only_post(api):
    response = api.get("/cypher")
    assert response.status_code == 405 and response.headers["allow"] == "POST"


def test_neo4j_down_is_503_with_retry_after(neo4j_settings):
    from dataclasses import replace

    from starlette.testclient import TestClient

    from api.app import create_app
    from schema.config import Config

    down = replace(neo4j_settings, uri="bolt://127.0.0.1:24009")  # nothing listens there
    with TestClient(create_app(Config(), down)) as client:
        started = time.monotonic()
        response = cypher(client, "RETURN 1 AS one")
        assert time.monotonic() - started < 2
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]
    message = response.json()["error"]["message"]
    assert "unavailable" in message and "24009" not in message
