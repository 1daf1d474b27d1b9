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
from dataclasses import dataclass
from functools import lru_cache

from unidecode import unidecode

WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Folded:
    text: str  # lowercase ASCII
    origin: tuple[int, ...] | None  # original index of each folded char; None: the same

    def start(self, i: int) -> int:
        """The original offset where folded character ``i`` begins."""
        return i if self.origin is None else self.origin[i]

    def end(self, j: int) -> int:
        """The original offset just after folded character ``j - 1``."""
        return j if self.origin is None else self.origin[j - 1] + 1


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return unidecode(ch).lower()


def fold(text: str) -> Folded:
    if text.isascii():
        return Folded(text.lower(), None)
    parts: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        f = ch.lower() if ch.isascii() else _fold_char(ch)
        parts.append(f)
        origin.extend([i] * len(f))
    return Folded("".join(parts), tuple(origin))


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
