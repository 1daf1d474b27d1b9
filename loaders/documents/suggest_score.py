"""How good `revgraph ingest --suggest`'s drafts are, measured on the gold texts
(tests/fixtures/gold/) against the facts data/ already holds. The rules are here, once; the
benchmark (scripts/bench_suggestions.py) prints what they give.

What is compared. Each suggested control period, soviet, composition, figure and event is
reduced to its kind, its subject, its side or party, its date (or its value) and compared with
the curated records of the same kind:

- a control period matches a curated one of the same place, with the same alignment, whose
  start lies within the tolerance of the suggested date;
- a soviet matches a curated soviet of the same place;
- a composition matches a curated one of the same body and party, dated within the tolerance;
- a figure matches a curated one about the same entity with the same value (to 1%), dated
  within the tolerance;
- an event matches a curated event at one of the same places (or the same event, where the
  draft names it), whose span, widened by the tolerance, holds the suggested start.

"Within the tolerance": the suggested date's span (a day, or every day of a month), widened by
the tolerance (14 days by default: more than the 13 between the calendars), overlaps the
curated date's span. A suggested date known only to the year matches only the same year
stated to the year.

Precision is the share of suggestions that match some curated fact (a right fact the graph
lacks counts as wrong, so precision is a lower bound). Recall is the share of the facts the text
states, by the gold, that some suggestion matches. A soviet is stated by a text that mentions
it (by the gold). Another curated fact is stated when the text gives its subject and its date: its quotation
stands in the text (whitespace aside), holds a gold mention of its subject (a quotation about
the whole empire that names no place states no place's control), and a date of day or month
precision within the tolerance of the fact's stands in the quotation's paragraph up to its end;
or one sentence of the text holds a gold mention of its subject and such a date (a figure: and
its value). A fact without a date is not counted, since no rule matches it; nor is one whose
quotation names its subject but whose date the text does not give (the benchmark prints how
many: "quoted, undated"). Its
subject: a control period's place, a composition's body, a figure's entity, an event itself or
one of its places. The gold mentions, not the linker's, decide this, so a linker's miss costs
recall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from schema.dates import DateError, HistoricalDate, Precision, parse_date
from schema.model import COMPOSITION, CONTROL, EVENT, FIGURE, SOVIET

TOLERANCE_DAYS = 14
VALUE_TOLERANCE = 0.01
SECTIONS = (CONTROL.section, SOVIET.section, COMPOSITION.section, FIGURE.section, EVENT.section)


@dataclass(frozen=True)
class Fact:
    """A suggested or curated fact, reduced to what the rules compare."""

    kind: str  # its section in the data files: control, soviets, composition, figures, events
    id: str
    subjects: tuple[str, ...]  # the place(s), body or entity it is about
    other: str | None = None  # a control period's alignment, a composition's party
    when: HistoricalDate | None = None
    until: HistoricalDate | None = None  # an event's end
    value: float | None = None
    quotes: tuple[str, ...] = ()


def _date(value: Any) -> HistoricalDate | None:
    if isinstance(value, HistoricalDate):
        return value
    try:
        return parse_date(value) if value else None
    except DateError:
        return None


def _one(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (list, tuple)) else (str(value),)


def fact_of(kind: str, ident: str, values: dict[str, Any], refs: Any = None,
            quotes: tuple[str, ...] = ()) -> Fact:
    """A fact of ``kind`` from a draft's dict (``values``) or a record's props and refs."""
    refs = refs or {}

    def get(name: str) -> Any:
        return refs.get(name, values.get(name))

    if kind == CONTROL.section:
        return Fact(kind, ident, _one(get("place")), values.get("alignment"),
                    _date(values.get("start")), quotes=quotes)
    if kind == SOVIET.section:
        return Fact(kind, ident, _one(get("place")), quotes=quotes)
    if kind == COMPOSITION.section:
        party = _one(get("party"))
        return Fact(kind, ident, _one(get("body")), party[0] if party else None,
                    _date(values.get("date")), quotes=quotes)
    if kind == FIGURE.section:
        return Fact(kind, ident, _one(get("about")), when=_date(values.get("date")),
                    value=float(values["value"]) if values.get("value") is not None else None,
                    quotes=quotes)
    return Fact(kind, ident, _one(get("places")) or (ident,), when=_date(values.get("start")),
                until=_date(values.get("end")), quotes=quotes)


def curated_facts(records: Iterable[Any]) -> list[Fact]:
    """The records of the kinds --suggest drafts, as Facts (dates from the record's own)."""
    out = []
    for r in records:
        if r.kind.section not in SECTIONS or not r.valid:
            continue
        values = {**r.props, **{k: v for k, v in r.dates.items()}}
        quotes = tuple(" ".join(c.quote.split()) for c in r.citations if c.quote)
        out.append(fact_of(r.kind.section, r.id, values, r.refs, quotes))
    return out


def within(stated: HistoricalDate | None, held: HistoricalDate | None,
           held_until: HistoricalDate | None = None, days: int = TOLERANCE_DAYS) -> bool:
    """Whether ``stated`` (a day or a month), widened by ``days``, overlaps ``held`` (to
    ``held_until`` where given)."""
    if stated is None or held is None:
        return False
    if stated.precision is Precision.YEAR:  # only the same year, stated to the year
        return held.precision is Precision.YEAR and held.earliest == stated.earliest
    pad = timedelta(days=days)
    last = (held_until or held).latest
    return stated.earliest - pad <= last and held.earliest <= stated.latest + pad


def matches(s: Fact, c: Fact, days: int = TOLERANCE_DAYS) -> bool:
    """The module's rules: whether suggestion ``s`` is the curated fact ``c``."""
    if s.kind != c.kind:
        return False
    if s.kind == EVENT.section:
        same = c.id in s.subjects or bool(set(s.subjects) & set(c.subjects))
        return same and within(s.when, c.when, c.until, days)
    if not set(s.subjects) & set(c.subjects):
        return False
    if s.kind == SOVIET.section:
        return True
    if s.kind in (CONTROL.section, COMPOSITION.section):
        return s.other == c.other and within(s.when, c.when, None, days)
    return (s.value is not None and c.value is not None
            and abs(s.value - c.value) <= VALUE_TOLERANCE * max(c.value, 1)
            and within(s.when, c.when, None, days))


@dataclass
class KindScore:
    suggested: int = 0
    right: int = 0  # suggestions that match a curated fact
    stated: int = 0  # curated facts the text states
    found: int = 0  # of those, matched by a suggestion
    undated: int = 0  # curated facts quoted from the text, naming their subject, but undated there
    wrong: list[Fact] = field(default_factory=list)
    missed: list[Fact] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.right / self.suggested if self.suggested else 1.0

    @property
    def recall(self) -> float:
        return self.found / self.stated if self.stated else 1.0

    def add(self, other: KindScore) -> None:
        self.suggested += other.suggested
        self.right += other.right
        self.stated += other.stated
        self.found += other.found
        self.undated += other.undated
        self.wrong += other.wrong
        self.missed += other.missed


@dataclass(frozen=True)
class Sentence:
    """What a sentence of the text offers to decide which facts it states."""

    subjects: frozenset[str]  # the gold's entities mentioned in it
    dates: tuple[HistoricalDate, ...]  # of day or month precision
    values: tuple[float, ...]


@dataclass(frozen=True)
class Text:
    """A gold text as the rules read it: whitespace made single spaces (``flat``, with each
    of its characters' offset in the text), its gold mentions and its sentences."""

    flat: str
    offsets: tuple[int, ...]
    mentions: tuple[tuple[int, int, str], ...]  # start, end, entity
    sentences: tuple[Sentence, ...]
    paragraphs: tuple[tuple[int, int], ...] = ()
    dates: tuple[tuple[int, HistoricalDate], ...] = ()  # of day or month precision, by offset

    @classmethod
    def of(cls, text: str, mentions: Iterable[tuple[int, int, str]],
           sentences: Iterable[Sentence], paragraphs: Iterable[tuple[int, int]] = (),
           dates: Iterable[tuple[int, HistoricalDate]] = ()) -> Text:
        flat: list[str] = []
        offsets: list[int] = []
        for i, ch in enumerate(text):
            if ch.isspace():
                if not flat or flat[-1] == " ":
                    continue
                ch = " "
            flat.append(ch)
            offsets.append(i)
        return cls("".join(flat), tuple(offsets), tuple(mentions), tuple(sentences),
                   tuple(paragraphs), tuple(dates))

    def quoted(self, quote: str) -> list[tuple[set[str], list[HistoricalDate]]]:
        """Each place ``quote`` stands in the text: the gold's entities mentioned inside it,
        and the dates stated in its paragraph up to its end."""
        out = []
        at = self.flat.find(quote)
        while quote and at >= 0:
            start, end = self.offsets[at], self.offsets[at + len(quote) - 1] + 1
            first = next((a for a, b in self.paragraphs if a <= start < b), start)
            out.append(({e for s, _e, e in self.mentions if start <= s < end},
                        [d for o, d in self.dates if first <= o < end]))
            at = self.flat.find(quote, at + 1)
        return out


def _about(c: Fact) -> set[str]:
    """What a mention must name for the text to state ``c``."""
    return {c.id, *c.subjects} if c.kind in (EVENT.section, SOVIET.section) else set(c.subjects)


def quoted_undated(c: Fact, text: Text, days: int = TOLERANCE_DAYS) -> bool:
    """Whether a quotation of ``c`` names its subject in the text, which gives no date for it."""
    return any(_about(c) & named for q in c.quotes for named, _dates in text.quoted(q))


def stated(c: Fact, text: Text, days: int = TOLERANCE_DAYS) -> bool:
    """Whether the text states the curated fact ``c``: its subject and its date."""
    for q in c.quotes:
        for named, dates in text.quoted(q):
            if _about(c) & named and any(within(d, c.when, c.until, days) for d in dates):
                return True
    for s in text.sentences:
        if not _about(c) & s.subjects:
            continue
        if c.kind == SOVIET.section:
            return False  # a soviet by its own mention (below), not by its place
        if c.kind == FIGURE.section and not any(
                abs(v - (c.value or 0)) <= VALUE_TOLERANCE * max(c.value or 0, 1)
                for v in s.values):
            continue
        if any(within(d, c.when, c.until, days) for d in s.dates):
            return True
    return False


def score_text(suggested: list[Fact], curated: list[Fact], text: Text,
               days: int = TOLERANCE_DAYS) -> dict[str, KindScore]:
    """Per kind: the suggestions against every curated fact, the text's stated facts against
    the suggestions."""
    mentioned = {e for _s, _e, e in text.mentions}
    by_kind = {k: [c for c in curated if c.kind == k] for k in SECTIONS}
    out = {k: KindScore() for k in SECTIONS}
    for s in suggested:
        score = out[s.kind]
        score.suggested += 1
        if any(matches(s, c, days) for c in by_kind[s.kind]):
            score.right += 1
        else:
            score.wrong.append(s)
    for kind, facts in by_kind.items():
        for c in facts:
            if kind == SOVIET.section:
                if c.id not in mentioned:
                    continue
            elif c.when is None or not stated(c, text, days):
                # an undated fact: no dated suggestion can match it; nor a fact whose date
                # the text does not give (counted apart, to show how many)
                if c.when is not None and quoted_undated(c, text, days):
                    out[kind].undated += 1
                continue
            out[kind].stated += 1
            if any(matches(s, c, days) for s in suggested if s.kind == kind):
                out[kind].found += 1
            else:
                out[kind].missed.append(c)
    return out
