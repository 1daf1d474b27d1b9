"""The loader's Cypher: every write, batched with UNWIND, one home per statement.

Names in braces are the model's (see graph/cypher.py).
"""

from __future__ import annotations

from graph.cypher import cypher, label_of
from schema.model import Kind

# What the graph holds now: each managed node's id, kind and load hash.
EXISTING = cypher("""
MATCH (n) WHERE n:{Entity} OR n:{Fact}
RETURN n.id AS id, {label} AS label, n.{Node.loadHash} AS hash
""", label=label_of("n"))


def delete(kind: Kind) -> str:
    return cypher(f"UNWIND $ids AS id MATCH (n:{{{kind.name}}} {{id: id}}) DETACH DELETE n")


def upsert(kind: Kind) -> str:
    """Write nodes of ``kind`` whole: their properties, their labels (the shared one, and
    those a true flag adds), and no outgoing relationships (written next)."""
    flags = "".join(
        f" REMOVE n:{f.label_if_true} FOREACH (_ IN CASE WHEN '{f.label_if_true}' IN row.extra "
        f"THEN [1] ELSE [] END | SET n:{f.label_if_true})"
        for f in kind.fields if f.label_if_true
    )
    return cypher(
        f"UNWIND $rows AS row MERGE (n:{{{kind.name}}} {{id: row.id}}) "
        f"SET n = row.props, n:{kind.labels[1]}{flags} "
        "WITH n OPTIONAL MATCH (n)-[r]->() DELETE r"
    )


def relate(start: str, rel_type: str, end: str) -> str:
    """Relationships ``(start)-[rel_type]->(end)`` between nodes given by id, with props."""
    return (
        f"UNWIND $rows AS row MATCH (a:{start} {{id: row.from}}) "
        f"MATCH (b:{end} {{id: row.to}}) "
        f"CREATE (a)-[r:{rel_type}]->(b) SET r = row.props"
    )


# -- the bulk path: a first load into an empty database -------------------------------------

# How many nodes the loader manages: counted from the count store, whatever the graph's size.
COUNT_LOADED = cypher("""
CALL { MATCH (n:{Entity}) RETURN count(n) AS entities }
CALL { MATCH (n:{Fact}) RETURN count(n) AS facts }
CALL { MATCH (n:{Passage}) RETURN count(n) AS passages }
RETURN entities + facts + passages AS n
""")

# Empties the database of what a first load wrote, 5,000 nodes per transaction (run in an
# auto-commit transaction: the heap never holds the whole deletion).
CLEAR_LOADED = cypher("""
MATCH (n) WHERE n:{Entity} OR n:{Fact} OR n:{Passage} OR n:{FightingMonth}
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS
""")


def create(kind: Kind, extra: tuple[str, ...] = ()) -> str:
    """New nodes of ``kind`` (no MERGE: the database held none), with the labels its true flags
    add (``extra``, each a ``label_if_true`` of the kind)."""
    flags = {f.label_if_true for f in kind.fields if f.label_if_true}
    unknown = set(extra) - flags
    if unknown:
        raise ValueError(f"{sorted(unknown)} are not flag labels of {kind.name}")
    labels = "".join(f":{{{label}}}" for label in (kind.name, *extra))
    return cypher(f"UNWIND $rows AS row CREATE (n{labels}:{kind.labels[1]}) SET n = row.props")


# -- fighting by month, derived from the events (loaders/fighting.py) --------------------------

FIGHTING_MONTHS = cypher("MATCH (f:{FightingMonth}) RETURN f {.*} AS props")
DELETE_FIGHTING_MONTHS = cypher(
    "UNWIND $ids AS id MATCH (f:{FightingMonth} {id: id}) DELETE f")
# New ones and changed ones alike (a place renamed, an event's dates changed).
WRITE_FIGHTING_MONTHS = cypher(
    "UNWIND $rows AS row MERGE (f:{FightingMonth} {id: row.id}) SET f = row")
CREATE_FIGHTING_MONTHS = cypher("UNWIND $rows AS row CREATE (f:{FightingMonth}) SET f = row")
