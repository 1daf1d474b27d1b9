"""Per-request context: the driver, the request's timeout, its batched loaders, and a count
of Cypher round trips (reported in the response's ``extensions.roundTrips``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphql import GraphQLError
from neo4j import READ_ACCESS, AsyncDriver, Query
from neo4j.exceptions import ClientError
from strawberry.dataloader import DataLoader

from api.graphql.turns import Turn
from graph import queries
from schema.model import KIND_BY_LABEL, KINDS, SOURCE, Field, Kind
from schema.walks import Walk


@dataclass(slots=True)  # made for every node of every answer: slots make that cheaper
class NodeData:
    """A node as the API holds it: its kind's label, its properties and, when a question
    fetched them with it (api/graphql/prefetch.py, api/graphql/query.py), the nodes of the
    fields it walked, by walk key, and its citations: the resolvers then answer at once, with
    no future."""

    label: str
    props: dict[str, Any]
    pre: dict[tuple[str, date | None, date | None], list[NodeData]] | None = None  # by WalkKey
    # Its citations (rows shaped as the citations loader's) when the question fetched them.
    cited: list[dict[str, Any]] | None = None

    @property
    def id(self) -> str:
        return str(self.props["id"])

    @property
    def kind(self) -> Kind:
        return KIND_BY_LABEL[self.label]


LABELS = [k.name for k in KINDS]


async def auto_commit_read(driver: AsyncDriver, database: str, query: Query,
                           params: dict[str, Any], turn: Turn | None = None
                           ) -> list[dict[str, Any]]:
    """The rows of one read query, sent as an auto-commit transaction: RUN and PULL in one
    round trip, where a managed transaction (``execute_query``) adds BEGIN and COMMIT, a second
    round trip and about a third more of the driver's CPU per query
    (docs/decisions/0001-neo4j-gate-and-reads.md). Nothing is lost: the API's driver never
    retries (a request answers 503 at once when Neo4j is down, api/app.py), and a READ session
    is routed to followers and read replicas in a cluster as ``execute_query`` with READ
    routing was."""
    async with driver.session(database=database, default_access_mode=READ_ACCESS) as session:
        result = await session.run(query, params)
        if turn is None:
            return [dict(r) async for r in result]  # maps and lists: no graph types to transform
        # The driver decodes the rows it has received without suspending: a large result
        # would hold the loop until its last row, so the request pauses between turns
        # (api/graphql/turns.py).
        turn.restart()
        rows = []
        async for r in result:
            rows.append(dict(r))
            if turn.over():
                await turn.pause()
        return rows


_UNGATED = contextlib.nullcontext()


@dataclass
class Context:
    driver: AsyncDriver
    database: str
    timeout: float
    # How many of this request's Cypher queries may run at once (aliases of costly fields
    # would otherwise hold the driver's pool).
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(4))
    # How many Cypher queries of all requests may run at once (REVGRAPH_NEO4J_CONCURRENCY):
    # the rest wait in order. Neo4j shares its cores among what it runs, so without a gate a
    # burst of costly queries (fuzzy searches) slows every query running beside them.
    gate: asyncio.Semaphore | None = None
    round_trips: int = 0
    turn: Turn = field(default_factory=Turn)  # its turns on the event loop
    _loaders: dict[tuple[Any, ...], DataLoader[str, Any]] = field(default_factory=dict)

    async def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """One Cypher round trip, read-only, with the request's timeout."""
        self.round_trips += 1
        async with self.slots, self.gate or _UNGATED:
            try:
                return await auto_commit_read(self.driver, self.database,
                                              Query(cypher, timeout=self.timeout), params,
                                              self.turn)
            except ClientError as exc:
                if exc.code and "TransactionTimedOut" in exc.code:
                    raise GraphQLError(
                        f"the graph took more than {self.timeout:g} s to answer and the query "
                        "was stopped; ask for less (smaller pages, fewer nested lists)",
                        extensions={"code": "TIMEOUT"}) from None
                raise

    def release(self) -> None:
        """Drop what the request's batched loaders hold, once its answer is written. A loader
        and its batches are in reference cycles, so what they loaded (a large answer's every
        passage and node) would otherwise wait for the collector's oldest generation: a pass
        that held the loop for 1.4 s in a later request (docs/scaling.md)."""
        for store in (self._loaders, self.__dict__.get("_document_loaders", {})):
            for loader in store.values():
                loader.clear_all()
            store.clear()

    def _loader(self, key: tuple[Any, ...], cypher: str, many: bool,
                **params: Any) -> DataLoader[str, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            async def batch(ids: list[str]) -> list[Any]:
                rows = await self.read(cypher, ids=list(ids), labels=LABELS, **params)
                grouped: dict[str, list[Any]] = defaultdict(list)
                for row in rows:
                    grouped[row["key"]].append(row)
                if many:
                    return [grouped.get(i, []) for i in ids]
                return [grouped[i][0] if grouped.get(i) else None for i in ids]

            loader = DataLoader(load_fn=batch)
            self._loaders[key] = loader
        return loader

    async def node(self, node_id: str) -> NodeData | None:
        """Any entity or fact by id (batched)."""
        row = await self._loader(("node",), queries.NODES_BY_ID, many=False).load(node_id)
        return NodeData(row["label"], row["props"]) if row else None

    def _outgoing(self, kind: Kind, f: Field) -> DataLoader[str, Any]:
        return self._loader(("out", kind.name, f.name), queries.outgoing(kind, f), many=True)

    async def outgoing(self, kind: Kind, f: Field, node_id: str) -> list[NodeData]:
        """The nodes a node of ``kind`` points to along field ``f``, in the files' order."""
        rows = await self._outgoing(kind, f).load(node_id)
        return [NodeData(r["label"], r["props"]) for r in rows]

    async def incoming(self, walk: Walk, node_id: str,
                       window: tuple[date | None, date | None]) -> list[NodeData]:
        """The nodes a backward walk reaches from this node, oldest first; of a dated kind,
        only those that may hold on a day of ``window`` (schema/time.py)."""
        since, until = window
        source = walk.kind
        loader = self._loader(("in", walk.start, walk.name, since, until),
                              queries.incoming(walk), many=True, since=since, until=until)
        rows = await loader.load(node_id)
        for row in rows:  # their own relationships came along: the loaders need not ask
            for name, targets in (row.get("refs") or {}).items():
                targets = sorted(targets, key=lambda t: t["position"] or 0)
                self._outgoing(source, source.field(name)).prime(row["props"]["id"], targets)
        return [NodeData(source.name, r["props"]) for r in rows]

    def _citations(self, kind: Kind) -> DataLoader[str, Any]:
        return self._loader(("cites", kind.name), queries.citations(kind), many=True)

    async def citations(self, kind: Kind, node_id: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self._citations(kind).load(node_id)
        return rows

    async def citing(self, source_id: str) -> list[NodeData]:
        rows = await self._loader(("citing", SOURCE.name), queries.CITING,
                                  many=True).load(source_id)
        return [NodeData(r["label"], r["props"]) for r in rows]
