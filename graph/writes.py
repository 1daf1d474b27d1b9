"""The loader's Cypher: every write, batched with UNWIND, one home per statement.

Names in braces are the model's (see graph/cypher.py).

A node is written without its ``loadHash``; the hash is set by the statement that writes its
outgoing relationships (``relate``), in the same transaction as them. So a node that carries a
hash carries every relationship the hash covers, whichever transaction a load was interrupted
in, and the next load rewrites any node without one (loaders/write.py).
"""

from __future__ import annotations

from graph.cypher import cypher, label_of
from schema.model import CITES_REL, LOAD_HASH, SOURCE, Kind

# What the graph holds now: each managed node's id, kind and load hash.
EXISTING = cypher("""
MATCH (n) WHERE n:{Entity} OR n:{Fact}
RETURN n.id AS id, {label} AS label, n.{Node.loadHash} AS hash
""", label=label_of("n"))


def delete(kind: Kind) -> str:
    return cypher(f"UNWIND $rows AS id MATCH (n:{{{kind.name}}} {{id: id}}) DETACH DELETE n")


def upsert(kind: Kind) -> str:
    """Write nodes of ``kind`` whole: their properties (no hash), their labels (the shared
    one, and those a true flag adds), and no outgoing relationships (``relate`` writes them
    and the hash)."""
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


def rel_groups(kind: Kind) -> list[tuple[str, str]]:
    """The (relationship type, target label) pairs a node of ``kind`` may have outgoing: a
    relationship field's type with each of its targets, and the citations."""
    groups = [(f.rel, target) for f in kind.refs for target in f.targets if f.rel is not None]
    return [*dict.fromkeys(groups), (CITES_REL, SOURCE.name)]


def relate(kind: Kind) -> str:
    """Every outgoing relationship of nodes of ``kind`` given by id, and then their hash, in one
    statement: a row is ``{id, hash, rels}`` where ``rels[i]`` lists the ``{to, props}`` of the
    i-th pair of ``rel_groups(kind)`` (each target found by its label's id index)."""
    parts = "\n".join(
        f"CALL (a, row) {{ UNWIND row.rels[{i}] AS r MATCH (b:{target} {{id: r.to}}) "
        f"CREATE (a)-[x:{rel_type}]->(b) SET x = r.props }}"
        for i, (rel_type, target) in enumerate(rel_groups(kind)))
    return cypher(f"UNWIND $rows AS row MATCH (a:{{{kind.name}}} {{id: row.id}})\n{parts}\n"
                  f"SET a.{LOAD_HASH} = row.hash")


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
