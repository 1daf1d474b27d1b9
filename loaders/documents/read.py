"""Reading a document: plain text, Markdown or HTML into its text and its passages.

The document's own text is what every offset refers to: for plain text and Markdown the file's
text (line ends as "\\n"), for HTML the text left when the markup is stripped by a parser
(html.parser from the standard library: no regular expressions over markup). A passage is a
paragraph: a run of text between blank lines (in HTML, a block element such as <p> or <li>).

Bad input is refused with a DocumentError that names the file: a path outside the folder the
documents must live in, a missing file, an unknown format, an empty file, a file over the size
limit (refused from its size alone, before a byte is read), a binary file, text not in UTF-8.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

MAX_BYTES = 10 * 1024 * 1024  # 10 MB: a long book is ~2 MB of text
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html"}
_BLANK_LINE = re.compile(r"\n[ \t\f\v]*\n\s*")


class DocumentError(ValueError):
    """A document that cannot be read; the message names the file and says what is wrong."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass(frozen=True)
class Passage:
    index: int
    start: int  # offsets into the document's text: text[start:end] is the passage
    end: int


@dataclass(frozen=True)
class Document:
    file: str  # as named to the reader, for messages
    format: str  # text, markdown or html
    text: str
    passages: tuple[Passage, ...]

    def passage_text(self, p: Passage) -> str:
        return self.text[p.start:p.end]


def read_document(path: Path, *, within: Path | None = None, max_bytes: int = MAX_BYTES,
                  display: str | None = None) -> Document:
    """Read and split one document; ``within``: the folder it must lie in."""
    name = display or str(path)
    if within is not None:
        try:
            path.resolve().relative_to(within.resolve())
        except ValueError:
            raise DocumentError(name, f"is outside {within}: a document's text must be a file "
                                      f"under {within}/") from None
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DocumentError(name, f"unknown format {path.suffix or '(no extension)'!r}: "
                                  f"expected one of {', '.join(sorted(FORMATS))}")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError(name, "no such file") from None
    if not path.is_file():
        raise DocumentError(name, "is not a file")
    if size == 0:
        raise DocumentError(name, "is empty")
    if size > max_bytes:
        raise DocumentError(name, f"is {size / 1e6:.1f} MB, over the limit of "
                                  f"{max_bytes / 1e6:.0f} MB for one document: split it")
    return parse_bytes(path.read_bytes(), fmt, name)


def parse_bytes(data: bytes, fmt: str, name: str) -> Document:
    if b"\x00" in data:
        raise DocumentError(name, f"is a binary file (a NUL byte at offset {data.index(0)}): "
                                  "expected text in UTF-8")
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(name, f"is not UTF-8 text: byte 0x{data[exc.start]:02x} at offset "
                                  f"{exc.start} ({exc.reason}); convert it, e.g. "
                                  "`iconv -f WINDOWS-1252 -t UTF-8`") from None
    raw = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = html_text(raw) if fmt == "html" else raw
    if not text.strip():
        raise DocumentError(name, "is empty (no text" + (" outside the markup)" if fmt == "html"
                                                          else ")"))
    return Document(name, fmt, text, paragraphs(text))


def paragraphs(text: str) -> tuple[Passage, ...]:
    """The runs of text between blank lines, trimmed of surrounding white space."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _BLANK_LINE.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    out: list[Passage] = []
    for start, end in spans:
        segment = text[start:end]
        left = start + len(segment) - len(segment.lstrip())
        right = start + len(segment.rstrip())
        if left < right:
            out.append(Passage(len(out), left, right))
    return tuple(out)


_BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
})
_SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})


class _TextParser(HTMLParser):
    """Collects the text of a page; block elements become paragraph breaks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[list[str]] = [[]]
        self.skip = 0
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in _SKIP:
            self.skip += 1
        if tag in _BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag in _SKIP and self.skip:
            self.skip -= 1
        if tag in _BLOCKS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if not self.skip or self.in_title:
            self.blocks[-1].append(data)


def html_text(markup: str) -> str:
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    paras = (" ".join("".join(b).split()) for b in parser.blocks)
    return "\n\n".join(p for p in paras if p)
