"""The versions pinned in one place agree with the places that repeat them for users."""

from graph.server import pinned_versions
from tests.conftest import ROOT


def test_docker_compose_runs_the_pinned_neo4j():
    compose = (ROOT / "docker-compose.yml").read_text()
    assert f"neo4j:{pinned_versions()['neo4j']}-community" in compose
