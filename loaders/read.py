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

import codecs
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 50  # nesting of mappings and lists in a data file


@dataclass(frozen=True, slots=True)
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
# about 95% of validation time). Values are built straight from its event stream, one top-level
# record at a time (no node tree of the whole file): the alias, depth and duplicate-key checks
# see every event, and PyYAML's own resolver and constructors give each scalar its type.
_Parser: type
try:
    from yaml._yaml import CParser as _C

    _Parser = _C
except ImportError:  # PyYAML built without libyaml: the pure-Python parser
    _Parser = yaml.parser.Parser
_Bases: tuple[type, ...] = ((_Parser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver)
                            if _Parser is not yaml.parser.Parser else (yaml.SafeLoader,))
_STR = yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
_PLAIN_TAGS = {None, "!", yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
               yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG}
_SCALAR, _ALIAS = yaml.ScalarEvent, yaml.AliasEvent
_SEQ, _SEQ_END = yaml.SequenceStartEvent, yaml.SequenceEndEvent
_MAP, _MAP_END = yaml.MappingStartEvent, yaml.MappingEndEvent


class _Deferred(Exception):
    """A problem found while the file is still being parsed: reported once the parse is over,
    so that a YAML syntax error, an alias or a deep nest anywhere in the file comes first (as
    when the whole file was composed before anything was built)."""

    def __init__(self, error: Exception) -> None:
        self.error = error


class _LineLoader(*_Bases):  # type: ignore[misc]
    """Values from YAML events, keeping lines, refusing aliases, duplicate keys and deep nests."""

    def __init__(self, stream: Any, display: str) -> None:
        if _Parser is yaml.parser.Parser:
            yaml.SafeLoader.__init__(self, stream)
        else:
            _Parser.__init__(self, stream)  # type: ignore[misc]
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)
        self.display = display
        self.depth = 0
        self.tags: dict[str, str] = {}
        self.construct_error: Exception | None = None  # the first, in document order
        self.shape_error: ReadError | None = None  # the file's layout: sections, records

    def _line(self, event: yaml.Event) -> int:
        mark = event.start_mark
        return (int(mark.line) if mark is not None else 0) + 1

    def value(self, event: yaml.Event) -> Any:
        """The value that starts with ``event`` (already taken from the stream)."""
        kind = type(event)
        if kind is _ALIAS:
            raise ReadError(Location(self.display, self._line(event)),
                            "YAML aliases (*name) are not allowed in data files: write the "
                            "value out")
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ReadError(Location(self.display, self._line(event)),
                                f"nested more than {MAX_DEPTH} levels deep: a record is a "
                                "mapping of fields, a few levels at most")
            if kind is _SCALAR:
                return self._scalar(cast(yaml.ScalarEvent, event))
            self._plain_collection(cast(yaml.CollectionStartEvent, event))
            if kind is _SEQ:
                items = []
                while type(nxt := self.get_event()) is not _SEQ_END:
                    items.append(self.value(nxt))
                return items
            return self._mapping(cast(yaml.MappingStartEvent, event))
        finally:
            self.depth -= 1

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        tag = event.tag
        if tag is None or tag == "!":
            if not event.implicit[0]:  # quoted: text
                return event.value
            # A plain scalar's type depends on its text alone: field names and short values
            # repeat on every record, so each is resolved once.
            tag = self.tags.get(event.value)
            if tag is None:
                tag = self.resolve(yaml.ScalarNode, event.value, event.implicit)
                if len(event.value) <= 40 and len(self.tags) < 100_000:
                    self.tags[event.value] = tag
        if tag == _STR:
            return event.value
        # libyaml's marks stand in for PyYAML's (the stubs know only the latter).
        node = yaml.ScalarNode(tag, event.value, cast(Any, event.start_mark),
                               cast(Any, event.end_mark), event.style)
        constructor = self.yaml_constructors.get(tag, self.yaml_constructors[None])
        try:
            return constructor(self, node)
        except yaml.constructor.ConstructorError as exc:
            self._defer(exc)
        except ValueError as exc:  # a plain scalar that looks like a date but is none
            self._defer(ReadError(Location(self.display, self._line(event)),
                                  f"{event.value!r} is not a valid date ({exc}): write a real "
                                  "day, or quote the text"))
        return None

    def _plain_collection(self, event: yaml.CollectionStartEvent) -> None:
        if event.tag not in _PLAIN_TAGS:
            self._defer(yaml.constructor.ConstructorError(
                None, None, f"the tag {event.tag!r} is not allowed in data files: write a "
                "plain mapping or list", cast(Any, event.start_mark)))

    def _mapping(self, event: yaml.MappingStartEvent) -> LineDict:
        result = LineDict()
        result.line = self._line(event)
        result.key_lines = {}
        while type(key_event := self.get_event()) is not _MAP_END:
            key = self.value(key_event)
            # One string per field name, however many records repeat it.
            key = sys.intern(key if isinstance(key, str) else str(key))
            line = self._line(key_event)
            value = self.value(self.get_event())
            if key in result:
                self._defer(ReadError(Location(self.display, line),
                                      f"{key!r} is given twice in this mapping (first at line "
                                      f"{result.key_lines[key]}): keep one"))
                continue
            result[key] = value
            result.key_lines[key] = line
        return result

    def _defer(self, error: Exception) -> None:
        if self.construct_error is None:
            self.construct_error = error

    def _shape(self, line: int, message: str) -> None:
        if self.shape_error is None:
            self.shape_error = ReadError(Location(self.display, line), message)

    @property
    def failed(self) -> bool:
        return self.construct_error is not None or self.shape_error is not None

    def records(self) -> Iterator[RawRecord]:
        """The records of the file's one document, each built and handed on alone; any
        problem found on the way is raised at the end of the parse."""
        self.get_event()  # the stream's start
        if type(self.peek_event()) is yaml.StreamEndEvent:
            return
        self.get_event()  # the document's start
        root = self.get_event()
        if type(root) is not _MAP:
            self.value(root)
            self._shape(1, "expected a mapping of sections (sources:, places:, ...)")
        else:
            yield from self._sections(root)
        self.get_event()  # the document's end
        if type(nxt := self.get_event()) is not yaml.StreamEndEvent:
            raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                              "but found another document", nxt.start_mark)
        if self.construct_error is not None:
            raise self.construct_error
        if self.shape_error is not None:
            raise self.shape_error

    def _sections(self, root: yaml.MappingStartEvent) -> Iterator[RawRecord]:
        self.depth += 1
        self._plain_collection(root)
        seen: dict[str, int] = {}
        while type(key_event := self.get_event()) is not _MAP_END:
            key = self.value(key_event)
            section = key if isinstance(key, str) else str(key)
            line = self._line(key_event)
            if section in seen:
                self._defer(ReadError(Location(self.display, line),
                                      f"{section!r} is given twice in this mapping (first at "
                                      f"line {seen[section]}): keep one"))
            else:
                seen[section] = line
            start = self.get_event()
            if type(start) is not _SEQ or start.tag not in _PLAIN_TAGS:
                if self.value(start) is not None:
                    self._shape(line, f"{section}: expected a list of records (each starting "
                                      "with '- ')")
                continue
            self.depth += 1
            while type(nxt := self.get_event()) is not _SEQ_END:
                item = self.value(nxt)
                if not isinstance(item, LineDict):
                    self._shape(line, f"{section}: expected a record (a mapping), got "
                                      f"{item!r:.80}")
                elif not self.failed:
                    yield RawRecord(section, item, Location(self.display, item.line), line)
            self.depth -= 1
        self.depth -= 1

    def get_single_data(self) -> Any:
        """The whole document as values (a small file, such as a documentation example)."""
        self.get_event()
        if type(self.peek_event()) is yaml.StreamEndEvent:
            return None
        self.get_event()
        data = self.value(self.get_event())
        if self.construct_error is not None:
            raise self.construct_error
        return data


def read_yaml(path: Path, display: str) -> Iterator[RawRecord]:
    """The records of one YAML data file: a mapping of sections, each a list of records, read
    one record at a time."""
    _check_text(path, display)
    try:
        with path.open("rb") as stream:
            loader = _LineLoader(stream, display)
            try:
                yield from loader.records()
            finally:
                loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise ReadError(Location(display, mark.line + 1 if mark else 0),
                        f"not valid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ReadError(Location(display, 0), f"not valid YAML: {exc}") from None


def _check_text(path: Path, display: str) -> None:
    """The file is at most MAX_FILE_BYTES of UTF-8 text (checked a chunk at a time: the parser
    reads the file itself)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ReadError(Location(display, 0),
                        f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}: "
                        "split it into several files")
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as f:
        try:
            while chunk := f.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raw = path.read_bytes()  # only now, to say where
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw[:exc.start].count(b"\n") + 1
                raise ReadError(Location(display, line),
                                f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"
                                ) from None


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
