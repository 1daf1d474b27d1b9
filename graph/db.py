"""The driver: one place that opens connections to Neo4j (the official ``neo4j`` driver)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from neo4j import AsyncDriver, AsyncGraphDatabase, Driver, GraphDatabase, Query, RoutingControl
from neo4j.exceptions import (
    ConnectionAcquisitionTimeoutError,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

from schema.config import Config

# Neo4j errors that mean the database cannot answer now, whatever the question: an answer of
# 503 with Retry-After, not a fault of ours. A transient error is Neo4j's own "try again" (a
# database shutting down or starting, a deadlock, a memory pool full of other transactions').
NEO4J_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionAcquisitionTimeoutError,
                     TransientError)

USER_AGENT = "revgraph/0.1"


@dataclass(frozen=True)
class Target:
    """Where a Neo4j is and how to log in."""

    uri: str
    user: str
    password: str
    database: str
    local: bool  # the project's own local server


def target(config: Config) -> Target:
    """NEO4J_URI and friends when set, else the local server (with its generated password)."""
    if not config.local:
        return Target(config.neo4j_uri, config.neo4j_user, config.neo4j_password,
                      config.neo4j_database, local=False)
    from graph.server import LocalServer

    server = LocalServer(config)
    return Target(server.bolt_uri, server.user, server.password(), config.neo4j_database,
                  local=True)


# Notifications (e.g. "property key does not exist" on an empty graph) are not for users.
_OPTIONS: dict[str, Any] = {"notifications_min_severity": "OFF", "user_agent": USER_AGENT}


def open_driver(t: Target, **options: Any) -> Driver:
    return GraphDatabase.driver(t.uri, auth=(t.user, t.password), **_OPTIONS, **options)


def open_async_driver(t: Target, **options: Any) -> AsyncDriver:
    return AsyncGraphDatabase.driver(t.uri, auth=(t.user, t.password), **_OPTIONS, **options)


@contextmanager
def connect(config: Config) -> Iterator[tuple[Driver, str]]:
    """A driver and the database name, closed afterwards.

    It asks the server once before anything else, so that a server that is down is said at
    once (ServiceUnavailable) rather than after the driver's minute of retries."""
    t = target(config)
    with open_driver(t) as d:
        d.verify_connectivity()
        yield d, t.database


def read(driver: Driver, database: str, cypher: str, timeout: float | None = None,
         **params: Any) -> list[dict[str, Any]]:
    """Run a read query in one round trip and return its rows as dicts."""
    records, _, _ = driver.execute_query(
        Query(cypher, timeout=timeout), params, database_=database,
        routing_=RoutingControl.READ,
    )
    return [r.data() for r in records]
