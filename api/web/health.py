"""Whether Neo4j answers, as the API last saw it, so that a request during an outage is told
so at once.

While Neo4j starts it accepts connections and logins some seconds before its databases are up,
and holds a query until they are (12 s was seen in the scale-out drill, docs/scaling.md):
neither the driver's connection timeout nor its acquisition timeout covers that wait. So after
a request found Neo4j unavailable, the next ones first ask ``RETURN 1`` within
``REVGRAPH_CONNECT_TIMEOUT`` (one probe for all of them, at most twice a second) and answer 503
while it fails; the first probe that succeeds ends the outage. In normal times nothing is asked.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from neo4j import RoutingControl

PROBE_EVERY = 0.5  # seconds between two probes during an outage


class Health:
    def __init__(self, state: dict[str, Any], timeout: float) -> None:
        self.state = state
        self.timeout = timeout
        self.down = False
        self.checked = 0.0
        self.probing: asyncio.Task[bool] | None = None

    def lost(self) -> None:
        """A request found Neo4j unavailable."""
        self.down = True

    async def answers(self) -> bool:
        """Whether to run a request's Cypher now: always outside an outage; during one, when a
        probe (shared, at most every PROBE_EVERY seconds) gets an answer."""
        if not self.down:
            return True
        if self.probing is None:
            if time.monotonic() - self.checked < PROBE_EVERY:
                return False
            self.probing = asyncio.create_task(self._probe())
        try:
            return await asyncio.shield(self.probing)
        finally:
            if self.probing is not None and self.probing.done():
                self.probing = None

    async def ready(self) -> bool:
        """A real query answers within the timeout (GET /ready), as a reader would ask it."""
        try:
            async with asyncio.timeout(self.timeout):
                await self.state["driver"].execute_query(
                    "RETURN 1", database_=self.state["database"], routing_=RoutingControl.READ)
            return True
        except Exception:  # noqa: BLE001 - any failure means: not ready
            return False

    async def _probe(self) -> bool:
        ok = await self.ready()
        self.checked = time.monotonic()
        if ok:
            self.down = False
        return ok
