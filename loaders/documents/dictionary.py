"""The linker's dictionary for the command line, cached between runs.

Validating every data file takes a second or more; a curator's dry run (`revgraph ingest`)
should not. The names, aliases and references the linker needs are kept in a small JSON file
under the project's git-ignored folder (.revgraph/), together with the size and modification
time of every data file they came from: when any of those changes, the files are validated
again and the cache rewritten.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from loaders.documents.link import EntityRow, Linker, entity_rows
from loaders.read import data_files

VERSION = 3  # 2: an event's start; 3: a controller's side


def fingerprint(paths: list[Path]) -> list[list[object]]:
    return [[str(p.resolve()), p.stat().st_size, p.stat().st_mtime_ns] for p in data_files(paths)]


def load_linker(paths: list[Path], cache: Path | None) -> Linker:
    """The linker of the data files ``paths``; raises ValidationFailed if they are invalid."""
    stamp = fingerprint(paths)
    if cache is not None and cache.exists():
        try:
            saved = json.loads(cache.read_text(encoding="utf-8"))
            if saved.get("version") == VERSION and saved.get("files") == stamp:
                return Linker.from_rows(EntityRow(r["label"], r["id"], r["name"],
                                                  tuple(r["aliases"]), r["refs"], r.get("start"),
                                                  r.get("side"))
                                        for r in saved["entities"])
        except (ValueError, KeyError, TypeError):
            pass  # an unreadable cache is rebuilt
    from loaders.validate import validate_paths

    rows = entity_rows(validate_paths(paths).records)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps({"version": VERSION, "files": stamp,
                                     "entities": [asdict(r) for r in rows]}), encoding="utf-8")
    return Linker.from_rows(rows)
