"""Per-request context: the driver, the request's timeout, its batched loaders, and a count
of Cypher round trips (reported in the response's ``extensions.roundTrips``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from neo4j import AsyncDriver, Query, RoutingControl
from strawberry.dataloader import DataLoader

from graph import queries
from schema.model import KINDS


@dataclass
class NodeData:
    """A node as the API holds it: its kind's label and its properties."""

    label: str
    props: dict[str, Any]

    @property
    def id(self) -> str:
        return str(self.props["id"])


LABELS = [k.name for k in KINDS]


@dataclass
class Context:
    driver: AsyncDriver
    database: str
    timeout: float
    round_trips: int = 0
    _loaders: dict[tuple[str, ...], DataLoader[str, Any]] = field(default_factory=dict)

    async def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        """One Cypher round trip, read-only, with the request's timeout."""
        self.round_trips += 1
        records, _, _ = await self.driver.execute_query(
            Query(cypher, timeout=self.timeout), params, database_=self.database,
            routing_=RoutingControl.READ,
        )
        return [dict(r) for r in records]  # maps and lists: no graph types to transform

    def _loader(self, key: tuple[str, ...], cypher: str, many: bool) -> DataLoader[str, Any]:
        loader = self._loaders.get(key)
        if loader is None:
            async def batch(ids: list[str]) -> list[Any]:
                rows = await self.read(cypher, ids=list(ids), labels=LABELS)
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

    async def outgoing(self, label: str, rel: str, node_id: str) -> list[NodeData]:
        """The nodes a node of ``label`` points to along ``rel``, in the files' order."""
        rows = await self._loader(("out", label, rel), queries.outgoing(label, rel),
                                  many=True).load(node_id)
        return [NodeData(r["label"], r["props"]) for r in rows]

    async def incoming(self, target_label: str, rel: str, source_label: str,
                       node_id: str) -> list[NodeData]:
        """The ``source_label`` nodes that point at this node along ``rel``, oldest first."""
        rows = await self._loader(("in", target_label, rel, source_label),
                                  queries.incoming(target_label, rel, source_label),
                                  many=True).load(node_id)
        return [NodeData(source_label, r["props"]) for r in rows]

    def prime_outgoing(self, label: str, rel: str, node_id: str,
                       targets: list[dict[str, Any]]) -> None:
        """Fill the outgoing loader with what a question already fetched, saving a round trip.
        ``targets`` are rows shaped as the loader's own ({props, label})."""
        self._loader(("out", label, rel), queries.outgoing(label, rel), many=True).prime(
            node_id, targets)

    def prime_citations(self, label: str, node_id: str, rows: list[dict[str, Any]]) -> None:
        self._loader(("cites", label), queries.citations(label), many=True).prime(node_id, rows)

    async def citations(self, label: str, node_id: str) -> list[dict[str, Any]]:
        return await self._loader(("cites", label), queries.citations(label),  # type: ignore[no-any-return]
                                  many=True).load(node_id)

    async def citing(self, source_id: str) -> list[NodeData]:
        rows = await self._loader(("citing",), queries.CITING, many=True).load(source_id)
        return [NodeData(r["label"], r["props"]) for r in rows]
