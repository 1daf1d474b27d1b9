"""docs/model.md, written from the model (``revgraph model-docs``); a test keeps it current."""

from __future__ import annotations

from schema.model import (
    ALIGNMENT_DOCS,
    FIGHTING_MONTH_LABEL,
    FIGHTING_MONTH_ORDER,
    FIGHTING_MONTH_PROPS,
    FIGHTING_OPEN_START,
    GRAPH_VERSION_LABEL,
    KINDS,
    Field,
    Kind,
)
from schema.time import Shape

HEADER = """# The graph model, for Cypher users

*Generated from `schema/model.py` by `revgraph model-docs`; do not edit by hand.*

Every node has a stable `id`. Entities (places, parties, people, organisations, soviets,
events, sources) carry the label `Entity` besides their own, and `name`, `aliases` and
`searchText` (name and aliases folded to lowercase ASCII, for the full-text index
`entity_search`). Facts (control, composition, role, participation, figure, claim) carry the
label `Fact` besides their own, with `confidence` (`high`, `medium`, `low`) and `note`. A person
who wrote about these events also carries the label `Historian`. Every node the loader writes
has `loadHash`, a digest the loader uses to write only what changed.

**Dates.** A date field `start` is stored as four properties: `start` (a Neo4j `DATE`, the
Gregorian first day the date may be), `startLatest` (the last day it may be: it differs for
month and year precision, and for a date known only between two bounds), `startPrecision`
(`DAY`, `MONTH`, `YEAR`, or `RANGE` for bounds) and `startCalendar` (`JULIAN` or `GREGORIAN`,
as the source stated it). Compare dates with `date('1917-11-07')` (Gregorian). What a kind's
dates mean is the table "Time" below.

**Citations.** `(fact)-[:CITES {quote, locator, position}]->(:Source)`. Every fact and every
event has at least one.
"""

EXAMPLES = """
## Example queries

Who held Kursk on 1 December 1917 O.S. (= 14 December N.S.), according to whom:

```cypher
MATCH (p:Place {id: 'kursk'})<-[:OF_PLACE]-(c:Control)-[:BY]->(who)
WHERE c.start <= date('1917-12-14') AND (c.end IS NULL OR c.end > date('1917-12-14'))
MATCH (c)-[cite:CITES]->(s:Source)
RETURN who.name, c.alignment, c.start, c.disputed, s.title, cite.quote
```

The whole timeline of a city, oldest first:

```cypher
MATCH (:Place {id: 'kiev'})<-[:OF_PLACE]-(c:Control)-[:BY]->(who)
RETURN c.start, c.end, who.name, c.alignment, c.disputed, c.confidence
ORDER BY c.start
```

Which cities saw fighting between 25 October 1917 O.S. (7 November N.S.) and 31 March 1918 N.S.:

```cypher
MATCH (e:Event {fighting: true})-[:AT]->(p:Place)
WHERE e.start <= date('1918-03-31') AND coalesce(e.endLatest, e.startLatest) >= date('1917-11-07')
RETURN p.name, p.lat, p.lon, collect(e.name) AS fighting ORDER BY p.name
```

What Pipes and Trotsky each say about October:

```cypher
MATCH (:Event {id: 'october-revolution'})<-[:ABOUT]-(c:Claim)-[:BY]->(h:Historian)
WHERE h.id IN ['pipes', 'trotsky']
MATCH (c)-[cite:CITES]->(s:Source)
RETURN h.name, c.stance, c.summary, s.title, cite.quote
```

A soviet's party composition over time:

```cypher
MATCH (:Soviet {id: 'baku-soviet'})<-[:IN_BODY]-(x:Composition)-[:OF_PARTY]->(party)
RETURN x.date, party.name, x.majority, x.seats, x.ofTotal, x.description ORDER BY x.date
```

Search names and aliases, forgiving of spelling:

```cypher
CALL db.index.fulltext.queryNodes('entity_search', 'krasnoyask~2') YIELD node, score
RETURN node.id, node.name, labels(node), score LIMIT 5
```
"""


def _type(f: Field) -> str:
    if f.type == "date":
        return "date (4 properties, see above)"
    if f.type == "enum":
        return "one of " + ", ".join(f"`{c}`" for c in f.choices)
    return {"str": "string", "text": "string", "int": "integer", "float": "float",
            "bool": "boolean", "strs": "list of strings"}.get(f.type, f.type)


def _kind(kind: Kind) -> str:
    labels = ":".join(kind.labels)
    lines = [f"### `:{labels}`", "", kind.description, ""]
    lines += [f"Data files: section `{kind.section}`. GraphQL: type `{kind.gql}`, list "
              f"`{kind.plural}`." + (" Cites at least one source." if kind.cites_required
                                     else ""), ""]
    lines += ["| property | type | required | meaning |", "|---|---|---|---|"]
    for f in kind.props:
        req = "yes" if f.required or f.name == "id" else ""
        lines.append(f"| `{f.prop}` | {_type(f)} | {req} | {f.description} |")
    rels = kind.refs
    if rels:
        lines += ["", "| relationship | to | meaning |", "|---|---|---|"]
        for f in rels:
            many = " (several)" if f.type == "refs" else ""
            targets = " or ".join(f"`:{t}`" for t in f.targets)
            lines.append(f"| `(:{kind.name})-[:{f.rel}]->` | {targets}{many} | {f.description} |")
    return "\n".join(lines) + "\n"


def _derived() -> str:
    props = ", ".join(FIGHTING_MONTH_PROPS)
    index = ", ".join(FIGHTING_MONTH_ORDER)
    return f"""## Nodes the loader derives

Two labels are neither entities nor facts, and no data file writes them: the loader keeps them
in line with the files on every load, and exports and the API's lists leave them out.

- `:{GRAPH_VERSION_LABEL}`: one node, whose token changes on every load that changes
  something (the API's response cache compares it).
- `:{FIGHTING_MONTH_LABEL} {{{props}}}`: one node per place and month that one of the place's
  fighting events (`Event {{fighting: true}}`) spans. `month` is year × 12 + month − 1 of the
  Gregorian month ({FIGHTING_OPEN_START} for events whose start is unknown), `place` and `name`
  the place's id and name, `first` the earliest first day and `last` the latest last day of
  those events (whole events, not cut at the month). Indexed on ({index}), so that a page of
  `placesWithFighting` reads places in name order month by month. To ask which places fought
  in a range, match the events, as in the examples below: these nodes are a reading aid for
  the API, not a record of their own.
"""


# What each question asks of each shape, as graph/time.py writes it.
_QUESTIONS = (
    ("question", "instant `d`", "inclusive span `start`..`end`",
     "half-open period `start`..`end`"),
    ("on day D (`on:`)", "`d <= D <= dLatest`",
     "`start <= D <= coalesce(endLatest, startLatest)`", "`start <= D < end` (no end: goes on)"),
    ("window [A, B] (`from:`, `to:`)", "`d <= B` and `dLatest >= A`",
     "`start <= B` and `coalesce(endLatest, startLatest) >= A`",
     "`start <= B` and (no `end`, or `end > A`)"),
    ("order", "`d`, then id", "`start`, then id", "`start`, then id"),
)


def _questions() -> str:
    head, *rows = _QUESTIONS
    lines = ["| " + " | ".join(head) + " |", "|---|---|---|---|"]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _time() -> str:
    """The table of temporal shapes: which kinds have which, what each question means."""
    rows = []
    for kind in KINDS:
        t = kind.temporal
        if t is None:
            continue
        fields = " to ".join(f"`{kind.field(f).prop}`" for f in t.fields)
        rows.append(f"| `:{kind.name}` | {t.shape.value} | {fields} | {t.meaning} |")
    first = "`d`, `dLatest`: the first and last day the date field `d` may be"
    return f"""## Time

Every dated kind declares what its dates mean (`schema/time.py`), and every question follows
from it: on which days may the fact hold? Each date may be a day, a month, a year or a range
known only between two bounds ({first}).

| label | shape | dates | meaning |
|---|---|---|---|
{chr(10).join(rows)}

{_questions()}

A start that is unknown (absent) may have been any time before: it does not exclude a fact.
Two control periods of one place that may hold on a common day must both say `disputed`
(validation). The API's `on`, `from`/`to`, the lists, `controlOf`, `placesWithFighting`, the
exports' filters and the explorer's day all ask these questions, written once in
`graph/time.py`. `Shape` values: {", ".join(s.value for s in Shape)}.
"""


def render() -> str:
    parts = [HEADER, _time(), "## Alignments\n"]
    parts += [f"- `{k}`: {v}" for k, v in ALIGNMENT_DOCS.items()]
    parts += ["", "## Entities\n"]
    parts += [_kind(k) for k in KINDS if k.category == "entity"]
    parts += ["## Facts\n"]
    parts += [_kind(k) for k in KINDS if k.category == "fact"]
    parts += [_derived()]
    return "\n".join(parts) + EXAMPLES
