"""Driving a formatter from rows, sync (CLI) or async (HTTP), in chunks of about 64 KB.

A formatter is a small object with ``head``, ``begin``, ``row``, ``end`` and ``tail``, each
returning the next piece of text; it never sees more than one row. Where an export came from
(revgraph's version, the Cypher and its parameters, the request, the time) is built here once
and handed to ``head``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from neo4j import AsyncDriver, Driver

from graph import exports as q
from graph.exports import Plan

CHUNK = 64 * 1024
Piece = str | bytes


class Formatter(Protocol):
    media_type: str
    sections: tuple[str, ...]  # which of the plan's sections it writes, in order

    def head(self, provenance: dict[str, Any]) -> Piece: ...
    def begin(self, section: str) -> Piece: ...
    def row(self, section: str, row: dict[str, Any]) -> Piece: ...
    def end(self, section: str) -> Piece: ...
    def tail(self) -> Piece: ...


def revgraph_version() -> str:
    try:
        return version("revgraph")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "unknown"


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def provenance(plan: Plan, request: str, sections: tuple[str, ...]) -> dict[str, Any]:
    return {
        "generator": f"revgraph {revgraph_version()}",
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "request": request,
        "cypher": {s.name: s.cypher.strip() for s in plan.sections if s.name in sections},
        "parameters": {k: _jsonable(v) for k, v in plan.params.items() if k != "labels"},
    }


@dataclass
class _Buffer:
    parts: list[bytes]
    size: int = 0

    def add(self, piece: Piece) -> bytes | None:
        data = piece.encode() if isinstance(piece, str) else piece
        if data:
            self.parts.append(data)
            self.size += len(data)
        if self.size < CHUNK:
            return None
        return self.flush()

    def flush(self) -> bytes:
        out = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return out


def render(fmt: Formatter, plan: Plan, prov: dict[str, Any],
           rows: Callable[[str, dict[str, Any]], Iterator[dict[str, Any]]]) -> Iterator[bytes]:
    """The export as chunks of bytes, reading each section's rows from ``rows(cypher, params)``."""
    buf = _Buffer([])
    cypher = {s.name: s.cypher for s in plan.sections}
    buf.add(fmt.head(prov))
    for section in fmt.sections:
        buf.add(fmt.begin(section))
        for row in rows(cypher[section], plan.params):
            if (out := buf.add(fmt.row(section, row))) is not None:
                yield out
        buf.add(fmt.end(section))
    buf.add(fmt.tail())
    yield buf.flush()


async def arender(fmt: Formatter, plan: Plan, prov: dict[str, Any],
                  rows: Callable[[str, dict[str, Any]], AsyncGenerator[dict[str, Any], None]],
                  ) -> AsyncGenerator[bytes, None]:
    """``render`` for an async row source (the API)."""
    buf = _Buffer([])
    cypher = {s.name: s.cypher for s in plan.sections}
    buf.add(fmt.head(prov))
    for section in fmt.sections:
        buf.add(fmt.begin(section))
        # Closed at once when the export stops early (a client gone, a deadline), so that its
        # Neo4j transaction is released then, not when the collector gets to it.
        async with contextlib.aclosing(rows(cypher[section], plan.params)) as section_rows:
            async for row in section_rows:
                if (out := buf.add(fmt.row(section, row))) is not None:
                    yield out
        buf.add(fmt.end(section))
    buf.add(fmt.tail())
    yield buf.flush()


# -- plans: which queries an export runs ------------------------------------------------------


def plan_for(places: bool, params: dict[str, Any], timed: bool = False) -> Plan:
    """The whole graph's queries, or a neighbourhood's (``ids``), which look its nodes up;
    ``timed``: with the span each undated node takes part in the graph's facts (GEXF)."""
    around = params.get("ids") is not None
    if places:
        return Plan(q.PLACE_SECTIONS_AROUND if around else q.PLACE_SECTIONS, params)
    if timed:
        return Plan(q.TIMED_SECTIONS_AROUND if around else q.TIMED_SECTIONS, params)
    return Plan(q.GRAPH_SECTIONS_AROUND if around else q.GRAPH_SECTIONS, params)


def sync_rows(driver: Driver, database: str,
              timeout: float | None = None) -> Callable[[str, dict[str, Any]], Iterator[dict]]:
    return lambda cypher, params: q.stream(driver, database, cypher, params, timeout)


def async_rows(driver: AsyncDriver, database: str, timeout: float | None = None,
               ) -> Callable[[str, dict[str, Any]], AsyncGenerator[dict, None]]:
    return lambda cypher, params: q.astream(driver, database, cypher, params, timeout)
