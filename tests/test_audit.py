"""The GraphQL-over-HTTP audits (graphql-http's serverAudits, the specification's reference
implementation) against the API served as `make run` serves it: the shipped defaults, the
response cache on. scripts/graphql-http-audit.sh installs the pinned graphql-http
(bench/audit/package-lock.json) on first use and starts the API itself."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from graph.db import Target

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_graphql_http_audit_passes_with_the_shipped_defaults(
        neo4j_settings: Target, tmp_path: Path) -> None:
    if shutil.which("node") is None:
        pytest.fail("node is missing: the audits run on Node.js (Debian: apt-get install nodejs npm)")
    # Only where Neo4j is and a home of its own: every other setting as shipped.
    env = {k: v for k, v in os.environ.items() if not k.startswith("REVGRAPH_")}
    env |= {"NEO4J_URI": neo4j_settings.uri, "NEO4J_USER": neo4j_settings.user,
            "NEO4J_PASSWORD": neo4j_settings.password, "NEO4J_DATABASE": neo4j_settings.database,
            "REVGRAPH_HOME": str(tmp_path), "AUDIT_PORT": str(_free_port())}
    result = subprocess.run(["bash", str(ROOT / "scripts" / "graphql-http-audit.sh")], env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    last = result.stdout.strip().splitlines()[-1]
    assert last.endswith(" ok, 0 notice, 0 warn, 0 error"), last
