"""A GraphQL request, read once and run on graphql-core.

``Runner.prepare`` reads a query text once: parsed with the token limit, measured against the
depth, alias and cost limits (api/graphql/limits.py, introspection included), validated with
graphql-core's rules (its own limit on introspection's depth among them) and strawberry's two,
and printed in canonical form for the response cache's key. The answer is kept for the same
text (a bounded LRU), so a repeated question costs none of it again, and no check runs twice:
the transport (api/web/graphql.py) asks the prepared request what it needs (is it valid, is it
a query, which operation) instead of parsing again.

``Runner.run`` executes a prepared document with revgraph's execution context
(api/graphql/execution.py), masks internal faults and reports ``roundTrips``. Strawberry's
``Schema.execute`` is not used: its per-request extension chain did nothing here but cost CPU.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    parse,
    print_ast,
    specified_rules,
    validate,
)
from graphql.validation import MaxIntrospectionDepthRule
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionResult

from api.graphql.execution import LeanExecutionContext
from api.graphql.limits import INTERNAL_ERROR, Limits, Sizes, measure, should_mask

PREPARED = 256  # query texts kept read; the body limit bounds each


@dataclass(frozen=True)
class Prepared:
    """A query text read once: its document and the names of its operations, or the errors
    that refuse it before it runs (syntax, tokens, limits, validation)."""

    document: DocumentNode | None
    errors: tuple[GraphQLError, ...]
    operations: tuple[str | None, ...] = ()  # names (None: the unnamed one)
    queries_only: bool = True  # no mutation or subscription among its operations
    key: str = ""  # the document in canonical form (comments and spacing aside)

    def choose(self, name: str | None) -> GraphQLError | None:
        """Why ``name`` does not pick one operation of the document (GraphQL over HTTP: a
        request error), or None when it does."""
        named = [n for n in self.operations if n]
        given = f"give operationName as one of {', '.join(named)}" if named else "name them"
        if name is None:
            if len(self.operations) > 1:
                return GraphQLError(f"the document has several operations: {given}",
                                    extensions={"code": "OPERATION_NAME_REQUIRED"})
            return None
        if name not in self.operations:
            return GraphQLError(f"the document has no operation named {name!r}: {given}",
                                extensions={"code": "UNKNOWN_OPERATION"})
        return None


class Runner:
    """Reads and runs requests on ``schema`` within ``limits``."""

    def __init__(self, schema: strawberry.Schema, limits: Limits, max_tokens: int,
                 sizes: Sizes | None = None, extra_rules: Sequence[type[ASTValidationRule]] = ()
                 ) -> None:
        self.strawberry = schema
        self.schema = schema._schema
        self.limits = limits
        self.max_tokens = max_tokens
        self.sizes = sizes or Sizes.guessed()
        self.rules = (*specified_rules, MaxIntrospectionDepthRule, MaybeNullValidationRule,
                      OneOfInputValidationRule, *extra_rules)
        self.prepare = lru_cache(maxsize=PREPARED)(self._prepare)
        # What each answer states as its data version (api/web/dataversion.py; the app sets it).
        self.data_version: Callable[[], Awaitable[str | None]] = _unknown

    def resize(self, sizes: Sizes) -> None:
        """New list sizes (read from the graph after a load): documents are measured again."""
        self.sizes = sizes
        self.prepare.cache_clear()

    def _prepare(self, query: str) -> Prepared:
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError as exc:
            if "tokens" in exc.message:
                exc.extensions = {"code": "TOO_MANY_TOKENS", "limit": self.max_tokens}
            return Prepared(None, (exc,))
        refused = measure(self.schema, document, self.limits, self.sizes)
        if refused is not None:
            return Prepared(None, (refused,))
        errors = validate(self.schema, document, self.rules)
        if errors:
            return Prepared(None, tuple(errors))
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        return Prepared(
            document, (),
            operations=tuple(o.name.value if o.name else None for o in operations),
            queries_only=all(o.operation is OperationType.QUERY for o in operations),
            key=print_ast(document))

    async def run(self, prepared: Prepared, variables: dict[str, Any] | None,
                  operation_name: str | None, context: Any) -> ExecutionResult:
        """Execute a valid prepared document (``prepared.errors`` empty, the operation
        chosen)."""
        assert prepared.document is not None
        result = execute(self.schema, prepared.document, variable_values=variables,
                         operation_name=operation_name, context_value=context,
                         executor_class=LeanExecutionContext,
                         is_awaitable=optimized_is_awaitable)  # type: ignore[arg-type]  # as strawberry passes it
        if isawaitable(result):
            result = await result
        errors = [_masked(e) for e in result.errors] if result.errors else None
        return ExecutionResult(data=result.data, errors=errors,
                               extensions={"roundTrips": getattr(context, "round_trips", 0),
                                           "dataVersion": await self.data_version()})


async def _unknown() -> str | None:
    return None


def _masked(error: GraphQLError) -> GraphQLError:
    """A fault of ours, with its details left in the log; the user's mistakes as they are."""
    if not should_mask(error):
        return error
    return GraphQLError(message=INTERNAL_ERROR, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, original_error=None)
