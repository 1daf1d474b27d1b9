"""`revgraph release [VERSION]`: a versioned, checksummed bundle of the whole dataset that a
paper can cite; `revgraph release --verify FOLDER` checks one.

A release is a folder ``revgraph-data-<VERSION>/`` (and the same as a .tar.gz beside it, with
its SHA-256), holding:

- ``data/``: the data files as loaded, and the stored documents' texts;
- ``documents.json`` and ``LICENSES.md``: each stored document with its licence and attribution;
- ``dump/``: the graph as CSV tables (the `revgraph export csv` files) and as JSON-LD
  (``revgraph.jsonld``: every entity and fact, api/linked/jsonld.py);
- ``docs/``: the model (generated from schema/model.py), the data format, what releases are;
- ``CHANGES.md`` and ``changes.json``: the records added, changed and removed since the previous
  release (by ``records.json``, each record's id, kind and loadHash);
- ``manifest.json``: the version, the data version (loaders/dataversion.py), when, by which
  revgraph, the counts, and every file's size and SHA-256; ``SHA256SUMS`` the same for
  ``sha256sum -c``; ``CITATION.cff`` and ``README.md`` how to cite it.

The dumps are read from the graph, so the graph must hold exactly the files being released:
their data versions must agree, or the release is refused (load first). docs/releases.md says
how a release's version and the data version relate.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import tarfile
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from neo4j import Driver

from api.exports.catalog import EXPORTS, plan
from api.exports.options import parse_options
from api.exports.render import provenance, render, revgraph_version, sync_rows
from api.linked.jsonld import dump_document
from api.linked.views import view_of
from graph import entity, version
from graph.db import read
from loaders.dataversion import DataDigest
from loaders.documents.check import data_root
from loaders.documents.plan import plan_passages
from loaders.nodes import plan as plan_nodes
from loaders.validate import Dataset
from schema.errors import InputError
from schema.model import DOCUMENT

PREFIX = "revgraph-data-"
VERSION_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z._-]{0,39}")
SUMS = "SHA256SUMS"
DOCS = Path(__file__).resolve().parent.parent / "docs"
DUMP_BATCH = 1000
DEFAULT_BASE = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Record:
    id: str
    label: str
    hash: str
    name: str


def records_of(dataset: Dataset) -> tuple[str, dict[str, Record]]:
    """The data version of the files and their records by id (what the loader would write)."""
    nodes = plan_nodes(dataset)
    passages = plan_passages(dataset)
    digest = DataDigest().add_all((n.id, n.hash) for n in nodes.values())
    digest.add_all((p.id, p.hash) for p in passages)
    names = {r.id: str(r.props.get("name") or r.props.get("title") or r.id)
             for r in dataset.records}
    records = {n.id: Record(n.id, n.label, n.hash, names.get(n.id, n.id))
               for n in nodes.values()}
    return digest.version, records


def changes(now: dict[str, Record], before: dict[str, Record] | None) -> dict[str, Any]:
    """What changed since the previous release's records (None: a first release)."""
    if before is None:
        return {"first": True, "added": sorted(now), "changed": [], "removed": []}
    return {"first": False,
            "added": sorted(i for i in now if i not in before),
            "changed": sorted(i for i in now if i in before and before[i].hash != now[i].hash),
            "removed": sorted(i for i in before if i not in now)}


def _changes_md(diff: dict[str, Any], now: dict[str, Record], before: dict[str, Record] | None,
                version_name: str, previous: str | None) -> str:
    lines = [f"# Changes in {version_name}", ""]
    if diff["first"]:
        counts = Counter(now[i].label for i in diff["added"])
        lines += ["The first release: every record is new.", ""]
        lines += [f"- {label}: {n}" for label, n in sorted(counts.items())]
        return "\n".join([*lines, ""])
    lines += [f"Since {previous}: {len(diff['added'])} added, {len(diff['changed'])} "
              f"changed, {len(diff['removed'])} removed.", ""]
    for what in ("added", "changed", "removed"):
        by_kind: dict[str, list[Record]] = defaultdict(list)
        for i in diff[what]:
            rec = now.get(i) or (before or {})[i]
            by_kind[rec.label].append(rec)
        if not by_kind:
            continue
        lines += [f"## {what.capitalize()}", ""]
        for label in sorted(by_kind):
            recs = by_kind[label]
            lines.append(f"- {label} ({len(recs)}): " + ", ".join(
                f"{r.name} (`{r.id}`)" if r.name != r.id else f"`{r.id}`" for r in recs[:100])
                + (f", and {len(recs) - 100} more (changes.json)" if len(recs) > 100 else ""))
        lines.append("")
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            h.update(chunk)
    return h.hexdigest()


def _files(folder: Path) -> Iterator[Path]:
    return (p for p in sorted(folder.rglob("*")) if p.is_file())


def graph_data_version(driver: Driver, database: str) -> str | None:
    rows = read(driver, database, version.READ)
    return rows[0]["dataVersion"] if rows else None


def _copy_data(dataset: Dataset, target: Path) -> list[Path]:
    """The data files, and the documents' texts, under ``target`` as they sit under their data
    folder."""
    copied = []
    for shown in dataset.files:
        source = Path(shown).resolve()
        rel = source.relative_to(data_root(source))
        dest = target / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        copied.append(dest)
    for r in dataset.records:
        if r.kind is DOCUMENT:
            source = data_root(Path(r.location.file).resolve()) / str(r.props["path"])
            dest = target / str(r.props["path"])
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
            copied.append(dest)
    return copied


def _documents(dataset: Dataset, data: Path) -> list[dict[str, Any]]:
    docs = []
    for r in sorted((r for r in dataset.records if r.kind is DOCUMENT), key=lambda r: r.id):
        path = str(r.props["path"])
        docs.append({"id": r.id, "title": r.props.get("title"), "source": r.refs["source"][0],
                     "path": f"data/{path}", "language": r.props.get("language"),
                     "license": r.props.get("license"),
                     "attribution": r.props.get("attribution"),
                     "sha256": _sha256(data / path)})
    return docs


def _licenses_md(docs: list[dict[str, Any]]) -> str:
    lines = ["# Licences", "",
             "The stored documents under data/documents/ keep their own licences: each is "
             "listed here with what its licence asks a reuser to credit. Quotations elsewhere "
             "in the data are short excerpts, each cited to its source.", ""]
    by_licence = Counter(str(d["license"]) for d in docs)
    lines += [f"- {licence}: {n} document(s)" for licence, n in sorted(by_licence.items())]
    lines.append("")
    for d in docs:
        lines += [f"## {d['title']}", "", f"- file: `{d['path']}`", f"- licence: {d['license']}",
                  f"- attribution: {d['attribution']}", f"- source: `{d['source']}`", ""]
    return "\n".join(lines)


def _csv_dump(driver: Driver, database: str, folder: Path) -> None:
    options = parse_options()
    for name in ("nodes.csv", "edges.csv"):
        export = EXPORTS[name]
        the_plan = plan(export, options, None)
        fmt = export.make(options)
        prov = provenance(the_plan, "revgraph release", fmt.sections)
        with open(folder / name, "wb") as f:
            for chunk in render(fmt, the_plan, prov, sync_rows(driver, database)):
                f.write(chunk)
    (folder / "provenance.json").write_bytes(orjson.dumps(prov, option=orjson.OPT_INDENT_2))


def _jsonld_dump(driver: Driver, database: str, path: Path, base: str,
                 data_version: str) -> int:
    ids = [r["id"] for r in read(driver, database, entity.ALL_IDS)]
    views = []
    for i in range(0, len(ids), DUMP_BATCH):
        rows = read(driver, database, entity.VIEWS, ids=ids[i:i + DUMP_BATCH],
                    **entity.view_params())
        views += [view_of(r["node"]) for r in rows]
    path.write_bytes(orjson.dumps(dump_document(views, base, data_version)))
    return len(views)


def _previous(out: Path, name: str, given: Path | None) -> Path | None:
    if given is not None:
        if not (given / "manifest.json").is_file():
            raise InputError(f"{given}: not a release (no manifest.json)")
        return given
    found = []
    for p in out.glob(f"{PREFIX}*"):
        if p.is_dir() and p.name != name and (p / "manifest.json").is_file():
            found.append((json.loads((p / "manifest.json").read_text())["created"], p))
    return max(found)[1] if found else None


def _citation_cff(version_name: str, data_version: str, created: datetime, base: str) -> str:
    return (f"cff-version: 1.2.0\nmessage: \"If you use this dataset, please cite it as "
            f"below.\"\ntype: dataset\ntitle: \"revgraph: the Russian revolution's spread, "
            f"1917-1922\"\nauthors:\n  - name: revgraph contributors\nversion: "
            f"\"{version_name}\"\ndate-released: {created.date().isoformat()}\nurl: "
            f"\"{base}\"\nidentifiers:\n  - type: other\n    value: \"data version "
            f"{data_version}\"\n    description: the data version every answer of the API "
            f"states\n")


def _readme(version_name: str, data_version: str, created: datetime, counts: dict[str, int],
            diff: dict[str, Any]) -> str:
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))
    return f"""# revgraph data {version_name}

A research graph of how the Russian revolution of 1917 spread across the former empire: every
fact cites its sources, every date says its calendar.

- Release: {version_name}, made {created.isoformat(timespec="seconds")} by revgraph {revgraph_version()}
- Data version: `{data_version}`: the API states it in every answer (`extensions.dataVersion` in
  GraphQL, the `X-Revgraph-Data-Version` header); a graph loaded from `data/` states the same.
- Records: {kinds}
- Changes{" (the first release)" if diff["first"] else ""}: {len(diff['added'])} added, \
{len(diff['changed'])} changed, {len(diff['removed'])} removed (CHANGES.md)

Cite it as: revgraph contributors ({created.year}). *revgraph: the Russian revolution's spread,
1917–1922*, data release {version_name} (data version {data_version}). CITATION.cff has the same.

What is here: `data/` (the data files and the stored documents, loadable with
`revgraph load data/`), `dump/` (CSV tables and JSON-LD of the whole graph), `docs/` (the model
and the data format), `documents.json` and `LICENSES.md` (each stored document's licence),
`manifest.json` (every file's size and SHA-256).

Check it: `sha256sum -c SHA256SUMS`, or `revgraph release --verify .`
"""


def build(driver: Driver, database: str, dataset: Dataset, version_name: str, out: Path,
          base: str = DEFAULT_BASE, previous: Path | None = None,
          now: datetime | None = None) -> Path:
    """Write the release folder and its archive under ``out``; return the folder."""
    if not VERSION_RE.fullmatch(version_name):
        raise InputError(f"version {version_name!r}: use letters, digits, dots, hyphens and "
                         "underscores, e.g. 2026.1 or 1.0.0")
    name = f"{PREFIX}{version_name}"
    folder = out / name
    if folder.exists() or (out / f"{name}.tar.gz").exists():
        raise InputError(f"{folder} already exists: a release is never overwritten; give "
                         "another version")
    data_version, records = records_of(dataset)
    in_graph = graph_data_version(driver, database)
    if in_graph != data_version:
        raise InputError(f"the graph holds data version {in_graph or 'unknown'} and the files "
                         f"{data_version}: run `revgraph load` with the same files first, so "
                         "that the dumps are of the data being released")
    before_path = _previous(out, name, previous)
    before = _read_records(before_path) if before_path else None
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    work = out / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    try:
        _write(driver, database, dataset, work, version_name, data_version, records, before,
               before_path, created, base)
        work.rename(folder)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    _archive(folder, created)
    return folder


def _write(driver: Driver, database: str, dataset: Dataset, work: Path, version_name: str,
           data_version: str, records: dict[str, Record], before: dict[str, Record] | None,
           before_path: Path | None, created: datetime, base: str) -> None:
    (work / "dump").mkdir(parents=True)
    (work / "docs").mkdir()
    _copy_data(dataset, work / "data")
    docs = _documents(dataset, work / "data")
    (work / "documents.json").write_bytes(orjson.dumps(docs, option=orjson.OPT_INDENT_2))
    (work / "LICENSES.md").write_text(_licenses_md(docs))
    _csv_dump(driver, database, work / "dump")
    nodes = _jsonld_dump(driver, database, work / "dump" / "revgraph.jsonld", base, data_version)
    from schema.docs import render as model_docs

    (work / "docs" / "model.md").write_text(model_docs())
    for doc in ("data-format.md", "releases.md"):
        if (DOCS / doc).is_file():
            shutil.copyfile(DOCS / doc, work / "docs" / doc)
    diff = changes(records, before)
    previous = json.loads((before_path / "manifest.json").read_text())["version"] \
        if before_path else None
    (work / "changes.json").write_bytes(orjson.dumps(
        {"since": previous, **diff}, option=orjson.OPT_INDENT_2))
    (work / "CHANGES.md").write_text(_changes_md(diff, records, before, version_name, previous))
    (work / "records.json").write_bytes(orjson.dumps(
        {r.id: [r.label, r.hash, r.name] for r in sorted(records.values(), key=lambda r: r.id)},
        option=orjson.OPT_INDENT_2))
    counts = dict(Counter(r.label for r in records.values()))
    (work / "CITATION.cff").write_text(_citation_cff(version_name, data_version, created, base))
    (work / "README.md").write_text(_readme(version_name, data_version, created, counts, diff))
    files = [{"path": str(p.relative_to(work)), "bytes": p.stat().st_size, "sha256": _sha256(p)}
             for p in _files(work)]
    manifest = {"name": f"{PREFIX}{version_name}", "version": version_name,
                "dataVersion": data_version, "created": created.isoformat(),
                "generator": f"revgraph {revgraph_version()}", "base": base,
                "previous": previous, "records": counts, "nodes": nodes, "files": files}
    (work / "manifest.json").write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    sums = [f"{_sha256(p)}  {p.relative_to(work)}" for p in _files(work) if p.name != SUMS]
    (work / SUMS).write_text("\n".join(sums) + "\n")


def _read_records(folder: Path) -> dict[str, Record]:
    raw = json.loads((folder / "records.json").read_text())
    return {i: Record(i, label, h, name) for i, (label, h, name) in raw.items()}


def _archive(folder: Path, created: datetime) -> Path:
    """The folder as a .tar.gz, the same bytes for the same files (sorted members, one mtime,
    no owners), and its SHA-256 beside it."""
    target = folder.parent / f"{folder.name}.tar.gz"
    stamp = int(created.timestamp())
    with open(target, "wb") as out, gzip.GzipFile(fileobj=out, mode="wb", mtime=stamp) as gz, \
            tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for p in [folder, *sorted(folder.rglob("*"))]:
            info = tar.gettarinfo(str(p), arcname=str(p.relative_to(folder.parent)))
            info.mtime, info.uid, info.gid, info.uname, info.gname = stamp, 0, 0, "", ""
            info.mode = 0o755 if p.is_dir() else 0o644
            if p.is_file():
                with open(p, "rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    (folder.parent / f"{target.name}.sha256").write_text(f"{_sha256(target)}  {target.name}\n")
    return target


def verify(folder: Path) -> list[str]:
    """What does not match the release's SHA256SUMS and manifest (empty: it verifies)."""
    problems = []
    sums = folder / SUMS
    if not sums.is_file():
        return [f"{folder}: no {SUMS}: not a release folder"]
    listed = {}
    for n, line in enumerate(sums.read_text().splitlines(), 1):
        m = re.fullmatch(r"([0-9a-f]{64})  (.+)", line)
        if not m:
            problems.append(f"{SUMS} line {n}: not 'sha256  path'")
            continue
        listed[m.group(2)] = m.group(1)
    present = {str(p.relative_to(folder)) for p in _files(folder)} - {SUMS}
    problems += [f"{p}: missing" for p in sorted(set(listed) - present)]
    problems += [f"{p}: not listed in {SUMS}" for p in sorted(present - set(listed))]
    for path, digest in sorted(listed.items()):
        if path in present and _sha256(folder / path) != digest:
            problems.append(f"{path}: its SHA-256 differs from {SUMS}")
    manifest = json.loads((folder / "manifest.json").read_text())
    for f in manifest["files"]:
        if listed.get(f["path"]) != f["sha256"]:
            problems.append(f"{f['path']}: manifest.json and {SUMS} disagree")
    return problems


def release(
    version_name: Annotated[str | None, typer.Argument(
        metavar="VERSION", help="The release's version, e.g. 2026.1 (default: today's date, "
        "yyyy.mm.dd).")] = None,
    data: Annotated[list[Path] | None, typer.Option(
        "--data", help="The data files or folders released (default: REVGRAPH_DATA); the graph "
        "must hold them (run revgraph load first).")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Where releases are written.")
                      ] = Path("releases"),
    previous: Annotated[Path | None, typer.Option(
        help="The release to list changes since (default: the newest in --output).")] = None,
    base_url: Annotated[str | None, typer.Option(
        help="The API's public address, the base of the JSON-LD's URIs (default: "
        f"REVGRAPH_PUBLIC_URL, else {DEFAULT_BASE}).")] = None,
    check: Annotated[Path | None, typer.Option(
        "--verify", help="Check a release folder's files against its checksums instead.")
                     ] = None,
) -> None:
    """Write a versioned, checksummed bundle of the whole dataset: the data files, CSV and
    JSON-LD dumps, the stored documents with their licences, the model's docs and the changes
    since the last release."""
    from cli.common import config, fail, handled, out, validated
    from graph.db import connect

    if check is not None:
        problems = verify(check)
        for p in problems:
            out.print(f"[red]{p}[/]")
        if problems:
            fail(f"{len(problems)} problem(s): the release does not verify")
        out.print(f"[green]OK[/]: every file of {check} matches its SHA-256")
        return
    settings = config()
    dataset = validated(data)
    name = version_name or datetime.now(UTC).strftime("%Y.%m.%d")
    base = (base_url or settings.public_url or DEFAULT_BASE).rstrip("/")
    with handled(), connect(settings) as (driver, database):
        try:
            folder = build(driver, database, dataset, name, output, base, previous)
        except InputError as exc:
            fail(exc.message)
            return
    manifest = json.loads((folder / "manifest.json").read_text())
    out.print(f"Wrote {folder} ({len(manifest['files'])} files) and {folder}.tar.gz: data "
              f"version {manifest['dataVersion']}.")
