"""The floor under every figure: an ASGI app that does nothing, on the same uvicorn as the API.

It reads the request and sends one constant JSON answer (about the size of a cached headline
answer), with no routing, no framework and no Neo4j. Whatever latency spread it shows at a
concurrency (its p99 over its p50) is the machine's and uvicorn's, not revgraph's: a cached
answer served in 0.1 ms cannot have a tighter p99 than this.

    .venv/bin/python -m uvicorn bench.floor:app --port 8106
"""

from __future__ import annotations

from typing import Any

import orjson

BODY = orjson.dumps({"data": {"floor": "x" * 1500}})
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    more = True
    while more:  # the whole request body, as any endpoint must read it
        more = (await receive()).get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
