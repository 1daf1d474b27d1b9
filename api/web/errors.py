"""Every error revgraph raises on purpose (schema/errors.py), answered the same way wherever it
is raised: Starlette's exception handler for the app, with the error's status and headers and
a body that says what to change. GraphQL answers in GraphQL's shape (``{"errors": [...]}``, as
the GraphQL-over-HTTP specification has it: api/web/graphql.py); every other endpoint in
``{"error": {"status", "message", ...}}``."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from schema.errors import RevgraphError

JSON = "application/json"


def error_response(exc: RevgraphError) -> Response:
    """The answer to ``exc`` outside GraphQL."""
    body: dict[str, Any] = {"status": exc.status, "message": exc.message, **exc.details}
    return Response(orjson.dumps({"error": body}, default=str), status_code=exc.status,
                    headers=exc.headers, media_type=JSON)


async def handle(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RevgraphError)
    return error_response(exc)


EXCEPTION_HANDLERS: dict[Any, Any] = {RevgraphError: handle}
