"""What a request gives, read and checked: the user's mistakes (``UserInputError``, shown as
they are), days in either calendar, page cursors, search text. Shared by the resolvers, the
questions and the documents' fields."""

from __future__ import annotations

import base64
import re
from datetime import date

from graphql import GraphQLError
from unidecode import unidecode

from schema import dates as d


class UserInputError(GraphQLError):
    """A mistake in the request that the user can fix; its message is shown as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message, extensions={"code": "BAD_USER_INPUT"})


def to_gregorian(day: date | None, calendar: d.Calendar) -> date | None:
    """An API date argument, given in ``calendar``, as the Gregorian day the graph uses."""
    if day is None:
        return None
    try:
        return d.as_gregorian(day, calendar)
    except d.DateError as exc:
        raise UserInputError(str(exc)) from None


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        kind, _, value = text.partition(":")
        if kind != "offset" or not value.isdigit() or len(value) > 12:
            raise ValueError
        return int(value) + 1
    except (ValueError, UnicodeDecodeError):
        raise UserInputError(f"invalid cursor {cursor!r:.60}: use a cursor this API returned") from None


MAX_SEARCH_TEXT = 200  # characters: the longest name in the graph is under 100
MAX_SEARCH_WORDS = 12
MAX_WORD = 60


def lucene(text: str) -> str:
    """A forgiving full-text query: each word as typed, as a prefix, and within two edits."""
    if len(text) > MAX_SEARCH_TEXT:
        raise UserInputError(f"search text is {len(text):,} characters; give at most "
                             f"{MAX_SEARCH_TEXT} (a name, not a passage)")
    words = re.findall(r"[a-z0-9]+", unidecode(text).lower())
    if not words:
        raise UserInputError("search text must contain letters or digits")
    if len(words) > MAX_SEARCH_WORDS or max(len(w) for w in words) > MAX_WORD:
        raise UserInputError(f"search text has too many or too long words: give at most "
                             f"{MAX_SEARCH_WORDS} words of at most {MAX_WORD} letters")
    parts = []
    for w in words:
        fuzzy = f"{w}~1" if len(w) <= 5 else f"{w}~2"
        parts.append(f"({w}^4 OR {w}*^2 OR {fuzzy})")
    return " AND ".join(parts)
