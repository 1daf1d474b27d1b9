"""Folding text for matching: case, diacritics and transliteration, with offsets kept.

``fold`` turns a text into lowercase ASCII (unidecode transliterates Cyrillic, Georgian...,
drops diacritics and turns typographic quotes and dashes into ASCII), remembering for each
folded character the original character it came from, so that a match found in the folded text
is reported with the offsets of the document's own text.

``tokens`` splits folded text into words (runs of letters and digits); a possessive "'s" is not
a word of its own, so "Petrograd's Stock Exchange" reads as "petrograd stock exchange".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Folded:
    """Folded text and the way back: the folded text is a sequence of pieces, each either a
    run of ASCII (one folded character per original one) or the folding of one non-ASCII
    character (any length, all of it from that one character)."""

    text: str  # lowercase ASCII
    starts: tuple[int, ...] = ()  # folded offset where each piece begins; () : no pieces
    origins: tuple[int, ...] = ()  # original offset where each piece begins
    runs: tuple[bool, ...] = ()  # the piece is an ASCII run

    def start(self, i: int) -> int:
        """The original offset where folded character ``i`` begins."""
        if not self.starts:
            return i
        k = bisect_right(self.starts, i) - 1
        return self.origins[k] + (i - self.starts[k] if self.runs[k] else 0)

    def end(self, j: int) -> int:
        """The original offset just after folded character ``j - 1``."""
        return self.start(j - 1) + 1


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return unidecode(ch).lower()


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> Folded:
    if text.isascii():
        return Folded(text.lower())
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    runs: list[bool] = []
    pos = last = 0

    def piece(folded: str, origin: int, run: bool) -> None:
        nonlocal pos
        if folded:
            parts.append(folded)
            starts.append(pos)
            origins.append(origin)
            runs.append(run)
            pos += len(folded)

    for m in _NON_ASCII.finditer(text):
        i = m.start()
        if i > last:
            piece(text[last:i].lower(), last, True)
        piece(_fold_char(text[i]), i, False)
        last = i + 1
    if last < len(text):
        piece(text[last:].lower(), last, True)
    return Folded("".join(parts), tuple(starts), tuple(origins), tuple(runs))


@dataclass(frozen=True)
class Token:
    text: str  # folded
    start: int  # original offsets
    end: int


def tokens(text: str, folded: Folded | None = None) -> list[Token]:
    """The words of ``text`` with their original offsets."""
    f = folded or fold(text)
    out: list[Token] = []
    for m in WORD.finditer(f.text):
        i, j = m.span()
        if m.group() == "s" and i > 0 and f.text[i - 1] == "'":
            continue  # a possessive: Petrograd's
        out.append(Token(m.group(), f.start(i), f.end(j)))
    return out


def key(name: str) -> str:
    """A name as the dictionary holds it: its folded words, one space apart."""
    return " ".join(t.text for t in tokens(name))
