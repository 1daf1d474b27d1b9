"""The ASGI app: GraphQL at /graphql (with an offline playground for browsers), /health and
/ready, on Starlette.

``create_app(config)`` takes its settings; ``app_from_env()`` is the factory uvicorn calls,
the one place the API reads the environment.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from api.exports.routes import routes as export_routes
from api.graphql.execution import LeanExecutionContext
from api.graphql.generated import TYPES
from api.graphql.limits import Limits
from api.graphql.operation import Runner
from api.graphql.query import Query
from api.graphql.sizes import NOT_READ, first_sizes, keep_sizes
from api.graphql.types import DateScalar
from api.reconcile.routes import Preflight
from api.reconcile.routes import routes as reconcile_routes
from api.web import cypher, logs
from api.web.cache import ResponseCache
from api.web.dataversion import DataVersion, DataVersionHeader
from api.web.entity import routes as entity_routes
from api.web.errors import EXCEPTION_HANDLERS
from api.web.explore import routes as explore_routes
from api.web.graphql import UNAVAILABLE_MESSAGE, GraphQLEndpoint, HttpLimits
from api.web.health import Health
from api.web.security import SecurityHeaders
from graph import queries
from graph.db import Target, open_async_driver, target
from graph.loadstate import load_state_async
from schema.config import Config

STATIC = Path(__file__).with_name("static")  # package data, shipped with the code
log = logging.getLogger("revgraph.api")


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError],
                       execution_context: ExecutionContext | None = None) -> None:
        """Strawberry logs a traceback for every error, a user's mistakes included; the
        masking extension logs the real faults instead (api/graphql/limits.py)."""


def build_runner(config: Config) -> Runner:
    """The schema, and what reads and runs its requests within the configured limits."""
    schema = Schema(query=Query, types=list(TYPES.values()),
                    config=StrawberryConfig(scalar_map={date: DateScalar}),
                    execution_context_class=LeanExecutionContext)
    return Runner(schema, Limits(config.max_depth, config.max_cost, config.max_aliases),
                  config.max_tokens)


def build_schema(config: Config | None = None) -> strawberry.Schema:
    return build_runner(config or Config()).strawberry


def sdl() -> str:
    """The schema in GraphQL's SDL, as committed in schema.graphql."""
    return build_schema().as_str() + "\n"


async def _warn_if_unfinished(driver: Any, where: Target) -> None:
    """Say at start-up when the graph's last load did not finish (graph/loadstate.py)."""
    try:
        load = await load_state_async(driver, where.database)
    except Exception as exc:  # noqa: BLE001 - a check, never a reason not to start
        log.warning("could not read the load state of the graph at %s: %s", where.uri, exc)
        return
    if not load.complete and load.state != "empty":
        log.warning("the graph at %s: %s. /ready answers 503 until then", where.uri,
                    load.message)


async def _warn_if_stale(driver: Any, where: Target) -> None:
    """Say at start-up when the graph lacks what this revgraph's loader derives."""
    try:
        result = await driver.execute_query(queries.FIGHTING_MONTHS_MISSING,
                                            database_=where.database, routing_="r")
    except Exception as exc:  # noqa: BLE001 - a check, never a reason not to start
        log.warning("could not check the graph at %s: %s", where.uri, exc)
        return
    if result.records[0]["missing"]:
        log.warning("the graph at %s has fighting events but no fighting by month (it was "
                    "loaded by an older revgraph): pages of placesWithFighting find nothing "
                    "until `revgraph load` is run once", where.uri)


def create_app(config: Config, neo4j: Target | None = None) -> Starlette:
    """The app for ``config``; ``neo4j`` where to connect (default: what ``config`` says)."""
    logs.configure(config.log_format)
    where = neo4j or target(config)
    state: dict[str, Any] = {"database": where.database}

    neo4j_health = Health(state, config.connect_timeout)
    state["health"] = neo4j_health
    ready = neo4j_health.ready

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Short waits: with Neo4j down a request answers 503 within the connection timeout,
        # and the driver connects again by itself once Neo4j answers.
        driver = open_async_driver(where, connection_timeout=config.connect_timeout,
                                   connection_acquisition_timeout=config.connect_timeout,
                                   max_transaction_retry_time=0)
        state["driver"] = driver
        state["gate"] = asyncio.Semaphore(config.neo4j_slots)  # made in the loop that serves
        # A long-lived server: what start-up made (the schema, the modules) is never garbage,
        # so the collector need not walk it again. A request leaves about 170 objects in
        # reference cycles (the driver's session config, graphql-core's field details,
        # tracebacks), so a young-generation pass frees what the last requests left: at
        # 50,000 allocations it freed 46,000 objects and stopped every request for 80-120 ms
        # every few seconds; at 5,000 the pause is a tenth, and throughput no lower
        # (docs/decisions/0002-garbage-collector.md).
        gc.collect()
        gc.freeze()
        gc.set_threshold(5_000, 10, 10)
        seen = NOT_READ
        if not await ready():
            log.warning("Neo4j at %s does not answer yet: GraphQL requests answer 503 and /ready "
                        "says so until it does", where.uri)
        else:
            await _warn_if_stale(driver, where)
            await _warn_if_unfinished(driver, where)
            await versions.current_data()  # so that the first answers state it too
            seen = await first_sizes(runner, driver, where.database, within=30)
        sizes = asyncio.create_task(keep_sizes(runner, driver, where.database, seen))
        try:
            yield
        finally:
            sizes.cancel()
            await driver.close()

    limits = HttpLimits(config.max_body, config.request_deadline, config.cypher_per_request,
                        config.query_timeout, config.max_answer)
    cache = ResponseCache(state, config) if config.response_cache else None
    state["cache"] = cache
    # One reader of the graph's version and data version for the cache, the answers and the
    # data version header (api/web/dataversion.py).
    versions = state["versions"] = DataVersion(state)
    if cache is not None:
        cache.version = versions
    runner = build_runner(config)
    runner.data_version = versions.current_data
    graphql = GraphQLEndpoint(runner, state, limits, cache)

    async def liveness(request: Request) -> Response:
        """Liveness: the API process answers."""
        return JSONResponse({"ok": True})

    async def readiness(request: Request) -> Response:
        """Readiness: a real query works, and the graph's last load is complete. A graph whose
        load was interrupted answers with part of the data and no error, so a balancer should
        not send it questions (graph/loadstate.py; `revgraph load` finishes the load)."""
        try:  # one query answers both: Neo4j serves reads, and what its last load left
            async with asyncio.timeout(config.connect_timeout):
                load = await load_state_async(state["driver"], where.database)
        except Exception:  # noqa: BLE001 - any failure means: not ready
            return JSONResponse({"ready": False, "neo4j": UNAVAILABLE_MESSAGE}, status_code=503,
                                headers={"Retry-After": "5"})
        said = {"state": load.state, "complete": load.complete, "message": load.message}
        whole = load.complete or load.state == "empty"  # an empty graph is whole, if bare
        return JSONResponse({"ready": whole, "neo4j": "ok", "load": said},
                            status_code=200 if whole else 503)

    async def home(request: Request) -> Response:
        return RedirectResponse("/graphql")

    middleware = [Middleware(logs.RequestLog), Middleware(SecurityHeaders),
                  Middleware(DataVersionHeader, versions=versions), Middleware(Preflight)]
    if config.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["content-type", "accept"]))
    app = Starlette(
        routes=[
            Route("/", home),
            Route("/health", liveness),
            Route("/ready", readiness),
            Mount("/static", StaticFiles(directory=STATIC, check_dir=False), name="static"),
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            *cypher.routes(state, config),
            *export_routes(state, config),
            *explore_routes(),
            *entity_routes(state, config),
            *reconcile_routes(state, config),
        ],
        middleware=middleware,
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=lifespan,
    )
    app.state.cache = cache  # for whoever loads in this process (the tests) to empty it
    return app


def app_from_env() -> Starlette:
    """The factory `revgraph serve` gives uvicorn: settings from the environment."""
    return create_app(Config.from_env())
