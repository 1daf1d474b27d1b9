"""The response cache (api/web/cache.py) against a real Neo4j: hits, 304s, the off switch, and a
load seen within a second."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.web import cache
from graph.db import Target, open_async_driver
from loaders.validate import validate_paths
from loaders.write import load
from schema.config import Config

MINI = Path(__file__).parent / "fixtures" / "mini" / "mini.yaml"
TVER = '{ place(id: "tver") { name aliases } }'


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(MINI, folder / "mini.yaml")
    return folder


@pytest.fixture
def loaded(empty_graph, data_dir: Path) -> tuple:
    driver, database = empty_graph
    load(driver, database, validate_paths([data_dir]))
    return driver, database


@pytest.fixture
def client(loaded, neo4j_settings: Target) -> Iterator[TestClient]:
    with TestClient(create_app(Config(), neo4j_settings)) as c:  # the cache is on by default
        yield c


def post(client: TestClient, query: str, variables: dict | None = None):
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response


def test_a_repeated_query_is_a_hit(client):
    first = post(client, TVER)
    assert first.headers["x-revgraph-cache"] == "miss"
    again = post(client, "# the same question, spelt differently\n{place(id:\"tver\"){ name  aliases }}")
    assert again.headers["x-revgraph-cache"] == "hit"
    assert again.content == first.content
    assert again.headers["etag"] == first.headers["etag"]
    assert first.json()["data"]["place"] == {"name": "Tver", "aliases": ["Kalinin"]}


def test_variables_are_part_of_the_key(client):
    query = "query ($id: ID!) { place(id: $id) { name } }"
    assert post(client, query, {"id": "tver"}).json()["data"]["place"]["name"] == "Tver"
    other = post(client, query, {"id": "kursk"})
    assert other.headers["x-revgraph-cache"] == "miss"
    assert other.json()["data"]["place"]["name"] == "Kursk"


def test_errors_are_not_kept(client):
    bad = '{ controlOf(place: "nowhere") { alignment } }'
    for _ in range(2):
        response = client.post("/graphql", json={"query": bad})
        assert response.json()["errors"]
        assert "x-revgraph-cache" not in response.headers


def test_get_has_an_etag_and_a_304(client):
    first = client.get("/graphql", params={"query": TVER})
    assert first.status_code == 200
    assert first.headers["cache-control"].startswith("public, max-age=")
    etag = first.headers["etag"]
    again = client.get("/graphql", params={"query": TVER}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/graphql", params={"query": TVER}, headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.json() == first.json()


def test_the_playground_page_is_not_cached(client):
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "etag" not in page.headers


def test_off_switch(loaded, neo4j_settings):
    config = Config.from_env({"REVGRAPH_RESPONSE_CACHE": "off"})
    with TestClient(create_app(config, neo4j_settings)) as c:
        for _ in range(2):
            response = post(c, TVER)
            assert "x-revgraph-cache" not in response.headers
            assert "etag" not in response.headers
        assert response.json()["data"]["place"]["name"] == "Tver"


def test_a_load_is_seen_within_a_second(client, loaded, data_dir):
    driver, database = loaded
    assert post(client, TVER).json()["data"]["place"]["aliases"] == ["Kalinin"]
    assert post(client, TVER).headers["x-revgraph-cache"] == "hit"
    text = (data_dir / "mini.yaml").read_text().replace("aliases: [Kalinin]",
                                                         "aliases: [Kalinin, Тверь]")
    (data_dir / "mini.yaml").write_text(text)
    summary = load(driver, database, validate_paths([data_dir]))
    assert summary.changed
    loaded_at = time.monotonic()
    time.sleep(max(0.0, cache.CHECK_EVERY - (time.monotonic() - loaded_at)) + 0.05)
    fresh = post(client, TVER)
    assert fresh.json()["data"]["place"]["aliases"] == ["Kalinin", "Тверь"]
    assert fresh.headers["x-revgraph-cache"] == "miss"


def test_a_load_that_changes_nothing_keeps_the_cache(client, loaded, data_dir):
    driver, database = loaded
    post(client, TVER)
    assert not load(driver, database, validate_paths([data_dir])).changed
    time.sleep(cache.CHECK_EVERY + 0.05)
    assert post(client, TVER).headers["x-revgraph-cache"] == "hit"


def test_the_cache_is_bounded():
    lru = cache.LRU(max_entries=3, max_bytes=800)
    for i in range(5):
        lru.put(i, cache.Entry(b"x" * 50, "application/json"))
    assert list(lru.entries) == [2, 3, 4]
    lru.get(2)
    lru.put(5, cache.Entry(b"x" * 100, "application/json"))
    assert list(lru.entries) == [4, 2, 5] and lru.bytes == 200
    lru.put(6, cache.Entry(b"x" * 200, "application/json"))  # more than an eighth: not kept
    assert 6 not in lru.entries


def test_the_version_is_read_again_beside_the_requests(loaded, neo4j_settings: Target):
    """A token half a second old is served while a read runs beside the request; only one a
    whole CHECK_EVERY old (the first, or after a quiet spell) is waited for."""

    async def run() -> None:
        driver = open_async_driver(neo4j_settings)
        try:
            v = cache.GraphVersion({"driver": driver, "database": neo4j_settings.database})
            token = await v.current()  # the first read is waited for
            assert token is not None and v.reading is None
            v.checked -= cache.CHECK_EVERY * 0.6
            assert await v.current() == token  # answered at once ...
            reading = v.reading
            assert reading is not None and not reading.done()  # ... with a read beside it
            assert await v.current() == token and v.reading is reading  # one read for all
            await reading
            assert v.reading is None and time.monotonic() - v.checked < cache.CHECK_EVERY / 2
            v.checked -= cache.CHECK_EVERY * 2
            assert await v.current() == token and v.reading is None  # a stale one: waited for
            assert time.monotonic() - v.checked < cache.CHECK_EVERY / 2
        finally:
            await driver.close()

    asyncio.run(run())
