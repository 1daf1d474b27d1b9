"""The graph as two CSV tables (Palladio, spreadsheets, pandas): nodes.csv, one row per node,
and edges.csv, one row per relationship, with the columns of ``records`` (every date in both
calendars, precision and EDTF; citations as JSON). CSV has no room for a note on where it came
from without breaking readers, so that goes in the HTTP headers (and beside the files from the
CLI)."""

from __future__ import annotations

import csv
import io
from typing import Any

from api.exports import records


class _Table:
    media_type = "text/csv; charset=utf-8"
    sections: tuple[str, ...] = ()
    columns: list[str] = []

    def __init__(self) -> None:
        self.out = io.StringIO()
        self.writer = csv.writer(self.out, lineterminator="\r\n")

    def _take(self) -> str:
        text = self.out.getvalue()
        self.out.seek(0)
        self.out.truncate()
        return text

    def head(self, provenance: dict[str, Any]) -> str:
        self.writer.writerow(self.columns)
        return self._take()

    def _write(self, record: dict[str, Any]) -> str:
        # A list in column order (DictWriter's per-row key checks cost a third of the time);
        # the csv module writes None as an empty field.
        self.writer.writerow([record.get(c) for c in self.columns])
        return self._take()

    def begin(self, section: str) -> str:
        return ""

    def end(self, section: str) -> str:
        return ""

    def tail(self) -> str:
        return ""


class NodesCSV(_Table):
    sections: tuple[str, ...] = ("nodes",)
    columns = [c for c, _ in records.NODE_COLUMNS]

    def row(self, section: str, row: dict[str, Any]) -> str:
        return self._write(records.node(row))


class EdgesCSV(_Table):
    sections: tuple[str, ...] = ("edges",)
    columns = [c for c, _ in records.EDGE_COLUMNS]

    def row(self, section: str, row: dict[str, Any]) -> str:
        return self._write(records.edge(row))
