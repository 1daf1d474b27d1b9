"""The local Neo4j's own hardening (graph/server.py): its files are its owner's only, and its HTTP
connector does not invite every web page in with ``Access-Control-Allow-Origin: *``."""

from __future__ import annotations

import stat
import urllib.request
from pathlib import Path

import pytest

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
