"""The graph's version: a token the loader stamps, in its own transaction, on every load that
changes something, so that readers (the API's response cache) can tell the graph changed; and
beside it the data version, which says what the graph holds.

One node, ``(:GraphVersion {id: 'graph'})``, outside the model (neither Entity nor Fact): its
``version`` is a fresh random token on each stamp (never a counter, which a wiped and reloaded
graph would repeat), ``stampedAt`` when. Writes made outside the loader (``revgraph cypher
--write``) do not stamp it.

``dataVersion`` is a digest of the content the loader wrote (loaders/dataversion.py): the same
data files give the same data version wherever and whenever they are loaded, so an answer that
states it can be traced to the files, and to the release that bundles them (docs/releases.md).
"""

from __future__ import annotations

from schema.model import GRAPH_VERSION_LABEL as LABEL

STAMP = f"""
MERGE (v:{LABEL} {{id: 'graph'}})
SET v.version = randomUUID(), v.stampedAt = datetime(), v.dataVersion = $dataVersion
"""

READ = (f"OPTIONAL MATCH (v:{LABEL} {{id: 'graph'}}) "
        "RETURN v.version AS version, v.dataVersion AS dataVersion")
