"""Validate data files against the model, reporting every problem at once.

Reading (``loaders/read.py``: any format, records with their file and line) and checking
(``loaders/check.py``: the model's rules) are separate; this module runs both over a set of
files. Nothing is written to the graph unless every file is valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from loaders.check import Record, check_dataset, check_record
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
    problems: list[Problem] = []
    records: list[Record] = []
    files = data_files(paths)
    for path in files:
        display = _display(path)
        # A file that cannot be read is reported by its reading error alone (as when it was
        # read whole before any record was checked): its records are kept only once it is done.
        file_problems: list[Problem] = []
        file_records: list[Record] = []
        try:
            for raw in read(path, display):  # one record at a time: the file is never whole
                record = check_record(raw, file_problems)
                if record is not None:
                    file_records.append(record)
        except ReadError as exc:
            problems.append(exc.problem)
            continue
        problems.extend(file_problems)
        records.extend(file_records)
    problems.extend(check_dataset(records))
    doc_problems, texts, spans = check_documents(records, {_display(p): p for p in files}, Problem)
    problems.extend(doc_problems)
    if problems:
        raise ValidationFailed(problems)
    return Dataset(records, [_display(p) for p in files], texts, spans)
