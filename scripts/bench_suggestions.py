"""Benchmark: precision and recall of `revgraph ingest --suggest`'s drafts on the gold texts.

Runs the suggestion code (loaders/documents/suggest.py) over each gold text
(tests/fixtures/gold/, or the --gold file or folder) with the linker of data/, and compares
every suggested control period, soviet, composition, figure and event with the facts data/
holds, by the rules of loaders/documents/suggest_score.py (printed below). Figures per kind and
overall, the development and held-out halves apart. No Neo4j is needed.

    .venv/bin/python scripts/bench_suggestions.py [--tolerance 14] [--show-errors]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

from loaders.documents import suggest_score  # noqa: E402
from loaders.documents.suggest_score import SECTIONS, Fact, KindScore, Sentence  # noqa: E402


def suggestions(linker: Any, doc: Any) -> list[Fact]:
    """What --suggest drafts for ``doc``, as Facts."""
    from loaders.documents.dates import find_dates, find_numbers
    from loaders.documents.suggest import draft

    analysis = linker.analyse(doc.text, [(p.start, p.end) for p in doc.passages])
    dates = find_dates(doc.text)
    drafted = draft(doc, analysis.mentions, dates, find_numbers(doc.text, dates), None,
                    linker.entities)
    return [suggest_score.fact_of(kind, str(item.get("id", "")), item)
            for kind in SECTIONS for item in drafted.get(kind, [])]


def day_or_month(doc: Any) -> list[tuple[int, Any]]:
    """The dates of ``doc`` stated to the day or the month, by offset."""
    from loaders.documents.dates import find_dates
    from schema.dates import Precision

    return [(d.start, d.date) for d in find_dates(doc.text)
            if d.date and d.date.precision in (Precision.DAY, Precision.MONTH)]


def gold_sentences(gold: Any, doc: Any) -> list[Sentence]:
    """Each sentence's gold mentions, dates of day or month precision, and numbers."""
    from loaders.documents.dates import find_dates, find_numbers
    from loaders.documents.suggest import sentences

    dates = day_or_month(doc)
    numbers = find_numbers(doc.text, find_dates(doc.text))
    out = []
    for s in sentences(doc):
        out.append(Sentence(
            frozenset(m.label for m in gold.mentions if s.start <= m.start < s.end),
            tuple(d for o, d in dates if s.start <= o < s.end),
            tuple(n.value for n in numbers if s.start <= n.start < s.end)))
    return out


def run(gold_path: Path, days: int) -> list[tuple[Any, dict[str, KindScore]]]:
    from loaders.documents.dictionary import load_linker
    from loaders.documents.read import read_document
    from loaders.documents.score import load_gold
    from loaders.validate import validate_paths
    data = [PROJECT_ROOT / "data"]
    records = validate_paths(data).records
    curated = suggest_score.curated_facts(records)
    linker = load_linker(data, None)
    golds, _known = load_gold(gold_path, PROJECT_ROOT)
    out = []
    for g in golds:
        doc = read_document(g.path)
        text = suggest_score.Text.of(
            doc.text, [(m.start, m.end, m.label) for m in g.mentions], gold_sentences(g, doc),
            [(p.start, p.end) for p in doc.passages], day_or_month(doc))
        scores = suggest_score.score_text(suggestions(linker, doc), curated, text, days)
        out.append((g, scores))
    return out


def show(fact: Fact) -> str:
    when = fact.when.text if fact.when else "-"
    return (f"{fact.kind:12} {'/'.join(fact.subjects):40} {fact.other or '':12} {when:18} "
            f"{'' if fact.value is None else fact.value:>8} {fact.id}")


def main() -> None:
    doc = (__doc__ or "") + "\nThe rules:\n\n" + (suggest_score.__doc__ or "")
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=PROJECT_ROOT / "tests" / "fixtures" / "gold",
                    help="a gold file or folder (default: the whole gold set)")
    ap.add_argument("--tolerance", type=int, default=suggest_score.TOLERANCE_DAYS,
                    help="days a date may be off (default: %(default)s)")
    ap.add_argument("--show-errors", action="store_true",
                    help="list the development texts' wrong and missed facts (never the "
                         "held-out texts': the suggestions are not tuned on them)")
    args = ap.parse_args()
    results = run(args.gold, args.tolerance)
    print(f"Suggestions against data/ on {args.gold} (tolerance {args.tolerance} days)")
    print(f"{'half':8} {'kind':12} {'suggested':>9} {'right':>6} {'precision':>9} "
          f"{'stated':>7} {'found':>6} {'recall':>7} {'quoted, undated':>16}")
    for half in ("dev", "heldout"):
        rows = [(g, s) for g, s in results if g.split == half]
        if not rows:
            continue
        total = KindScore()
        for kind in SECTIONS:
            k = KindScore()
            for _g, s in rows:
                k.add(s[kind])
            total.add(k)
            print(f"{half:8} {kind:12} {k.suggested:9} {k.right:6} {k.precision:9.3f} "
                  f"{k.stated:7} {k.found:6} {k.recall:7.3f} {k.undated:16}")
        print(f"{half:8} {'overall':12} {total.suggested:9} {total.right:6} "
              f"{total.precision:9.3f} {total.stated:7} {total.found:6} {total.recall:7.3f} "
              f"{total.undated:16}")
    if args.show_errors:
        for g, scores in results:
            if g.split != "dev":
                continue
            for kind in SECTIONS:
                for f in scores[kind].wrong:
                    print(f"{g.id}  wrong   {show(f)}")
                for f in scores[kind].missed:
                    print(f"{g.id}  missed  {show(f)}")


if __name__ == "__main__":
    main()
