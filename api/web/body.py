"""A request's body, read once: its size limit applied while it is read, its JSON parsed once
and checked for what would trouble what reads it next. Shared by /graphql and /cypher."""

from __future__ import annotations

import json
import re
from typing import Any

import orjson
from starlette.requests import Request

from schema.errors import InputError

MAX_JSON_DEPTH = 32  # nesting of a request's JSON: GraphQL inputs and Cypher parameters are shallow


async def read_body(request: Request, max_body: int, setting: str = "REVGRAPH_MAX_BODY") -> bytes:
    """The request body, refused (413) past ``max_body`` bytes: from its declared length before
    a byte is read, else as soon as what arrives passes it. ``setting`` names the variable that
    sets the limit, for the message."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > max_body:
        raise InputError(f"the request body has {int(length):,} bytes; at most {max_body:,} "
                         f"are accepted ({setting})", status=413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > max_body:
            raise InputError(f"the request body is over {max_body:,} bytes, the most accepted "
                             f"({setting})", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def loads(text: bytes | str, what: str) -> Any:
    """JSON, once, refusing what would trouble what reads it next: bad JSON, a lone surrogate
    (which Neo4j's driver cannot send), nesting deeper than MAX_JSON_DEPTH, an integer beyond
    64 bits (which orjson would read as an approximate float)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON: {str(exc)[:120]}") from None
    raw = text.encode() if isinstance(text, str) else text
    if _LONG_NUMBER.search(raw):  # rare: read again exactly, integers as integers
        value = json.loads(raw, parse_int=lambda s: _integer(s, what))
    if too_deep(value, MAX_JSON_DEPTH):
        raise InputError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep: no "
                         "GraphQL request here needs that")
    return value


_LONG_NUMBER = re.compile(rb"\d{19,}")
_INT64 = 1 << 63


def _integer(digits: str, what: str) -> int:
    n = int(digits)
    if not -_INT64 <= n < _INT64:
        raise InputError(f"{what} has an integer beyond 64 bits ({digits[:30]}...): no value "
                         "or parameter here can hold it")
    return n


def too_deep(value: Any, limit: int) -> bool:
    """Whether JSON-like ``value`` nests deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            items: Any = item.values()
        elif isinstance(item, list):
            items = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((x, depth + 1) for x in items)
    return False
