"""The GraphQL type of each kind, by label, and ``wrap``: a node as the object of its kind's
type. The generated types register themselves here when api/graphql/generated.py is imported
(api/app.py imports it before serving), so that the modules below it (resolvers, documents,
the shared types) can make objects of them without importing it: no import circle.
"""

from __future__ import annotations

from typing import Any

from api.graphql.context import NodeData

TYPES: dict[str, Any] = {}  # label -> the generated strawberry class


def register(types: dict[str, Any]) -> None:
    TYPES.update(types)


def wrap(node: NodeData | None) -> Any:
    """The GraphQL object for a node, of its kind's type."""
    if node is None:
        return None
    return TYPES[node.label]._make(node)
