"""One GraphQL request run on graphql-core directly, when nothing about it needs more.

Strawberry's ``Schema.execute`` builds, per request, an execution context, an instance of every
schema extension (the token limit, the parse and validation caches, the validation rules, the
round-trip count, the error masking) and an async hook chain through all of them. For an
already seen, valid query that machinery did nothing but cost about 0.2 ms of CPU, a tenth of a
small request (issue 9). Here a query text is parsed and validated once, with the same rules
(graphql-core's, strawberry's own two and revgraph's limits), and then executed by graphql-core
with revgraph's execution context; errors are masked and ``roundTrips`` reported as the
extensions do.

Anything else goes to strawberry as before, so that its answers stay its own: a text that does
not parse or validate, an operation that is not a query, an unknown operation name (which
strawberry raises rather than answers: that becomes an error saying which names there are).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from inspect import isawaitable
from typing import Any, ClassVar

import strawberry
from graphql import (
    ASTValidationRule,
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    execute,
    specified_rules,
    validate,
)
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.exceptions import CannotGetOperationTypeError
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule
from strawberry.types import ExecutionResult

from api.execution import LeanExecutionContext
from api.limits import INTERNAL_ERROR, parsed, should_mask

PREPARED = 256  # query texts kept parsed and validated, as strawberry's caches kept them


@dataclass(frozen=True)
class Prepared:
    document: DocumentNode
    operations: frozenset[str | None]  # the names of its queries (None: the one unnamed)


class Runner:
    """Runs requests on ``schema`` (a strawberry schema built with ``rules`` among its
    validation rules and ``max_tokens`` as its token limit)."""

    enabled: ClassVar[bool] = True  # off: strawberry runs every request (tests compare)

    def __init__(self, schema: strawberry.Schema, rules: Sequence[type[ASTValidationRule]],
                 max_tokens: int) -> None:
        self.strawberry = schema
        self.schema = schema._schema
        self.rules = (*specified_rules, *rules, MaybeNullValidationRule,
                      OneOfInputValidationRule)
        self.max_tokens = max_tokens
        self.prepared = lru_cache(maxsize=PREPARED)(self._prepare)

    def _prepare(self, query: str) -> Prepared | None:
        """The query's document if it parses, validates and holds only queries; else None."""
        document = parsed(query, self.max_tokens)
        if isinstance(document, GraphQLError):
            return None
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if not operations or any(o.operation is not OperationType.QUERY for o in operations):
            return None
        if validate(self.schema, document, self.rules):
            return None
        names = frozenset(o.name.value if o.name else None for o in operations)
        return Prepared(document, names)

    async def run(self, query: str, variables: dict[str, Any] | None,
                  operation_name: str | None, context: Any) -> ExecutionResult:
        prepared = self.prepared(query) if self.enabled else None
        if prepared is None or not _names_one(prepared, operation_name):
            try:
                return await self.strawberry.execute(query, variable_values=variables,
                                                     context_value=context,
                                                     operation_name=operation_name)
            except CannotGetOperationTypeError:
                # strawberry raises it for its HTTP views to answer; here it is the request's
                # mistake, answered as such (it was a 500). Other operation types than queries
                # are answered by strawberry's validation: the schema has none.
                return ExecutionResult(data=None, errors=[GraphQLError(
                    _which_operation(query, operation_name, self.max_tokens))],
                    extensions={"roundTrips": 0})
        result = execute(self.schema, prepared.document, variable_values=variables,
                         operation_name=operation_name, context_value=context,
                         executor_class=LeanExecutionContext,
                         is_awaitable=optimized_is_awaitable)  # type: ignore[arg-type]  # as strawberry passes it
        if isawaitable(result):
            result = await result
        errors = [_masked(e) for e in result.errors] if result.errors else None
        return ExecutionResult(data=result.data, errors=errors,
                               extensions={"roundTrips": getattr(context, "round_trips", 0)})


def _names_one(prepared: Prepared, name: str | None) -> bool:
    """Whether ``name`` picks exactly one operation (else strawberry says what is wrong)."""
    if name is None:
        return len(prepared.operations) == 1
    return name in prepared.operations


def _which_operation(query: str, name: str | None, max_tokens: int) -> str:
    """What to change when ``name`` picks no operation of the query."""
    document = parsed(query, max_tokens)
    names = [] if isinstance(document, GraphQLError) else [
        d.name.value for d in document.definitions
        if isinstance(d, OperationDefinitionNode) and d.name]
    given = f"give operationName as one of {', '.join(names)}" if names else "name them"
    if name is not None:
        return f"the document has no operation named {name!r}: {given}"
    return f"the document has several operations: {given}"


def _masked(error: GraphQLError) -> GraphQLError:
    """What strawberry's MaskErrors extension makes of an error (api/limits.py)."""
    if not should_mask(error):
        return error
    return GraphQLError(message=INTERNAL_ERROR, nodes=error.nodes, source=error.source,
                        positions=error.positions, path=error.path, original_error=None)
