"""What the graph holds for each record: its node, its outgoing relationships and the hash
that covers them (loaders/write.py says how a load uses the hash), and the summary of a load.
Both load paths build on it: the incremental one (loaders/write.py) and the bulk one
(loaders/bulk.py)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from unidecode import unidecode

from graph import writes
from loaders.check import CITATION_TEXTS, Record, record_props
from loaders.validate import Dataset
from schema.model import (
    CITES_REL,
    KIND_BY_LABEL,
    POSITION,
    SEARCH_TEXT,
    SOURCE,
    SPAN_PROPS,
)

# The digest's own version: a hash written by a loader that wrote it before the relationships
# proves nothing of them, so such hashes never match and their nodes are written once again.
HASH_SCHEME = 2

Progress = Callable[[str, int], None]  # (stage, rows done): the CLI's progress bars
Rel = tuple[str, str, str, dict[str, Any]]  # (type, target label, target id, props)




class LoadFailed(RuntimeError):
    """A load failed after writing part of a change; the message says what the graph holds
    and what to do."""


@dataclass
class NodeWrite:
    label: str
    id: str
    extra_labels: list[str]
    props: dict[str, Any]  # without the hash, which ``relate`` sets with the relationships
    rels: list[Rel]
    hash: str = ""


@dataclass
class Summary:
    created: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    deleted: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    unchanged: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    derived: int = 0  # FightingMonth nodes written or deleted (loaders/fighting.py)
    repaired: bool = False  # the last load had not finished: this one finished it
    batched: bool = False  # written in many transactions (a large change, or a repair)
    data_version: str = ""  # what the graph holds after the load (loaders/dataversion.py)

    @property
    def changed(self) -> bool:
        return any(self.created.values()) or any(self.updated.values()) or any(
            self.deleted.values()) or self.derived > 0


def search_text(name: str, aliases: list[str]) -> str:
    """Name and aliases, folded to lowercase ASCII, for the full-text index."""
    return " | ".join(dict.fromkeys(unidecode(s).lower() for s in [name, *aliases]))


def plan(dataset: Dataset) -> dict[str, NodeWrite]:
    """What the graph should hold: one NodeWrite per record, with its hash."""
    label_of = labels_by_id(dataset)
    return {r.id: node_write(r, label_of, dataset.spans) for r in dataset.records}


def labels_by_id(dataset: Dataset) -> dict[str, str]:
    return {r.id: r.kind.name for r in dataset.records}


def node_write(r: Record, label_of: dict[str, str], spans: dict[tuple[str, int], Any]) -> NodeWrite:
    """What the graph holds for one record: its node, its outgoing relationships, its hash."""
    props = record_props(r)
    if r.kind.category == "entity":
        props[SEARCH_TEXT] = search_text(props["name"], props.get("aliases", []))
    rels = relationships_of(r, label_of, spans)
    extra = [f.label_if_true for f in r.kind.fields if f.label_if_true and props.get(f.prop)]
    node = NodeWrite(r.kind.name, r.id, extra, props, rels)
    node.hash = _digest(node)
    return node


def relationships_of(r: Record, label_of: dict[str, str],
                     spans: dict[tuple[str, int], Any]) -> list[Rel]:
    """A record's outgoing relationships: (type, target label, target id, properties)."""
    rels: list[Rel] = []
    for f in r.kind.refs:
        for i, target in enumerate(r.refs.get(f.name, [])):
            assert f.rel is not None
            rels.append((f.rel, label_of[target], target, {POSITION: i}))
    for i, c in enumerate(r.citations):
        cprops: dict[str, Any] = {POSITION: i}
        if (span := spans.get((r.id, i))) is not None:  # quoted from a document
            cprops.update(zip(SPAN_PROPS, (span.document, span.start, span.end), strict=True))
        cprops.update((k, v) for k in CITATION_TEXTS if (v := getattr(c, k)))
        rels.append((CITES_REL, SOURCE.name, c.source, cprops))
    return rels


def relate_row(node: NodeWrite) -> dict[str, Any]:
    """The row graph/writes.py ``relate`` takes for a node: its relationships grouped by
    (type, target label) in the statement's order, and its hash."""
    groups = _GROUPS.get(node.label)
    if groups is None:
        groups = _GROUPS[node.label] = {g: i for i, g in enumerate(
            writes.rel_groups(KIND_BY_LABEL[node.label]))}
    rels: list[list[dict[str, Any]]] = [[] for _ in groups]
    for rel_type, target_label, target, props in node.rels:
        rels[groups[(rel_type, target_label)]].append({"to": target, "props": props})
    return {"id": node.id, "hash": node.hash, "rels": rels}


_GROUPS: dict[str, dict[tuple[str, str], int]] = {}


def _digest(node: NodeWrite) -> str:
    def enc(v: Any) -> Any:
        return v.isoformat() if isinstance(v, date) else v

    payload = json.dumps(
        [HASH_SCHEME, node.label, node.extra_labels,
         sorted((k, enc(v)) for k, v in node.props.items()),
         sorted(json.dumps(r, sort_keys=True) for r in node.rels)],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def reason(exc: BaseException) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    code = getattr(exc, "code", None)
    return f"{code}: {message}" if code else message
