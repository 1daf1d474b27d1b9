"""Where a citation's quotation stands in its document's text (``Span``), with the text around
it, for the shared ``Citation`` type (api/graphql/types.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.graphql.context import Context
from api.graphql.registry import wrap
from graph import documents as q

if TYPE_CHECKING:
    from api.graphql.generated import Document

CONTEXT_CHARS = 200  # of text either side of a quotation in its span's context


def _loader(context: Context, key: str, fn: Any) -> DataLoader[Any, Any]:
    """A per-request batched loader kept in the request's context."""
    store: dict[str, DataLoader[Any, Any]] = context.__dict__.setdefault("_document_loaders", {})
    if key not in store:
        store[key] = DataLoader(load_fn=fn)
    return store[key]


@strawberry.type(description="Where a citation's quotation stands in its document's text.")
class Span:
    start: int = strawberry.field(description="Offset of the quotation in the document's text.")
    end: int = strawberry.field(description="Offset just after it.")
    _document: strawberry.Private[str]

    @strawberry.field(description="The document the quotation was found in.")
    async def document(self, info: Info[Context, None]) -> Annotated[
            Document, strawberry.lazy("api.graphql.generated")] | None:
        node = await info.context.node(self._document)
        return wrap(node) if node else None

    @strawberry.field(description=f"The quotation with up to {CONTEXT_CHARS} characters of "
                      "the text either side; `contextStart` is where it begins in the text.")
    async def context(self, info: Info[Context, None]) -> str:
        return (await self._context(info))[1]

    @strawberry.field(description="Offset in the document's text where `context` begins: "
                      "`context[start - contextStart]` is the quotation's first character.")
    async def context_start(self, info: Info[Context, None]) -> int:
        return (await self._context(info))[0]

    async def _context(self, info: Info[Context, None]) -> tuple[int, str]:
        a, b = max(0, self.start - CONTEXT_CHARS), self.end + CONTEXT_CHARS
        parts = await _span_passages(info.context, self._document, a, b)
        if not parts:
            return self.start, ""
        begin = max(a, parts[0]["start"])
        out, pos = [], begin
        for p in parts:  # between passages only white space: kept as line breaks, offsets exact
            out.append("\n" * max(0, p["start"] - pos))
            piece = p["text"][max(a, p["start"]) - p["start"]:b - p["start"]]
            out.append(piece)
            pos = max(a, p["start"]) + len(piece)
        return begin, "".join(out)


async def _span_passages(context: Context, document: str, start: int,
                         end: int) -> list[dict[str, Any]]:
    async def batch(keys: list[tuple[str, int, int]]) -> list[list[dict[str, Any]]]:
        spans = [{"key": i, "document": d, "start": s, "end": e}
                 for i, (d, s, e) in enumerate(keys)]
        rows = await context.read(q.SPANS_CONTEXT, spans=spans)
        by_key = {r["key"]: r["passages"] for r in rows}
        return [by_key.get(i, []) for i in range(len(keys))]

    return await _loader(context, "span", batch).load((document, start, end))


def span_of(row: dict[str, Any]) -> Span | None:
    """A citation row's span, when its quotation was located in a document."""
    if row.get("spanDocument") is None:
        return None
    return Span(start=row["spanStart"], end=row["spanEnd"], _document=row["spanDocument"])
