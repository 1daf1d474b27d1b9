"""The request log: one line per request (method, path, status, duration, Cypher round trips,
operation name, request id), as text or as JSON for shipping, and a request id in every
response's headers. A traceback is logged only for a real fault (an error we mask)."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("revgraph.api")
_FORMAT = {"json": False}  # set by configure()
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def configure(fmt: str) -> None:
    """Send revgraph's log to stderr, one line a record."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.INFO)
    log.propagate = False
    _FORMAT["json"] = fmt == "json"


class RequestLog:
    """ASGI middleware: a request id (the client's X-Request-Id when it is sane, else a new
    one) and a log line when the response is done."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _REQUEST_ID.match(given) else os.urandom(8).hex()
        scope.setdefault("state", {})["request_id"] = request_id
        # Request deadlines count from here, or from the first byte where the server says
        # when that was (api/web/server.py).
        scope["state"].setdefault("started", time.monotonic())
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            state = scope.get("state", {})
            context = state.get("context")
            line: dict[str, Any] = {
                "method": scope.get("method"), "path": scope.get("path"), "status": status,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "roundTrips": getattr(context, "round_trips", 0),
                "operation": state.get("operation") or "", "requestId": request_id,
            }
            if state.get("cut"):  # a streamed answer that failed after its first byte
                line["cut"] = state["cut"]
            if _FORMAT["json"]:
                log.info(json.dumps(line))
            else:
                log.info("%(method)s %(path)s %(status)s %(ms)sms rt=%(roundTrips)s "
                         "op=%(operation)s id=%(requestId)s" + (" CUT: %(cut)s" if "cut" in line
                                                                else ""), line)
