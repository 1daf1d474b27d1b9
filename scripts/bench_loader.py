"""Benchmark: revgraph's loader beside a naive per-record loader and `neo4j-admin database
import full`, on the same synthetic dataset, in one run (docs/decisions/0004-synthetic-scale.md).

- revgraph bulk: ``validate_paths`` + ``loaders.write.load`` into an empty database, which takes
  the bulk path (loaders/bulk.py: CREATE in UNWIND batches, a transaction per batch).
- revgraph incremental: the same into an empty database with ``bulk=False``: the path for
  changes (hashes compared, ONE transaction, UNWIND batches of MERGE).
- naive: what an ORM does: for each record, one MERGE of its node in its own transaction, then
  for each of its relationships one transaction that MERGEs the target (by id) and the
  relationship. It is run for at most ``--naive-seconds`` and its rate taken over the records
  it finished (its rate per record does not change with the size of the run: each statement is
  an indexed lookup by id).
- neo4j-admin: the validated dataset written as CSV (the same nodes, labels, properties and
  relationships the loader writes), then ``neo4j-admin database import full`` into the local
  server's database, stopped for it (Neo4j Community cannot stop one database alone); the
  constraints and indexes are built afterwards (``migrate``), timed apart.

The naive and neo4j-admin figures count no validation: the like-for-like ratios compare them
with revgraph's write alone (validation is printed beside it).

Then validation alone of one large file (~60 MB by default; the target: at most 20 s and
500 MB; ``--validate-only`` runs this alone, with no server and no loads), in a child
process so that its peak resident memory is its own, twice: one file of the synthetic
dataset's shape, and one "dense" file of as many bytes in short records (places,
sources, organisations and control periods of a few lines each: some 700,000 records, the shape
that costs validation most per byte); with ``--before REF`` the same files are validated by the
loaders of git revision REF too (e.g. main), in the same run. ``--validate-scale N`` validates
the whole synthetic dataset at scale N (its memory: 1000x in at most 4 GB). ``--batches
1000,5000,20000`` times the bulk path at each batch size.

Uses the local server of REVGRAPH_HOME / REVGRAPH_BOLT_PORT / REVGRAPH_HTTP_PORT when
REVGRAPH_BOLT_PORT is set (else .revgraph-bench10, bolt 25002, http 25003) and stops it at the
end. Not a test: it asserts nothing.

    .venv/bin/python scripts/bench_loader.py [--scale 10] [--seed 1917] [--rounds 2]
        [--naive-seconds 60] [--big-mb 50] [--before main] [--validate-scale 1000]
        [--batches 1000,5000,20000] [--heap 1g] [--pagecache 512m] [--skip-big]
        [--no-incremental] [--validate-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The loaders of another revision (--before): the child that validates imports them first.
sys.path.insert(0, os.environ.get("REVGRAPH_BENCH_TREE") or str(ROOT))

from graph.db import open_driver, target  # noqa: E402
from graph.migrations import migrate  # noqa: E402
from graph.server import ADMIN_TOOL, LocalServer  # noqa: E402
from loaders.nodes import NodeWrite, plan  # noqa: E402
from loaders.synth import generate, shape  # noqa: E402
from loaders.validate import Dataset, validate_paths  # noqa: E402
from loaders.write import load  # noqa: E402
from schema.config import Config  # noqa: E402
from schema.model import FIGHTING_MONTH_LABEL, KIND_BY_LABEL, LOAD_HASH  # noqa: E402

SYNTH = ROOT / ".revgraph-synth"
CLEAR = "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
COUNT = "MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels"


def bench_config(heap: str, pagecache: str = "512m") -> Config:
    if os.environ.get("REVGRAPH_BOLT_PORT"):  # the caller's own server settings
        return Config.from_env(neo4j_heap=heap, neo4j_pagecache=pagecache)
    return Config.from_env({}, home=ROOT / ".revgraph-bench10", bolt_port=25002,
                           http_port=25003, neo4j_heap=heap, neo4j_pagecache=pagecache)


def counts(driver: Any, database: str) -> tuple[int, int]:
    with driver.session(database=database) as s:
        row = s.run(COUNT).single()
    return int(row["nodes"]), int(row["rels"])


def clear(driver: Any, database: str) -> None:
    with driver.session(database=database) as s:
        s.run(CLEAR).consume()


# -- (a) revgraph ----------------------------------------------------------------------------

def run_revgraph(driver: Any, database: str, folder: Path, bulk: bool,
                 size: int | None = None) -> dict[str, float]:
    """Validate the folder, then load it into the emptied database by one path."""
    from loaders.bulk import load_bulk  # not in the trees that --before validates with

    clear(driver, database)
    migrate(driver, database)  # the constraints exist already, as for the naive loader
    began = time.perf_counter()
    dataset = validate_paths([folder])
    validated = time.perf_counter()
    if size is not None:
        load_bulk(driver, database, dataset, lambda _s, _n: None, size=size)
    else:
        load(driver, database, dataset, bulk=bulk)
    done = time.perf_counter()
    return {"records": len(dataset.records), "validate": validated - began,
            "load": done - validated, "total": done - began}


# -- (b) naive, per record -------------------------------------------------------------------

def _merge_node(tx: Any, node: NodeWrite) -> None:
    labels = ":".join([node.label, *node.extra_labels])
    tx.run(f"MERGE (n:{labels} {{id: $id}}) SET n += $props", id=node.id,
           props=node.props).consume()


def _merge_rel(tx: Any, node: NodeWrite, rel: tuple[str, str, str, dict[str, Any]]) -> None:
    rel_type, target_label, target_id, props = rel
    tx.run(f"MATCH (a:{node.label} {{id: $a}}) MERGE (b:{target_label} {{id: $b}}) "
           f"MERGE (a)-[r:{rel_type} {{position: $props.position}}]->(b) SET r += $props",
           a=node.id, b=target_id, props=props).consume()


def run_naive(driver: Any, database: str, dataset: Dataset, budget: float) -> dict[str, float]:
    clear(driver, database)
    migrate(driver, database)  # the ORM's unique constraints: every MERGE is an index lookup
    wanted = plan(dataset)
    began = time.perf_counter()
    done = rels = 0
    with driver.session(database=database) as s:
        for node in wanted.values():
            s.execute_write(_merge_node, node)
            for rel in node.rels:
                s.execute_write(_merge_rel, node, rel)
                rels += 1
            done += 1
            if time.perf_counter() - began > budget:
                break
    return {"records": done, "rels": rels, "total": time.perf_counter() - began}


# -- (c) neo4j-admin database import -------------------------------------------------------

_TYPES = {bool: "boolean", int: "long", float: "double", str: "string", date: "date"}


def _csv_type(values: list[Any]) -> str:
    for v in values:
        if isinstance(v, list):
            return "string[]"
        if v is not None:
            return _TYPES[type(v)]
    return "string"


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ";".join(str(x) for x in v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def _node_csv(path: Path, rows: list[tuple[str, str, dict[str, Any]]]) -> str:
    """One --nodes file: (id, labels joined by ';', properties) rows, a column per property."""
    keys = sorted({k for _, _, props in rows for k in props if k != "id"})
    types = {k: _csv_type([props.get(k) for _, _, props in rows]) for k in keys}
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id:ID", ":LABEL", *(f"{k}:{types[k]}" for k in keys)])
        for node_id, labels, props in rows:
            w.writerow([node_id, labels, *(_cell(props.get(k)) for k in keys)])
    return str(path)


def write_csv(wanted: dict[str, NodeWrite], out: Path,
              months: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The nodes, one file per kind (its properties as columns), the fighting by month the
    loader derives (so that both write the same graph), and all relationships in one file: the
    arguments of --nodes and --relationships."""
    out.mkdir(parents=True, exist_ok=True)
    by_label: dict[str, list[NodeWrite]] = defaultdict(list)
    for node in wanted.values():
        by_label[node.label].append(node)
    node_files = [
        _node_csv(out / f"nodes-{label}.csv",
                  [(n.id, ";".join([*KIND_BY_LABEL[n.label].labels, *n.extra_labels]),
                    {**n.props, LOAD_HASH: n.hash})
                   for n in nodes])
        for label, nodes in by_label.items()]
    node_files.append(_node_csv(out / f"nodes-{FIGHTING_MONTH_LABEL}.csv",
                                [(m["id"], FIGHTING_MONTH_LABEL, m) for m in months]))
    rel_keys = sorted({k for n in wanted.values() for r in n.rels for k in r[3]})
    path = out / "relationships.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow([":START_ID", ":END_ID", ":TYPE",
                    *(f"{k}:long" if k == "position" else k for k in rel_keys)])
        for n in wanted.values():
            for rel_type, _, target_id, props in n.rels:
                w.writerow([n.id, target_id, rel_type, *(_cell(props.get(k)) for k in rel_keys)])
    return node_files, [str(path)]


def run_import(server: LocalServer, dataset: Dataset, database: str) -> dict[str, float]:
    began = time.perf_counter()
    node_files, rel_files = write_csv(plan(dataset), server.root / "import-csv",
                                       dataset.fighting_months)
    written = time.perf_counter()
    server.stop()
    env = {"NEO4J_HOME": str(server.home), "NEO4J_CONF": str(server.conf_dir),
           "PATH": "/usr/bin:/bin"}
    cmd = [server.java(), "-Xmx1g", "-cp", f"{server.lib}/*", ADMIN_TOOL, "database", "import",
           "full", *(f"--nodes={p}" for p in node_files),
           *(f"--relationships={p}" for p in rel_files), "--overwrite-destination=true",
           "--array-delimiter=;", f"--report-file={server.root / 'import.report'}", database]
    t0 = time.perf_counter()
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)
    imported = time.perf_counter()
    if result.returncode != 0:
        raise RuntimeError(f"neo4j-admin import failed:\n{result.stdout[-2000:]}\n"
                           f"{result.stderr[-2000:]}")
    # The server's stop is not the import's cost: not counted.
    return {"csv": written - began, "import": imported - t0,
            "total": (written - began) + (imported - t0)}


# -- validation of one large file ------------------------------------------------------------

def one_file(folder: Path, out: Path) -> Path:
    """The synthetic files of a folder as one data file: each section once."""
    sections: dict[str, list[Path]] = defaultdict(list)
    for p in sorted(folder.glob("*.yaml")):
        sections[p.stem.rsplit("-", 1)[0]].append(p)
    with out.open("w", encoding="utf-8") as f:
        for section, paths in sections.items():
            f.write(f"{section}:\n")
            for p in paths:
                with p.open(encoding="utf-8") as src:
                    for line in src:
                        if line.startswith("- ") or line.startswith("  "):
                            f.write(line)
    return out


def validate_child(path: str) -> None:
    began = time.perf_counter()
    dataset = validate_paths([Path(path)])
    took = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"records": len(dataset.records), "seconds": took,
                      "cpu": usage.ru_utime + usage.ru_stime, "peak": peak_rss(usage)}))


def peak_rss(usage: Any) -> int:
    """This process's own peak resident memory, in bytes. Linux keeps ru_maxrss across exec, so
    a child started by a parent that holds a large dataset would report the parent's peak: the
    kernel's high-water mark of this process's memory (VmHWM) is read instead where it exists."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return int(usage.ru_maxrss) * 1024


def tree_of(ref: str, into: Path) -> Path:
    """The loaders and schema of git revision ``ref``, unpacked into a folder."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref, "loaders", "schema", "graph"],
                             capture_output=True, check=True).stdout
    with tempfile.TemporaryFile() as f:
        f.write(archive)
        f.seek(0)
        with tarfile.open(fileobj=f) as tar:
            tar.extractall(into, filter="data")
    return into


def validate_in_child(path: Path, tree: Path | None = None) -> dict[str, float] | str:
    env = dict(os.environ, REVGRAPH_BENCH_TREE=str(tree)) if tree else None
    child = subprocess.run([sys.executable, __file__, "--validate-child", str(path)],
                           capture_output=True, text=True, env=env, cwd=ROOT)
    if child.returncode != 0:
        return f"failed: {child.stderr.strip().splitlines()[-1:]}"
    return json.loads(child.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def print_validation(what: str, mb: float, v: dict[str, float] | str) -> None:
    if isinstance(v, str):
        print(f"  {what}: {v}")
        return
    print(f"  {what}: {mb:.1f} MB, {v['records']:,.0f} records: {v['seconds']:.1f} s "
          f"(CPU {v['cpu']:.1f} s; {v['records'] / v['seconds']:,.0f} rec/s), "
          f"peak RSS {v['peak'] / 2**20:,.0f} MiB")


# -- the run ---------------------------------------------------------------------------------

BULK = "revgraph bulk (first load)"
INCREMENTAL = "revgraph incremental (one tx)"
NAIVE = "naive (one MERGE per node/rel, tx each)"
ADMIN = "neo4j-admin import full (CSV)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each revgraph path")
    parser.add_argument("--naive-seconds", type=float, default=60)
    parser.add_argument("--big-mb", type=float, default=60)
    parser.add_argument("--skip-big", action="store_true", help="no validation of one big file")
    parser.add_argument("--validate-only", action="store_true",
                        help="only the validation of one big file (no server, no loads)")
    parser.add_argument("--before", help="also validate the big file with this git revision")
    parser.add_argument("--validate-scale", type=float, help="validate the dataset at this scale")
    parser.add_argument("--batches", help="time the bulk path at these batch sizes (a,b,c)")
    parser.add_argument("--heap", default="1g", help="the bench server's heap")
    parser.add_argument("--pagecache", default="512m", help="the bench server's page cache")
    parser.add_argument("--no-incremental", action="store_true",
                        help="skip the incremental path (one transaction: at 100x it needed "
                        "more transaction memory than a 2 GB heap allows)")
    parser.add_argument("--validate-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.validate_child:
        validate_child(args.validate_child)
        return

    real = shape(validate_paths([Config.from_env({}).data]).records)
    folder = SYNTH / f"bench-scale-{args.scale:g}"
    written = generate(real, args.scale, args.seed, folder)
    size = sum(p.stat().st_size for p in folder.glob("*.yaml"))
    print(f"synthetic dataset: scale {args.scale:g}, seed {args.seed}, "
          f"{sum(written.values()):,} records, {size / 1e6:.1f} MB in {folder}")
    if not args.validate_only:
        load_rows(args, folder)
    if not args.skip_big:
        validation(args, real, size)


def load_rows(args: argparse.Namespace, folder: Path) -> None:
    config = bench_config(args.heap, args.pagecache)
    server = LocalServer(config)
    server.start(echo=False)
    rows: list[tuple[str, int, float, str]] = []
    best: dict[str, dict[str, float]] = {}
    try:
        t = target(config)
        with open_driver(t) as driver:
            if args.batches:
                print("\nbulk path by batch size (rows per transaction), load alone:")
                for n in (int(x) for x in args.batches.split(",")):
                    r = run_revgraph(driver, t.database, folder, True, size=n)
                    print(f"  {n:>7,} rows/tx: {r['load']:6.1f} s, {r['records'] / r['load']:8,.0f} rec/s")
            paths = ((BULK, True),) if args.no_incremental else ((BULK, True), (INCREMENTAL, False))
            for name, bulk in paths:
                try:
                    rounds = [run_revgraph(driver, t.database, folder, bulk)
                              for _ in range(args.rounds)]
                except Exception as exc:  # e.g. one transaction too large for the heap
                    rows.append((name, 0, 0.0, f"failed: {str(exc)[:200]}"))
                    print(f"  measured: {rows[-1]}", flush=True)
                    continue
                a = best[name] = min(rounds, key=lambda r: r["load"])
                nodes, rels = counts(driver, t.database)
                rows.append((name, int(a["records"]), a["load"],
                             f"best of {args.rounds} (loads "
                             + ", ".join(f"{r['load']:.1f}" for r in rounds)
                             + f" s); validation {a['validate']:.1f} s more; graph {nodes:,} "
                             f"nodes, {rels:,} rels"))
                print(f"  measured: {rows[-1]}", flush=True)  # kept if a later step fails
            dataset = validate_paths([folder])
            b = run_naive(driver, t.database, dataset, args.naive_seconds)
            rows.append((NAIVE, int(b["records"]), b["total"],
                         f"{int(b['rels']):,} rels in {b['total']:.1f} s (time-boxed)"))
            print(f"  measured: {rows[-1]}", flush=True)
        try:
            c = run_import(server, dataset, t.database)
            server.start(echo=False)
            with open_driver(t) as driver:
                began = time.perf_counter()
                migrate(driver, t.database)
                indexed = time.perf_counter() - began
                nodes, rels = counts(driver, t.database)
            rows.append((ADMIN, len(dataset.records), c["total"] + indexed,
                         f"CSV {c['csv']:.1f} s + import {c['import']:.1f} s (JVM start "
                         f"included) + indexes {indexed:.1f} s; graph {nodes:,} nodes, "
                         f"{rels:,} rels"))
        except Exception as exc:  # say why, and keep the other figures
            rows.append((ADMIN, 0, 0.0, f"failed: {exc}"))
    finally:
        server.stop()

    print(f"\n{'loader (write alone, no validation)':40} {'records':>8} {'seconds':>8} "
          f"{'rec/s':>9}  notes")
    rate = {name: n / s for name, n, s, _ in rows if s}
    for name, n, s, note in rows:
        shown = f"{n / s:9,.0f}" if s else f"{'-':>9}"
        print(f"{name:40} {n:8,} {s:8.1f} {shown}  {note}")
    naive, admin = rate.get(NAIVE), rate.get(ADMIN)
    print()
    for name in (BULK, INCREMENTAL):
        if name not in rate:
            continue
        if naive:
            print(f"  {name}: {rate[name] / naive:6.1f}x the naive loader (goal: at least 20x)")
        if admin:
            print(f"  {name}: neo4j-admin import is {admin / rate[name]:.2f}x faster "
                  "(goal: at most 4x)")
        a = best[name]
        print(f"  {name}, validation + write: {a['records'] / a['total']:,.0f} rec/s")


def dense_file(out: Path, mb: float) -> Path:
    """A valid data file of about ``mb`` MB in short records: sources, places, organisations,
    and control periods (one a year per place, each citing a source), about 90 bytes each."""
    rng = random.Random(1917)
    n = int(mb * 1e6 / 91)
    n_src, n_place, n_org = n * 14 // 100, n * 35 // 100, n * 8 // 100
    with out.open("w", encoding="utf-8") as f:
        f.write("sources:\n")
        for i in range(n_src):
            f.write(f"- id: s{i}\n  title: Source {i}\n  kind: book\n  year: 1990\n")
        f.write("places:\n")
        for i in range(n_place):
            f.write(f"- id: p{i}\n  name: Place {i}\n  kind: town\n  lat: {50 + rng.random():.3f}"
                    f"\n  lon: {30 + rng.random():.3f}\n")
        f.write("organizations:\n")
        for i in range(n_org):
            f.write(f"- id: o{i}\n  name: Org {i}\n  kind: mrc\n")
        f.write("control:\n")
        for i in range(n - n_src - n_place - n_org):
            year = 1918 + i // n_place
            f.write(f"- place: p{i % n_place}\n  controller: o{rng.randrange(n_org)}\n"
                    f"  alignment: RED\n  start: {year}-03-01 N.S.\n  end: {year}-12-01 N.S.\n"
                    f"  citations: [s{rng.randrange(n_src)}]\n")
    return out


def validation(args: argparse.Namespace, real: Any, size: int) -> None:
    """Validation alone of one ~60 MB file of each shape (and of a whole dataset at
    --validate-scale), each in a child process, with its own peak memory."""
    big_scale = max(1.0, round(args.scale * args.big_mb * 1e6 / size))
    big_folder = SYNTH / f"bench-scale-{big_scale:g}"
    generate(real, big_scale, args.seed, big_folder)
    big = one_file(big_folder, SYNTH / f"bench-one-file-scale-{big_scale:g}.yaml")
    dense = dense_file(SYNTH / f"bench-dense-{args.big_mb:g}mb.yaml", args.big_mb)
    for what, path in ((f"synthetic shape, scale {big_scale:g}", big), ("dense", dense)):
        mb = path.stat().st_size / 1e6
        print(f"\nvalidation alone of one file, {what} (target: at most 20 s and 500 MB):")
        print_validation("this tree", mb, validate_in_child(path))
        if args.before:
            with tempfile.TemporaryDirectory() as tmp:
                print_validation(f"{args.before}", mb,
                                 validate_in_child(path, tree_of(args.before, Path(tmp))))
    if args.validate_scale:
        folder = SYNTH / f"bench-scale-{args.validate_scale:g}"
        generate(real, args.validate_scale, args.seed, folder)
        mb = sum(p.stat().st_size for p in folder.glob("*.yaml")) / 1e6
        print(f"\nvalidation alone of the dataset at scale {args.validate_scale:g}:")
        print_validation("this tree", mb, validate_in_child(folder))


if __name__ == "__main__":
    main()
