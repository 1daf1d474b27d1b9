"""The graph as Cytoscape.js JSON: ``{"elements": {"nodes": [...], "edges": [...]}}``, each
element with ``data`` (flat, the same columns as the CSV tables) and ``classes`` (its type, e.g.
``Place``, and its kind, e.g. ``city``; for edges the relationship type), ready for ``cytoscape({elements})``
or ``cy.json()``."""

from __future__ import annotations

from typing import Any

import orjson

from api.exports import records


class CytoscapeJSON:
    media_type = "application/json"
    sections: tuple[str, ...] = ("nodes", "edges")

    def __init__(self) -> None:
        self.first = True

    def head(self, provenance: dict[str, Any]) -> bytes:
        return (b'{"format_version":"1.0","generated_by":' + orjson.dumps(provenance["generator"])
                + b',"data":' + orjson.dumps(provenance) + b',"elements":{')

    def begin(self, section: str) -> bytes:
        self.first = True
        return b'"nodes":[' if section == "nodes" else b',"edges":['

    def row(self, section: str, row: dict[str, Any]) -> bytes:
        if section == "nodes":
            data = records.node(row)
            classes = [data["type"]] + ([str(data["kind"])] if data.get("kind") else [])
        else:
            data = records.edge(row)
            classes = [data["type"]]
        sep = b"" if self.first else b","
        self.first = False
        return sep + orjson.dumps({"data": data, "classes": " ".join(classes)})

    def end(self, section: str) -> bytes:
        return b"]"

    def tail(self) -> bytes:
        return b"}}\n"
