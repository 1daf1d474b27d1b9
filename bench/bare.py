"""The bare-driver baseline: a tiny Starlette app on uvicorn with the official async driver.

POST /revgraph  {"query", "variables"}: revgraph's OWN Cypher for that GraphQL request. The
    statements are recorded once per distinct body by running the request through revgraph's
    schema with a context that notes what it sends (graph/queries.py's Cypher, with the API's
    parameters), then replayed in order; the rows come back as JSON. The difference to the API
    is everything the API does around its Cypher.
POST /hand  {"q": question name, "params"}: one hand-written query per question (bench/questions.py).

    .venv/bin/python -m bench.bare --port 8103
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import uvicorn
from neo4j import AsyncDriver, AsyncGraphDatabase, Query
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from api.app import build_schema
from api.graphql.context import Context, auto_commit_read
from bench.questions import QUESTIONS
from bench.where import settings

Statement = tuple[str, dict[str, Any]]
HAND = {q.name: q.hand for q in QUESTIONS}


class Recorder(Context):
    """The API's context, noting every Cypher statement it sends."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent: list[Statement] = []

    async def read(self, cypher: str, **params: Any) -> list[dict[str, Any]]:
        self.sent.append((cypher, params))
        return await super().read(cypher, **params)


def _json(rows: Any) -> Response:
    # orjson, as the API's responses: the bare driver is the leanest server, not a slower one.
    return Response(orjson.dumps(rows, default=str), media_type="application/json")


def create_app() -> Starlette:
    s = settings()
    state: dict[str, Any] = {}
    recorded: dict[bytes, list[Statement]] = {}  # bounded by the benchmark's distinct bodies
    schema = build_schema()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        state["driver"] = AsyncGraphDatabase.driver(s.uri, auth=(s.user, s.password),
                                                    notifications_min_severity="OFF")
        try:
            yield
        finally:
            await state["driver"].close()

    async def run(driver: AsyncDriver, cypher: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        # The same driver call as the API's (an auto-commit read): the ratio to the bare
        # driver then measures what revgraph's layers cost, not how it talks to Neo4j.
        return await auto_commit_read(driver, s.database, Query(cypher), params)

    async def revgraph(request: Request) -> Response:
        body = await request.body()
        statements = recorded.get(body)
        if statements is None:
            payload = json.loads(body)
            context = Recorder(driver=state["driver"], database=s.database, timeout=10)
            result = await schema.execute(payload["query"],
                                          variable_values=payload.get("variables"),
                                          context_value=context)
            if result.errors:
                return _json({"errors": [str(e) for e in result.errors]})
            recorded[body] = statements = context.sent
        out = [await run(state["driver"], cypher, params) for cypher, params in statements]
        return _json(out)

    async def hand(request: Request) -> Response:
        payload = await request.json()
        return _json(await run(state["driver"], HAND[payload["q"]], payload["params"]))

    return Starlette(routes=[Route("/revgraph", revgraph, methods=["POST"]),
                             Route("/hand", hand, methods=["POST"])], lifespan=lifespan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8103")))
    args = parser.parse_args()
    uvicorn.run(create_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
