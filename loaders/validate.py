"""Validate data files against the model, reporting every problem at once.

Reading (``loaders/read.py``: any format, records with their file and line) and checking
(``loaders/check.py``: the model's rules) are separate; this module runs both over a set of
files. Nothing is written to the graph unless every file is valid.

Every problem of every file comes in one run: a record with problems of its own still has its
id and references checked across records, and a file that could not be read to its end keeps
the records read before the error. An id not found while some file could not be read whole
may be in the part not read: such references are counted in one problem at that file's error
rather than listed one by one.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from loaders.check import Record, UnknownReference, check_dataset, check_record
from loaders.dataset_checks import CHECKS
from loaders.documents.check import check_documents
from loaders.fighting import fighting_months
from loaders.read import Problem, ReadError, data_files, read


class ValidationFailed(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.location.file, p.location.line))
        super().__init__(f"{len(problems)} problem(s) in the data")


@dataclass
class Dataset:
    records: list[Record]
    files: list[str]
    # Documents (loaders/documents/check.py): their texts by id, and where each quotation
    # citing a document's source stands in it, by (record id, citation index).
    texts: dict[str, Any] = field(default_factory=dict)
    spans: dict[tuple[str, int], Any] = field(default_factory=dict)

    @cached_property
    def fighting_months(self) -> list[dict[str, Any]]:
        """The FightingMonth nodes the records call for (loaders/fighting.py), worked out once
        for the progress bar's total and the load."""
        return fighting_months(self.records)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def validate_paths(paths: list[Path]) -> Dataset:
    """Read and check every data file; raise ValidationFailed listing all the problems."""
    # Python's cycle collector walks every live object again and again while millions are
    # made and kept (a sixth of the time at 700,000 records); what is made here holds no
    # cycles worth collecting, so it waits until the end.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _validate(paths)
    finally:
        if collecting:
            gc.enable()


def _validate(paths: list[Path]) -> Dataset:
    problems: list[Problem] = []
    records: list[Record] = []
    unread: list[Problem] = []  # the errors that stopped a file before its end
    files = data_files(paths)
    for path in files:
        try:
            for item in read(path, _display(path)):  # one record at a time: never the whole file
                if isinstance(item, Problem):
                    problems.append(item)
                elif (record := check_record(item, problems)) is not None:
                    records.append(record)
        except ReadError as exc:
            unread.append(exc.problem)
    found = check_dataset(records)
    ready = [r for r in records if r.valid]
    for check in CHECKS:  # the rules of history across records (loaders/dataset_checks.py)
        found.extend(check(ready))
    problems.extend(_grouped(found, unread))
    valid = records if not problems else [r for r in records if r.valid]
    doc_problems, texts, spans = check_documents(valid, {_display(p): p for p in files}, Problem)
    problems.extend(doc_problems)
    if problems:
        raise ValidationFailed(problems)
    return Dataset(records, [_display(p) for p in files], texts, spans)


def _grouped(found: list[Problem], unread: list[Problem]) -> list[Problem]:
    """The problems across records, and the reading errors; when a file could not be read to
    its end, the unknown references are counted at its error instead of listed: the ids may be
    in the part not read."""
    if not unread:
        return found
    unknown = [p for p in found if isinstance(p, UnknownReference)]
    if not unknown:
        return found + unread
    first, where = unread[0], ", ".join(str(p.location) for p in unread)
    note = Problem(first.location, None,
                   f"{len(unknown):,} reference(s) name ids not found (the first, "
                   f"{unknown[0].target!r} at {unknown[0].location}): they may be defined past "
                   f"where reading stopped ({where}); they are checked once the file reads")
    return [p for p in found if not isinstance(p, UnknownReference)] + unread + [note]
