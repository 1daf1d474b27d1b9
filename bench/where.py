"""Where the benchmarks find the project and its Neo4j: the configuration, read here, at the
benchmarks' edge."""

from __future__ import annotations

from pathlib import Path

from graph.db import Target, target
from schema.config import Config

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def settings() -> Target:
    """The Neo4j the benchmarks use: NEO4J_URI and friends, else the local server."""
    return target(Config.from_env())
