"""The Cypher of documents: writing passages and mentions, and the reads the API needs.

Writes run inside the load's one transaction (loaders/write.py), UNWIND-batched, and touch
only the passages whose hash changed: (:Passage {id, document, index, textStart, textEnd,
text, loadHash})-[:IN_DOCUMENT]->(:Document) and (:Passage)-[:MENTIONS {start, end, text, method,
score}]->(entity), offsets into the document's own text. (A passage's offsets are
textStart/textEnd, not start/end: in this graph a node's start is a date.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from neo4j import ManagedTransaction

from schema.model import DOCUMENT, ENTITY_LABEL, IN_DOCUMENT_REL, MENTIONS_REL, PASSAGE_LABEL

BATCH = 500
PASSAGE_SEARCH_INDEX = "passage_text"

STATEMENTS = [
    f"CREATE CONSTRAINT passage_id IF NOT EXISTS FOR (n:{PASSAGE_LABEL}) REQUIRE n.id IS UNIQUE",
    f"CREATE INDEX passage_document IF NOT EXISTS FOR (n:{PASSAGE_LABEL}) ON (n.document)",
    f"CREATE FULLTEXT INDEX {PASSAGE_SEARCH_INDEX} IF NOT EXISTS FOR (n:{PASSAGE_LABEL}) "
    "ON EACH [n.text]",
]


def _chunks(rows: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def write_passages(tx: ManagedTransaction, passages: list[Any], summary: Any) -> None:
    """Bring the passages in line with ``passages`` (loaders/documents/plan.py)."""
    existing = {row["id"]: row["hash"] for row in tx.run(
        f"MATCH (p:{PASSAGE_LABEL}) RETURN p.id AS id, p.loadHash AS hash")}
    wanted = {p.id: p for p in passages}
    stale = [pid for pid, h in existing.items() if pid not in wanted or wanted[pid].hash != h]
    changed = [p for p in passages if existing.get(p.id) != p.hash]
    for p in passages:
        if p.id not in existing:
            summary.created[PASSAGE_LABEL] += 1
        elif existing[p.id] != p.hash:
            summary.updated[PASSAGE_LABEL] += 1
        else:
            summary.unchanged[PASSAGE_LABEL] += 1
    deleted = sum(1 for pid in existing if pid not in wanted)
    if deleted:
        summary.deleted[PASSAGE_LABEL] += deleted
    for chunk in _chunks(stale):
        tx.run(f"UNWIND $ids AS id MATCH (p:{PASSAGE_LABEL} {{id: id}}) DETACH DELETE p",
               ids=chunk).consume()
    for chunk in _chunks(changed):
        tx.run(f"UNWIND $rows AS row MATCH (d:{DOCUMENT.name} {{id: row.document}}) "
               f"CREATE (p:{PASSAGE_LABEL})-[:{IN_DOCUMENT_REL}]->(d) SET p = row",
               rows=[p.props for p in chunk]).consume()
    mentions = [{"passage": p.id, "entity": m["entity"], "props": m["props"]}
                for p in changed for m in p.mentions]
    for chunk in _chunks(mentions):
        tx.run(f"UNWIND $rows AS row MATCH (p:{PASSAGE_LABEL} {{id: row.passage}}) "
               f"MATCH (e:{ENTITY_LABEL} {{id: row.entity}}) "
               f"CREATE (p)-[m:{MENTIONS_REL}]->(e) SET m = row.props", rows=chunk).consume()


# -- reads for the API (parameterised; indexed lookups; projections of what is asked) --------

# Documents' passages in order, each with its mentions and the entities they name: a row a
# passage, not a document, since the driver decodes a row in one go without letting the event
# loop run (a long book's row held it for 0.2 s; api/graphql/turns.py).
DOCUMENT_PASSAGES = f"""
UNWIND $ids AS key
MATCH (d:{DOCUMENT.name} {{id: key}})<-[:{IN_DOCUMENT_REL}]-(p:{PASSAGE_LABEL})
CALL (p) {{
  OPTIONAL MATCH (p)-[m:{MENTIONS_REL}]->(e)
  WITH m, e ORDER BY m.start
  RETURN [x IN collect({{mention: m {{.*}}, entity: e {{.*}},
          label: [l IN labels(e) WHERE l IN $labels][0]}}) WHERE x.mention IS NOT NULL] AS mentions
}}
RETURN key, p {{.id, .index, start: p.textStart, end: p.textEnd, .text}} AS passage, mentions
ORDER BY key, passage.index
"""

# The passages that mention an entity, a page at a time (keyset on document and start).
ENTITY_MENTIONS = f"""
MATCH (e:{ENTITY_LABEL} {{id: $id}})<-[m:{MENTIONS_REL}]-(p:{PASSAGE_LABEL})
WITH p, m ORDER BY p.document, m.start
WITH collect({{passage: p {{.id, .document, .index, start: p.textStart, end: p.textEnd, .text}},
               mention: m {{.*}}}}) AS found
RETURN size(found) AS total, found[$skip..($skip + $limit)] AS page
"""

# Full-text search over the passages (Lucene syntax in $lucene).
SEARCH_PASSAGES = f"""
CALL db.index.fulltext.queryNodes('{PASSAGE_SEARCH_INDEX}', $lucene, {{limit: $limit}})
YIELD node, score
RETURN node {{.id, .document, .index, start: node.textStart, end: node.textEnd, .text}} AS passage,
       score
"""

# Citations' spans in context: for each {key, document, start, end} in $spans, the passages
# that overlap [start, end) of the document, in order.
SPANS_CONTEXT = f"""
UNWIND $spans AS s
MATCH (:{DOCUMENT.name} {{id: s.document}})<-[:{IN_DOCUMENT_REL}]-(p:{PASSAGE_LABEL})
WHERE p.textStart < s.end AND p.textEnd > s.start
WITH s, p ORDER BY p.textStart
RETURN s.key AS key, collect({{start: p.textStart, text: p.text}}) AS passages
"""
