"""What keeps the API safe to leave open: depth and cost limits, masked internal errors, and
the count of Cypher round trips reported with every response."""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
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

LIST_GUESS = 10  # how many items a list without `first` is assumed to return


def cost_rule(max_cost: int) -> type[ValidationRule]:
    """A validation rule refusing queries whose estimated cost is over ``max_cost``."""
    return type("CostRule", (CostRule,), {"max_cost": max_cost})


class CostRule(ValidationRule):
    """Refuse a query whose estimated cost is over ``max_cost`` before it runs.

    Each field costs 1; the fields under a list cost once per item: `first` items for a
    paginated list (its default when not literal: variables are not known at validation),
    `limit` for search, and LIST_GUESS for other lists. Which fields are lists is read from
    the schema.
    """

    max_cost = 20000

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        if root is None:
            return
        fragments = {d.name.value: d for d in self.context.document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        cost = _cost(node.selection_set, root, schema, fragments, 0)
        if cost > self.max_cost:
            self.report_error(GraphQLError(
                f"query too costly: estimated cost {cost} is over the limit of {self.max_cost}; "
                "ask for smaller pages (`first`) or fewer nested lists",
                node, extensions={"code": "QUERY_TOO_COSTLY", "cost": cost,
                                  "limit": self.max_cost}))


def _page_size(field: FieldNode, definition: GraphQLField) -> int | None:
    """The literal `first` or `limit` of a field, else that argument's default."""
    for name in ("first", "limit"):
        for arg in field.arguments or []:
            if arg.name.value == name and isinstance(arg.value, IntValueNode):
                return int(arg.value.value)
        argument = definition.args.get(name)
        if argument is not None and isinstance(argument.default_value, int):
            return argument.default_value
    return None


def _cost(selection: SelectionSetNode | None, parent: GraphQLNamedType, schema: GraphQLSchema,
          fragments: dict[str, FragmentDefinitionNode], depth: int, paged: bool = False) -> int:
    """The estimated cost of a selection on ``parent``. ``paged``: ``parent`` is a page (a
    connection) whose size was already counted, so its lists (edges, nodes) count once."""
    if selection is None or depth > 50:
        return 0
    total = 0
    for node in selection.selections:
        if isinstance(node, FieldNode):
            fields = getattr(parent, "fields", {})
            definition = fields.get(node.name.value)
            if definition is None or node.selection_set is None:
                total += 1  # a leaf, or __typename and the like
                continue
            returned = get_nullable_type(definition.type)
            is_list = isinstance(returned, GraphQLList)
            page = _page_size(node, definition)
            inner = _cost(node.selection_set, get_named_type(returned), schema, fragments,
                          depth + 1, paged=page is not None and not is_list)
            if page is not None:
                items = page
            elif is_list:
                items = 1 if paged else LIST_GUESS
            else:
                items = 1
            total += 1 + items * inner
        elif isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            target = schema.get_type(condition.name.value) if condition else parent
            total += _cost(node.selection_set, target or parent, schema, fragments, depth + 1,
                           paged)
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)
            if fragment is not None:
                target = schema.get_type(fragment.type_condition.name.value) or parent
                total += _cost(fragment.selection_set, target, schema, fragments, depth + 1,
                               paged)
    return total


class RoundTrips(SchemaExtension):
    """Report how many Cypher round trips the request made, in `extensions.roundTrips`."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        return {"roundTrips": getattr(context, "round_trips", 0)}


def _should_mask(error: GraphQLError) -> bool:
    original = error.original_error
    if original is None or error.path is None:
        return False  # a GraphQL syntax, validation or argument error: the user's to fix
    if isinstance(original, GraphQLError):
        return False  # raised on purpose with a message for the user
    return True


def extensions(max_depth: int, max_cost: int) -> list[Any]:
    # The validation rules, made once per schema: the validation cache is keyed by the rule
    # classes, and QueryDepthLimiter makes a new class per instance.
    rules = [*QueryDepthLimiter(max_depth=max_depth).validation_rules, cost_rule(max_cost)]
    return [
        # Parsing and validating the same query text again is wasted work: cache both.
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        RoundTrips,
        lambda: MaskErrors(should_mask_error=_should_mask,
                           error_message="Internal error: the request could not be completed."),
    ]
