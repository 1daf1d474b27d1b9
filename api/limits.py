"""What keeps the API safe to leave open: limits on depth, cost and aliases computed once per
fragment (a document whose fragments double at each level is refused at once, not after
walking each spread again), a token limit for the parser, masked internal errors, and the
count of Cypher round trips reported with every response."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
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
    parse,
)
from graphql.validation import ValidationRule
from neo4j.exceptions import ConnectionAcquisitionTimeoutError, ServiceUnavailable, SessionExpired
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

# Neo4j errors that mean the database cannot be reached now: a 503, not a fault of ours.
NEO4J_UNAVAILABLE = (ServiceUnavailable, SessionExpired, ConnectionAcquisitionTimeoutError)
LIST_GUESS = 10  # how many items a list without `first` is assumed to return
# Fields that cost far more than one property: a shortest-path search, a full-text search.
WEIGHTS = {"connection": 200, "search": 20}
INTERNAL_ERROR = "Internal error: the request could not be completed."


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_cost: int
    max_aliases: int


@dataclass
class Measure:
    """A selection's depth, estimated cost and number of aliases."""

    depth: int = 0
    cost: int = 0
    aliases: int = 0


def limits_rule(limits: Limits) -> type[ValidationRule]:
    """A validation rule refusing documents over the limits, made once per schema (the
    validation cache is keyed by the rule classes)."""
    return type("LimitsRule", (LimitsRule,), {"limits": limits})


class LimitsRule(ValidationRule):
    """Refuse an operation too deep, too costly or with too many aliases, before it runs.

    Each field costs 1 (or its weight); the fields under a list cost once per item: `first`
    items for a paginated list (its default when not literal: variables are not known at
    validation), `limit` for search, and LIST_GUESS for other lists. Which fields are lists is
    read from the schema. Each fragment is measured once, whatever the number of its spreads.
    """

    limits = Limits(10, 20000, 30)

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
        schema = self.context.schema
        root = schema.get_root_type(node.operation)
        if root is None:
            return
        fragments = {d.name.value: d for d in self.context.document.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        measure = _Measurer(schema, fragments).selection(node.selection_set, root, False, ())
        refused = _over(measure, self.limits)
        if refused is not None:
            message, code, value, limit = refused
            self.report_error(GraphQLError(message, node, extensions={
                "code": code, "value": value, "limit": limit}))


class _Measurer:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self.memo: dict[tuple[str, str, bool], Measure] = {}

    def selection(self, selection: SelectionSetNode | None, parent: GraphQLNamedType,
                  paged: bool, stack: tuple[str, ...]) -> Measure:
        """``paged``: ``parent`` is a page (a connection) whose size was already counted, so
        its lists (edges, nodes) count once. ``stack``: the fragments being measured (a cycle
        is graphql-core's NoFragmentCycles error to report; here it counts nothing)."""
        total = Measure()
        if selection is None:
            return total
        for node in selection.selections:
            if isinstance(node, FieldNode):
                part = self.field(node, parent, paged, stack)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selection(node.selection_set, target or parent, paged, stack)  # type: ignore[arg-type]
            elif isinstance(node, FragmentSpreadNode):
                part = self.spread(node.name.value, parent, paged, stack)
            else:
                continue
            total.depth = max(total.depth, part.depth)
            total.cost += part.cost
            total.aliases += part.aliases
        return total

    def spread(self, name: str, parent: GraphQLNamedType, paged: bool,
               stack: tuple[str, ...]) -> Measure:
        fragment = self.fragments.get(name)
        if fragment is None or name in stack:
            return Measure()
        target = self.schema.get_type(fragment.type_condition.name.value) or parent
        key = (name, target.name, paged)
        if key not in self.memo:
            self.memo[key] = self.selection(fragment.selection_set, target,  # type: ignore[arg-type]
                                            paged, (*stack, name))
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, paged: bool,
              stack: tuple[str, ...]) -> Measure:
        aliases = 1 if node.alias is not None else 0
        weight = WEIGHTS.get(node.name.value, 1)
        definition = getattr(parent, "fields", {}).get(node.name.value)
        if definition is None or node.selection_set is None:
            return Measure(1, weight, aliases)  # a leaf, or __typename and the like
        returned = get_nullable_type(definition.type)
        is_list = isinstance(returned, GraphQLList)
        page = _page_size(node, definition)
        inner = self.selection(node.selection_set, get_named_type(returned),
                               page is not None and not is_list, stack)
        if page is not None:
            items = page
        elif is_list:
            items = 1 if paged else LIST_GUESS
        else:
            items = 1
        return Measure(1 + inner.depth, weight + items * inner.cost, aliases + inner.aliases)


@lru_cache(maxsize=256)
def parsed(query: str, max_tokens: int) -> DocumentNode | GraphQLError:
    try:
        return parse(query, max_tokens=max_tokens)
    except GraphQLError as exc:
        return exc


@lru_cache(maxsize=256)
def precheck(schema: GraphQLSchema, query: str, limits: Limits,
             max_tokens: int) -> dict[str, Any] | None:
    """The error (as a response's ``errors`` entry) refusing a document before graphql-core
    validates it (its rules walk every field pair, which a thousand aliases make slow), or
    None. Syntax errors are left to the normal path, which reports them with their place.
    The answer depends on the text alone (variables are not read), so it is kept for the
    same text, as the parse is: measuring was a few per cent of a small request's CPU."""
    document = parsed(query, max_tokens)
    if isinstance(document, GraphQLError):
        if "tokens" in document.message:
            return {"message": document.message, "extensions": {
                "code": "TOO_MANY_TOKENS", "limit": max_tokens}}
        return None
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        root = schema.get_root_type(operation.operation)
        if root is None:
            continue
        m = _Measurer(schema, fragments).selection(operation.selection_set, root, False, ())
        refused = _over(m, limits)
        if refused is not None:
            message, code, value, limit = refused
            return {"message": message, "extensions": {"code": code, "value": value,
                                                       "limit": limit}}
    return None


def _over(m: Measure, limits: Limits) -> tuple[str, str, int, int] | None:
    """Which limit a measured operation is over: the message, code, value and limit."""
    if m.depth > limits.max_depth:
        return (f"query too deep: {m.depth} levels, over the limit of {limits.max_depth}; "
                "ask for fewer nested fields", "QUERY_TOO_DEEP", m.depth, limits.max_depth)
    if m.aliases > limits.max_aliases:
        return (f"too many aliases: {m.aliases}, over the limit of {limits.max_aliases}; send "
                "several requests instead", "TOO_MANY_ALIASES", m.aliases, limits.max_aliases)
    if m.cost > limits.max_cost:
        return (f"query too costly: estimated cost {m.cost} is over the limit of "
                f"{limits.max_cost}; ask for smaller pages (`first`) or fewer nested lists",
                "QUERY_TOO_COSTLY", m.cost, limits.max_cost)
    return None


def _page_size(field: FieldNode, definition: GraphQLField) -> int | None:
    """The literal `first` or `limit` of a field, else that argument's default."""
    for name in ("first", "limit"):
        for arg in field.arguments or []:
            if arg.name.value == name and isinstance(arg.value, IntValueNode):
                return max(0, min(int(arg.value.value), 10_000))
        argument = definition.args.get(name)
        if argument is not None and isinstance(argument.default_value, int):
            return argument.default_value
    return None


class RoundTrips(SchemaExtension):
    """Report how many Cypher round trips the request made, in `extensions.roundTrips`."""

    def get_results(self) -> dict[str, Any]:
        context = self.execution_context.context
        return {"roundTrips": getattr(context, "round_trips", 0)}


def should_mask(error: GraphQLError) -> bool:
    """Whether an error is a fault of ours (its details stay in the log), not the user's."""
    original = error.original_error
    if original is None or error.path is None:
        return False  # a GraphQL syntax, validation or argument error: the user's to fix
    if isinstance(original, GraphQLError):
        return False  # raised on purpose with a message for the user
    if isinstance(original, NEO4J_UNAVAILABLE):
        return False  # the transport answers 503 for the whole request
    logging.getLogger("revgraph.api").error("fault at %s: %s", ".".join(map(str, error.path)),
                                            original, exc_info=original)
    return True


def extensions(rule: type[ValidationRule], max_tokens: int) -> list[Any]:
    rules: list[Any] = [rule]
    return [
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        # Parsing and validating the same query text again is wasted work: cache both. The
        # body limit bounds the size of each entry.
        lambda: ParserCache(maxsize=256),
        lambda: ValidationCache(maxsize=256),
        lambda: AddValidationRules(rules),
        RoundTrips,
        lambda: MaskErrors(should_mask_error=should_mask, error_message=INTERNAL_ERROR),
    ]
