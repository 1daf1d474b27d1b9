"""The Cypher of the linked-data side: a node as its page, its JSON-LD and a release's dump read
it, and what the reconciliation service reads besides the search (graph/queries.py SEARCH).

A node's *view* is what it says itself: its stored properties (api/linked/views.py drops the
loader's bookkeeping, ``loadHash`` and ``searchText``), its label, the nodes its relationships
point at (``out``: type, position, and the target's id, name and label) and its citations,
with the quotation's place in a document when the loader found it. An entity's page is its
view, the views of the nodes that point at it (the facts about it and the entities linked to
it), and the passages that mention it. The dump is the view of every node. Everything is read
by id through the Entity and Fact id constraints.
"""

from __future__ import annotations

from typing import Any

from graph import time
from graph.cypher import cypher
from graph.exports import LABELS, WALK_RELS
from schema.model import COMPOSITION

# Incoming relationships a page lists at most (a source cited by hundreds of facts, a country
# containing every province), and passages that mention it: the page says how many there are.
MAX_INCOMING = 1000
MAX_MENTIONS = 20

_LABEL = "[l IN labels({v}) WHERE l IN $labels][0]"


def view(v: str) -> str:
    """A map expression: the view of node ``v`` (needs ``$labels`` and ``$rels``). Its
    subqueries' variables are named after ``v``, so that a view inside another subquery
    never reuses the outer one's."""
    r, m, c, s = (f"{x}_{v}" for x in "rmcs")
    label = _LABEL.format(v=v)
    target = _LABEL.format(v=m)
    return cypher(f"""{{props: {v} {{.*}}, label: {label},
  out: COLLECT {{
    MATCH ({v})-[{r}]->({m}) WHERE type({r}) IN $rels
    RETURN {{rel: type({r}), position: {r}.{{Rel.position}}, id: {m}.id,
            name: coalesce({m}.{{Place.name}}, {m}.{{Source.title}}), label: {target}}}
    ORDER BY type({r}), {r}.{{Rel.position}} }},
  citations: COLLECT {{
    MATCH ({v})-[{c}:{{Cites}}]->({s}:{{Source}})
    RETURN {{source: {s}.id, name: coalesce({s}.{{Source.name}}, {s}.{{Source.title}}),
            url: {s}.{{Source.url}}, year: {s}.{{Source.year}}, quote: {c}.{{Cites.quote}},
            locator: {c}.{{Cites.locator}}, spanDocument: {c}.{{Cites.spanDocument}},
            spanStart: {c}.{{Cites.spanStart}}, spanEnd: {c}.{{Cites.spanEnd}}}}
    ORDER BY {c}.{{Rel.position}} }}}}""")


_BY_ID = cypher("""UNWIND $ids AS key
OPTIONAL MATCH (e:{Entity} {id: key})
OPTIONAL MATCH (f:{Fact} {id: key})
WITH key, coalesce(e, f) AS n WHERE n IS NOT NULL""")

# The views of the nodes of $ids (the release's dump reads the graph this way, a batch at a time).
VIEWS = f"""{_BY_ID}
RETURN key, {view('n')} AS node"""

# What points at a node (citations of a source included), by id and relationship, and the
# passages that mention it, with the counts; the page then reads the views of the node and of
# these (VIEWS). Two simple queries plan in a fraction of the time that one nested query took
# (several seconds on a cold server).
AROUND = cypher(f"""{_BY_ID}
RETURN key,
  COLLECT {{
    MATCH (n)<-[r]-(x) WHERE type(r) IN $rels + ['{{Cites}}'] AND (x:{{Entity}} OR x:{{Fact}})
    WITH r, x ORDER BY x.id LIMIT $maxIncoming
    RETURN {{rel: type(r), id: x.id}} }} AS incoming,
  COUNT {{ (n)<-[r]-(x) WHERE type(r) IN $rels + ['{{Cites}}'] AND (x:{{Entity}} OR x:{{Fact}}) }}
    AS incomingTotal,
  COLLECT {{
    MATCH (n)<-[m:{{Mentions}}]-(p:{{Passage}})-[:{{InDocument}}]->(d:{{Document}})
    WITH m, p, d ORDER BY p.document, m.start LIMIT $maxMentions
    RETURN {{document: d.id, title: d.{{Document.title}}, license: d.{{Document.license}},
            passage: p.id, passageStart: p.textStart, text: p.text, start: m.start,
            end: m.end, mention: m.text}} }} AS mentions,
  COUNT {{ (n)<-[:{{Mentions}}]-(:{{Passage}}) }} AS mentionsTotal""")


def around_params(node_id: str) -> dict[str, Any]:
    return {"ids": [node_id], "rels": WALK_RELS, "maxIncoming": MAX_INCOMING,
            "maxMentions": MAX_MENTIONS}


def view_params() -> dict[str, Any]:
    return {"labels": LABELS, "rels": WALK_RELS}


# Every entity's and fact's id, in order: the dump reads their views in batches of these.
ALL_IDS = cypher("""MATCH (n) WHERE n:{Entity} OR n:{Fact}
RETURN n.id AS id ORDER BY id""")

# -- reconciliation ---------------------------------------------------------------------------

# What a candidate's properties are checked against (api/reconcile/match.py): its stored
# properties, the entities it points at with every place they lie in (a place's province and
# country, a soviet's town), and the parties its person had roles in, with their dates.
CANDIDATES = cypher("""UNWIND $ids AS key
MATCH (n:{Entity} {id: key})
RETURN key, n {.*} AS props,
  COLLECT {
    MATCH (n)-[r]->(m:{Entity}) WHERE type(r) IN $rels
    RETURN {rel: type(r), id: m.id, text: m.{Entity.searchText},
            within: [(m)-[:{Place.in}*1..12]->(a) | {id: a.id, text: a.{Entity.searchText}}]}
  } AS refs,
  COLLECT {
    MATCH (n)<-[:{Role.person}]-(role:{Role})-[:{Role.organization}]->(p:{Party})
    RETURN {id: p.id, text: p.{Entity.searchText}, role: role {.*}}
  } AS parties""")

# A body's party composition as last stated on or before $on (null: the latest of all): each
# party's share at the latest date the sources give one, with its citations.
COMPOSITION_ON = cypher(f"""UNWIND $ids AS key
MATCH (:{{Entity}} {{id: key}})<-[:{{Composition.body}}]-(c:{{Composition}})
WHERE {time.within('c', COMPOSITION, 'null', '$on')}
WITH key, max(c.{{Composition.date}}) AS latest
MATCH (:{{Entity}} {{id: key}})<-[:{{Composition.body}}]-(c:{{Composition}})
      -[:{{Composition.party}}]->(p:{{Party}})
WHERE c.{{Composition.date}} = latest
WITH key, c, p ORDER BY c.{{Composition.majority}} DESC, c.{{Composition.share}} DESC,
     c.{{Composition.seats}} DESC, p.{{Party.name}}
RETURN key, collect({{fact: c {{.*}}, party: p {{.id, .{{Party.name}}}}}}) AS shares""")
