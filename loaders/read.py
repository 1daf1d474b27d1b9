"""Reading data files into raw records: what each record says and where (file and line).

A reader turns one file into ``RawRecord``s (a section, its values, its location) and
``Problem``s; it knows the file's format and nothing of the model. The checker
(``loaders/check.py``) then applies the model's rules to raw records from any reader. YAML is
the format curators write; a CSV or text reader plugs in beside it by adding to ``READERS``.

Files are read defensively: a size limit, no symlink that leaves the data folder, nothing but
regular files (a FIFO or a device is refused without being opened: reading one would block or
never end), no YAML aliases (a "billion laughs" file expands a few lines into gigabytes), no key
given twice, and a bounded nesting depth. A file that cannot be opened or read is a problem of
that file, like any other.

A reader yields records and, in between, the problems it finds that concern one record or one
section (a key given twice, a record that is not a mapping), and goes on: every problem of a
file is reported in one run. Only what stops the parser itself (not YAML, an alias, a nest too
deep, not UTF-8) ends the file early, as a ``ReadError`` after the records read before it.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

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

    # Slots: no attribute dict of its own beside each record's mapping.
    __slots__ = ("line", "key_lines")
    line: int
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
    problems: list[Problem] = field(default_factory=list)  # found while reading it (read.py)


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


class _Every:
    """Every first character (a resolver for any first character, or one by path, was
    added: each plain scalar is resolved)."""

    def __contains__(self, item: object) -> bool:
        return True


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
        # Problems found while building values (a key given twice, a bad tag, a date that is no
        # day): the parse goes on, and each is handed on with the record it was found in.
        self.pending: list[Problem] = []
        self.keys: dict[str, str] = {}  # the key each plain key text makes (interned)
        # The first characters for which the resolver may give a plain scalar another type than
        # text (true, 1917, null, ...): a plain scalar that starts with none of them is text, as
        # resolve() would say, without asking it (names and ids, most of a large file's values).
        firsts = set(self.yaml_implicit_resolvers)
        self.typed_firsts: Container[str] = frozenset(firsts) if None not in firsts and not \
            self.yaml_path_resolvers else _Every()

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
            if not event.implicit[0] or event.value[:1] not in self.typed_firsts:
                return event.value  # quoted, or text whatever the resolver (typed_firsts)
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
            self._defer(self._line(event), f"not valid YAML: {exc.problem}")
        except ValueError as exc:  # a plain scalar that looks like a date but is none
            self._defer(self._line(event), f"{event.value!r} is not a valid date ({exc}): write "
                                           "a real day, or quote the text")
        return None

    def _plain_collection(self, event: yaml.CollectionStartEvent) -> None:
        if event.tag not in _PLAIN_TAGS:
            self._defer(self._line(event), f"not valid YAML: the tag {event.tag!r} is not "
                                           "allowed in data files: write a plain mapping or list")

    def _mapping(self, event: yaml.MappingStartEvent) -> LineDict:
        result = LineDict()
        result.line = self._line(event)
        key_lines: dict[str, int] = {}
        result.key_lines = key_lines
        get, keys, tags, typed = self.get_event, self.keys, self.tags, self.typed_firsts
        # A record is mostly plain scalars: those are built here without the general path
        # (``value``), where a nest is not too deep for a scalar to stand in it.
        shallow = self.depth < MAX_DEPTH
        while type(key_event := get()) is not _MAP_END:
            # One string per field name, however many records repeat it.
            key = keys.get(key_event.value) if shallow and type(key_event) is _SCALAR else None
            if key is None or key_event.tag is not None or not key_event.implicit[0]:
                key = self.value(key_event)
                key = sys.intern(key if isinstance(key, str) else str(key))
                if type(key_event) is _SCALAR and key_event.tag is None and \
                        key_event.implicit[0] and len(keys) < 10_000:
                    keys[key_event.value] = key  # a plain key: the same text, the same key
            line = key_event.start_mark.line + 1
            value_event = get()
            if not shallow or type(value_event) is not _SCALAR:
                value = self.value(value_event)
            elif value_event.tag is None and (not value_event.implicit[0]
                                              or value_event.value[:1] not in typed
                                              or tags.get(value_event.value) == _STR):
                value = value_event.value  # text, quoted or plain: most values (as _scalar)
            else:
                value = self._scalar(value_event)
            if key in result:
                self._defer(line, f"{key!r} is given twice in this mapping (first at line "
                                  f"{key_lines[key]}): keep one")
                continue
            result[key] = value
            key_lines[key] = line
        return result

    def _defer(self, line: int, message: str) -> None:
        self.pending.append(Problem(Location(self.display, line), None, message))

    def _taken(self) -> list[Problem]:
        taken, self.pending = self.pending, []
        return taken

    def records(self) -> Iterator[RawRecord | Problem]:
        """The records of the file's one document, each built and handed on alone, with the
        problems found on the way: those of a record in its ``problems``, the others alone."""
        self.get_event()  # the stream's start
        if type(self.peek_event()) is yaml.StreamEndEvent:
            return
        self.get_event()  # the document's start
        root = self.get_event()
        if type(root) is not _MAP:
            self.value(root)
            yield from self._taken()
            yield Problem(Location(self.display, 1), None,
                          "expected a mapping of sections (sources:, places:, ...)")
        else:
            yield from self._sections(root)
        self.get_event()  # the document's end
        if type(nxt := self.get_event()) is not yaml.StreamEndEvent:
            raise yaml.composer.ComposerError("expected a single document in the stream", None,
                                              "but found another document", nxt.start_mark)

    def _sections(self, root: yaml.MappingStartEvent) -> Iterator[RawRecord | Problem]:
        self.depth += 1
        self._plain_collection(root)
        seen: dict[str, int] = {}
        while type(key_event := self.get_event()) is not _MAP_END:
            key = self.value(key_event)
            section = key if isinstance(key, str) else str(key)
            line = self._line(key_event)
            if section in seen:
                self._defer(line, f"{section!r} is given twice in this mapping (first at line "
                                  f"{seen[section]}): keep one")
            else:
                seen[section] = line
            start = self.get_event()
            if type(start) is not _SEQ or start.tag not in _PLAIN_TAGS:
                if self.value(start) is not None:
                    self._defer(line, f"{section}: expected a list of records (each starting "
                                      "with '- ')")
                yield from self._taken()
                continue
            yield from self._taken()
            self.depth += 1
            while type(nxt := self.get_event()) is not _SEQ_END:
                item = self.value(nxt)
                if not isinstance(item, LineDict):  # reported where it stands, not its section
                    self._defer(self._line(nxt), f"{section}: expected a record (a mapping), "
                                                 f"got {item!r:.80}")
                    yield from self._taken()
                else:
                    yield RawRecord(section, item, Location(self.display, item.line), line,
                                    problems=self._taken())
            self.depth -= 1
        self.depth -= 1

    def get_single_data(self) -> Any:
        """The whole document as values (a small file, such as a documentation example)."""
        self.get_event()
        if type(self.peek_event()) is yaml.StreamEndEvent:
            return None
        self.get_event()
        data = self.value(self.get_event())
        if self.pending:
            raise ReadError(self.pending[0].location, self.pending[0].message)
        return data


def read_yaml(path: Path, display: str) -> Iterator[RawRecord | Problem]:
    """The records of one YAML data file: a mapping of sections, each a list of records, read
    one record at a time, with the problems found on the way."""
    with open_regular(path, display) as stream:
        _check_text(stream, display)
        stream.seek(0)
        loader = _LineLoader(stream, display)
        try:
            yield from loader.records()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise ReadError(Location(display, mark.line + 1 if mark else 0),
                            f"not valid YAML: {exc.problem}") from None
        except yaml.YAMLError as exc:
            raise ReadError(Location(display, 0), f"not valid YAML: {exc}") from None
        except OSError as exc:
            raise ReadError(Location(display, 0), f"could not be read: {_reason(exc)}") from None
        finally:
            loader.dispose()


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


_NOT_REGULAR = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
                (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISDIR, "a folder"))


def _not_regular(mode: int) -> str | None:
    """What a file is when it is not a regular file (None when it is one)."""
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _NOT_REGULAR if test(mode)), "not a regular file")


def open_regular(path: Path, display: str) -> BinaryIO:
    """The file, opened for reading, if it is a regular file and can be read; else a ReadError
    saying why. A FIFO or a device is refused from its status, before any open (opening a FIFO
    waits for a writer); the open itself does not wait either (O_NONBLOCK), and the status is
    checked again on what was opened, in case the file was swapped in between."""
    where = Location(display, 0)
    try:
        what = _not_regular(os.stat(path).st_mode)
    except OSError as exc:
        raise ReadError(where, f"could not be read: {_reason(exc)}") from None
    if what is not None:
        raise ReadError(where, f"is {what}, not a regular file: a data file is a plain text "
                               "file; nothing was read from it")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise ReadError(where, f"could not be read: {_reason(exc)} (check its permissions)"
                        ) from None
    what = _not_regular(os.fstat(fd).st_mode)
    if what is not None:
        os.close(fd)
        raise ReadError(where, f"is {what}, not a regular file: nothing was read from it")
    return os.fdopen(fd, "rb")


def _check_text(stream: BinaryIO, display: str) -> None:
    """The file is at most MAX_FILE_BYTES of UTF-8 text (checked a chunk at a time: the parser
    reads the file itself)."""
    size = os.fstat(stream.fileno()).st_size
    if size > MAX_FILE_BYTES:
        raise ReadError(Location(display, 0),
                        f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}: "
                        "split it into several files")
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        try:
            while chunk := stream.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            stream.seek(0)
            raw = stream.read()  # only now, to say where
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                line = raw[:exc.start].count(b"\n") + 1
                raise ReadError(Location(display, line),
                                f"not UTF-8 text (byte {exc.start}): save the file as UTF-8"
                                ) from None
    except OSError as exc:
        raise ReadError(Location(display, 0), f"could not be read: {_reason(exc)}") from None


# -- files ---------------------------------------------------------------------------------

Reader = Callable[[Path, str], Iterator[RawRecord | Problem]]
# The suffixes are compared in lower case: "Regions.YAML" is read like "regions.yaml".
READERS: dict[str, Reader] = {".yaml": read_yaml, ".yml": read_yaml}


def reader_of(path: Path) -> Reader | None:
    return READERS.get(path.suffix.lower())


def data_files(paths: Iterable[Path]) -> list[Path]:
    """The data files named, or found below the folders named, in sorted order. A symlink
    that leads out of the folder it was found in is refused: a data folder is what it holds.
    A FIFO, socket or device with a data file's name is listed too, so that reading it says
    what it is (it is never opened)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            for p in sorted(path.rglob("*")):
                if reader_of(p) is None or p.is_dir():
                    continue
                if not p.resolve().is_relative_to(root):
                    raise FileNotFoundError(
                        f"{p}: a symlink to {p.resolve()}, outside {path}: copy the file in "
                        "instead")
                found.append(p)
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return sorted(set(found))


def read(path: Path, display: str) -> Iterator[RawRecord | Problem]:
    reader = reader_of(path)
    if reader is None:
        raise ReadError(Location(display, 0),
                        f"no reader for {path.suffix or 'files without a suffix'}: use one of "
                        f"{', '.join(READERS)} (in any case)")
    return reader(path, display)
