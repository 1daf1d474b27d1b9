"""Benchmark: passages linked per second, the documents pipeline beside a naive baseline.

The pipeline is what loading a document does: parse the text into passages, link every
mention (dictionary pass, fuzzy pass, context), find dates and figures. The baseline is the
obvious first attempt: one case-insensitive regular expression per name and alias, each run
over every passage. Both run over the passages of the two seed documents, in the same process,
for several rounds; the figures are medians.

    .venv/bin/python scripts/bench_documents.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graph.settings import PROJECT_ROOT  # noqa: E402
from loaders.documents.dates import find_dates, find_numbers  # noqa: E402
from loaders.documents.link import LINKED_LABELS, Linker  # noqa: E402
from loaders.documents.read import parse_bytes  # noqa: E402
from loaders.validate import validate_paths  # noqa: E402

DOCS = sorted((PROJECT_ROOT / "data" / "documents").glob("*.txt"))


def pipeline(linker: Linker, raw: list[bytes]) -> int:
    passages = 0
    for data in raw:
        doc = parse_bytes(data, "text", "bench")
        linker.link(doc.text, [(p.start, p.end) for p in doc.passages])
        find_numbers(doc.text, find_dates(doc.text))
        passages += len(doc.passages)
    return passages


def baseline(patterns: list[tuple[re.Pattern[str], str]], raw: list[bytes]) -> int:
    passages = 0
    for data in raw:
        doc = parse_bytes(data, "text", "bench")
        for p in doc.passages:
            text = doc.passage_text(p)
            for pattern, _entity in patterns:
                for _m in pattern.finditer(text):
                    pass
            passages += 1
    return passages


def rate(fn: object, arg: object, raw: list[bytes], min_seconds: float) -> float:
    done, start = 0, time.perf_counter()
    while True:
        done += fn(arg, raw)  # type: ignore[operator]
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return done / elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0, help="minimum time of one measure")
    args = ap.parse_args()
    records = validate_paths([PROJECT_ROOT / "data"]).records
    linker = Linker.from_records(records)
    patterns = [(re.compile(r"\b" + re.escape(form) + r"\b", re.I), r.id)
                for r in records if r.kind.name in LINKED_LABELS
                for form in [r.props["name"], *r.props.get("aliases", [])]]
    raw = [p.read_bytes() for p in DOCS]
    n = sum(len(parse_bytes(d, "text", "x").passages) for d in raw)
    print(f"{len(DOCS)} documents, {n} passages, {sum(map(len, raw)):,} bytes; "
          f"{len(linker.by_key):,} dictionary keys; baseline: {len(patterns):,} regexes")
    pipe_rates, base_rates = [], []
    for i in range(1, args.rounds + 1):
        p = rate(pipeline, linker, raw, args.seconds)
        b = rate(baseline, patterns, raw, args.seconds)
        pipe_rates.append(p)
        base_rates.append(b)
        print(f"round {i}: pipeline {p:9,.0f} passages/s   baseline {b:7,.0f} passages/s   "
              f"ratio {p / b:5.1f}x")
    p, b = statistics.median(pipe_rates), statistics.median(base_rates)
    print(f"median:  pipeline {p:9,.0f} passages/s   baseline {b:7,.0f} passages/s   "
          f"ratio {p / b:5.1f}x   (goals: >= 1,000 passages/s and >= 20x)")


if __name__ == "__main__":
    main()
