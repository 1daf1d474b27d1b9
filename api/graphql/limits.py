"""What keeps the API safe to leave open: limits on depth, aliases and cost, measured once per
document (api/graphql/operation.py) and once per fragment (a document whose fragments double at
each level is refused at once, not after walking each spread again), introspection included;
and the masking of internal faults.

The cost is the fields a document may return: each field costs 1 (or its weight), and the
fields under a list once per item. A list's items are a paginated list's ``first`` (its default
when not literal: variables are not known yet), ``limit`` for search, and otherwise the largest
number of items that list has in the graph (``Sizes``, read from the graph's own statistics at
start and after each load: api/graphql/sizes.py), or a guess where the graph was not read.

Introspection is measured too, against limits of its own that the full introspection query
(every option GraphiQL may ask) just meets: its depth (no deeper than that query's, whose
``ofType`` chains go nine levels), its aliases (the same limit as any document), and its cost
with the schema's own list sizes (how many types, how many fields a type has on average...),
at most twice that query's. graphql-core's ``MaxIntrospectionDepthRule`` limits its recursion
besides.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
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
    get_introspection_query,
    get_named_type,
    get_nullable_type,
    is_abstract_type,
    parse,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from graph.db import NEO4J_UNAVAILABLE

LIST_GUESS = 10  # items of a list whose size the graph has not told
# Fields that cost far more than one property: a shortest-path search, a full-text search.
WEIGHTS = {"connection": 200, "search": 20}
INTERNAL_ERROR = "Internal error: the request could not be completed."
META = {"__schema": SchemaMetaFieldDef, "__type": TypeMetaFieldDef}


@dataclass(frozen=True)
class Limits:
    max_depth: int
    max_cost: int
    max_aliases: int


@dataclass(frozen=True)
class Sizes:
    """The largest number of items each list field returns, by (type name, field name), as
    the graph has them (graph/stats.py); under an interface, the largest of any type's; the
    guess for a list the graph was not asked about."""

    lists: dict[tuple[str, str], int] = field(default_factory=dict)
    guess: int = LIST_GUESS

    @classmethod
    def guessed(cls) -> Sizes:
        return cls()

    def of(self, parent: str, name: str) -> int:
        found = self.lists.get((parent, name))
        if found is not None:
            return max(found, 1)
        return self._by_name().get(name, self.guess)

    def _by_name(self) -> dict[str, int]:
        cached: dict[str, int] | None = self.__dict__.get("_names")
        if cached is None:
            cached = {}
            for (_, name), n in self.lists.items():
                cached[name] = max(cached.get(name, 1), n)
            object.__setattr__(self, "_names", cached)
        return cached


@dataclass
class Measure:
    """A selection's depth and estimated cost (introspection's apart) and number of aliases."""

    depth: int = 0
    cost: int = 0
    introspection: int = 0
    aliases: int = 0
    introspection_depth: int = 0


class _Measurer:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode],
                 sizes: Sizes) -> None:
        self.schema = schema
        self.fragments = fragments
        self.sizes = sizes
        self.meta_sizes = introspection_sizes(schema)
        self.memo: dict[tuple[str, str, bool, bool], Measure] = {}

    def selection(self, selection: SelectionSetNode | None, parent: GraphQLNamedType,
                  paged: bool, meta: bool, stack: tuple[str, ...]) -> Measure:
        """``paged``: ``parent`` is a page (a connection) whose size was already counted, so
        its lists (edges, nodes) count once. ``meta``: inside introspection. ``stack``: the
        fragments being measured (a cycle is graphql-core's NoFragmentCycles error to report;
        here it counts nothing)."""
        total = Measure()
        if selection is None:
            return total
        for node in selection.selections:
            if isinstance(node, FieldNode):
                part = self.field(node, parent, paged, meta, stack)
            elif isinstance(node, InlineFragmentNode):
                condition = node.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                part = self.selection(node.selection_set, target or parent, paged, meta,
                                      stack)
            elif isinstance(node, FragmentSpreadNode):
                part = self.spread(node.name.value, parent, paged, meta, stack)
            else:
                continue
            total.depth = max(total.depth, part.depth)
            total.introspection_depth = max(total.introspection_depth, part.introspection_depth)
            total.cost += part.cost
            total.introspection += part.introspection
            total.aliases += part.aliases
        return total

    def spread(self, name: str, parent: GraphQLNamedType, paged: bool, meta: bool,
               stack: tuple[str, ...]) -> Measure:
        fragment = self.fragments.get(name)
        if fragment is None or name in stack:
            return Measure()
        target = self.schema.get_type(fragment.type_condition.name.value) or parent
        key = (name, target.name, paged, meta)
        if key not in self.memo:
            self.memo[key] = self.selection(fragment.selection_set, target,
                                            paged, meta, (*stack, name))
        return self.memo[key]

    def field(self, node: FieldNode, parent: GraphQLNamedType, paged: bool, meta: bool,
              stack: tuple[str, ...]) -> Measure:
        name = node.name.value
        aliases = 1 if node.alias is not None else 0
        weight = WEIGHTS.get(name, 1) if not meta else 1
        definition: GraphQLField | None = META.get(name) if parent is self.schema.query_type \
            else None
        meta = meta or definition is not None
        definition = definition or getattr(parent, "fields", {}).get(name)
        if definition is None or node.selection_set is None:
            return _spent(Measure(1, weight, 0, aliases), meta)  # a leaf, __typename and the like
        returned = get_nullable_type(definition.type)
        is_list = isinstance(returned, GraphQLList)
        page = None if meta else _page_size(node, definition)
        inner = self.selection(node.selection_set, get_named_type(returned),
                               page is not None and not is_list, meta, stack)
        if page is not None:
            items = page
        elif not is_list or paged:
            items = 1
        elif meta:
            items = self.meta_sizes.get(name, LIST_GUESS)
        else:
            items = self.sizes.of(parent.name, name)
        own = _spent(Measure(inner.depth + 1, weight, 0, aliases + inner.aliases,
                             inner.introspection_depth + 1), meta)
        own.cost += items * inner.cost
        own.introspection += items * inner.introspection
        return own


def _spent(m: Measure, meta: bool) -> Measure:
    """A measure whose own cost and depth are introspection's when inside it."""
    if meta:
        m.introspection, m.cost = m.cost, 0
        m.introspection_depth, m.depth = max(m.introspection_depth, m.depth), 0
    else:
        m.introspection_depth = 0
    return m


@lru_cache(maxsize=8)
def introspection_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """How many items each of introspection's lists returns for this schema, on average (so
    that a document's estimate is about the size of its answer: the whole schema's fields,
    not the most fields of a type times the number of types)."""
    types = list(schema.type_map.values())
    fields = [len(getattr(t, "fields", {}) or {}) for t in types]
    args = [len(f.args) for t in types for f in (getattr(t, "fields", {}) or {}).values()
            if hasattr(f, "args")]
    args += [len(d.args) for d in schema.directives]
    values = [len(getattr(t, "values", {}) or {}) for t in types]
    interfaces = [len(getattr(t, "interfaces", ()) or ()) for t in types]
    possible = [len(schema.get_possible_types(t)) for t in types if is_abstract_type(t)]

    def mean(xs: list[int]) -> int:
        return max(1, -(-sum(xs) // max(1, len(xs))))  # rounded up

    return {"types": len(types), "directives": len(schema.directives),
            "fields": mean(fields), "inputFields": mean(fields), "args": mean(args),
            "enumValues": mean(values), "interfaces": mean(interfaces),
            "possibleTypes": mean(possible), "locations": 19}


@lru_cache(maxsize=8)
def introspection_budget(schema: GraphQLSchema) -> tuple[int, int]:
    """(the deepest, twice the cost of) the full introspection query (every option GraphiQL
    may ask)."""
    query = get_introspection_query(descriptions=True, specified_by_url=True,
                                    directive_is_repeatable=True, schema_description=True,
                                    input_value_deprecation=True)
    m = _measure_document(schema, parse(query), Sizes.guessed())
    return max(x.introspection_depth for x in m), 2 * max(x.introspection for x in m) + 1


def _measure_document(schema: GraphQLSchema, document: DocumentNode, sizes: Sizes
                      ) -> list[Measure]:
    fragments = {d.name.value: d for d in document.definitions
                 if isinstance(d, FragmentDefinitionNode)}
    measurer = _Measurer(schema, fragments, sizes)
    out = []
    for operation in document.definitions:
        if not isinstance(operation, OperationDefinitionNode):
            continue
        root = schema.get_root_type(operation.operation)
        if root is not None:
            out.append(measurer.selection(operation.selection_set, root, False, False, ()))
    return out or [Measure()]


def measure(schema: GraphQLSchema, document: DocumentNode, limits: Limits, sizes: Sizes
            ) -> GraphQLError | None:
    """The error refusing a document over the limits (each operation measured once, before
    graphql-core validates it: its rules walk every field pair, which a thousand aliases make
    slow), or None."""
    budget = introspection_budget(schema)
    for m in _measure_document(schema, document, sizes):
        refused = _over(m, limits, budget)
        if refused is not None:
            message, code, value, limit = refused
            return GraphQLError(message, extensions={"code": code, "value": value,
                                                     "limit": limit})
    return None


def _over(m: Measure, limits: Limits, budget: tuple[int, int]
          ) -> tuple[str, str, int, int] | None:
    """Which limit a measured operation is over: the message, code, value and limit."""
    deepest, costliest = budget
    if m.depth > limits.max_depth:
        return (f"query too deep: {m.depth} levels, over the limit of {limits.max_depth}; "
                "ask for fewer nested fields", "QUERY_TOO_DEEP", m.depth, limits.max_depth)
    if m.introspection_depth > max(deepest, limits.max_depth):
        limit = max(deepest, limits.max_depth)
        return (f"introspection too deep: {m.introspection_depth} levels, deeper than the full "
                f"introspection query ({limit})", "QUERY_TOO_DEEP", m.introspection_depth, limit)
    if m.aliases > limits.max_aliases:
        return (f"too many aliases: {m.aliases}, over the limit of {limits.max_aliases}; send "
                "several requests instead", "TOO_MANY_ALIASES", m.aliases, limits.max_aliases)
    if m.cost > limits.max_cost:
        return (f"query too costly: estimated cost {m.cost} is over the limit of "
                f"{limits.max_cost}; ask for smaller pages (`first`) or fewer nested lists",
                "QUERY_TOO_COSTLY", m.cost, limits.max_cost)
    if m.introspection > costliest:
        return (f"introspection too costly: estimated cost {m.introspection} is over "
                f"{costliest}, twice a full introspection; ask for the schema once",
                "INTROSPECTION_TOO_COSTLY", m.introspection, costliest)
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


def should_mask(error: GraphQLError) -> bool:
    """Whether an error is a fault of ours (its details stay in the log), not the user's."""
    original: Any = error.original_error
    if original is None or error.path is None:
        return False  # a GraphQL syntax, validation or argument error: the user's to fix
    if isinstance(original, GraphQLError):
        return False  # raised on purpose with a message for the user
    if isinstance(original, NEO4J_UNAVAILABLE):
        return False  # the transport answers 503 for the whole request
    logging.getLogger("revgraph.api").error("fault at %s: %s", ".".join(map(str, error.path)),
                                            original, exc_info=original)
    return True
