"""graphql-core's execution with short paths for the commonest fields: a scalar, enum or
list of them read from an attribute, and a walk whose nodes the question already fetched.

Every property of the generated types is a plain attribute (api/types.py), which strawberry
resolves with a function that ignores its ``info`` (``_get_basic_result``). graphql-core
still builds a resolve info, checks for awaitables and dispatches the completion for each
such field of each item: most of the time a list of a hundred cities costs. Here a field
whose resolver is that function, whose type is a leaf (or a list of leaves) and which takes
no arguments is read and coerced at once, exactly as the full path would; a null, an error or
anything else takes the full path, so errors and their locations are graphql-core's own.

A walk (a relationship field or its reverse, api/prefetch.py) whose nodes were fetched with
its node (``NodeData.pre``) and whose type is a concrete object or a list of them is answered
without its resolver: graphql-core's argument values give the day, the prefetched nodes are
wrapped, and each is completed with graphql-core's own collected subfields and
``execute_fields``, as ``complete_value`` would after the resolve info, strawberry's argument
conversion and extension chain, which cost most of a long list's time. Walks the question
did not fetch, and anything unusual take the full path. Under an
interface- or union-typed walk each node is completed as the type of its kind, the type
strawberry's resolution would find, if the field's type allows it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, ClassVar

from graphql import (
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.prefetch import Ref, Reverse, reads, walk_key
from api.resolve import to_gregorian, wrap
from schema import dates as d
from schema.model import KIND_BY_LABEL, KINDS

Reader = Callable[[Any], Any]
_NOT_FAST = object()
_KIND_BY_TYPE = {k.gql: k for k in KINDS}


@dataclass(frozen=True)
class Walk:
    name: str  # the GraphQL field's name: its nodes' walk key on the node
    dated: bool  # takes `on` and `calendar`
    item: GraphQLObjectType | None  # the type of its nodes; None: each node's kind's type
    abstract: GraphQLInterfaceType | GraphQLUnionType | None  # the field's, when item is None
    many: bool  # a non-null list of non-null nodes; else one node
    non_null: bool


def _walk(parent_type: GraphQLObjectType, field: GraphQLField, name: str) -> Walk | None:
    kind = _KIND_BY_TYPE.get(parent_type.name)
    what = reads(kind).get(name) if kind is not None else None
    if not isinstance(what, (Ref, Reverse)):
        return None
    t: Any = field.type
    non_null = isinstance(t, GraphQLNonNull)
    if non_null:
        t = t.of_type
    many = isinstance(t, GraphQLList)
    if many:
        if not non_null or not isinstance(t.of_type, GraphQLNonNull):
            return None
        t = t.of_type.of_type
    if not isinstance(t, (GraphQLObjectType, GraphQLInterfaceType, GraphQLUnionType)):
        return None
    dated = isinstance(what, Reverse) and what.dated
    if set(field.args) - ({"on", "calendar"} if dated else set()):
        return None
    if isinstance(t, GraphQLObjectType):
        return Walk(name, dated, t, None, many, non_null)
    return Walk(name, dated, None, t, many, non_null)


def _leaf(t: Any) -> tuple[GraphQLLeafType | None, bool]:
    """(the leaf type, whether it is a list of non-null leaves) of a field's type, or None."""
    if isinstance(t, GraphQLNonNull):
        t = t.of_type
    if isinstance(t, GraphQLList):
        item = t.of_type
        if isinstance(item, GraphQLNonNull) and is_leaf_type(item.of_type):
            return item.of_type, True
        return None, False
    return (t, False) if is_leaf_type(t) else (None, False)


def _reader(field: GraphQLField) -> Reader | None:
    resolve = field.resolve
    if resolve is None or field.args or getattr(resolve, "__name__", "") != "_get_basic_result":
        return None
    leaf, many = _leaf(field.type)
    definition = (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if leaf is None or definition is None or definition.base_resolver is not None \
            or definition.default_resolver is not getattr:
        return None
    # What strawberry's basic resolver does (StrawberryField.get_result), without its calls.
    resolve = attrgetter(definition.python_name)
    coerce = leaf.coerce_output_value

    if many:
        def read_many(source: Any) -> Any:
            value = resolve(source)
            if value is None:
                return _NOT_FAST
            out = [coerce(v) for v in value]
            return _NOT_FAST if None in out else out
        return read_many

    def read_one(source: Any) -> Any:
        value = resolve(source)
        if value is None:
            return _NOT_FAST
        coerced = coerce(value)
        return _NOT_FAST if coerced is None else coerced
    return read_one


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    # Per field definition (a schema's fixed set): the field, held so that its id is not
    # reused while it is a key, its fast reader and its walk, or None.
    readers: dict[int, tuple[GraphQLField, Reader | None, Walk | None]] = {}
    enabled: ClassVar[bool] = True  # off: graphql-core's path for every field (tests compare)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any,
                      field_details_list: Any, path: Any, position_context: Any) -> Any:
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)
        middleware = self.middleware_manager  # strawberry passes one per request, often empty
        if self.enabled and field is not None and (
                middleware is None or not middleware.middlewares):
            entry = self.readers.get(id(field))
            if entry is None or entry[0] is not field:
                entry = self.readers[id(field)] = (field, _reader(field),
                                                   _walk(parent_type, field, node.name.value))
            _, read, walk = entry
            if read is not None and not node.arguments:
                try:
                    value = read(source)
                except Exception:  # noqa: BLE001 - the full path raises it where it belongs
                    value = _NOT_FAST
                if value is not _NOT_FAST:
                    return value
            elif walk is not None:
                value = self._walked(walk, field, source, field_details_list, path,
                                     position_context)
                if value is not _NOT_FAST:
                    return value
        return super().execute_field(parent_type, source, field_details_list, path,
                                     position_context)

    def _walked(self, walk: Walk, field: GraphQLField, source: Any, field_details_list: Any,
                path: Any, position_context: Any) -> Any:
        """The completed value of a prefetched walk, or _NOT_FAST."""
        n = getattr(source, "_n", None)
        pre = n.pre if n is not None else None
        if pre is None:
            return _NOT_FAST
        day = None
        details = field_details_list[0]
        if walk.dated and details.node.arguments:
            try:
                args = get_argument_values(field, details.node, self.variable_values,
                                           details.fragment_variable_values,
                                           self.hide_suggestions)
                day = to_gregorian(args.get("on"), d.Calendar(args.get("calendar", "GREGORIAN")))
            except Exception:  # noqa: BLE001 - the full path reports it
                return _NOT_FAST
        got = pre.get(walk_key(walk.name, day))
        if got is None or (not walk.many and not got and walk.non_null):
            return _NOT_FAST
        if not walk.many and not got:
            return None
        # Each node's type, and the subfields graphql-core collects for it (cached by it).
        found = [walk.item] * len(got) if walk.item is not None else [
            self._runtime(walk, n) for n in got]
        types: list[GraphQLObjectType] = []
        subfields: dict[str, Any] = {}
        for t in found:
            if t is None:
                return _NOT_FAST  # not a type of the field's: graphql-core says so
            types.append(t)
            if t.name not in subfields:
                grouped, defers, _ = self.collect_subfields(t, field_details_list)
                if defers:
                    return _NOT_FAST
                subfields[t.name] = grouped
        if not walk.many:
            return self._complete(types[0], wrap(got[0]), field, field_details_list, path,
                                  subfields[types[0].name], position_context)
        results: list[Any] = []
        waiting: list[int] = []
        try:
            for i, (n, t) in enumerate(zip(got, types, strict=True)):
                r = self.execute_fields(t, wrap(n), path.add_key(i, None), subfields[t.name],
                                        position_context)
                if self.is_awaitable(r):
                    waiting.append(i)
                results.append(r)
        except Exception as raw:  # noqa: BLE001 - as execute_field handles a field's error
            if waiting:
                self.settle_in_background([results[i] for i in waiting])
            self.handle_field_error(raw, field.type, field_details_list, path)
            return None
        if not waiting:
            return results

        async def awaited() -> Any:
            try:
                done = await gather_with_cancel(*(results[i] for i in waiting))
            except Exception as raw:  # noqa: BLE001
                self.handle_field_error(raw, field.type, field_details_list, path)
                return None
            for i, r in zip(waiting, done, strict=True):
                results[i] = r
            return results
        return awaited()

    def _runtime(self, walk: Walk, n: Any) -> GraphQLObjectType | None:
        """The object type of a node under an interface- or union-typed walk, as strawberry's
        type resolution finds it (the type generated for its kind), if the field allows it."""
        t = self.schema.get_type(KIND_BY_LABEL[n.label].gql)
        if isinstance(t, GraphQLObjectType) and walk.abstract is not None \
                and self.schema.is_sub_type(walk.abstract, t):
            return t
        return None

    def _complete(self, item: GraphQLObjectType, obj: Any, field: GraphQLField,
                  field_details_list: Any, path: Any, grouped: Any,
                  position_context: Any) -> Any:
        try:
            r = self.execute_fields(item, obj, path, grouped, position_context)
        except Exception as raw:  # noqa: BLE001
            self.handle_field_error(raw, field.type, field_details_list, path)
            return None
        if not self.is_awaitable(r):
            return r

        async def awaited() -> Any:
            try:
                return await r
            except Exception as raw:  # noqa: BLE001
                self.handle_field_error(raw, field.type, field_details_list, path)
                return None
        return awaited()
