"""The list sizes the cost estimate uses, kept in line with the graph: read when the API starts
and again whenever the graph's version changes (a load), by a task beside the requests."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from neo4j import RoutingControl

from api.graphql.limits import Sizes
from api.graphql.operation import Runner
from graph import stats, version

log = logging.getLogger("revgraph.api")
EVERY = 2.0  # seconds between two looks at the graph's version


async def read_sizes(driver: Any, database: str) -> Sizes:
    records, _, _ = await driver.execute_query(stats.DEGREES, database_=database,
                                               routing_=RoutingControl.READ)
    return Sizes(stats.by_type(stats.degrees([dict(r) for r in records])))


async def _version(driver: Any, database: str) -> str | None:
    records, _, _ = await driver.execute_query(version.READ, database_=database,
                                               routing_=RoutingControl.READ)
    return records[0]["version"] if records else None


async def first_sizes(runner: Runner, driver: Any, database: str, within: float) -> object:
    """The sizes read before the API serves, if Neo4j gives them ``within`` seconds (else the
    guesses stand until ``keep_sizes`` reads them); the graph version they are of."""
    try:
        async with asyncio.timeout(within):
            seen = await _version(driver, database)
            runner.resize(await read_sizes(driver, database))
            return seen
    except Exception as exc:  # noqa: BLE001 - a start without them is a start
        log.warning("list sizes not read at start (%s): the cost estimate guesses %s items a "
                    "list until they are", exc or "too slow", runner.sizes.guess)
        return NOT_READ


NOT_READ = object()


async def keep_sizes(runner: Runner, driver: Any, database: str, seen: object = NOT_READ
                     ) -> None:
    """Forever: the runner's sizes read again after each load (until cancelled); ``seen``:
    the version they were last read for."""
    while True:
        try:
            now = await _version(driver, database)
            if now != seen:
                runner.resize(await read_sizes(driver, database))
                seen = now
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001 - Neo4j away: the guesses stand meanwhile
            log.debug("list sizes not read: %s", exc)
        await asyncio.sleep(EVERY)
