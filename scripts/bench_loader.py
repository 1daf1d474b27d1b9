"""Benchmark: revgraph's loader beside a naive per-record loader and `neo4j-admin database
import full`, on the same synthetic dataset, in one run (issue 10 item 2).

- revgraph: ``validate_paths`` + ``loaders.write.load`` into an empty database (one
  transaction, UNWIND batches).
- naive: what an ORM does: for each record, one MERGE of its node in its own transaction, then
  for each of its relationships one transaction that MERGEs the target (by id) and the
  relationship. It is run for at most ``--naive-seconds`` and its rate taken over the records
  it finished (its rate per record does not change with the size of the run: each statement is
  an indexed lookup by id).
- neo4j-admin: the validated dataset written as CSV (the same nodes, labels, properties and
  relationships the loader writes), then ``neo4j-admin database import full`` into the local
  server's database, stopped for it (Neo4j Community cannot stop one database alone); the
  constraints and indexes are built afterwards (``migrate``), timed apart.

Then validation alone of one large file (~50 MB by default, the issue's target: at most 30 s
and 1 GB), in a child process so that its peak resident memory is its own.

Uses its own local server (.revgraph-bench10, bolt 25002, http 25003) and stops it at the end.
Not a test: it asserts nothing.

    .venv/bin/python scripts/bench_loader.py [--scale 10] [--seed 1917] [--rounds 2]
        [--naive-seconds 60] [--big-mb 50]
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graph.db import open_driver, target  # noqa: E402
from graph.migrations import migrate  # noqa: E402
from graph.server import ADMIN_TOOL, LocalServer  # noqa: E402
from loaders.synth import generate, shape  # noqa: E402
from loaders.validate import Dataset, validate_paths  # noqa: E402
from loaders.write import NodeWrite, load, plan  # noqa: E402
from schema.config import Config  # noqa: E402
from schema.model import KIND_BY_LABEL  # noqa: E402

SYNTH = ROOT / ".revgraph-synth"
CLEAR = "CALL { MATCH (n) DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
COUNT = "MATCH (n) WITH count(n) AS nodes OPTIONAL MATCH ()-[r]->() RETURN nodes, count(r) AS rels"


def bench_config() -> Config:
    return Config.from_env({}, home=ROOT / ".revgraph-bench10", bolt_port=25002,
                           http_port=25003, neo4j_heap="1g", neo4j_pagecache="512m")


def counts(driver: Any, database: str) -> tuple[int, int]:
    with driver.session(database=database) as s:
        row = s.run(COUNT).single()
    return int(row["nodes"]), int(row["rels"])


def clear(driver: Any, database: str) -> None:
    with driver.session(database=database) as s:
        s.run(CLEAR).consume()


# -- (a) revgraph ----------------------------------------------------------------------------

def run_revgraph(driver: Any, database: str, folder: Path) -> dict[str, float]:
    clear(driver, database)
    migrate(driver, database)  # the constraints exist already, as for the naive loader
    began = time.perf_counter()
    dataset = validate_paths([folder])
    validated = time.perf_counter()
    load(driver, database, dataset)
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


def write_csv(wanted: dict[str, NodeWrite], out: Path) -> tuple[list[str], list[str]]:
    """The nodes, one file per kind (its properties as columns), and all relationships in one
    file: the arguments of --nodes and --relationships."""
    out.mkdir(parents=True, exist_ok=True)
    by_label: dict[str, list[NodeWrite]] = defaultdict(list)
    for node in wanted.values():
        by_label[node.label].append(node)
    node_files = []
    for label, nodes in by_label.items():
        keys = sorted({k for n in nodes for k in n.props if k != "id"})
        types = {k: _csv_type([n.props.get(k) for n in nodes]) for k in keys}
        path = out / f"nodes-{label}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["id:ID", ":LABEL", *(f"{k}:{types[k]}" for k in keys)])
            for n in nodes:
                kind_labels = [*KIND_BY_LABEL[n.label].labels, *n.extra_labels]
                w.writerow([n.id, ";".join(kind_labels), *(_cell(n.props.get(k)) for k in keys)])
        node_files.append(str(path))
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
    node_files, rel_files = write_csv(plan(dataset), server.root / "import-csv")
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
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"records": len(dataset.records), "seconds": took, "peak": peak}))


# -- the run ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=10)
    parser.add_argument("--seed", type=int, default=1917)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of revgraph's loader")
    parser.add_argument("--naive-seconds", type=float, default=60)
    parser.add_argument("--big-mb", type=float, default=50)
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

    config = bench_config()
    server = LocalServer(config)
    server.start(echo=False)
    rows: list[tuple[str, int, float, str]] = []
    try:
        t = target(config)
        with open_driver(t) as driver:
            rounds = [run_revgraph(driver, t.database, folder) for _ in range(args.rounds)]
            a = min(rounds, key=lambda r: r["total"])
            nodes, rels = counts(driver, t.database)
            rows.append(("revgraph (validate + load)", int(a["records"]), a["total"],
                         f"best of {args.rounds} (totals "
                         + ", ".join(f"{r['total']:.1f}" for r in rounds)
                         + f" s): validate {a['validate']:.1f} s, load {a['load']:.1f} s; "
                         f"graph {nodes:,} nodes, {rels:,} rels"))
            dataset = validate_paths([folder])
            b = run_naive(driver, t.database, dataset, args.naive_seconds)
            rows.append(("naive (one MERGE per node/rel, tx each)", int(b["records"]), b["total"],
                         f"{int(b['rels']):,} rels in {b['total']:.1f} s (time-boxed), "
                         "validation not counted"))
        try:
            c = run_import(server, dataset, t.database)
            server.start(echo=False)
            with open_driver(t) as driver:
                began = time.perf_counter()
                migrate(driver, t.database)
                indexed = time.perf_counter() - began
                nodes, rels = counts(driver, t.database)
            rows.append(("neo4j-admin import full (CSV)", len(dataset.records), c["total"],
                         f"CSV {c['csv']:.1f} s, import {c['import']:.1f} s (JVM start "
                         f"included); then indexes {indexed:.1f} s; graph {nodes:,} nodes, "
                         f"{rels:,} rels; validation not counted"))
        except Exception as exc:  # say why, and keep the other figures
            rows.append(("neo4j-admin import full (CSV)", 0, 0.0, f"failed: {exc}"))
    finally:
        server.stop()

    print(f"\n{'loader':44} {'records':>8} {'seconds':>8} {'rec/s':>9}  notes")
    base = {name: n / s for name, n, s, _ in rows if s}
    for name, n, s, note in rows:
        rate = f"{n / s:9,.0f}" if s else f"{'-':>9}"
        print(f"{name:44} {n:8,} {s:8.1f} {rate}  {note}")
    naive = base.get("naive (one MERGE per node/rel, tx each)")
    if naive:
        for name, r in base.items():
            print(f"  {name}: {r / naive:.1f}x the naive loader")
        # Like for like: the naive and neo4j-admin figures count no validation.
        load_only = a["records"] / a["load"]
        print(f"  revgraph's load alone (validation not counted): {load_only:,.0f} rec/s, "
              f"{load_only / naive:.1f}x the naive loader")
        admin = base.get("neo4j-admin import full (CSV)")
        if admin:
            print(f"  neo4j-admin import / revgraph's load alone: {admin / load_only:.2f}x; "
                  f"/ revgraph validate + load: {admin / base['revgraph (validate + load)']:.2f}x")

    # Validation alone of one ~50 MB file, in a child process (its own peak memory).
    big_scale = max(1.0, round(args.scale * args.big_mb * 1e6 / size))
    big_folder = SYNTH / f"bench-scale-{big_scale:g}"
    generate(real, big_scale, args.seed, big_folder)
    big = one_file(big_folder, SYNTH / f"bench-one-file-scale-{big_scale:g}.yaml")
    child = subprocess.run([sys.executable, __file__, "--validate-child", str(big)],
                           capture_output=True, text=True)
    if child.returncode != 0:
        print(f"\nvalidation of {big}: failed\n{child.stderr[-2000:]}")
        return
    v = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"\nvalidation alone of one file: {big.stat().st_size / 1e6:.1f} MB, "
          f"{v['records']:,} records (scale {big_scale:g}): {v['seconds']:.1f} s "
          f"({v['records'] / v['seconds']:,.0f} rec/s), peak RSS {v['peak'] / 2**20:,.0f} MiB "
          "(target: at most 30 s and 1 GB)")


if __name__ == "__main__":
    main()
