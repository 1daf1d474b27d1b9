"""The one family of errors revgraph raises on purpose, each with a message that says what to
change, and the HTTP status it is answered with.

Every endpoint maps them the same way (api/web/errors.py, Starlette's exception handlers): a
``RevgraphError`` is answered with its ``status`` and ``headers``; anything else is a fault of
ours, masked and logged. The CLI prints the message and exits non-zero, without a traceback.
Each subclass also keeps the built-in base it had (``ValueError``...), so ``except`` clauses
written for those still catch it.
"""

from __future__ import annotations


class RevgraphError(Exception):
    """An error with a message for a person: what was wrong and what to change."""

    status = 500
    retry_after: int | None = None

    def __init__(self, message: str, *, status: int | None = None,
                 headers: dict[str, str] | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.headers = dict(headers or {})
        self.details = details  # more for the answer's body (a Neo4j error code, ...)
        if self.retry_after is not None:
            self.headers.setdefault("Retry-After", str(self.retry_after))


class InputError(RevgraphError, ValueError):
    """What was given is wrong: a data file, an argument, a request (400 unless said)."""

    status = 400


class Unavailable(RevgraphError):
    """The graph cannot answer now; the same request will work later (503)."""

    status = 503
    retry_after = 5


class DeadlineExceeded(RevgraphError):
    """The work took longer than its limit and was stopped (504)."""

    status = 504


class Fault(RevgraphError, RuntimeError):
    """Something on the operator's side failed: a server that does not start, a load that
    could not finish (500: the message says what to look at)."""
