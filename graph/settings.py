"""Where Neo4j is: the NEO4J_* environment variables, or the local server the project runs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The project data folder (git-ignored): the local Neo4j's home, its data and logs."""
    return Path(os.environ.get("REVGRAPH_HOME", PROJECT_ROOT / ".revgraph")).resolve()


@dataclass(frozen=True)
class Settings:
    uri: str
    user: str
    password: str
    database: str
    local: bool  # True when this is the project's own local server

    def describe(self) -> str:
        where = "the local server" if self.local else "NEO4J_URI"
        return f"{self.uri} (database {self.database!r}, user {self.user!r}, from {where})"


def settings() -> Settings:
    """The connection settings: NEO4J_URI and friends when set, else the local server."""
    uri = os.environ.get("NEO4J_URI")
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    if uri:
        return Settings(
            uri=uri,
            user=os.environ.get("NEO4J_USER", os.environ.get("NEO4J_USERNAME", "neo4j")),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=database,
            local=False,
        )
    from graph.server import LocalServer

    server = LocalServer()
    return Settings(
        uri=server.bolt_uri,
        user="neo4j",
        password=server.password(),
        database=database,
        local=True,
    )
