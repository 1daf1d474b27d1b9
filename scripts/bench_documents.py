"""Benchmark: passages linked per second, the documents pipeline beside a naive baseline.

The pipeline is what loading a document does: parse the text into passages, link every
mention (dictionary pass, fuzzy pass, context), find dates and figures. The baseline is the
obvious first attempt: one case-insensitive regular expression per name and alias, each run
over every passage. Both run over the passages of the two seed documents, in the same process,
for several rounds; the figures are medians. Each rate is given in CPU time (the process's
own, which other programs on a shared machine do not distort) and in wall-clock time.

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

PROJECT_ROOT = Path(__file__).resolve().parent.parent
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


def rate(fn: object, arg: object, raw: list[bytes], min_seconds: float) -> tuple[float, float]:
    """(passages per CPU second, passages per wall-clock second)."""
    done, cpu, wall = 0, time.process_time(), time.perf_counter()
    while True:
        done += fn(arg, raw)  # type: ignore[operator]
        if time.process_time() - cpu >= min_seconds:
            return done / (time.process_time() - cpu), done / (time.perf_counter() - wall)


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
    rounds: list[tuple[float, float, float, float]] = []
    print("passages/s:       pipeline (cpu / wall)     baseline (cpu / wall)    ratio (cpu / wall)")
    for i in range(1, args.rounds + 1):
        p_cpu, p_wall = rate(pipeline, linker, raw, args.seconds)
        b_cpu, b_wall = rate(baseline, patterns, raw, args.seconds)
        rounds.append((p_cpu, p_wall, b_cpu, b_wall))
        print(f"round {i}:        {p_cpu:8,.0f} / {p_wall:8,.0f}      {b_cpu:7,.0f} / {b_wall:7,.0f}"
              f"        {p_cpu / b_cpu:5.1f}x / {p_wall / b_wall:5.1f}x")
    p_cpu, p_wall, b_cpu, b_wall = (statistics.median(r[k] for r in rounds) for k in range(4))
    print(f"median:         {p_cpu:8,.0f} / {p_wall:8,.0f}      {b_cpu:7,.0f} / {b_wall:7,.0f}"
          f"        {p_cpu / b_cpu:5.1f}x / {p_wall / b_wall:5.1f}x")
    print("goals: >= 1,000 passages/s and >= 20x the baseline")


if __name__ == "__main__":
    main()
