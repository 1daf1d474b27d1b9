"""Constraints and indexes, derived from the model in ``schema/``, applied idempotently."""

from __future__ import annotations

from neo4j import Driver

from graph.documents import STATEMENTS as DOCUMENT_STATEMENTS
from graph.queries import sort_keys
from schema.dates import graph_props
from schema.model import (
    ENTITY_KINDS,
    ENTITY_LABEL,
    FACT_LABEL,
    FIGHTING_MONTH_LABEL,
    FIGHTING_MONTH_ORDER,
    KINDS,
    SEARCH_INDEX,
    SEARCH_TEXT,
    Kind,
)


def indexed_props(kind: Kind) -> list[str]:
    """The properties of ``kind`` with a range index: the fields the model marks ``index`` (a
    date with its last day, for ranges) and every property its API list sorts by (a keyset page
    seeks the sort key; the id has its constraint's index)."""
    props: list[str] = []
    for f in kind.props:
        if f.index:
            props += [f.prop] if f.type != "date" else [f.prop, graph_props(f.prop)["latest"]]
    props += [p for p in sort_keys(kind).values() if p != "id"]
    return list(dict.fromkeys(props))


def statements() -> list[str]:
    """Every constraint and index the model needs, as idempotent Cypher."""
    out = [
        f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        for label in (ENTITY_LABEL, FACT_LABEL)
    ]
    for kind in KINDS:
        label = kind.name
        out.append(
            f"CREATE CONSTRAINT {label.lower()}_id IF NOT EXISTS "
            f"FOR (n:{label}) REQUIRE n.id IS UNIQUE"
        )
        for prop in indexed_props(kind):
            out.append(
                f"CREATE INDEX {label.lower()}_{prop.lower()} IF NOT EXISTS "
                f"FOR (n:{label}) ON (n.{prop})"
            )
    labels = "|".join(k.name for k in ENTITY_KINDS)
    out.append(
        f"CREATE FULLTEXT INDEX {SEARCH_INDEX} IF NOT EXISTS FOR (n:{labels}) "
        f"ON EACH [n.name, n.{SEARCH_TEXT}]"
    )
    # Fighting by month: its id for the loader's changes, and (month, name, place) for a page
    # read in name order month by month (loaders/fighting.py).
    fm = FIGHTING_MONTH_LABEL
    out.append(f"CREATE CONSTRAINT {fm.lower()}_id IF NOT EXISTS FOR (f:{fm}) REQUIRE f.id IS UNIQUE")
    out.append(f"CREATE INDEX {fm.lower()}_month_name IF NOT EXISTS FOR (f:{fm}) "
               f"ON ({', '.join(f'f.{p}' for p in FIGHTING_MONTH_ORDER)})")
    out += DOCUMENT_STATEMENTS  # passages: their ids and a full-text index of their text
    return out


def migrate(driver: Driver, database: str) -> int:
    """Apply every statement (each is a no-op when already applied); wait for the indexes."""
    with driver.session(database=database) as session:
        for cypher in statements():
            session.run(cypher).consume()
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(statements())
