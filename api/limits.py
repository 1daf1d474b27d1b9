"""What keeps the API safe to leave open: depth and cost limits, masked internal errors, and
the count of Cypher round trips reported with every response."""

from __future__ import annotations

import os
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
)
from graphql.validation import ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)

MAX_DEPTH = int(os.environ.get("REVGRAPH_MAX_DEPTH", "10"))
MAX_COST = int(os.environ.get("REVGRAPH_MAX_COST", "20000"))
LIST_GUESS = 10  # how many items a list without `first` is assumed to return


class CostRule(ValidationRule):
    """Refuse a query whose estimated cost is over MAX_COST before it runs.

    Each field costs 1; the fields under a list cost once per item: `first` items for a
    paginated list (default 20), `limit` for search, and LIST_GUESS for other lists.
    Variables are not known at validation: a `first: $n` counts as the default page.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        document = self.context.document
        fragments = {d.name.value: d for d in document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        cost = _cost(node.selection_set, fragments, {}, 0)
        if cost > MAX_COST:
            self.report_error(GraphQLError(
                f"query too costly: estimated cost {cost} is over the limit of {MAX_COST}; "
                "ask for smaller pages (`first`) or fewer nested lists",
                node, extensions={"code": "QUERY_TOO_COSTLY", "cost": cost, "limit": MAX_COST}))


def _int_arg(field: FieldNode, name: str, variables: dict[str, Any]) -> int | None:
    for arg in field.arguments or []:
        if arg.name.value != name:
            continue
        if isinstance(arg.value, IntValueNode):
            return int(arg.value.value)
        if isinstance(arg.value, VariableNode):
            value = variables.get(arg.value.name.value)
            return int(value) if isinstance(value, int) else None
    return None


def _cost(selection: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode],
          variables: dict[str, Any], depth: int) -> int:
    if selection is None or depth > 50:
        return 0
    total = 0
    for node in selection.selections:
        if isinstance(node, FieldNode):
            inner = _cost(node.selection_set, fragments, variables, depth + 1)
            if node.selection_set is None:
                total += 1
                continue
            items = _int_arg(node, "first", variables) or _int_arg(node, "limit", variables)
            if items is None:
                items = LIST_GUESS if _looks_like_list(node) else 1
            total += 1 + items * inner
        elif isinstance(node, InlineFragmentNode):
            total += _cost(node.selection_set, fragments, variables, depth + 1)
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                total += _cost(fragment.selection_set, fragments, variables, depth + 1)
    return total


def _looks_like_list(field: FieldNode) -> bool:
    # Connections and the plural fields return many; single lookups do not. Without the
    # schema at hand this is decided by the name: a conservative over-estimate.
    name = field.name.value
    return name.endswith("s") or name in ("control", "composition", "contains", "search")


class RoundTrips(SchemaExtension):
    """Report how many Cypher round trips the request made, in `extensions.roundTrips`."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        return {"roundTrips": getattr(context, "round_trips", 0)}


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None:
        return False  # a GraphQL validation or syntax error: the user's to fix
    if isinstance(original, GraphQLError):
        return False  # raised on purpose with a message for the user
    return True


# The validation rules, made once: the validation cache is keyed by the rule classes, and
# QueryDepthLimiter makes a new class per instance, which would miss the cache every time.
RULES = [*QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules, CostRule]


def extensions() -> list[Any]:
    return [
        # Parsing and validating the same query text again is wasted work: cache both.
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(RULES),
        RoundTrips,
        lambda: MaskErrors(should_mask_error=_should_mask,
                           error_message="Internal error: the request could not be completed."),
    ]
