"""Reading data files into raw records: what each record says and where (file and line).

A reader turns one file into ``RawRecord``s (a section, its values, its location) and
``Problem``s; it knows the file's format and nothing of the model. The checker
(``loaders/check.py``) then applies the model's rules to raw records from any reader. YAML is
the format curators write; a CSV or text reader plugs in beside it by adding to ``READERS``.

Files are read defensively: a size limit, no symlink that leaves the data folder, no YAML
aliases (a "billion laughs" file expands a few lines into gigabytes), no key given twice, and a
bounded nesting depth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 50  # nesting of mappings and lists in a data file


@dataclass(frozen=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Problem:
    """What is wrong, where, in which field, and what to do."""

    location: Location
    field: str | None
    message: str

    def __str__(self) -> str:
        what = f" {self.field}:" if self.field else ""
        return f"{self.location}:{what} {self.message}"


class LineDict(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


@dataclass
class RawRecord:
    """One record as a file gives it, before any rule is applied."""

    section: str
    values: LineDict
    location: Location
    section_line: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


class ReadError(Exception):
    def __init__(self, location: Location, message: str) -> None:
        super().__init__(message)
        self.problem = Problem(location, None, message)


# -- YAML ----------------------------------------------------------------------------------

# libyaml's C scanner and parser where PyYAML was built with it (the pure-Python scanner was
# about 95% of validation time), under PyYAML's own composer, so that the checks below still
# see every node.
_Parser: type
try:
    from yaml._yaml import CParser as _C

    _Parser = _C
except ImportError:  # PyYAML built without libyaml: the pure-Python parser
    _Parser = yaml.parser.Parser
_Bases: tuple[type, ...] = ((yaml.composer.Composer, _Parser, yaml.constructor.SafeConstructor,
                             yaml.resolver.Resolver) if _Parser is not yaml.parser.Parser
                            else (yaml.SafeLoader,))


class _LineLoader(*_Bases):  # type: ignore[misc]
    """PyYAML's safe loader, keeping lines, refusing aliases, duplicate keys and deep nests."""

    def __init__(self, stream: str, display: str) -> None:
        if _Parser is yaml.parser.Parser:
            yaml.SafeLoader.__init__(self, stream)
        else:
            _Parser.__init__(self, stream)  # type: ignore[misc]
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
        self.display = display
        self.depth = 0

    def _here(self, node: yaml.Node) -> Location:
        return Location(self.display, node.start_mark.line + 1)

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ReadError(Location(self.display, event.start_mark.line + 1),
                            "YAML aliases (*name) are not allowed in data files: write the "
                            "value out")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ReadError(Location(self.display, self.peek_event().start_mark.line + 1),
                            f"nested more than {MAX_DEPTH} levels deep: a record is a mapping "
                            "of fields, a few levels at most")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise ReadError(loader._here(key_node),
                            f"{key!r} is given twice in this mapping (first at line "
                            f"{result.key_lines[key]}): keep one")
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_yaml(path: Path, display: str) -> Iterator[RawRecord]:
    """The records of one YAML data file: a mapping of sections, each a list of records."""
    try:
        text = _read_text(path, display)
        loader = _LineLoader(text, display)
        try:
            doc = loader.get_single_data()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ReadError(Location(display, mark.line + 1 if mark else 0),
                        f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ReadError(Location(display, 0), f"not valid YAML: {exc}") from None
    if doc is None:
        return
    if not isinstance(doc, LineDict):
        raise ReadError(Location(display, 1),
                        "expected a mapping of sections (sources:, places:, ...)")
    for section, items in doc.items():
        line = doc.line_of(section)
        if items is None:
            continue
        if not isinstance(items, list):
            raise ReadError(Location(display, line),
                            f"{section}: expected a list of records (each starting with '- ')")
        for item in items:
            if not isinstance(item, LineDict):
                raise ReadError(Location(display, line),
                                f"{section}: expected a record (a mapping), got {item!r:.80}")
            yield RawRecord(section, item, Location(display, item.line), line)


def _read_text(path: Path, display: str) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadError(Location(display, 0),
                        f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}: "
                        "split it into several files")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ReadError(Location(display, line),
                        f"not UTF-8 text (byte {exc.start}): save the file as UTF-8") from None


# -- files ---------------------------------------------------------------------------------

Reader = Callable[[Path, str], Iterator[RawRecord]]
READERS: dict[str, Reader] = {".yaml": read_yaml, ".yml": read_yaml}


def data_files(paths: Iterable[Path]) -> list[Path]:
    """The data files named, or found below the folders named, in sorted order. A symlink
    that leads out of the folder it was found in is refused: a data folder is what it holds."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for p in sorted(path.rglob("*")):
                if p.suffix not in READERS or not p.is_file():
                    continue
                if not p.resolve().is_relative_to(root):
                    raise FileNotFoundError(
                        f"{p}: a symlink to {p.resolve()}, outside {path}: copy the file in "
                        "instead")
                found.append(p)
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(set(found))


def read(path: Path, display: str) -> Iterator[RawRecord]:
    reader = READERS.get(path.suffix)
    if reader is None:
        raise ReadError(Location(display, 0),
                        f"no reader for {path.suffix or 'files without a suffix'}: use one of "
                        f"{', '.join(READERS)}")
    return reader(path, display)
