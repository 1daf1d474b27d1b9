"""The data version: one short digest of everything a load writes, the same for the same data
files wherever they are loaded.

Every node the loader writes carries ``loadHash``, a digest of its labels, properties and
outgoing relationships (loaders/write.py), and every passage of a document one of its text and
mentions (loaders/documents/plan.py). The data version digests the pairs (id, loadHash) of all
of them, in no particular order: each pair's own digest is summed, so that the bulk path can
add nodes as it writes them, without holding them all. The loader stamps it on the graph
(graph/version.py); a release states it in its manifest (cli/release.py); the API states it in
every answer. docs/releases.md says how the three relate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

MODULUS = 1 << 128
LENGTH = 12  # hex digits: short enough to cite, and 48 bits tell datasets apart


class DataDigest:
    """The digest of a set of (id, loadHash) pairs, in any order."""

    def __init__(self) -> None:
        self.total = 0
        self.count = 0

    def add(self, node_id: str, load_hash: str) -> None:
        pair = hashlib.sha256(f"{node_id}\0{load_hash}".encode()).digest()
        self.total = (self.total + int.from_bytes(pair[:16], "big")) % MODULUS
        self.count += 1

    def add_all(self, pairs: Iterable[tuple[str, str]]) -> DataDigest:
        for node_id, load_hash in pairs:
            self.add(node_id, load_hash)
        return self

    @property
    def version(self) -> str:
        summary = f"{self.total:032x}:{self.count}".encode()
        return hashlib.sha256(summary).hexdigest()[:LENGTH]

