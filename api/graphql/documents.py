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
from strawberry.types import Info

from api.graphql.context import LABELS, Context, NodeData
from api.graphql.inputs import UserInputError, decode_cursor, encode_cursor, lucene
from api.graphql.registry import wrap
from api.graphql.spans import _loader
from api.graphql.types import PageInfo
from graph import documents as q

if TYPE_CHECKING:
    from api.graphql.generated import Document
    from api.graphql.types import Entity

MAX_PAGE = 100




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
        return wrap(self._entity)


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
        return wrap(node) if node else None

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
        by_key: dict[str, list[Passage]] = {}
        turn = context.turn
        for r in rows:  # a row a passage, in order
            by_key.setdefault(r["key"], []).append(_passage(r["passage"], r["key"], [
                Mention(start=m["mention"]["start"], end=m["mention"]["end"],
                        text=m["mention"]["text"], method=m["mention"]["method"],
                        score=m["mention"]["score"], _entity=NodeData(m["label"], m["entity"]))
                for m in r["mentions"]]))
            if turn.over():  # a long book's passages: the others' turn between (turns.py)
                await turn.pause()
        return [by_key.get(key, []) for key in ids]

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
    if not 0 < limit <= MAX_PAGE:
        raise UserInputError(f"limit must be between 1 and {MAX_PAGE}, got {limit}")
    rows = await info.context.read(q.SEARCH_PASSAGES, lucene=lucene(text), limit=limit)
    return [PassageHit(passage=_passage(r["passage"], r["passage"]["document"]),
                       score=r["score"]) for r in rows]


