"""The ASGI app: GraphQL (strawberry) at /graphql with an offline playground, on Starlette."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import strawberry
from neo4j import AsyncGraphDatabase
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL

from api.cache import cached
from api.context import Context
from api.limits import extensions
from api.nodes import ALL_TYPES
from api.query import RootQuery
from graph.settings import Settings, settings

STATIC = os.path.join(os.path.dirname(__file__), "static")


def build_schema() -> strawberry.Schema:
    return strawberry.Schema(query=RootQuery, types=ALL_TYPES, extensions=extensions())


class RevgraphGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, state: dict[str, Any], timeout: float) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.state = state
        self.timeout = timeout

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(driver=self.state["driver"], database=self.state["database"],
                       timeout=self.timeout)

    async def render_graphql_ide(self, request: Any) -> Any:
        from starlette.responses import HTMLResponse

        from api.playground import playground_html

        return HTMLResponse(playground_html())


def create_app(s: Settings | None = None) -> Starlette:
    s = s or settings()
    state: dict[str, Any] = {"database": s.database}
    timeout = float(os.environ.get("REVGRAPH_QUERY_TIMEOUT", "10"))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        driver = AsyncGraphDatabase.driver(s.uri, auth=(s.user, s.password),
                                           notifications_min_severity="OFF",
                                           user_agent="revgraph-api/0.1")
        state["driver"] = driver
        try:
            yield
        finally:
            await driver.close()

    graphql = RevgraphGraphQL(build_schema(), state, timeout)

    async def health(request: Request) -> Response:
        try:
            await state["driver"].verify_connectivity()
        except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
            return JSONResponse({"ok": False, "neo4j": str(exc)}, status_code=503)
        return JSONResponse({"ok": True})

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    origins = [o.strip() for o in os.environ.get("REVGRAPH_CORS_ORIGINS", "").split(",")
               if o.strip()]
    middleware = []
    if origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=origins,
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["content-type", "accept"]))
    return Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
            Route("/graphql", cached(graphql, state), methods=["GET", "POST"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )
