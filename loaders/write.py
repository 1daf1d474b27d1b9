"""Write a validated dataset to Neo4j: all or nothing, and only what changed.

(A first load into an empty database takes the bulk path instead: loaders/bulk.py.)

Each node the loader writes carries ``loadHash``, a digest of everything the loader gives it:
labels, properties and outgoing relationships (citations included). A load reads the hashes
already in the graph and then, in ONE transaction, deletes the nodes no longer in the files,
creates the new ones, and rewrites the changed ones with their outgoing relationships. A second
load of the same files finds every hash equal and writes nothing. Writes are batched with UNWIND.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from neo4j import Driver, ManagedTransaction
from unidecode import unidecode

from graph import version, writes
from graph.documents import write_passages
from graph.migrations import migrate
from loaders import dataversion
from loaders.check import Record
from loaders.documents.plan import plan_passages
from loaders.validate import Dataset
from schema.model import (
    CITES_REL,
    KIND_BY_LABEL,
    KINDS,
    LOAD_HASH,
    POSITION,
    SEARCH_TEXT,
    SOURCE,
    SPAN_PROPS,
)

BATCH = 500


@dataclass
class NodeWrite:
    label: str
    id: str
    extra_labels: list[str]
    props: dict[str, Any]
    rels: list[tuple[str, str, str, dict[str, Any]]]  # (type, target label, target id, props)
    hash: str = ""


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deleted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    derived: int = 0  # FightingMonth nodes written or deleted (loaders/fighting.py)
    data_version: str = ""  # what the graph holds after the load (loaders/dataversion.py)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(
            self.deleted.values()) or self.derived > 0


def search_text(name: str, aliases: list[str]) -> str:
    """Name and aliases, folded to lowercase ASCII, for the full-text index."""
    return " | ".join(dict.fromkeys(unidecode(s).lower() for s in [name, *aliases]))


def plan(dataset: Dataset) -> dict[str, NodeWrite]:
    """What the graph should hold: one NodeWrite per record, with its hash."""
    label_of = labels_by_id(dataset)
    return {r.id: node_write(r, label_of, dataset.spans) for r in dataset.records}


def labels_by_id(dataset: Dataset) -> dict[str, str]:
    return {r.id: r.kind.name for r in dataset.records}


def node_write(r: Record, label_of: dict[str, str], spans: dict[tuple[str, int], Any]) -> NodeWrite:
    """What the graph holds for one record: its node, its outgoing relationships, its hash."""
    props = dict(r.props)
    if r.kind.category == "entity":
        props[SEARCH_TEXT] = search_text(props["name"], props.get("aliases", []))
    rels = relationships_of(r, label_of, spans)
    extra = [f.label_if_true for f in r.kind.fields if f.label_if_true and props.get(f.prop)]
    node = NodeWrite(r.kind.name, r.id, extra, props, rels)
    node.hash = _digest(node)
    node.props[LOAD_HASH] = node.hash
    return node


def relationships_of(r: Record, label_of: dict[str, str],
                     spans: dict[tuple[str, int], Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """A record's outgoing relationships: (type, target label, target id, properties)."""
    rels: list[tuple[str, str, str, dict[str, Any]]] = []
    for f in r.kind.refs:
        for i, target in enumerate(r.refs.get(f.name, [])):
            assert f.rel is not None
            rels.append((f.rel, label_of[target], target, {POSITION: i}))
    for i, c in enumerate(r.citations):
        cprops: dict[str, Any] = {POSITION: i}
        if (span := spans.get((r.id, i))) is not None:  # quoted from a document
            cprops.update(zip(SPAN_PROPS, (span.document, span.start, span.end), strict=True))
        if c.quote:
            cprops["quote"] = c.quote
        if c.locator:
            cprops["locator"] = c.locator
        rels.append((CITES_REL, SOURCE.name, c.source, cprops))
    return rels


def _digest(node: NodeWrite) -> str:
    def enc(v: Any) -> Any:
        return v.isoformat() if isinstance(v, date) else v

    payload = json.dumps(
        [node.label, node.extra_labels, sorted((k, enc(v)) for k, v in node.props.items()),
         sorted(json.dumps(r, sort_keys=True) for r in node.rels)],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def load(driver: Driver, database: str, dataset: Dataset,
         progress: Callable[[str, int], None] | None = None, bulk: bool | None = None) -> Summary:
    """Bring the graph in line with the dataset; return what changed.

    Into a database that holds none of the loader's nodes, the bulk path (loaders/bulk.py:
    many transactions, undone on failure); otherwise the incremental one (one transaction, the
    changes only). ``bulk`` forces one or the other; True on a database that is not empty is
    refused."""
    from loaders import bulk as first_load  # it builds on this module

    migrate(driver, database)
    step = progress or (lambda _s, _n: None)
    empty = first_load.loaded_count(driver, database) == 0
    if bulk is None:
        bulk = empty
    if bulk:
        if not empty:
            raise first_load.BulkLoadFailed(
                "the bulk path is for a first load into an empty database, and this one holds "
                "data: load without it (the incremental path writes the changes)")
        return first_load.load_bulk(driver, database, dataset, step)
    wanted = plan(dataset)
    passages = plan_passages(dataset)  # documents: read and linked before the transaction
    months = dataset.fighting_months
    data_version = dataversion.of_load(wanted.values(), passages)
    with driver.session(database=database) as session:
        return session.execute_write(_apply, wanted, step, passages, months, data_version)


def _apply(tx: ManagedTransaction, wanted: dict[str, NodeWrite],
           progress: Callable[[str, int], None], passages: list[Any],
           months: list[dict[str, Any]], data_version: str) -> Summary:
    summary = Summary(data_version=data_version)
    existing = {
        row["id"]: (row["label"], row["hash"])
        for row in tx.run(writes.EXISTING, labels=[k.name for k in KINDS])
    }
    to_delete: dict[str, list[str]] = defaultdict(list)
    for node_id, (label, _) in existing.items():
        if node_id not in wanted or wanted[node_id].label != label:
            to_delete[label].append(node_id)
            summary.deleted[label] += 1
    changed: list[NodeWrite] = []
    for node in wanted.values():
        before = existing.get(node.id)
        if before is None or before[0] != node.label:
            summary.created[node.label] += 1
            changed.append(node)
        elif before[1] != node.hash:
            summary.updated[node.label] += 1
            changed.append(node)
        else:
            summary.unchanged[node.label] += 1
    progress("plan", 0)

    for label, ids in to_delete.items():
        for chunk in _chunks(ids):
            tx.run(writes.delete(KIND_BY_LABEL[label]), ids=chunk).consume()
            progress("delete", len(chunk))

    by_label: dict[str, list[NodeWrite]] = defaultdict(list)
    for node in changed:
        by_label[node.label].append(node)
    for label, nodes in by_label.items():
        cypher = writes.upsert(KIND_BY_LABEL[label])
        for chunk in _chunks(nodes):
            rows = [{"id": n.id, "props": n.props, "extra": n.extra_labels} for n in chunk]
            tx.run(cypher, rows=rows).consume()
            progress("nodes", len(chunk))

    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for node in changed:
        for rel_type, target_label, target, props in node.rels:
            rels[(node.label, rel_type, target_label)].append(
                {"from": node.id, "to": target, "props": props})
    for (start_label, rel_type, end_label), rows in rels.items():
        cypher = writes.relate(start_label, rel_type, end_label)
        for chunk in _chunks(rows):
            tx.run(cypher, rows=chunk).consume()
            progress("relationships", len(chunk))
    write_passages(tx, passages, summary)
    summary.derived = _write_fighting_months(tx, months)
    progress("derived", summary.derived)
    # Readers (the API's response cache) see the change by this token; a graph stamped by an
    # older revgraph, without its data version, is stamped once more.
    stamped = tx.run(version.READ).single()
    if summary.changed or stamped is None or stamped["dataVersion"] != data_version:
        tx.run(version.STAMP, dataVersion=data_version).consume()
    return summary


def native(props: dict[str, Any]) -> dict[str, Any]:
    """A node's properties as read, with the driver's dates made Python's."""
    return {k: v.to_native() if hasattr(v, "to_native") else v for k, v in props.items()}


def _write_fighting_months(tx: ManagedTransaction, wanted: list[dict[str, Any]]) -> int:
    """Bring the FightingMonth nodes in line with ``wanted``; return how many changed."""
    have = {p["id"]: p for p in (native(r["props"]) for r in tx.run(writes.FIGHTING_MONTHS))}
    rows = {m["id"]: m for m in wanted}
    stale = [i for i in have if i not in rows]
    changed = [m for i, m in rows.items()
               if have.get(i) != {k: v for k, v in m.items() if v is not None}]
    for chunk in _chunks(stale):
        tx.run(writes.DELETE_FIGHTING_MONTHS, ids=chunk).consume()
    for chunk in _chunks(changed):
        tx.run(writes.WRITE_FIGHTING_MONTHS, rows=chunk).consume()
    return len(stale) + len(changed)


def work_units(dataset: Dataset) -> int:
    """An upper bound of the progress steps a load reports (for a progress bar)."""
    nodes = len(dataset.records)
    rels = sum(len(r.citations) + sum(len(v) for v in r.refs.values())
               for r in dataset.records)
    return nodes * 2 + rels + len(dataset.fighting_months)
