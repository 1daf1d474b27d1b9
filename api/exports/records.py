"""The graph exports' rows, flattened once for every format: one dict of scalars per node and
per relationship, with each date in both calendars and the citations as JSON text.

The columns are declared from the model (schema/model.py), so GraphML and GEXF can declare
their attribute keys before the first node and CSV can write its header first.
"""

from __future__ import annotations

from typing import Any

import orjson

from api.exports.dates import FLAT_COLUMNS, flat_all, participation, spell
from graph.exports import ALL_PROPS, DATE_PREFIXES, date_props
from schema.model import KINDS

_DATE_STORED = {p for d in DATE_PREFIXES for p in date_props(d)}
_TYPES = {"int": "int", "float": "double", "bool": "boolean"}


def _prop_types() -> dict[str, str]:
    types: dict[str, str] = {}
    for kind in KINDS:
        for f in kind.props:
            t = "string" if f.type == "date" else _TYPES.get(f.type, "string")
            if types.setdefault(f.prop, t) != t:
                types[f.prop] = "string"  # two kinds disagree: a string holds both
    return types


PROP_TYPES = _prop_types()
PLAIN_PROPS = [p for p in ALL_PROPS if p not in _DATE_STORED and p != "id"]
# The columns every node has, whatever its kind.
OWN_NODE_COLUMNS = ("id", "type", "label")


def _column(prop: str) -> str:
    """A property's column: its own name, unless that is one of OWN_NODE_COLUMNS (a figure's
    ``label`` beside every node's display label): then named after the kinds that declare it
    (``figureLabel``), so that no two columns share a name."""
    if prop not in OWN_NODE_COLUMNS:
        return prop
    kinds = "".join(k.name for k in KINDS if any(f.prop == prop for f in k.props))
    return kinds[0].lower() + kinds[1:] + prop[0].upper() + prop[1:]


PROP_COLUMNS = {p: _column(p) for p in PLAIN_PROPS}
# A node's columns: its id, its type (the model's kind: Place, Control...), a display label,
# its properties (``kind`` is the property: city, battle...), its dates in both calendars, its citations.
NODE_COLUMNS: list[tuple[str, str]] = (
    [(c, "string") for c in OWN_NODE_COLUMNS]
    + [(PROP_COLUMNS[p], PROP_TYPES.get(p, "string")) for p in PLAIN_PROPS]
    + [(c, "string") for c in FLAT_COLUMNS]
    + [("citations", "string")]
)
# A relationship's: its ends, type, order, a citation's quote and locator, and the dates of
# the fact or event it belongs to.
EDGE_COLUMNS: list[tuple[str, str]] = (
    [("id", "string"), ("source", "string"), ("target", "string"), ("type", "string"),
     ("position", "int"), ("quote", "string"), ("locator", "string")]
    + [(c, "string") for c in FLAT_COLUMNS]
)


def node(row: dict[str, Any]) -> dict[str, Any]:
    props = row["props"]
    out: dict[str, Any] = {"id": props["id"], "type": row["label"],
                           "label": props.get("name") or props.get("title") or props["id"]}
    for p, column in PROP_COLUMNS.items():
        v = props.get(p)
        if v is not None:
            out[column] = " | ".join(v) if isinstance(v, list) else v
    out |= flat_all(props)
    if row["citations"]:
        out["citations"] = orjson.dumps(
            [{k: v for k, v in c.items() if v is not None} for c in row["citations"]]).decode()
    return out


def node_spell(row: dict[str, Any]) -> tuple[str | None, str | None] | None:
    """A dated node's own days; an undated one's, the span it takes part in the graph's facts
    (when the row carries it: ``during``)."""
    own = spell(row["label"], row["props"])
    return own if own is not None else participation(row.get("during"))


def edge(row: dict[str, Any]) -> dict[str, Any]:
    position = row["position"] if row["position"] is not None else 0
    out: dict[str, Any] = {
        "id": f"{row['source']}|{row['type']}|{row['target']}|{position}",
        "source": row["source"], "target": row["target"], "type": row["type"],
        "position": position,
    }
    if row["quote"] is not None:
        out["quote"] = row["quote"]
    if row["locator"] is not None:
        out["locator"] = row["locator"]
    out |= flat_all(row["dates"])
    return out


def edge_spell(row: dict[str, Any]) -> tuple[str | None, str | None] | None:
    return spell(row["datedLabel"], row["dates"])
