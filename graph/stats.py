"""How many items each walk of the model returns, read from the graph: the largest and the
typical (mean) number of neighbours a node has along each relationship field, each way, and of
citations. The API's cost estimate (api/graphql/limits.py) multiplies by these instead of
guessing, so a question that would return 81 x 81 x 81 places is refused before it runs. Read
when the API starts and again after each load (api/app.py), one query for the whole model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph.cypher import cypher
from schema.model import CITES_REL, KIND_BY_LABEL, KINDS


@dataclass(frozen=True)
class Walk:
    """A list field of the API: on nodes of ``label``, named ``field``."""

    label: str
    field: str
    match: str  # the Cypher pattern from ``(a)`` to its neighbours ``(b)``


def walks() -> list[Walk]:
    """Every list walk the model declares: a ``refs`` field forwards, every field backwards,
    and the citations of every kind."""
    out: list[Walk] = []
    for kind in KINDS:
        for f in kind.refs:
            if f.type == "refs":
                out.append(Walk(kind.name, f.camel, f"(a:{kind.name})-[:{f.rel}]->(b)"))
            if f.reverse:
                for target in f.targets:
                    if target in KIND_BY_LABEL:
                        out.append(Walk(target, f.reverse,
                                        f"(a:{target})<-[:{f.rel}]-(b:{kind.name})"))
        out.append(Walk(kind.name, "citations", f"(a:{kind.name})-[:{CITES_REL}]->(b)"))
    return out


def _query(items: list[Walk]) -> str:
    parts = [f"""CALL () {{
  MATCH {w.match} WITH a, count(b) AS n
  RETURN {i} AS walk, max(n) AS most, avg(n) AS typical
}}
RETURN walk, most, typical""" for i, w in enumerate(items)]
    return cypher("\nUNION ALL\n".join(parts))


WALKS = walks()
DEGREES = _query(WALKS)


@dataclass(frozen=True)
class Degree:
    most: int
    typical: float


def degrees(rows: list[dict[str, Any]]) -> dict[tuple[str, str], Degree]:
    """The rows of ``DEGREES`` by (label, field); a walk no node takes has none."""
    out: dict[tuple[str, str], Degree] = {}
    for row in rows:
        if row["most"] is None:
            continue
        w = WALKS[row["walk"]]
        out[(w.label, w.field)] = Degree(int(row["most"]), float(row["typical"] or 0))
    return out


def by_type(found: dict[tuple[str, str], Degree]) -> dict[tuple[str, str], int]:
    """The largest sizes keyed by GraphQL type name (a kind's ``gql``) and field."""
    return {(KIND_BY_LABEL[label].gql, name): d.most for (label, name), d in found.items()}

