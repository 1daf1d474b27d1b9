"""The bulk path: a first load into an empty database, in many transactions of a measured size.

The incremental path (``loaders/write.py``) compares hashes and writes the changes in ONE
transaction: right for changes, but a first load of a large dataset would hold all of it in the
server's heap at once. When the database holds nothing the loader manages, there is nothing to
compare and nothing to keep: the nodes are CREATEd (no MERGE) and then the relationships,
``batch`` rows per transaction, the rows built a batch at a time from the checked records.

All or nothing from the user's point of view: if any step fails (the database refusing a
value, the connection dropping, Ctrl-C), what was written is deleted again, so the database is
empty as before, and the error says what failed and that nothing was kept. The graph's version
is stamped last, so readers that go by it (the API's response cache) see the load only once it
is whole. (A reader that queries while the first load runs may see part of it.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from neo4j import Driver, ManagedTransaction

from graph import version, writes
from graph.documents import write_passages
from loaders.dataversion import DataDigest
from loaders.documents.plan import plan_passages
from loaders.validate import Dataset
from loaders.write import Summary, labels_by_id, node_write, relationships_of
from schema.model import FIGHTING_MONTH_LABEL, KIND_BY_LABEL

# Rows per transaction, measured with scripts/bench_loader.py --batches at scale 10 (1,000,
# 2,000, 5,000, 10,000, 20,000 and 50,000 rows): 1,000 was the slowest, and from 2,000 up the
# rates were within the noise of a shared machine, while a transaction's state in the server's
# heap grows with its size. At scale 100 (380k relationships) 5,000 loads in a 2 GB heap where
# the one-transaction path runs out of transaction memory.
BULK_BATCH = 5000

Progress = Callable[[str, int], None]


class BulkLoadFailed(RuntimeError):
    """A first load failed; what it had written is removed again (or, if even that failed,
    the message says so and what to do)."""


def loaded_count(driver: Driver, database: str) -> int:
    """How many nodes the loader manages in the database (0: a first load)."""
    records, _, _ = driver.execute_query(writes.COUNT_LOADED, database_=database)
    return int(records[0]["n"])


Batch = tuple[str, str, str, list[dict[str, Any]]]  # (stage, what, cypher, rows)


def batches(dataset: Dataset, size: int = BULK_BATCH,
            digest: DataDigest | None = None) -> Iterator[Batch]:
    """Every node, then every relationship, then the fighting by month (loaders/fighting.py),
    as UNWIND batches of at most ``size`` rows, each built when it is written; each node is
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
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for r in dataset.records:
        for rel_type, target_label, target, props in relationships_of(r, label_of, dataset.spans):
            key3 = (r.kind.name, rel_type, target_label)
            rels[key3].append({"from": r.id, "to": target, "props": props})
            if len(rels[key3]) >= size:
                yield "relationships", rel_type, writes.relate(*key3), rels.pop(key3)
    for key3, rows in rels.items():
        yield "relationships", key3[1], writes.relate(*key3), rows
    months = dataset.fighting_months
    for i in range(0, len(months), size):
        yield "derived", FIGHTING_MONTH_LABEL, writes.CREATE_FIGHTING_MONTHS, months[i:i + size]


def _run(tx: ManagedTransaction, cypher: str, rows: list[dict[str, Any]]) -> None:
    tx.run(cypher, rows=rows).consume()


def _passages_and_stamp(tx: ManagedTransaction, passages: list[Any], summary: Summary) -> None:
    write_passages(tx, passages, summary)
    tx.run(version.STAMP, dataVersion=summary.data_version).consume()


def load_bulk(driver: Driver, database: str, dataset: Dataset, progress: Progress,
              size: int = BULK_BATCH) -> Summary:
    """Write the dataset into a database that holds none of the loader's nodes."""
    summary = Summary()
    passages = plan_passages(dataset)  # documents: read and linked before anything is written
    digest = DataDigest().add_all((p.id, p.hash) for p in passages)
    done = 0
    where = "before the first batch"
    try:
        with driver.session(database=database) as session:
            for stage, what, cypher, rows in batches(dataset, size, digest):
                where = f"in a batch of {len(rows):,} {stage} ({what}) after {done:,} rows"
                session.execute_write(_run, cypher, rows)
                done += len(rows)
                if stage == "nodes":
                    summary.created[what] += len(rows)
                elif stage == "derived":
                    summary.derived += len(rows)
                progress(stage, len(rows))
            where = "writing the documents' passages"
            summary.data_version = digest.version
            session.execute_write(_passages_and_stamp, passages, summary)
    except Exception as exc:
        raise BulkLoadFailed(f"the first load failed {where}: {_reason(exc)}; "
                             f"{_undo(driver, database)}") from exc
    except BaseException:  # Ctrl-C: undo, then let it end the program as it would
        _undo(driver, database)
        raise
    return summary


def _reason(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    code = getattr(exc, "code", None)
    return f"{code}: {message}" if code else message


def _undo(driver: Driver, database: str) -> str:
    """Delete what the failed first load wrote; say whether the database is empty again."""
    try:
        with driver.session(database=database) as session:
            session.run(writes.CLEAR_LOADED).consume()
        left = loaded_count(driver, database)
    except Exception as exc:  # the database is gone too: say what to do
        return (f"removing what it had written failed as well ({_reason(exc)}): the database "
                "holds part of the load; empty it (revgraph cypher --write \"MATCH (n) "
                "DETACH DELETE n\") and load again")
    if left:
        return f"{left:,} of its nodes could not be removed: empty the database and load again"
    return "everything it had written was removed: the database is empty again"
