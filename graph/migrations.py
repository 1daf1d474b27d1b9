"""Constraints and indexes, derived from the model in ``schema/``, applied idempotently."""

from __future__ import annotations

from neo4j import Driver

from graph.documents import STATEMENTS as DOCUMENT_STATEMENTS
from schema.model import ENTITY_KINDS, KINDS

SEARCH_INDEX = "entity_search"


def statements() -> list[str]:
    """Every constraint and index the model needs, as idempotent Cypher."""
    out = [
        "CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
        "CREATE CONSTRAINT fact_id IF NOT EXISTS FOR (n:Fact) REQUIRE n.id IS UNIQUE",
    ]
    for kind in KINDS:
        label = kind.name
        out.append(
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        )
        for f in kind.props:
            if not f.index:
                continue
            props = [f.prop] if f.type != "date" else [f.prop, f"{f.prop}Latest"]
            for prop in props:
                out.append(
                    f"CREATE INDEX {label.lower()}_{prop.lower()} IF NOT EXISTS "
                    f"FOR (n:{label}) ON (n.{prop})"
                )
    labels = "|".join(k.name for k in ENTITY_KINDS)
    out.append(
        f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{labels}) "
        "ON EACH [n.name, n.searchText]"
    )
    out += DOCUMENT_STATEMENTS  # passages: their ids and a full-text index of their text
    return out


def migrate(driver: Driver, database: str) -> int:
    """Apply every statement (each is a no-op when already applied); wait for the indexes."""
    with driver.session(database=database) as session:
        for cypher in statements():
            session.run(cypher).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(statements())
