"""What the graph should hold for a dataset's documents: their passages and mentions.

Pure Python, computed before the load's transaction opens (graph/documents.py writes it).
Each passage carries ``loadHash``, a digest of its document, offsets, text and mentions (the
entities' labels included): a second load of the same files finds every hash equal and
writes nothing; a changed text, or a changed name or alias that links differently, rewrites
just the passages concerned.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from loaders.documents.link import Linker


@dataclass
class PassageWrite:
    id: str
    props: dict[str, Any]  # id, document, index, start, end, text, loadHash
    mentions: list[dict[str, Any]] = field(default_factory=list)  # entity, props

    @property
    def hash(self) -> str:
        return str(self.props["loadHash"])


def plan_passages(dataset: Any) -> list[PassageWrite]:
    if not dataset.texts:
        return []
    linker = Linker.from_records(dataset.records)
    out: list[PassageWrite] = []
    for doc_id, text in sorted(dataset.texts.items()):
        mentions = linker.link(text.text, [(p.start, p.end) for p in text.passages])
        k = 0
        for p in text.passages:
            inside = []
            while k < len(mentions) and mentions[k].start < p.end:
                m = mentions[k]
                inside.append({"entity": m.entity, "label": m.label, "props": {
                    "start": m.start, "end": m.end, "text": m.text, "method": m.method,
                    "score": round(m.score, 4)}})
                k += 1
            props: dict[str, Any] = {"id": f"{doc_id}/p{p.index}", "document": doc_id,
                                     "index": p.index, "textStart": p.start, "textEnd": p.end,
                                     "text": text.passage_text(p)}
            digest = json.dumps([props, inside], sort_keys=True)
            props["loadHash"] = hashlib.sha256(digest.encode()).hexdigest()[:32]
            out.append(PassageWrite(props["id"], props, inside))
    return out
