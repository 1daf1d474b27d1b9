"""A synthetic dataset with the real one's shape, for measuring revgraph at scale
(docs/decisions/0004-synthetic-scale.md).

``shape(records)`` measures the real, validated records: how many of each kind, how often each
field is given, the values of its choices, the ranges of its numbers, the lengths of its texts,
how many targets each reference has and of which kinds, the date spans, precisions and
calendars, how many citations a record has and how many control periods a place. ``generate``
then writes ``scale`` times as many records of the same shape, as YAML data files the loader
accepts, deterministically from a seed.

Everything written is obviously synthetic: ids like ``synth-place-000123``, names like
"Synth Place 000123", texts and quotations starting "[synthetic]", every citation to a synthetic
Source. Dates carry their calendar; the control periods of one place follow one another
without overlapping. Documents (texts on disk whose quotations must be found verbatim) are not
generated. Pure Python: no Neo4j.
"""

from __future__ import annotations

import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from loaders.check import Record
from schema.dates import HistoricalDate, Precision, gregorian_to_julian, parse_date
from schema.model import (
    CITATIONS,
    DISTINCT_FROM,
    DOCUMENT,
    END,
    KINDS,
    SHARED_ALIASES,
    SOURCE,
    START,
    Field,
    Kind,
)
from schema.model import NAME as NAME_FIELD

PREFIX = "synth"
MARKER = ".revgraph-synth"  # a folder holding this file is a synthetic dataset: safe to rewrite
RECORDS_PER_FILE = 20_000  # files well under the reader's size limit
# Fields a synthetic record never gives: declarations about real name clashes, and the
# fields generated specially (ids, names, aliases).
_SKIPPED = {DISTINCT_FROM.name, SHARED_ALIASES.name}
_WORDS = ("lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing", "elit", "sed",
          "do", "eiusmod", "tempor", "incididunt", "ut", "labore", "et", "dolore", "magna")


# -- the shape of the real data --------------------------------------------------------------

@dataclass
class DateShape:
    low: date
    high: date
    precisions: list[Precision]
    calendars: list[str]  # "O.S." / "N.S." as written


@dataclass
class KindShape:
    count: int = 0
    present: Counter[str] = field(default_factory=Counter)  # field name -> records giving it
    choices: dict[str, list[str]] = field(default_factory=dict)  # enum values, as observed
    numbers: dict[str, tuple[float, float]] = field(default_factory=dict)
    lengths: dict[str, list[int]] = field(default_factory=dict)  # text lengths
    distinct: dict[str, int] = field(default_factory=dict)  # distinct short texts per field
    ref_counts: dict[str, list[int]] = field(default_factory=dict)  # targets per reference
    ref_kinds: dict[str, list[str]] = field(default_factory=dict)  # target labels observed
    dates: dict[str, DateShape] = field(default_factory=dict)
    durations: list[int] = field(default_factory=list)  # days from start to end
    citations: list[int] = field(default_factory=list)
    quoted: float = 0.0  # share of citations with a quote
    located: float = 0.0  # share with a locator
    quote_lengths: list[int] = field(default_factory=list)
    alias_counts: list[int] = field(default_factory=list)
    alias_lengths: list[int] = field(default_factory=list)
    name_lengths: list[int] = field(default_factory=list)
    per_group: list[int] = field(default_factory=list)  # no-overlap kinds: periods per group
    bools: dict[str, float] = field(default_factory=dict)  # share true


Shape = dict[str, KindShape]  # by label


def shape(records: list[Record]) -> Shape:
    """The statistics of the real records that the synthetic ones follow."""
    by_id = {r.id: r for r in records}
    shapes: Shape = {k.name: KindShape() for k in KINDS if k is not DOCUMENT}
    texts: dict[tuple[str, str], set[str]] = defaultdict(set)
    trues: Counter[tuple[str, str]] = Counter()
    dates: dict[tuple[str, str], list[HistoricalDate]] = defaultdict(list)
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    located: Counter[str] = Counter()
    for r in records:
        s = shapes.get(r.kind.name)
        if s is None:
            continue
        s.count += 1
        s.citations.append(len(r.citations))
        for c in r.citations:
            if c.quote:
                s.quote_lengths.append(len(c.quote))
            located[r.kind.name] += bool(c.locator)
        s.name_lengths.append(len(str(r.props.get("name", ""))))
        aliases = r.props.get("aliases") or []
        s.alias_counts.append(len(aliases))
        s.alias_lengths.extend(len(a) for a in aliases)
        for f in r.kind.fields:
            if f.name in _SKIPPED:
                continue
            if f.is_ref:
                targets = r.refs.get(f.name, ())
                if targets:
                    s.present[f.name] += 1
                    s.ref_counts.setdefault(f.name, []).append(len(targets))
                    s.ref_kinds.setdefault(f.name, []).extend(
                        by_id[t].kind.name for t in targets if t in by_id)
                continue
            if f.type == "date":
                if f.name in r.dates:
                    s.present[f.name] += 1
                    dates[(r.kind.name, f.name)].append(r.dates[f.name])
                continue
            value = r.props.get(f.prop)
            if value is None:
                continue
            s.present[f.name] += 1
            if f.type == "enum":
                s.choices.setdefault(f.name, []).append(str(value))
            elif f.type in ("int", "float"):
                lo, hi = s.numbers.get(f.name, (value, value))
                s.numbers[f.name] = (min(lo, value), max(hi, value))
            elif f.type == "bool":
                trues[(r.kind.name, f.name)] += bool(value)
            elif f.type in ("str", "text"):
                s.lengths.setdefault(f.name, []).append(len(str(value)))
                texts[(r.kind.name, f.name)].add(str(value))
        if START in r.dates and END in r.dates:
            s.durations.append((r.dates[END].earliest - r.dates[START].earliest).days)
        rule = r.kind.no_overlap
        if rule is not None:
            groups[r.kind.name][r.refs[rule.group_by][0]] += 1
    for (label, name), values in texts.items():
        shapes[label].distinct[name] = len(values)
    for (label, name), n in trues.items():
        shapes[label].bools[name] = n / max(1, shapes[label].present[name])
    for (label, name), ds in dates.items():
        shapes[label].dates[name] = DateShape(
            min(d.earliest for d in ds), max(d.earliest for d in ds),
            [d.precision for d in ds], [d.text.rsplit(" ", 1)[1] for d in ds])
    for label, counter in groups.items():
        shapes[label].per_group = sorted(counter.values())
    for label, s in shapes.items():
        total = sum(s.citations)
        s.quoted = len(s.quote_lengths) / total if total else 0.0
        s.located = located[label] / total if total else 0.0
    return shapes


# -- writing ---------------------------------------------------------------------------------

def synth_id(kind: Kind, i: int) -> str:
    return f"{PREFIX}-{kind.name.lower()}-{i:06d}"


def _scaled(count: int, scale: float) -> int:
    return max(1, round(count * scale)) if count else 0


def counts(shapes: Shape, scale: float) -> dict[str, int]:
    """How many records of each kind a dataset at ``scale`` holds."""
    return {label: _scaled(s.count, scale) for label, s in shapes.items()}


class _Writer:
    """Records as YAML, in files of at most RECORDS_PER_FILE records: the values are written
    as JSON scalars (valid YAML, fast, the same bytes every time)."""

    def __init__(self, out: Path, kind: Kind) -> None:
        self.out, self.kind, self.n, self.part = out, kind, 0, 0
        self.handle: Any = None

    def write(self, record: dict[str, Any]) -> None:
        if self.handle is None or self.n % RECORDS_PER_FILE == 0:
            self.close()
            self.part += 1
            path = self.out / f"{self.kind.section}-{self.part:04d}.yaml"
            self.handle = path.open("w", encoding="utf-8", newline="\n")
            self.handle.write(f"# Synthetic data (revgraph synth): not history.\n"
                              f"{self.kind.section}:\n")
        self.n += 1
        lines: list[str] = []
        for key, value in record.items():
            lead = "- " if not lines else "  "
            if key == CITATIONS:
                lines.append(f"{lead}{key}:")
                for c in value:
                    items = list(c.items())
                    lines.append(f"  - {items[0][0]}: {json.dumps(items[0][1], ensure_ascii=False)}")
                    lines.extend(f"    {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in items[1:])
            else:
                lines.append(f"{lead}{key}: {json.dumps(value, ensure_ascii=False)}")
        self.handle.write("\n".join(lines) + "\n")

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()
            self.handle = None


def _text(rng: random.Random, length: int, head: str = "[synthetic]") -> str:
    words = [head]
    size = len(head)
    while size < length:
        w = rng.choice(_WORDS)
        words.append(w)
        size += len(w) + 1
    return " ".join(words)


def _date_text(day: date, precision: Precision, calendar: str) -> str:
    if calendar == "O.S." and (day.year, day.month, day.day) <= (1918, 2, 13):
        y, m, d = gregorian_to_julian(day)
    else:
        calendar = "N.S."
        y, m, d = day.year, day.month, day.day
    if precision is Precision.DAY:
        return f"{y:04d}-{m:02d}-{d:02d} {calendar}"
    if precision is Precision.MONTH:
        return f"{y:04d}-{m:02d} {calendar}"
    return f"{y:04d} {calendar}"


def _sample_date(rng: random.Random, ds: DateShape, day: date | None = None) -> str:
    if day is None:
        day = ds.low + timedelta(days=rng.randint(0, max(0, (ds.high - ds.low).days)))
    return _date_text(day, rng.choice(ds.precisions), rng.choice(ds.calendars))


class _Generator:
    def __init__(self, shapes: Shape, scale: float, seed: int) -> None:
        self.shapes, self.seed = shapes, seed
        self.counts = counts(shapes, scale)

    def rng(self, kind: Kind) -> random.Random:
        return random.Random(f"{self.seed}:{kind.name}")

    def ref(self, rng: random.Random, kind: Kind, f: Field, i: int) -> list[str] | None:
        s = self.shapes[kind.name]
        labels = [t for t in s.ref_kinds.get(f.name, f.targets) if self.counts.get(t)]
        if not labels:
            return None
        n = rng.choice(s.ref_counts.get(f.name, [1]))
        out: list[str] = []
        for _ in range(n):
            label = rng.choice(labels)
            if f.acyclic and label == kind.name:
                if i == 0:
                    continue
                j = rng.randrange(i)  # an earlier record of the kind: no cycle can form
            else:
                j = rng.randrange(self.counts[label])
            target = synth_id(_KIND[label], j)
            if target not in out:
                out.append(target)
        return out or None

    def value(self, rng: random.Random, kind: Kind, f: Field) -> Any:
        s = self.shapes[kind.name]
        if f.type == "enum":
            return rng.choice(s.choices.get(f.name) or list(f.choices))
        if f.type == "bool":
            return rng.random() < s.bools.get(f.name, 0.0)
        if f.type in ("int", "float"):
            lo, hi = s.numbers.get(f.name, (f.minimum or 0, f.maximum or 1))
            return rng.randint(int(lo), int(hi)) if f.type == "int" else round(rng.uniform(lo, hi), 4)
        if f.type == "text":
            return _text(rng, rng.choice(s.lengths.get(f.name, [40])))
        if f.name == "url":
            return f"https://example.invalid/{PREFIX}/{rng.randrange(10**6):06d}"
        # A short text: as many distinct values as the real field has, so filters select alike.
        return f"{PREFIX}-{f.name.replace('_', '-')}-{rng.randrange(max(1, s.distinct.get(f.name, 1)))}"

    def citations(self, rng: random.Random, kind: Kind) -> list[dict[str, Any]]:
        s = self.shapes[kind.name]
        n = rng.choice(s.citations) if s.citations else 0
        if kind.cites_required:
            n = max(1, n)
        out = []
        for _ in range(n):
            c: dict[str, Any] = {"source": synth_id(SOURCE, rng.randrange(self.counts[SOURCE.name]))}
            if s.quote_lengths and rng.random() < s.quoted:
                c["quote"] = _text(rng, rng.choice(s.quote_lengths), "[synthetic quotation]")
            if rng.random() < s.located:
                c["locator"] = f"{PREFIX} p. {rng.randint(1, 999)}"
            out.append(c)
        return out

    def record(self, rng: random.Random, kind: Kind, i: int) -> dict[str, Any]:
        s = self.shapes[kind.name]
        rid = synth_id(kind, i)
        rec: dict[str, Any] = {"id": rid}
        if kind.category == "entity":
            name = _text(rng, rng.choice(s.name_lengths), f"Synth {kind.name} {i:06d}")
            rec[kind.name_from or NAME_FIELD.name] = name
            aliases = rng.choice(s.alias_counts) if s.alias_counts else 0
            if aliases:  # the id in each alias keeps them from clashing with any other's
                rec["aliases"] = [_text(rng, rng.choice(s.alias_lengths), f"{rid} alias {a}")
                                  for a in range(aliases)]
        for f in kind.fields:
            if f.name in rec or f.name in _SKIPPED or f.name in ("id", "name", "aliases"):
                continue
            if not f.required and rng.random() >= s.present[f.name] / max(1, s.count):
                continue
            if f.is_ref:
                targets = self.ref(rng, kind, f, i)
                if targets is not None:
                    rec[f.name] = targets[0] if f.type == "ref" else targets
            elif f.type == "date":
                if f.name in s.dates:
                    rec[f.name] = _sample_date(rng, s.dates[f.name])
            else:
                rec[f.name] = self.value(rng, kind, f)
        for rule in kind.implies:
            if rec.get(rule.field) in rule.values:
                rec.pop(rule.then, None)  # implied: the checker sets it
        for f in kind.fields:
            if f.not_above and f.name in rec and f.not_above in rec and rec[f.name] > rec[f.not_above]:
                rec[f.name] = rng.randint(0, rec[f.not_above])
        self._order_dates(rng, kind, rec)
        rec[CITATIONS] = self.citations(rng, kind)
        if not rec[CITATIONS]:
            del rec[CITATIONS]
        return rec

    def _order_dates(self, rng: random.Random, kind: Kind, rec: dict[str, Any]) -> None:
        """An end after the start, as far after it as real spans are."""
        s = self.shapes[kind.name]
        if START in rec and END in rec:
            start = parse_date(rec[START])
            days = rng.choice(s.durations) if s.durations else 0
            end = _date_text(start.latest + timedelta(days=max(0, days)),
                             rng.choice(s.dates[END].precisions), rng.choice(s.dates[END].calendars))
            rec[END] = end if parse_date(end).latest >= start.latest else _date_text(
                start.latest, Precision.DAY, "N.S.")
        for a, b in (("born", "died"),):
            if a in rec and b in rec and parse_date(rec[b]).latest < parse_date(rec[a]).earliest:
                rec[a], rec[b] = rec[b], rec[a]

    def kind_records(self, kind: Kind) -> Iterator[dict[str, Any]]:
        if kind.no_overlap is not None:
            yield from self.periods(kind)
            return
        rng = self.rng(kind)
        for i in range(self.counts[kind.name]):
            yield self.record(rng, kind, i)

    def periods(self, kind: Kind) -> Iterator[dict[str, Any]]:
        """Periods of a no-overlap kind (control of a place), grouped as the real ones are,
        each group's periods one after another so that none overlaps another."""
        rule = kind.no_overlap
        assert rule is not None
        s, rng = self.shapes[kind.name], self.rng(kind)
        group_kind = _KIND[kind.field(rule.group_by).targets[0]]
        total, i = self.counts[kind.name], 0
        starts = s.dates[START]
        sizes: list[int] = []
        while sum(sizes) < total:
            sizes.append(min(total - sum(sizes), rng.choice(s.per_group or [1])))
        # Groups go to the places in a shuffled order, round after round; a place's later
        # group starts after its earlier one ends, and only its last may stay open.
        places = list(range(self.counts[group_kind.name]))
        rng.shuffle(places)
        next_day: dict[int, date] = {}
        for g, size in enumerate(sizes):
            place = places[g % len(places)]
            group = synth_id(group_kind, place)
            final = g + len(places) >= len(sizes)
            day = next_day.get(place) or starts.low + timedelta(
                days=rng.randint(0, max(0, (starts.high - starts.low).days)))
            for k in range(size):
                rec = self.record(rng, kind, i)
                rec[rule.group_by] = group
                rec[START] = self._period_start(rng, starts, day, kind)
                start = parse_date(rec[START])
                days = max(1, rng.choice(s.durations) if s.durations else 30)
                if final and k == size - 1 and rng.random() >= s.present[END] / max(1, s.count):
                    rec.pop(END, None)  # the place's last period may go on
                else:
                    end = start.latest + timedelta(days=days)
                    rec[END] = _date_text(end, Precision.DAY, "O.S." if end.year < 1918 else "N.S.")
                    day = end + timedelta(days=1)
                next_day[place] = day
                yield {k2: rec[k2] for k2 in _order(kind, rec)}
                i += 1

    def _period_start(self, rng: random.Random, ds: DateShape, day: date, kind: Kind) -> str:
        """A start no earlier than ``day`` at a real precision, or the day itself where a
        vague one would reach back before it (or across the October rising)."""
        from loaders.dataset_checks import RISING

        text = _sample_date(rng, ds, day)
        when = parse_date(text)
        if when.earliest < day or when.earliest < RISING.earliest <= when.latest:
            return _date_text(day, Precision.DAY, "O.S.")
        return text


def _order(kind: Kind, rec: dict[str, Any]) -> list[str]:
    keys = [f.name for f in kind.fields if f.name in rec]
    return keys + [k for k in rec if k not in keys]


_KIND = {k.name: k for k in KINDS}


def generate(shapes: Shape, scale: float, seed: int, out: Path) -> dict[str, int]:
    """Write the dataset at ``scale`` into ``out`` (emptied of earlier synthetic files first);
    return the number of records of each kind."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.yaml"):
        old.unlink()
    (out / MARKER).write_text(f"scale {scale:g} seed {seed}\n", encoding="utf-8")
    gen = _Generator(shapes, scale, seed)
    written: dict[str, int] = {}
    for kind in KINDS:
        if kind.name not in shapes or not gen.counts[kind.name]:
            continue
        writer = _Writer(out, kind)
        try:
            for rec in gen.kind_records(kind):
                writer.write(rec)
        finally:
            writer.close()
        written[kind.name] = writer.n
    return written


def check_output(out: Path, data: Path) -> str | None:
    """Why ``out`` may not receive a synthetic dataset, or None: never the real data's
    folder, inside it or around it, and never a folder of other files."""
    o, d = out.resolve(), data.resolve()
    if o == d or o.is_relative_to(d) or d.is_relative_to(o):
        return f"{out} is, holds or lies in the real data folder {data}: choose another folder"
    if o.exists() and any(o.iterdir()) and not (o / MARKER).exists():
        return f"{out} already holds files that are not a synthetic dataset: choose an empty folder"
    return None


__all__ = ["Shape", "check_output", "counts", "generate", "shape", "synth_id"]
