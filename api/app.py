"""The ASGI app: GraphQL (strawberry) at /graphql with an offline playground, on Starlette.

``create_app(config)`` takes its settings; ``app_from_env()`` is the factory uvicorn calls,
the one place the API reads the environment.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import strawberry
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.asgi import GraphQL
from strawberry.schema.config import StrawberryConfig

from api.context import Context
from api.generated import TYPES
from api.limits import extensions
from api.playground import playground_html
from api.query import Query
from api.types import DateScalar
from graph.db import Target, open_async_driver, target
from schema.config import Config

STATIC = Path(__file__).with_name("static")  # package data, shipped with the code


def build_schema(config: Config | None = None) -> strawberry.Schema:
    config = config or Config()
    return strawberry.Schema(query=Query, types=list(TYPES.values()),
                             extensions=extensions(config.max_depth, config.max_cost),
                             config=StrawberryConfig(scalar_map={date: DateScalar}))


def sdl() -> str:
    """The schema in GraphQL's SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"


class RevgraphGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, state: dict[str, Any], timeout: float) -> None:
        super().__init__(schema, graphql_ide="graphiql", allow_queries_via_get=True)
        self.state = state
        self.timeout = timeout

    async def get_context(self, request: Any, response: Any) -> Context:
        return Context(driver=self.state["driver"], database=self.state["database"],
                       timeout=self.timeout)

    async def render_graphql_ide(self, request: Any) -> Any:
        return HTMLResponse(playground_html())


def create_app(config: Config, neo4j: Target | None = None) -> Starlette:
    """The app for ``config``; ``neo4j`` where to connect (default: what ``config`` says)."""
    where = neo4j or target(config)
    state: dict[str, Any] = {"database": where.database}

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        driver = open_async_driver(where)
        state["driver"] = driver
        try:
            yield
        finally:
            await driver.close()

    graphql = RevgraphGraphQL(build_schema(config), state, config.query_timeout)

    async def health(request: Request) -> Response:
        try:
            await state["driver"].verify_connectivity()
        except Exception as exc:  # noqa: BLE001 - report any failure as unhealthy
            return JSONResponse({"ok": False, "neo4j": str(exc)}, status_code=503)
        return JSONResponse({"ok": True})

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    middleware = []
    if config.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["content-type", "accept"]))
    return Starlette(
        routes=[
            Route("/", home),
            Route("/health", health),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
            Route("/graphql", graphql, methods=["GET", "POST"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def app_from_env() -> Starlette:
    """The factory `revgraph serve` gives uvicorn: settings from the environment."""
    return create_app(Config.from_env())
