"""GraphQL for documents: a document's passages and mentions, the passages that mention an
entity, full-text search over passages, and a citation's span in its document's text.

The model's Document kind already gives `document(id)` and `documents` (paginated, filtered)
like every kind; this module adds what is not a field of the data files:

- `Document.passages`: the paragraphs, in order, each with its mentions and their entities;
- `<Entity>.mentions(first:, after:)`: the passages that mention it, with offsets and context;
- `searchPassages(text:, limit:)`: the passages' text through Neo4j's full-text index;
- `Citation.span`: where a quotation stands in its document, with the text around it.

The Cypher is graph/documents.py's. Types of api/graphql/generated.py are referred to lazily (that module
is generated from the model and names these resolvers for its extra fields).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.types import Info

from api.graphql.context import LABELS, Context, NodeData
from graph import documents as q

if TYPE_CHECKING:
    from api.graphql.generated import Document
    from api.graphql.types import Entity, PageInfo

CONTEXT_CHARS = 200  # of text either side of a quotation in its span's context
MAX_PAGE = 100


def _wrap(node: NodeData) -> Any:
    from api.graphql.resolve import wrap

    return wrap(node)


def _loader(context: Context, key: str, fn: Any) -> DataLoader[Any, Any]:
    """A per-request batched loader kept in the request's context."""
    store: dict[str, DataLoader[Any, Any]] = context.__dict__.setdefault("_document_loaders", {})
    if key not in store:
        store[key] = DataLoader(load_fn=fn)
    return store[key]


@strawberry.type(description="An entity named in a passage: where, in what words, how found.")
class Mention:
    start: int = strawberry.field(description="Offset of the first character in the "
                                  "document's text.")
    end: int = strawberry.field(description="Offset just after the last character.")
    text: str = strawberry.field(description="The words of the text, as written.")
    method: str = strawberry.field(description="How the linker found it: name, alias, variant "
                                   "(surname, singular, short form), fuzzy (a misspelling), "
                                   "context (one of several sharing the name) or phrase.")
    score: float = strawberry.field(description="The linker's confidence, 0 to 1.")
    _entity: strawberry.Private[NodeData]

    @strawberry.field(description="The entity mentioned.")
    def entity(self) -> Annotated[Entity, strawberry.lazy("api.graphql.types")]:
        return _wrap(self._entity)


@strawberry.type(description="A paragraph of a document, with its offsets in the text.")
class Passage:
    id: strawberry.ID = strawberry.field(description="The document's id, /p and the index.")
    index: int = strawberry.field(description="Its place in the document, from 0.")
    start: int = strawberry.field(description="Offset of its first character in the text.")
    end: int = strawberry.field(description="Offset just after its last character.")
    text: str = strawberry.field(description="The passage's text.")
    _document: strawberry.Private[str]
    _mentions: strawberry.Private[list[Mention] | None] = None

    @strawberry.field(description="The document it belongs to.")
    async def document(self, info: Info[Context, None]) -> Annotated[
            Document, strawberry.lazy("api.graphql.generated")] | None:
        node = await info.context.node(self._document)
        return _wrap(node) if node else None

    @strawberry.field(description="The entities it mentions, in order.")
    async def mentions(self, info: Info[Context, None]) -> list[Mention]:
        if self._mentions is not None:
            return self._mentions
        for p in await _passages(info.context, self._document):
            if p.id == self.id:
                return p._mentions or []
        return []


def _passage(props: dict[str, Any], document: str,
             mentions: list[Mention] | None = None) -> Passage:
    return Passage(id=strawberry.ID(props["id"]), index=props["index"], start=props["start"],
                   end=props["end"], text=props["text"], _document=document, _mentions=mentions)


async def _passages(context: Context, document_id: str) -> list[Passage]:
    async def batch(ids: list[str]) -> list[list[Passage]]:
        rows = await context.read(q.DOCUMENT_PASSAGES, ids=list(ids), labels=LABELS)
        by_key = {r["key"]: r["passages"] for r in rows}
        return [[_passage(p["passage"], key, [
            Mention(start=m["mention"]["start"], end=m["mention"]["end"],
                    text=m["mention"]["text"], method=m["mention"]["method"],
                    score=m["mention"]["score"], _entity=NodeData(m["label"], m["entity"]))
            for m in p["mentions"]]) for p in by_key.get(key, [])] for key in ids]

    return await _loader(context, "passages", batch).load(document_id)


async def document_passages(root: Any, info: Info[Context, None]) -> list[Passage]:
    return await _passages(info.context, root._n.id)


@strawberry.type(description="A passage that mentions an entity, and where.")
class PassageMention:
    passage: Passage = strawberry.field(description="The passage.")
    start: int = strawberry.field(description="Offset of the mention in the document's text.")
    end: int = strawberry.field(description="Offset just after it.")
    text: str = strawberry.field(description="The words of the text.")
    method: str = strawberry.field(description="How the linker found it.")
    score: float = strawberry.field(description="The linker's confidence, 0 to 1.")


@strawberry.type(description="A page of the passages that mention an entity.")
class MentionConnection:
    nodes: list[PassageMention] = strawberry.field(description="The page.")
    total_count: int = strawberry.field(description="How many mentions there are in all.")
    page_info: Annotated[PageInfo, strawberry.lazy("api.graphql.types")] = strawberry.field(
        description="Whether there are more pages, and cursors.")


async def entity_mentions(root: Any, info: Info[Context, None], first: int = 20,
                          after: str | None = None) -> MentionConnection:
    from api.graphql.resolve import UserInputError, decode_cursor, encode_cursor
    from api.graphql.types import PageInfo

    if not 0 <= first <= MAX_PAGE:
        raise UserInputError(f"first must be between 0 and {MAX_PAGE}, got {first}")
    skip = decode_cursor(after)
    rows = await info.context.read(q.ENTITY_MENTIONS, id=root._n.id, skip=skip, limit=first)
    total = rows[0]["total"] if rows else 0
    page = [PassageMention(passage=_passage(r["passage"], r["passage"]["document"]),
                           start=r["mention"]["start"], end=r["mention"]["end"],
                           text=r["mention"]["text"], method=r["mention"]["method"],
                           score=r["mention"]["score"])
            for r in (rows[0]["page"] if rows else [])]
    cursors = [encode_cursor(skip + i) for i in range(len(page))]
    return MentionConnection(nodes=page, total_count=total, page_info=PageInfo(
        has_next_page=skip + len(page) < total, has_previous_page=skip > 0,
        start_cursor=cursors[0] if cursors else None,
        end_cursor=cursors[-1] if cursors else None))


@strawberry.type(description="A passage that matches a full-text search.")
class PassageHit:
    passage: Passage = strawberry.field(description="The passage.")
    score: float = strawberry.field(description="Lucene's relevance score: higher is better.")


async def search_passages(info: Info[Context, None], text: str,
                          limit: int = 10) -> list[PassageHit]:
    from api.graphql.query import _lucene
    from api.graphql.resolve import UserInputError

    if not 0 < limit <= MAX_PAGE:
        raise UserInputError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    rows = await info.context.read(q.SEARCH_PASSAGES, lucene=_lucene(text), limit=limit)
    return [PassageHit(passage=_passage(r["passage"], r["passage"]["document"]),
                       score=r["score"]) for r in rows]


@strawberry.type(description="Where a citation's quotation stands in its document's text.")
class Span:
    start: int = strawberry.field(description="Offset of the quotation in the document's text.")
    end: int = strawberry.field(description="Offset just after it.")
    _document: strawberry.Private[str]

    @strawberry.field(description="The document the quotation was found in.")
    async def document(self, info: Info[Context, None]) -> Annotated[
            Document, strawberry.lazy("api.graphql.generated")] | None:
        node = await info.context.node(self._document)
        return _wrap(node) if node else None

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
