"""The local Neo4j's own hardening (graph/server.py): its files are its owner's only, its HTTP
connector does not invite every web page in with ``Access-Control-Allow-Origin: *``, and every
transaction is bounded by Neo4j itself (memory, and a timeout for clients that set none)."""

from __future__ import annotations

import re
import stat
import time
import urllib.request
from pathlib import Path

import pytest
from neo4j import Query
from neo4j.exceptions import TransientError

from graph.server import LocalServer
from schema.config import Config
from tests.conftest import test_config

ORIGIN_SETTING = "dbms.security.http_access_control_allow_origin"


@pytest.fixture
def scratch_server(tmp_path: Path) -> LocalServer:
    return LocalServer(Config(home=tmp_path / "home", http_port=24001).resolved())


def group_or_other_bits(root: Path) -> list[str]:
    found = []
    for path in (root, *root.rglob("*")):
        if not path.is_symlink() and path.stat().st_mode & 0o077:
            found.append(f"{path}: {stat.filemode(path.stat().st_mode)}")
    return found


def test_conf_names_neo4j_browser_origin_only(scratch_server: LocalServer):
    scratch_server.conf_dir.mkdir(parents=True)
    scratch_server._write_conf()
    conf = (scratch_server.conf_dir / "neo4j.conf").read_text().splitlines()
    assert f"{ORIGIN_SETTING}=http://127.0.0.1:24001" in conf


def test_existing_world_readable_files_become_owner_only(scratch_server: LocalServer):
    store = scratch_server.home / "data" / "databases" / "neo4j"
    store.mkdir(parents=True)
    for d in (scratch_server.logs, scratch_server.run_dir, scratch_server.conf_dir):
        d.mkdir(parents=True)
    for f in (store / "neostore", scratch_server.logs / "neo4j.log",
              scratch_server.home / "data" / "server_id"):
        f.write_text("x")
        f.chmod(0o644)
    store.chmod(0o755)
    scratch_server._owner_only()
    assert group_or_other_bits(scratch_server.home / "data") == []
    assert group_or_other_bits(scratch_server.logs) == []
    assert stat.S_IMODE(scratch_server.home.stat().st_mode) == 0o700
    assert stat.S_IMODE((store / "neostore").stat().st_mode) == 0o600


def _local(neo4j_settings) -> LocalServer:
    if not neo4j_settings.local:
        pytest.skip("the test Neo4j is not the project's own local server")
    return LocalServer(test_config())  # the folder and ports the fixture's server uses


def test_running_server_store_is_owner_only(neo4j_settings, driver):
    server = _local(neo4j_settings)
    with driver.session(database=neo4j_settings.database) as session:
        session.run("RETURN 1").consume()
    assert group_or_other_bits(server.home / "data") == []
    assert group_or_other_bits(server.logs) == []


def test_running_server_http_has_no_wildcard_origin(neo4j_settings, driver):
    server = _local(neo4j_settings)
    request = urllib.request.Request(f"http://127.0.0.1:{server.http_port}/",
                                     headers={"Origin": "http://evil.example"})
    with urllib.request.urlopen(request, timeout=10) as response:
        origin = response.headers.get("Access-Control-Allow-Origin")
    assert origin != "*"
    assert origin == server.http_origin


def _bytes(value: str) -> float:
    """Neo4j's SHOW SETTINGS figure of a size ("512.00MiB", "1.40GiB") in bytes."""
    match = re.fullmatch(r"([\d.]+)\s*([KMGT]?i?B)", value)
    assert match is not None, f"not a size: {value!r}"
    number, unit = match.groups()
    return float(number) * 1024 ** "BKMGT".index(unit[0])


def _seconds(value: str) -> float:
    """Neo4j's SHOW SETTINGS figure of a duration ("5m", "300s", "1h30m") in seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    return sum(float(n) * units[u] for n, u in re.findall(r"([\d.]+)(ms|s|m|h|d)", value))


def test_running_server_bounds_every_transaction(neo4j_settings, driver):
    """The test server runs with the config the project writes: Neo4j itself says its
    per-transaction memory limit, the total and the server-side timeout are the settings'."""
    server = _local(neo4j_settings)
    wanted = server.transaction_limits()
    records, _, _ = driver.execute_query(
        "SHOW SETTINGS YIELD name, value WHERE name IN $names RETURN name, value",
        {"names": list(wanted)}, database_="system")
    shown = {r["name"]: r["value"] for r in records}
    assert set(shown) == set(wanted)
    for name, value in wanted.items():
        if name.endswith("timeout"):
            assert _seconds(shown[name]) == _seconds(value), name
        else:
            assert _bytes(shown[name]) == pytest.approx(_bytes(value.upper() + "iB"), rel=0.01), name


def test_a_query_holding_too_much_memory_is_refused(neo4j_settings, driver):
    """The shipped per-transaction limit (a quarter of the heap) ends a query that collects
    without bound, within seconds, instead of filling the heap for every other query."""
    _local(neo4j_settings)
    began = time.monotonic()
    # An auto-commit query, run once: the driver's managed transactions would retry this
    # error, which Neo4j calls transient, for 30 s.
    with pytest.raises(TransientError) as refused, \
            driver.session(database=neo4j_settings.database) as session:
        # Kilobyte strings: the limit is reached after a few hundred thousand rows.
        session.run(Query("UNWIND range(1, 1000000000) AS x "
                          "RETURN size(collect(toString(x) + $pad)) AS n", timeout=120),
                    {"pad": "x" * 1000}).consume()
    assert refused.value.code == "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
    assert "db.memory.transaction.max" in refused.value.message
    assert time.monotonic() - began < 60
    records, _, _ = driver.execute_query("RETURN 1 AS one", database_=neo4j_settings.database)
    assert records[0]["one"] == 1  # and the server goes on serving
