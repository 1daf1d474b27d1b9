"""Benchmark: passages linked per second, the documents pipeline beside a naive baseline, and
beside another checkout of the project (before/after a change) in the same run.

The pipeline is what loading a document does: parse the text into passages, link every
mention (all the linker's passes), find dates and figures. The naive baseline is the obvious
first attempt: one case-insensitive regular expression per name and alias, each run over every
passage. The texts are the two seed documents and the gold set's (tests/fixtures/gold/texts,
English and Russian). Each rate is given in CPU time (the process's own, which other programs on
a shared machine do not distort) and in wall-clock time; the figures are medians of rounds.

    .venv/bin/python scripts/bench_documents.py [--rounds 5]
    git worktree add /tmp/before <commit>
    .venv/bin/python scripts/bench_documents.py --before /tmp/before

With --before, each round also measures the pipeline of that checkout (its loaders/, the same
texts and data/ of this one), in a process of its own started for the round, and prints the
ratio: what the change costs, or saves.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted((PROJECT_ROOT / "data" / "documents").glob("*.txt")) + sorted(
    (PROJECT_ROOT / "tests" / "fixtures" / "gold" / "texts").glob("*.txt"))


def pipeline(linker: Any, raw: list[bytes]) -> int:
    from loaders.documents.dates import find_dates, find_numbers
    from loaders.documents.read import parse_bytes

    passages = 0
    for data in raw:
        doc = parse_bytes(data, "text", "bench")
        linker.link(doc.text, [(p.start, p.end) for p in doc.passages])
        find_numbers(doc.text, find_dates(doc.text))
        passages += len(doc.passages)
    return passages


def baseline(patterns: list[tuple[re.Pattern[str], str]], raw: list[bytes]) -> int:
    from loaders.documents.read import parse_bytes

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


def rate(fn: Any, arg: Any, raw: list[bytes], min_seconds: float) -> tuple[float, float]:
    """(passages per CPU second, passages per wall-clock second)."""
    done, cpu, wall = 0, time.process_time(), time.perf_counter()
    while True:
        done += fn(arg, raw)
        if time.process_time() - cpu >= min_seconds:
            return done / (time.process_time() - cpu), done / (time.perf_counter() - wall)


def setup(root: Path) -> tuple[Any, list[tuple[re.Pattern[str], str]], list[bytes], float]:
    """The linker of this checkout's data/ built by the code under ``root``, the naive
    patterns, the texts, and how long the linker took to build (CPU seconds)."""
    sys.path.insert(0, str(root))
    from loaders.documents.link import LINKED_LABELS, Linker
    from loaders.validate import validate_paths

    records = validate_paths([PROJECT_ROOT / "data"]).records
    cpu = time.process_time()
    linker = Linker.from_records(records)
    built = time.process_time() - cpu
    patterns = [(re.compile(r"\b" + re.escape(form) + r"\b", re.I), r.id)
                for r in records if r.kind.name in LINKED_LABELS
                for form in [r.props["name"], *r.props.get("aliases", [])]]
    return linker, patterns, [p.read_bytes() for p in TEXTS], built


def worker(root: Path, seconds: float) -> None:
    """One measure of the pipeline of the code under ``root``, as JSON on standard output."""
    linker, _, raw, built = setup(root)
    pipeline(linker, raw)  # warm: caches, the Russian dictionary
    cpu, wall = rate(pipeline, linker, raw, seconds)
    print(json.dumps({"cpu": cpu, "wall": wall, "built": built}))


def measure_before(before: Path, seconds: float) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--worker", str(before), "--seconds",
                          str(seconds)], capture_output=True, text=True, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=1.0, help="minimum time of one measure")
    ap.add_argument("--before", type=Path, help="another checkout to measure beside this one")
    ap.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.seconds)
        return
    linker, patterns, raw, built = setup(PROJECT_ROOT)
    from loaders.documents.read import parse_bytes

    n = sum(len(parse_bytes(d, "text", "x").passages) for d in raw)
    print(f"{len(TEXTS)} texts, {n} passages, {sum(map(len, raw)):,} bytes; "
          f"{len(linker.by_key):,} dictionary keys (built in {built:.2f} s CPU); "
          f"baseline: {len(patterns):,} regexes")
    pipeline(linker, raw)  # warm: caches, the Russian dictionary
    rows: list[tuple[float, ...]] = []
    print("passages/s      pipeline (cpu / wall)   naive regexes (cpu / wall)   x naive (cpu)"
          + ("   before (cpu / wall)   after/before (cpu)" if args.before else ""))
    for i in range(1, args.rounds + 1):
        p_cpu, p_wall = rate(pipeline, linker, raw, args.seconds)
        b_cpu, b_wall = rate(baseline, patterns, raw, args.seconds)
        row: tuple[float, ...] = (p_cpu, p_wall, b_cpu, b_wall)
        line = (f"round {i}:     {p_cpu:8,.0f} / {p_wall:8,.0f}      {b_cpu:7,.0f} / "
                f"{b_wall:7,.0f}            {p_cpu / b_cpu:5.1f}x")
        if args.before:
            before = measure_before(args.before, args.seconds)
            row += (before["cpu"], before["wall"])
            line += (f"      {before['cpu']:7,.0f} / {before['wall']:7,.0f}"
                     f"           {p_cpu / before['cpu']:5.2f}")
        rows.append(row)
        print(line)
    med = [statistics.median(r[k] for r in rows) for k in range(len(rows[0]))]
    line = (f"median:      {med[0]:8,.0f} / {med[1]:8,.0f}      {med[2]:7,.0f} / {med[3]:7,.0f}"
            f"            {med[0] / med[2]:5.1f}x")
    if args.before:
        line += f"      {med[4]:7,.0f} / {med[5]:7,.0f}           {med[0] / med[4]:5.2f}"
    print(line)
    print("goals: >= 1,000 passages/s and >= 20x the naive regexes")


if __name__ == "__main__":
    main()
