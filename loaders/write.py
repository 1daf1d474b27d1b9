"""Write a validated dataset to Neo4j: only what changed, and never half of it unnoticed.

(A first load into an empty database takes the bulk path instead: loaders/bulk.py.)

Each node the loader writes carries ``loadHash``, a digest of everything the loader gives it:
labels, properties and outgoing relationships (citations included). It is set by the statement
that writes the node's relationships (graph/writes.py ``relate``), so a node with a hash has
every relationship the hash covers. A load reads the hashes in the graph, and then deletes the
nodes no longer in the files, creates the new ones and rewrites the changed ones (and any
without a hash) with their outgoing relationships. A second load of the same files finds every
hash equal and writes nothing.

How it writes depends on the size of the change, in rows (nodes, relationships, deletions):

- up to ``ONE_TX_ROWS``, in ONE transaction: all or nothing, to readers too;
- beyond, in transactions of ``BATCH_ROWS`` rows, so that Neo4j's transaction memory (1.4 GiB
  with a 2 GB heap) and the loader's own stay bounded whatever the change. The load first
  records in the graph that it is writing (graph/loadstate.py) and records that it is complete
  in its last transaction, with the version stamp. If it stops midway (Neo4j killed, the
  connection lost, Ctrl-C), the graph says it is incomplete (``load_state``, the API's /ready)
  and the next ``revgraph load`` finishes it: nodes without a hash, or with another, are
  written again. Neo4j Community holds one database and nothing larger than a transaction
  becomes visible at once, so a reader querying during a large change may see part of it,
  as during a first load; why this design rather than a staging copy: docs/data-format.md,
  "Loading".

A graph whose last load did not finish is repaired the same way, in batches, whatever the size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction

from graph import loadstate, version, writes
from graph.documents import write_passages
from graph.migrations import migrate
from loaders import dataversion
from loaders.documents.plan import plan_passages
from loaders.nodes import (
    LoadFailed,
    Progress,
    Summary,
    labels_by_id,
    node_write,
    reason,
    relate_row,
)
from loaders.validate import Dataset
from schema.model import (
    KIND_BY_LABEL,
    KINDS,
)

BATCH = 500  # rows per UNWIND statement
# A change of at most this many rows goes in one transaction. At scale 100 the one-transaction
# path needed more than the 1.4 GiB of transaction memory a 2 GB heap allows for 380,000
# relationships (docs/scaling.md), some 4 KB a row: 20,000 rows stay under 100 MB.
ONE_TX_ROWS = 20_000
# Rows per transaction beyond it: the bulk path's measured size (loaders/bulk.py).
BATCH_ROWS = 5000
def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


# -- what changes ------------------------------------------------------------------------------

@dataclass
class Diff:
    """What a load changes: the records to (re)write, by index into the dataset's records, and
    the nodes to delete, by label. Hashes only: a record's NodeWrite is built again when it is
    written, a batch at a time, so that a large change never holds them all."""

    write: list[int] = field(default_factory=list)
    delete: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    rels: int = 0  # relationships to write
    # every record's (id, hash), changed or not: what the data version digests
    digest: dataversion.DataDigest = field(default_factory=dataversion.DataDigest)

    @property
    def rows(self) -> int:
        return len(self.write) + self.rels + sum(len(ids) for ids in self.delete.values())


def diff(dataset: Dataset, existing: dict[str, tuple[str, str | None]],
         summary: Summary) -> Diff:
    """Compare each record's hash with the graph's (``existing``: id -> (label, hash))."""
    label_of = labels_by_id(dataset)
    out = Diff()
    for node_id, (label, _) in existing.items():
        if label_of.get(node_id) != label:
            out.delete[label].append(node_id)
            summary.deleted[label] += 1
    for i, r in enumerate(dataset.records):
        node = node_write(r, label_of, dataset.spans)
        out.digest.add(node.id, node.hash)
        before = existing.get(r.id)
        if before is None or before[0] != node.label:
            summary.created[node.label] += 1
        elif before[1] != node.hash:
            summary.updated[node.label] += 1
        else:
            summary.unchanged[node.label] += 1
            continue
        out.write.append(i)
        out.rels += len(node.rels)
    return out


def existing_hashes(driver: Driver, database: str) -> dict[str, tuple[str, str | None]]:
    """Each managed node's id, label and hash, as the graph holds them."""
    with driver.session(database=database) as session:
        return {row["id"]: (row["label"], row["hash"]) for row in session.run(
            writes.EXISTING, labels=[k.name for k in KINDS])}


def load(driver: Driver, database: str, dataset: Dataset,
         progress: Progress | None = None, bulk: bool | None = None,
         one_tx_rows: int = ONE_TX_ROWS, batch_rows: int = BATCH_ROWS) -> Summary:
    """Bring the graph in line with the dataset; return what changed.

    Into a database that holds none of the loader's nodes, the bulk path (loaders/bulk.py:
    many transactions, undone on failure); otherwise the incremental one (the changes only:
    one transaction up to ``one_tx_rows`` rows, batches of ``batch_rows`` beyond, and always
    batches to finish a load that did not). ``bulk`` forces one or the other; True on a
    database that is not empty is refused."""
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
        return first_load.load_bulk(driver, database, dataset, step, size=batch_rows)
    state = loadstate.load_state(driver, database)
    summary = Summary(repaired=not state.complete)
    existing = existing_hashes(driver, database)
    if state.state == "unverified":  # no record of its load: no hash in it is trusted
        existing = {i: (label, None) for i, (label, _) in existing.items()}
    changes = diff(dataset, existing, summary)
    step("plan", 0)
    passages = plan_passages(dataset)  # documents: read and linked before anything is written
    months = dataset.fighting_months
    summary.data_version = changes.digest.add_all((p.id, p.hash) for p in passages).version
    if state.complete and changes.rows <= one_tx_rows:
        with driver.session(database=database) as session:
            return session.execute_write(_apply, dataset, changes, summary, step, passages,
                                         months)
    summary.batched = True
    mode: loadstate.Mode = "incremental" if state.complete else "repair"
    return _apply_in_batches(driver, database, dataset, changes, summary, step, passages,
                             months, mode, batch_rows)


def _apply(tx: ManagedTransaction, dataset: Dataset, changes: Diff, summary: Summary,
           progress: Progress, passages: list[Any], months: list[dict[str, Any]]) -> Summary:
    """The whole change in one transaction."""
    for cypher, rows, stage in _statements(dataset, changes, BATCH):
        tx.run(cypher, rows=rows).consume()
        progress(stage, _size(stage, rows))
    write_passages(tx, passages, summary)
    summary.derived = _write_fighting_months(tx, months)
    progress("derived", summary.derived)
    # Readers (the API's response cache) see the change by this token; a graph stamped by an
    # older revgraph, without its data version, is stamped once more.
    stamped = tx.run(version.READ).single()
    if summary.changed or stamped is None or stamped["dataVersion"] != summary.data_version:
        tx.run(version.STAMP, dataVersion=summary.data_version).consume()
        loadstate.finish(tx, "incremental")  # (the graph was complete: same files, no write)
    return summary


def _size(stage: str, rows: list[dict[str, Any]]) -> int:
    if stage == "relationships":
        return sum(len(group) for row in rows for group in row["rels"])
    return len(rows)


def _statements(dataset: Dataset, changes: Diff, size: int
                ) -> Iterator[tuple[str, list[Any], str]]:
    """The change as (cypher, rows, stage): the deletions, the nodes (without their hashes),
    then each node's relationships with its hash, at most ``size`` rows (relationships count
    one each) per statement, built as they are written."""
    for label, ids in changes.delete.items():
        for chunk in _chunks(ids, size):
            yield writes.delete(KIND_BY_LABEL[label]), chunk, "delete"
    label_of = labels_by_id(dataset)
    records = dataset.records
    by_label: dict[str, list[int]] = defaultdict(list)
    for i in changes.write:
        by_label[records[i].kind.name].append(i)
    for label, indices in by_label.items():
        cypher = writes.upsert(KIND_BY_LABEL[label])
        for chunk in _chunks(indices, size):
            nodes = [node_write(records[i], label_of, dataset.spans) for i in chunk]
            yield cypher, [{"id": n.id, "props": n.props, "extra": n.extra_labels}
                           for n in nodes], "nodes"
    for label, indices in by_label.items():
        cypher = writes.relate(KIND_BY_LABEL[label])
        rows: list[dict[str, Any]] = []
        weight = 0
        for i in indices:
            node = node_write(records[i], label_of, dataset.spans)
            rows.append(relate_row(node))
            weight += max(1, len(node.rels))
            if weight >= size:
                yield cypher, rows, "relationships"
                rows, weight = [], 0
        if rows:
            yield cypher, rows, "relationships"


def _apply_in_batches(driver: Driver, database: str, dataset: Dataset, changes: Diff,
                      summary: Summary, progress: Progress, passages: list[Any],
                      months: list[dict[str, Any]], mode: loadstate.Mode, size: int) -> Summary:
    """The change in transactions of ``size`` rows, the graph marked as being written until
    the last one, which stamps the version and marks it complete."""
    where = "before its first batch"
    done = 0
    try:
        loadstate.begin(driver, database, mode)
        with driver.session(database=database) as session:
            for cypher, rows, stage in _statements(dataset, changes, size):
                where = f"in a batch of {len(rows):,} {stage} after {done:,} rows"
                session.execute_write(_run, cypher, rows)
                done += len(rows)
                progress(stage, _size(stage, rows))
            where = "writing the fighting by month"
            summary.derived = _fighting_months_in_batches(session, months, size)
            progress("derived", summary.derived)
            where = "in its last transaction"
            session.execute_write(_finish, passages, summary, mode)
    except Exception as exc:
        raise LoadFailed(
            f"the load failed {where}: {reason(exc)}. The graph holds part of this change and "
            "says so (its last load is marked unfinished): once Neo4j answers, run `revgraph "
            "load` again and it finishes the change") from exc
    return summary


def _run(tx: ManagedTransaction, cypher: str, rows: list[dict[str, Any]]) -> None:
    tx.run(cypher, rows=rows).consume()


def _finish(tx: ManagedTransaction, passages: list[Any], summary: Summary,
            mode: loadstate.Mode) -> None:
    write_passages(tx, passages, summary)
    tx.run(version.STAMP, dataVersion=summary.data_version).consume()
    loadstate.finish(tx, mode)


def native(props: dict[str, Any]) -> dict[str, Any]:
    """A node's properties as read, with the driver's dates made Python's."""
    return {k: v.to_native() if hasattr(v, "to_native") else v for k, v in props.items()}


def _month_changes(tx: ManagedTransaction, wanted: list[dict[str, Any]]
                   ) -> tuple[list[str], list[dict[str, Any]]]:
    """The FightingMonth nodes to delete (ids) and to write (rows) to match ``wanted``."""
    have = {p["id"]: p for p in (native(r["props"]) for r in tx.run(writes.FIGHTING_MONTHS))}
    rows = {m["id"]: m for m in wanted}
    stale = [i for i in have if i not in rows]
    changed = [m for i, m in rows.items()
               if have.get(i) != {k: v for k, v in m.items() if v is not None}]
    return stale, changed


def _write_fighting_months(tx: ManagedTransaction, wanted: list[dict[str, Any]]) -> int:
    """Bring the FightingMonth nodes in line with ``wanted``; return how many changed."""
    stale, changed = _month_changes(tx, wanted)
    for chunk in _chunks(stale):
        tx.run(writes.DELETE_FIGHTING_MONTHS, ids=chunk).consume()
    for chunk in _chunks(changed):
        tx.run(writes.WRITE_FIGHTING_MONTHS, rows=chunk).consume()
    return len(stale) + len(changed)


def _fighting_months_in_batches(session: Any, wanted: list[dict[str, Any]], size: int) -> int:
    stale, changed = session.execute_read(_month_changes, wanted)
    for chunk in _chunks(stale, size):
        session.execute_write(lambda tx, ids=chunk: tx.run(writes.DELETE_FIGHTING_MONTHS,
                                                           ids=ids).consume())
    for chunk in _chunks(changed, size):
        session.execute_write(_run, writes.WRITE_FIGHTING_MONTHS, chunk)
    return len(stale) + len(changed)


def work_units(dataset: Dataset) -> int:
    """An upper bound of the progress steps a load reports (for a progress bar)."""
    nodes = len(dataset.records)
    rels = sum(len(r.citations) + sum(len(v) for v in r.refs.values())
               for r in dataset.records)
    return nodes * 2 + rels + len(dataset.fighting_months)
