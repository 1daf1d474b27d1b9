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
from typing import NamedTuple

from unidecode import unidecode

WORD = re.compile(r"[a-z0-9]+")
# A word, but not the "s" of a possessive (Petrograd's).
_WORD_NOT_POSSESSIVE = re.compile(r"(?!(?<=')s(?![a-z0-9]))[a-z0-9]+")


@dataclass(frozen=True)
class Folded:
    """Folded text and the way back: the folded text is a sequence of pieces, each either a
    run of ASCII (one folded character per original one) or the folding of one non-ASCII
    character (any length, all of it from that one character)."""

    text: str  # lowercase ASCII
    cased: str  # the same before lowercasing (same offsets): "is it capitalised?"
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

    def at(self, i: int) -> int:
        """The folded offset of original offset ``i`` (where its folding begins)."""
        if not self.starts:
            return i
        k = bisect_right(self.origins, i) - 1
        if k < 0:
            return 0
        after = self.starts[k + 1] if k + 1 < len(self.starts) else len(self.text)
        if self.runs[k]:
            return min(self.starts[k] + (i - self.origins[k]), after)
        return self.starts[k] if i == self.origins[k] else after


# Soft and hard signs fold to nothing, not to unidecode's apostrophe: "большевик" is
# "bolshevik", one word, as the English name is spelt.
_SILENT = frozenset("ьъЬЪ")


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return "" if ch in _SILENT else str(unidecode(ch))


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> Folded:
    if text.isascii():
        return Folded(text.lower(), text)
    parts: list[str] = []
    starts: list[int] = []
    origins: list[int] = []
    runs: list[bool] = []
    pos = last = 0

    def piece(folded: str, origin: int, run: bool) -> None:
        nonlocal pos
        if folded:
            parts.append(folded)  # ASCII: lowercasing keeps the offsets
            starts.append(pos)
            origins.append(origin)
            runs.append(run)
            pos += len(folded)

    for m in _NON_ASCII.finditer(text):
        i = m.start()
        if i > last:
            piece(text[last:i], last, True)
        piece(_fold_char(text[i]), i, False)
        last = i + 1
    if last < len(text):
        piece(text[last:], last, True)
    cased = "".join(parts)
    return Folded(cased.lower(), cased, tuple(starts), tuple(origins), tuple(runs))


class Token(NamedTuple):
    text: str  # folded
    start: int
    end: int


Word = tuple[str, int, int]  # a Token as a plain tuple: the linker makes thousands


def words(f: Folded) -> list[Word]:
    """The words of folded text, with offsets into the folded text (map them back with
    ``f.start`` and ``f.end``)."""
    return [(m.group(), *m.span()) for m in _WORD_NOT_POSSESSIVE.finditer(f.text)]


def tokens(text: str, folded: Folded | None = None) -> list[Token]:
    """The words of ``text`` with their original offsets."""
    f = folded or fold(text)
    return [Token(w, f.start(s), f.end(e)) for w, s, e in words(f)]


@lru_cache(maxsize=65536)  # names recur: a name, its aliases and their variants
def key(name: str) -> str:
    """A name as the dictionary holds it: its folded words, one space apart."""
    return " ".join(t.text for t in tokens(name))
