"""Reconciliation: the candidates for a name, their scores, and whether one is a match.

Candidates come from the forgiving search, the same query as GraphQL's ``search`` (graph/queries.py
SEARCH, Lucene's full-text index with each word as typed, as a prefix and within one or two
edits), kept to the asked types. Each is scored on its name, then on the properties given:

- the name: 100 when the text, folded as the graph folds names (case, diacritics,
  transliteration: loaders/write.py ``search_text``), is the candidate's name or one of its
  aliases (the misspellings sources use are aliases: "Tsaitzyn", "Krasnoyask"); otherwise the
  closest of its names by edit distance (rapidfuzz's ratio, 0-100);
- a property that the candidate contradicts takes 30 off; one it confirms or says nothing of
  changes nothing (``features`` say which).

A candidate is a ``match`` only when it is the one candidate whose name or alias is the text
exactly and that no given property contradicts: two entities known by the same name (an
ambiguous name) are both candidates and neither is a match, unless a property tells them apart.
A near spelling is never a match by itself: the user confirms it.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graphql import GraphQLError
from rapidfuzz import fuzz

from api.exports.dates import possible_days
from api.graphql.context import LABELS, Context
from api.graphql.inputs import lucene
from api.reconcile.service import DEFAULT_LIMIT, MAX_BATCH, MAX_LIMIT, Prop, kind_of, prop
from graph import entity, queries
from graph.exports import WALK_RELS
from loaders.nodes import search_text
from schema import dates as d
from schema.errors import InputError
from schema.model import ENTITY_KINDS, EVENT, PERSON, SEARCH_TEXT
from schema.time import matches

SEARCH_LIMIT = 25  # the search reads four times this many hits before the types are applied
CONTRADICTED = 30  # points a contradicting property takes off


@dataclass(frozen=True)
class Wanted:
    """A property value as given: an entity's id, or text (a name, a kind, a date)."""

    id: str | None
    text: str


@dataclass
class Query:
    key: str
    text: str
    types: list[str]
    limit: int
    properties: list[tuple[Prop, list[Wanted]]] = field(default_factory=list)


@dataclass
class Candidate:
    id: str
    name: str
    label: str
    props: dict[str, Any]
    exact: bool
    similarity: float
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def contradicted(self) -> bool:
        return any(v is False for v in self.checks.values())

    @property
    def score(self) -> float:
        base = 100.0 if self.exact else self.similarity
        penalty = CONTRADICTED * sum(1 for v in self.checks.values() if v is False)
        return round(max(base - penalty, 0.0), 1)

    def answer(self, is_match: bool) -> dict[str, Any]:
        """The candidate as the specification's result (0.2; the 1.0 draft's features carry
        names too, which 0.2 allows)."""
        features: list[dict[str, Any]] = [
            {"id": "name_exact", "name": "the name or an alias is the text", "value": self.exact},
            {"id": "name_similarity", "name": "the closest name's similarity (0-1)",
             "value": round(self.similarity / 100, 3)}]
        features += [{"id": f"property_{pid}", "name": f"{pid} agrees", "value": ok}
                     for pid, ok in self.checks.items()]
        return {"id": self.id, "name": self.name, "description": describe(self.label, self.props),
                "score": self.score, "match": is_match,
                "type": [{"id": self.label, "name": self.label}], "features": features}


@dataclass
class Result:
    """A query's candidates, best first, and the id of its match (None: no sure match)."""

    candidates: list[Candidate]
    match: str | None


def describe(label: str, props: dict[str, Any]) -> str:
    """A candidate in a few words, to tell namesakes apart: "Place · city"."""
    kind = props.get("kind") or props.get("level")
    return " · ".join([label, *([str(kind)] if kind else [])])


def fold(text: str) -> str:
    return search_text(text, [])


# -- reading a request ----------------------------------------------------------------------

def parse_batch(raw: Any) -> list[Query]:
    """The 0.2 batch: ``{"q0": {"query": ..., "type": ..., "limit": ..., "properties": [...]}}``."""
    if not isinstance(raw, dict) or not raw:
        raise InputError('queries must be a JSON object of queries by key, e.g. {"q0": '
                         '{"query": "Tsaitzyn", "type": "Place"}}')
    if len(raw) > MAX_BATCH:
        raise InputError(f"{len(raw)} queries in one request; send at most {MAX_BATCH}")
    return [parse_query(str(key), q) for key, q in raw.items()]


def parse_query(key: str, q: Any) -> Query:
    if isinstance(q, str):
        q = {"query": q}
    if not isinstance(q, dict) or not isinstance(q.get("query"), str) or not q["query"].strip():
        raise InputError(f'query {key}: give the name to reconcile as a string in "query"')
    types = q.get("type")
    type_list = [types] if isinstance(types, str) else list(types or [])
    for t in type_list:
        kind_of(str(t))
    limit = q.get("limit", DEFAULT_LIMIT)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 < limit <= MAX_LIMIT:
        raise InputError(f"query {key}: limit must be a whole number from 1 to {MAX_LIMIT}")
    properties = []
    for p in q.get("properties") or []:
        if not isinstance(p, dict) or "pid" not in p or "v" not in p:
            raise InputError(f'query {key}: each property is {{"pid": ..., "v": ...}}')
        found = prop(str(p["pid"]), [str(t) for t in type_list], narrows=True)
        properties.append((found, _values(key, p["v"])))
    return Query(key, q["query"], [str(t) for t in type_list], limit, properties)


def parse_draft(raw: Any) -> list[Query]:
    """The 1.0 draft's batch: ``{"queries": [{"conditions": [...], "type": ..., "limit": ...}]}``:
    the name is the condition of ``matchType`` name, the others properties."""
    batch = raw.get("queries") if isinstance(raw, dict) else None
    if not isinstance(batch, list) or not batch or len(batch) > MAX_BATCH:
        raise InputError(f'send {{"queries": [...]}} with 1 to {MAX_BATCH} queries')
    converted: dict[str, Any] = {}
    for i, q in enumerate(batch):
        conditions = q.get("conditions") if isinstance(q, dict) else None
        if not isinstance(conditions, list):
            raise InputError(f"query {i}: give its conditions as a list")
        names = [c.get("propertyValue") for c in conditions if c.get("matchType") == "name"]
        if len(names) != 1 or not isinstance(names[0], str):
            raise InputError(f'query {i}: give one condition {{"matchType": "name", '
                             '"propertyValue": "..."}')
        unsupported = [c.get("matchType") for c in conditions
                       if c.get("matchType") not in ("name", "property")]
        if unsupported:
            raise InputError(f"query {i}: matchType {unsupported[0]!r} is not supported: use "
                             "name and property")
        converted[str(i)] = {
            "query": names[0], "type": q.get("type"), "limit": q.get("limit", DEFAULT_LIMIT),
            "properties": [{"pid": c.get("propertyId"), "v": c.get("propertyValue")}
                           for c in conditions if c.get("matchType") == "property"]}
    return parse_batch(converted)


def _values(key: str, v: Any) -> list[Wanted]:
    out = []
    for item in v if isinstance(v, list) else [v]:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            out.append(Wanted(item["id"], str(item.get("name") or item["id"])))
        elif isinstance(item, (str, int, float)) and not isinstance(item, bool):
            out.append(Wanted(None, str(item)))
        else:
            raise InputError(f"query {key}: a property value is a string, a number or "
                             f'{{"id": ...}}, not {item!r:.60}')
    return out


# -- answering ------------------------------------------------------------------------------

async def reconcile(context: Context, batch: list[Query]) -> dict[str, Result]:
    """Every query's candidates, best first, with at most one match each."""
    found = await asyncio.gather(*(_search(context, q) for q in batch))
    by_query = dict(zip((q.key for q in batch), found, strict=True))
    wanted = {c.id for q in batch if q.properties for c in by_query[q.key]}
    facts: dict[str, dict[str, Any]] = {}
    if wanted:
        rows = await context.read(entity.CANDIDATES, ids=sorted(wanted), rels=WALK_RELS)
        facts = {r["key"]: r for r in rows}
    results = {}
    for q in batch:
        cands = by_query[q.key]
        for c in cands:
            c.checks = {p.id: ok for p, values in q.properties
                        if (ok := check(p, values, c, facts.get(c.id))) is not None}
        cands.sort(key=lambda c: (-c.score, not c.exact, c.name, c.id))
        results[q.key] = Result(cands[:q.limit], decide(cands))  # decided on all of them
    return results


async def _search(context: Context, q: Query) -> list[Candidate]:
    try:
        text = lucene(q.text)
    except GraphQLError as exc:
        raise InputError(f"query {q.key}: {exc.message}") from None
    rows = (await context.read(queries.SEARCH, lucene=text, limit=SEARCH_LIMIT,
                               labels=LABELS))[0]["hits"]
    types = set(q.types or (k.name for k in ENTITY_KINDS))
    folded = fold(q.text)
    seen: set[str] = set()
    cands = []
    for r in rows:
        props, label = r["props"], r["label"]
        if label not in types or props["id"] in seen:
            continue
        seen.add(props["id"])
        names = str(props.get(SEARCH_TEXT) or "").split(" | ")
        cands.append(Candidate(props["id"], str(props.get("name") or props["id"]), label,
                               props, folded in names,
                               max(fuzz.ratio(folded, n) for n in names)))
    # Every exact name is kept (a match is decided among all of them), and the nearest others.
    cands.sort(key=lambda c: (not c.exact, -c.similarity))
    exact = sum(1 for c in cands if c.exact)
    return cands[:exact + q.limit * 2]


def decide(cands: list[Candidate]) -> str | None:
    """The id of the match, when exactly one candidate is the name and is not contradicted."""
    sure = [c for c in cands if c.exact and not c.contradicted]
    return sure[0].id if len(sure) == 1 else None


# -- properties -----------------------------------------------------------------------------

def check(p: Prop, values: list[Wanted], c: Candidate, facts: dict[str, Any] | None
          ) -> bool | None:
    """Whether the candidate has one of the values (None: it says nothing of it). A property
    its kind does not have says it is not the one asked for (a battle has no province)."""
    if c.label not in p.kinds:
        return False
    if facts is None:
        return None
    if p.id == "date":
        return _check_date(values, c)
    if p.id == "party":
        return _any(values, [(x["id"], x["text"]) for x in facts["parties"]])
    if p.field is not None and p.field.is_ref:
        targets = [(r["id"], r["text"]) for r in facts["refs"] if r["rel"] == p.field.rel]
        targets += [(a["id"], a["text"]) for r in facts["refs"] if r["rel"] == p.field.rel
                    for a in r["within"]]
        return _any(values, targets)
    if p.field is not None:
        have = facts["props"].get(p.field.prop)
        if have is None or have == []:
            return None
        held = have if isinstance(have, list) else [have]
        return any(fold(str(h)) == fold(v.text) for h in held for v in values)
    return None


def _any(values: list[Wanted], targets: list[tuple[str, str | None]]) -> bool | None:
    if not targets:
        return None
    return any(_names(v, tid, text) for v in values for tid, text in targets)


def _names(v: Wanted, target_id: str, text: str | None) -> bool:
    """A value names the target: its id, a name or an alias, or a name but for the words
    that say what sort of place or body it is ("Saratov" names "Saratov Province", while
    "Novgorod Province" does not name "Nizhny Novgorod Province")."""
    if v.id is not None:
        return v.id == target_id
    given = fold(v.text)
    if given == target_id:
        return True
    core = _core(given)
    return any(given == n or (core and core == _core(n)) for n in (text or "").split(" | "))


# Words that say what sort of place or body a name is, not which one.
GENERIC = {"province", "governorate", "guberniia", "gubernia", "oblast", "region", "uezd",
           "district", "city", "town", "of", "the", "soviet", "electoral"}


def _core(name: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9]+", name)) - GENERIC


def _check_date(values: list[Wanted], c: Candidate) -> bool | None:
    if c.label == EVENT.name:
        days = possible_days(c.label, c.props)
    elif c.label == PERSON.name:
        born, died = c.props.get("born"), c.props.get("diedLatest")
        days = None if born is None and died is None else (_day(born), _day(died))
    else:
        return None
    if days is None:
        return None
    spans = [parse_day(v.text) for v in values]
    return any(matches(days, lo, hi) for lo, hi in spans)


def _day(value: Any) -> date | None:
    to_native = getattr(value, "to_native", None)
    return to_native() if to_native is not None else value


_PLAIN = re.compile(r"\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?(?:T[\d:.]+Z?)?\s*")


def parse_day(text: str) -> tuple[date, date]:
    """A day, month or year given in a query: with O.S. or N.S. as the data files write them,
    or plain (yyyy, yyyy-mm, yyyy-mm-dd, a spreadsheet's ISO timestamp) in the Gregorian
    calendar. The first and last Gregorian days it may be."""
    plain = _PLAIN.fullmatch(text)
    try:
        if plain:
            y, m, day = (int(g) if g else None for g in plain.groups())
            h = d.make_date(y or 0, m, day, d.Calendar.GREGORIAN)
        else:
            h = d.parse_date(text)
    except d.DateError as exc:
        raise InputError(f"the date {text!r:.40}: {exc}") from None
    return h.earliest, h.latest
