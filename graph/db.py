"""The driver: one place that opens connections to Neo4j (the official ``neo4j`` driver)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from neo4j import Driver, GraphDatabase, Query, RoutingControl

from graph.settings import Settings, settings


def open_driver(s: Settings | None = None) -> Driver:
    s = s or settings()
    # Notifications (e.g. "property key does not exist" on an empty graph) are not for users.
    return GraphDatabase.driver(s.uri, auth=(s.user, s.password), user_agent="revgraph/0.1",
                                notifications_min_severity="OFF")


@contextmanager
def connect(s: Settings | None = None) -> Iterator[tuple[Driver, str]]:
    """A driver and the database name, closed afterwards."""
    s = s or settings()
    with open_driver(s) as d:
        yield d, s.database


def read(driver: Driver, database: str, cypher: str, timeout: float | None = None,
         **params: Any) -> list[dict[str, Any]]:
    """Run a read query in one round trip and return its rows as dicts."""
    records, _, _ = driver.execute_query(
        Query(cypher, timeout=timeout), params, database_=database,
        routing_=RoutingControl.READ,
    )
    return [r.data() for r in records]
