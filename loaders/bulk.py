"""The bulk path: a first load into an empty database, in many transactions of a measured size.

The incremental path (``loaders/write.py``) compares hashes and writes the changes in ONE
transaction: right for changes, but a first load of a large dataset would hold all of it in the
server's heap at once. When the database holds nothing the loader manages, there is nothing to
compare and nothing to keep: the nodes are CREATEd (no MERGE) and then the relationships,
``batch`` rows per transaction, the rows built a batch at a time from the checked records.

The nodes are created without their hashes; each node's hash is set by the statement that
writes its relationships (graph/writes.py ``relate``), so a node with a hash has them all.

Never half-done unnoticed: before the first batch the load records in the graph that it is
writing, and its last transaction (the documents' passages, the version stamp) records that it
is complete (graph/loadstate.py). If a step fails while Neo4j answers (the database refusing a
value, Ctrl-C), what was written is deleted again, so the database is empty as before, and the
error says so. If Neo4j itself goes (killed, the machine restarted), nothing can be deleted:
the graph stays marked unfinished, `load_state` and the API's /ready say so, and the next
`revgraph load` finishes it (loaders/write.py: nodes without a hash are written again). The
graph's version is stamped last, so readers that go by it (the API's response cache) see the
load only once it is whole. (A reader that queries while the first load runs may see part of
it.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from neo4j import Driver, ManagedTransaction

from graph import loadstate, version, writes
from graph.documents import write_passages
from loaders.dataversion import DataDigest
from loaders.documents.plan import plan_passages
from loaders.nodes import LoadFailed, Progress, Summary, labels_by_id, node_write, reason, relate_row
from loaders.validate import Dataset
from schema.model import FIGHTING_MONTH_LABEL, KIND_BY_LABEL

# Rows per transaction, measured with scripts/bench_loader.py --batches at scale 10 (1,000,
# 2,000, 5,000, 10,000, 20,000 and 50,000 rows): 1,000 was the slowest, and from 2,000 up the
# rates were within the noise of a shared machine, while a transaction's state in the server's
# heap grows with its size. At scale 100 (380k relationships) 5,000 loads in a 2 GB heap where
# the one-transaction path runs out of transaction memory.
BULK_BATCH = 5000



class BulkLoadFailed(LoadFailed):
    """A first load failed; what it had written is removed again (or, if even that failed,
    the message says so and what to do)."""


def loaded_count(driver: Driver, database: str) -> int:
    """How many nodes the loader manages in the database (0: a first load)."""
    records, _, _ = driver.execute_query(writes.COUNT_LOADED, database_=database)
    return int(records[0]["n"])


Batch = tuple[str, str, str, list[dict[str, Any]]]  # (stage, what, cypher, rows)


def batches(dataset: Dataset, size: int = BULK_BATCH,
            digest: DataDigest | None = None) -> Iterator[Batch]:
    """Every node (without its hash), then every node's relationships with its hash, then the
    fighting by month (loaders/fighting.py), as UNWIND batches of at most ``size`` rows (a
    node's relationships count one row each), each built when it is written; each node is
    added to ``digest`` (the data version) on the way."""
    label_of = labels_by_id(dataset)
    nodes: dict[tuple[str, tuple[str, ...]], list[dict[str, Any]]] = defaultdict(list)
    for r in dataset.records:
        node = node_write(r, label_of, dataset.spans)
        if digest is not None:
            digest.add(node.id, node.hash)
        key = (node.label, tuple(node.extra_labels))
        nodes[key].append({"props": node.props})
        if len(nodes[key]) >= size:
            yield "nodes", node.label, writes.create(KIND_BY_LABEL[key[0]], key[1]), nodes.pop(key)
    for (label, extra), rows in nodes.items():
        yield "nodes", label, writes.create(KIND_BY_LABEL[label], extra), rows
    rels: dict[str, list[dict[str, Any]]] = defaultdict(list)
    weight: dict[str, int] = defaultdict(int)
    for r in dataset.records:
        node = node_write(r, label_of, dataset.spans)
        rels[node.label].append(relate_row(node))
        weight[node.label] += max(1, len(node.rels))
        if weight[node.label] >= size:
            weight.pop(node.label)
            yield "relationships", node.label, writes.relate(r.kind), rels.pop(node.label)
    for label, rows in rels.items():
        yield "relationships", label, writes.relate(KIND_BY_LABEL[label]), rows
    months = dataset.fighting_months
    for i in range(0, len(months), size):
        yield "derived", FIGHTING_MONTH_LABEL, writes.CREATE_FIGHTING_MONTHS, months[i:i + size]


def _run(tx: ManagedTransaction, cypher: str, rows: list[dict[str, Any]]) -> None:
    tx.run(cypher, rows=rows).consume()


def _passages_and_stamp(tx: ManagedTransaction, passages: list[Any], summary: Summary) -> None:
    write_passages(tx, passages, summary)
    tx.run(version.STAMP, dataVersion=summary.data_version).consume()
    loadstate.finish(tx, "bulk")


def _relationships(rows: list[dict[str, Any]]) -> int:
    return sum(len(group) for row in rows for group in row["rels"])


def load_bulk(driver: Driver, database: str, dataset: Dataset, progress: Progress,
              size: int = BULK_BATCH) -> Summary:
    """Write the dataset into a database that holds none of the loader's nodes."""
    summary = Summary()
    passages = plan_passages(dataset)  # documents: read and linked before anything is written
    digest = DataDigest().add_all((p.id, p.hash) for p in passages)
    done = 0
    where = "before the first batch"
    try:
        loadstate.begin(driver, database, "bulk")
        with driver.session(database=database) as session:
            for stage, what, cypher, rows in batches(dataset, size, digest):
                where = f"in a batch of {len(rows):,} {stage} ({what}) after {done:,} rows"
                session.execute_write(_run, cypher, rows)
                done += len(rows)
                if stage == "nodes":
                    summary.created[what] += len(rows)
                elif stage == "derived":
                    summary.derived += len(rows)
                progress(stage, _relationships(rows) if stage == "relationships" else len(rows))
            where = "writing the documents' passages"
            summary.data_version = digest.version
            session.execute_write(_passages_and_stamp, passages, summary)
    except Exception as exc:
        raise BulkLoadFailed(f"the first load failed {where}: {reason(exc)}; "
                             f"{_undo(driver, database)}") from exc
    except BaseException:  # Ctrl-C: undo, then let it end the program as it would
        _undo(driver, database)
        raise
    return summary


def _undo(driver: Driver, database: str) -> str:
    """Delete what the failed first load wrote; say whether the database is empty again."""
    try:
        with driver.session(database=database) as session:
            session.run(writes.CLEAR_LOADED).consume()
            session.run(loadstate.UNDONE).consume()
        left = loaded_count(driver, database)
    except Exception as exc:  # the database is gone too: the next load finishes this one
        return (f"removing what it had written failed as well ({reason(exc)}): the database "
                "holds part of the load, marked unfinished; once Neo4j answers, run `revgraph "
                "load` again and it finishes the load (writing what is missing)")
    if left:
        return (f"{left:,} of its nodes could not be removed: the load is marked unfinished; "
                "run `revgraph load` again and it finishes the load")
    return "everything it had written was removed: the database is empty again"
