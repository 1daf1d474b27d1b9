"""Whether the graph's last load is complete: what the loader records in the graph, and what
readers (``revgraph load``, the API's /ready) ask of it.

A load that takes more than one transaction (the bulk path of a first load, or a change too
large for one transaction: loaders/write.py) first records that it is writing, and records
that it is complete in its last transaction, the one that stamps the graph's version. The
record is kept on the graph's version node, ``(:GraphVersion {id: 'graph'})`` (graph/version.py),
as ``loadState`` (``writing`` or ``complete``), ``loadMode`` (``bulk``, ``incremental`` or
``repair``), ``loadStartedAt`` and ``loadFinishedAt``. A load in one transaction records
``complete`` in it.

``load_state(driver, database)`` reads it in one cheap query (two counts from the count store
and one node): ``complete`` is True only when the last load finished. A graph whose load was
interrupted (Neo4j killed, the loader stopped) stays ``writing`` until ``revgraph load`` repairs
it; a graph that holds loaded nodes but no record (loaded by a revgraph before this one, or a
first load that never finished under it) is ``unverified``: its relationships may be missing
(docs/data-format.md, "Loading").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from neo4j import AsyncDriver, Driver, ManagedTransaction, RoutingControl

from graph.cypher import cypher
from schema.model import GRAPH_VERSION_LABEL

WRITING, COMPLETE = "writing", "complete"
Mode = Literal["bulk", "incremental", "repair"]

BEGIN = f"""
MERGE (v:{GRAPH_VERSION_LABEL} {{id: 'graph'}})
SET v.loadState = '{WRITING}', v.loadMode = $mode, v.loadStartedAt = datetime()
REMOVE v.loadFinishedAt
"""

# In the load's last transaction (with the version's stamp): the load is whole.
FINISH = f"""
MERGE (v:{GRAPH_VERSION_LABEL} {{id: 'graph'}})
SET v.loadState = '{COMPLETE}', v.loadFinishedAt = datetime(),
    v.loadMode = coalesce(v.loadMode, $mode), v.loadStartedAt = coalesce(v.loadStartedAt, datetime())
"""

# After a failed first load was removed again: the (empty) database is as it was, whole.
UNDONE = f"""
MATCH (v:{GRAPH_VERSION_LABEL} {{id: 'graph'}})
SET v.loadState = '{COMPLETE}', v.loadFinishedAt = datetime()
"""

READ = cypher(f"""
CALL {{ MATCH (n:{{Entity}}) RETURN count(n) AS entities }}
CALL {{ MATCH (n:{{Fact}}) RETURN count(n) AS facts }}
OPTIONAL MATCH (v:{GRAPH_VERSION_LABEL} {{id: 'graph'}})
RETURN entities + facts AS loaded, v.loadState AS state, v.loadMode AS mode,
       toString(v.loadStartedAt) AS started, toString(v.loadFinishedAt) AS finished
""")

State = Literal["complete", "empty", "writing", "unverified"]


@dataclass(frozen=True)
class LoadState:
    """What the graph says of its last load."""

    state: State
    loaded: int  # entities and facts in the graph
    mode: str | None = None
    started: str | None = None
    finished: str | None = None

    @property
    def complete(self) -> bool:
        """True when the last load finished writing everything (an empty graph has had none)."""
        return self.state == "complete"

    @property
    def message(self) -> str:
        """One sentence for a person: what state the graph is in and what to do."""
        if self.state == "complete":
            return f"the last load ({self.mode or 'a load'}) is complete ({self.loaded:,} " \
                   f"entities and facts, finished {self.finished})"
        if self.state == "empty":
            return "nothing is loaded: run `revgraph load`"
        if self.state == "writing":
            return (f"the last load ({self.mode}, begun {self.started}) has not finished: it "
                    "is still running, or it was interrupted; the graph may lack part of it. "
                    "`revgraph load` finishes it")
        return (f"the graph holds {self.loaded:,} entities and facts but no record that their "
                "load finished (loaded by an earlier revgraph, or a first load interrupted): "
                "their relationships may be missing. `revgraph load` checks and repairs it")


def read_state(row: dict[str, Any]) -> LoadState:
    loaded, state = int(row["loaded"]), row["state"]
    kind: State
    if state == WRITING:
        kind = "writing"
    elif state == COMPLETE:
        kind = "complete" if loaded else "empty"
    else:
        kind = "unverified" if loaded else "empty"
    return LoadState(kind, loaded, row["mode"], row["started"], row["finished"])


def load_state(driver: Driver, database: str) -> LoadState:
    """Whether the graph's last load is complete (one query; cheap at any size)."""
    records, _, _ = driver.execute_query(READ, database_=database,
                                         routing_=RoutingControl.READ)
    return read_state(records[0].data())


async def load_state_async(driver: AsyncDriver, database: str) -> LoadState:
    """The same, for the API's async driver (its /ready and its start-up)."""
    records, _, _ = await driver.execute_query(READ, database_=database,
                                               routing_=RoutingControl.READ)
    return read_state(records[0].data())


def begin(driver: Driver, database: str, mode: Mode) -> None:
    """Record that a load of many transactions is writing (before its first write)."""
    driver.execute_query(BEGIN, {"mode": mode}, database_=database)


def finish(tx: ManagedTransaction, mode: Mode) -> None:
    """Record, in the load's last transaction, that it is complete."""
    tx.run(FINISH, mode=mode).consume()
