"""graphql-core's execution with short paths for the commonest fields: a scalar, enum or
list of them read from an attribute, and a walk whose nodes the question already fetched.

Every property of the generated types is a plain attribute (api/graphql/types.py), which strawberry
resolves by reading the attribute, ignoring its ``info``. graphql-core still builds a resolve
info, checks for awaitables and dispatches the completion for each such field of each item:
most of the time a list of a hundred cities costs. Here a field that strawberry resolves so
(no resolver of its own, no extension, the default getattr), whose type is a leaf (or a list
of leaves) and which takes no arguments is read and coerced at once, exactly as the full path
would; a null, an error or anything else takes the full path, so errors and their locations
are graphql-core's own. What this relies on of strawberry and graphql-core is checked by
tests/test_execution.py (docs/decisions/0007-compiled-executor.md).

A walk (a relationship field or its reverse, api/graphql/prefetch.py) whose nodes were fetched with
its node (``NodeData.pre``) and whose type is a concrete object or a list of them is answered
without its resolver: graphql-core's argument values give the day, the prefetched nodes are
wrapped, and each is completed with graphql-core's own collected subfields and
``execute_fields``, as ``complete_value`` would after the resolve info, strawberry's argument
conversion and extension chain, which cost most of a long list's time. Walks the question
did not fetch, and anything unusual take the full path. Under an
interface- or union-typed walk each node is completed as the type of its kind, the type
strawberry's resolution would find, if the field's type allows it.

Where every field of a selection on an object type has a short path (a leaf read, a prefetched
walk, a plain object attribute such as a date or a page's nodes, ``__typename``, a resolver of
its object alone such as ``totalCount``), the selection is compiled into one function from an
object to its completed dict (``_plan``), kept across requests for the same field nodes and the
same values of the variables used below them: a hundred cities with their controls
then cost a Python call per field, not graphql-core's execute, resolve-info and complete steps.
The compiled function gives up (``_NOT_FAST``) on anything the short paths do not cover (a
null where the type forbids one, a walk not fetched, a total still to count), and the object is
then completed by graphql-core's path from the start: reads have no side effects, so doing one
twice costs time, never a different answer.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import Any, ClassVar

from graphql import (
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLUnionType,
    ListValueNode,
    ObjectValueNode,
    VariableNode,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import gather_with_cancel
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

from api.graphql.prefetch import reads
from api.graphql.registry import wrap
from api.graphql.turns import Turn
from api.graphql.types import PREFETCHED
from api.graphql.walks import walk_key, window
from schema import walks
from schema.model import KIND_BY_LABEL, KINDS

Reader = Callable[[Any], Any]
Op = Callable[[Any], Any]  # an object to its field's completed value, or _NOT_FAST
_NOT_FAST = object()
_KIND_BY_TYPE = {k.gql: k for k in KINDS}


@dataclass(frozen=True)
class Walk:
    name: str  # the GraphQL field's name: its nodes' walk key on the node
    spec: walks.Walk  # the model's walk, with the arguments it takes (schema/walks.py)
    item: GraphQLObjectType | None  # the type of its nodes; None: each node's kind's type
    abstract: GraphQLInterfaceType | GraphQLUnionType | None  # the field's, when item is None
    many: bool  # a non-null list of non-null nodes; else one node
    non_null: bool


def _walk(parent_type: GraphQLObjectType, field: GraphQLField, name: str) -> Walk | None:
    kind = _KIND_BY_TYPE.get(parent_type.name)
    what = reads(kind).get(name) if kind is not None else None
    if not isinstance(what, walks.Walk):
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
    # A field taking an argument its walk does not declare would be answered here without
    # it: never (tests/test_walks.py checks every walk's field against its declaration).
    if set(field.args) != {a.name for a in what.args}:
        return None
    if isinstance(t, GraphQLObjectType):
        return Walk(name, what, t, None, many, non_null)
    return Walk(name, what, None, t, many, non_null)


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


def _definition(field: GraphQLField) -> Any:
    """The strawberry field a GraphQL field was made from, or None."""
    return (field.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)


def _attribute(field: GraphQLField) -> str | None:
    """The Python attribute a field reads, if its resolver is strawberry's basic one."""
    if field.resolve is None or field.args:
        return None
    # A strawberry field with no resolver of its own, no extension and the default getattr:
    # strawberry resolves it by reading the attribute (tests/test_execution.py checks that
    # this still holds, so an upgrade that changes it fails there, not in answers).
    definition = _definition(field)
    if definition is None or definition.base_resolver is not None \
            or definition.default_resolver is not getattr or definition.extensions:
        return None
    return str(definition.python_name)


def _origin(t: GraphQLObjectType) -> Any:
    """The Python class strawberry made ``t`` from."""
    return getattr(_definition(t), "origin", None)  # type: ignore[arg-type]  # same extensions


def _reader(parent_type: GraphQLObjectType, field: GraphQLField) -> Reader | None:
    name = _attribute(field)
    leaf, many = _leaf(field.type)
    if name is None or leaf is None:
        return None
    # What strawberry's basic resolver does (StrawberryField.get_result), without its calls;
    # a kind's property is converted from its node as the attribute would be on first read
    # (api/graphql/types.py), without that first read's miss.
    convert = getattr(_origin(parent_type), "_reads", {}).get(name)
    resolve: Reader = attrgetter(name)
    if convert is not None:
        def resolve(source: Any) -> Any:
            return source.__dict__[name] if name in source.__dict__ else convert(source._n)
    coerce = _memoised(leaf) if isinstance(leaf, GraphQLEnumType) else leaf.coerce_output_value
    # A null is the value of a nullable field; of a non-null one it is graphql-core's error.
    null = None if not isinstance(field.type, GraphQLNonNull) else _NOT_FAST

    if many:
        def read_many(source: Any) -> Any:
            value = resolve(source)
            if value is None:
                return null
            out = [coerce(v) for v in value]
            return _NOT_FAST if None in out else out
        return read_many

    def read_one(source: Any) -> Any:
        value = resolve(source)
        if value is None:
            return null
        coerced = coerce(value)
        return _NOT_FAST if coerced is None else coerced
    return read_one


def _memoised(leaf: GraphQLEnumType) -> Callable[[Any], Any]:
    """An enum's output coercion, remembered per member (a finite set)."""
    coerce = leaf.coerce_output_value
    seen: dict[Enum, Any] = {}

    def coerced(value: Any) -> Any:
        if isinstance(value, Enum):
            out = seen.get(value, _NOT_FAST)
            if out is _NOT_FAST:
                out = seen[value] = coerce(value)
            return out
        return coerce(value)
    return coerced


def _own(field: GraphQLField) -> Reader | None:
    """A leaf field's resolver when it reads its object alone (no info, no arguments, not
    async, no field extensions), e.g. a connection's ``totalCount``: called as strawberry
    would call it. An awaitable result (a count still to run) is the full path's to await."""
    definition = _definition(field)
    leaf, many = _leaf(field.type)
    resolver = getattr(definition, "base_resolver", None)
    if definition is None or resolver is None or leaf is None or many or field.args \
            or definition.extensions \
            or resolver.arguments or resolver.info_parameter is not None or resolver.is_async \
            or resolver.root_parameter is not None or resolver.parent_parameter is not None \
            or resolver.self_parameter is None:
        return None
    call = resolver.wrapped_func
    coerce = leaf.coerce_output_value
    null = None if not isinstance(field.type, GraphQLNonNull) else _NOT_FAST

    def read(source: Any) -> Any:
        value = call(source)
        if value is None:
            return null
        if hasattr(value, "__await__"):  # memoised by its object (Connection._total)
            return _NOT_FAST
        coerced = coerce(value)
        return _NOT_FAST if coerced is None else coerced
    return read


def _prefetched(field: GraphQLField) -> Reader | None:
    """A resolver's answer from what was fetched with its object (its ``PREFETCHED``
    metadata, api/graphql/types.py), if it has one and takes no arguments: _NOT_FAST when not
    fetched."""
    definition = _definition(field)
    answer = (getattr(definition, "metadata", None) or {}).get(PREFETCHED)
    if definition is None or answer is None or field.args or definition.extensions:
        return None

    def get(source: Any) -> Any:
        value = answer(source)
        return _NOT_FAST if value is None else value
    return get


def _object(t: Any) -> tuple[GraphQLObjectType | None, bool, bool]:
    """(the object type, whether a list of non-null ones, whether non-null) of a field's type."""
    non_null = isinstance(t, GraphQLNonNull)
    if non_null:
        t = t.of_type
    many = isinstance(t, GraphQLList)
    if many:
        if not isinstance(t.of_type, GraphQLNonNull):
            return None, False, False
        t = t.of_type.of_type
    return (t if isinstance(t, GraphQLObjectType) else None), many, non_null


class LeanExecutionContext(StrawberryGraphQLCoreExecutionContext):
    # Per field definition (a schema's fixed set): the field, held so that its id is not
    # reused while it is a key, its fast reader and its walk, or None.
    readers: dict[int, tuple[GraphQLField, Reader | None, Walk | None]] = {}
    enabled: ClassVar[bool] = True  # off: graphql-core's path for every field (tests compare)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # This request's compiled fields and selections, keyed by the ids of graphql-core's
        # memoised field groups (held beside, so that an id is not reused): they depend on
        # the request's variables (arguments, @skip and @include).
        self._ops: dict[tuple[str, int], tuple[Any, Op | None]] = {}
        self._plans: dict[tuple[str, int], tuple[Any, Op | None]] = {}
        self._turn: Turn | None = getattr(self.context_value, "turn", None)

    def _fast(self, parent_type: GraphQLObjectType) -> bool:
        # The root's fields all have resolvers of their own: nothing there to compile, and
        # its variables (an id, a day) would make a kept entry per request.
        middleware = self.middleware_manager  # strawberry passes one per request, often empty
        return self.enabled and parent_type is not self.schema.query_type and (
            middleware is None or not middleware.middlewares)

    def _entry(self, parent_type: GraphQLObjectType, field: GraphQLField,
               name: str) -> tuple[GraphQLField, Reader | None, Walk | None]:
        entry = self.readers.get(id(field))
        if entry is None or entry[0] is not field:
            entry = self.readers[id(field)] = (field, _reader(parent_type, field) or _own(field),
                                               _walk(parent_type, field, name))
        return entry

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Any,
                       grouped_field_set: Any, position_context: Any) -> Any:
        if self._fast(parent_type):
            value = _attempt(self._plan(parent_type, grouped_field_set), source_value)
            if value is not _NOT_FAST:
                return value
        return super().execute_fields(parent_type, source_value, path, grouped_field_set,
                                      position_context)

    def complete_iterable_value(self, item_type: Any, field_details_list: Any, info: Any,
                                path: Any, items: Any, position_context: Any) -> Any:
        """graphql-core's completion of a list's items, which puts the rest of a long list
        off when the request's turn on the loop is over (api/graphql/turns.py): one large
        answer does not hold the other requests. A list streamed (@stream) or not a list is
        graphql-core's."""
        turn = self._turn
        if turn is None or type(items) is not list \
                or self.get_stream_usage(field_details_list, path) is not None:
            return super().complete_iterable_value(item_type, field_details_list, info, path,
                                                   items, position_context)
        steps = self._items(item_type, field_details_list, info, path, items, position_context)
        while True:
            try:
                next(steps)
            except StopIteration as end:
                return end.value
            if turn.over():
                return turn.later(steps)

    def _items(self, item_type: Any, field_details_list: Any, info: Any, path: Any,
               items: list[Any], position_context: Any) -> Generator[None, None, Any]:
        """Completes ``items`` as graphql-core's ``complete_iterable_value`` does, yielding
        after every 8th (where the clock is asked); returns the list, or an awaitable of it
        when items are awaited."""
        is_awaitable = self.is_awaitable
        complete = self.complete_list_item_value
        results: list[Any] = []
        waiting: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                if is_awaitable(item):
                    results.append(self.complete_awaitable_list_item_value(
                        item, item_type, field_details_list, info, item_path, position_context))
                    waiting.append(index)
                elif complete(item, results, item_type, field_details_list, info, item_path,
                              position_context):
                    waiting.append(index)
                if not index & 7:
                    yield
        except (Exception, GeneratorExit):
            if waiting:
                self.settle_in_background([results[i] for i in waiting])
            raise
        return results if not waiting else _gathered(results, waiting)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any,
                      field_details_list: Any, path: Any, position_context: Any) -> Any:
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)
        if field is not None and self._fast(parent_type):
            value = _attempt(self._op(parent_type, field_details_list), source)
            if value is not _NOT_FAST:
                return value
            _, _, walk = self._entry(parent_type, field, node.name.value)
            if walk is not None:
                value = self._walked(walk, field, source, field_details_list, path,
                                     position_context)
                if value is not _NOT_FAST:
                    return value
        return super().execute_field(parent_type, source, field_details_list, path,
                                     position_context)

    # -- compiled selections --------------------------------------------------------------

    def _plan(self, t: GraphQLObjectType, grouped: Any) -> Op | None:
        """The compiled completion of ``grouped`` on objects of ``t``, or None where a field
        has no short path."""
        key = (t.name, id(grouped))
        found, shared = self._known(self._plans, key, grouped, "plan", grouped.values())
        if found is not _NOT_FAST:
            return found
        self._plans[key] = (grouped, None)  # a selection that reaches itself is not compiled
        ops: list[tuple[str, Op]] = []
        plan: Op | None = None
        for response_name, field_details_list in grouped.items():
            op = self._op(t, field_details_list)
            if op is None:
                break
            ops.append((response_name, op))
        else:
            plan = _complete_with(ops)
        self._plans[key] = (grouped, plan)
        _share(shared, grouped, plan)
        return plan

    def _subplan(self, t: GraphQLObjectType, field_details_list: Any) -> Op | None:
        grouped, defers, _ = self.collect_subfields(t, field_details_list)
        return None if defers else self._plan(t, grouped)

    def _op(self, t: GraphQLObjectType, field_details_list: Any) -> Op | None:
        """The compiled field: an object to the field's completed value (or _NOT_FAST)."""
        key = (t.name, id(field_details_list))
        found, shared = self._known(self._ops, key, field_details_list, "op",
                                    (field_details_list,))
        if found is not _NOT_FAST:
            return found
        op = self._compile(t, field_details_list)
        self._ops[key] = (field_details_list, op)
        _share(shared, field_details_list, op)
        return op

    def _known(self, memo: dict[tuple[str, int], tuple[Any, Op | None]], key: tuple[str, int],
               holds: Any, what: str, groups: Iterable[Any]) -> tuple[Any, Any]:
        """(the compiled field or selection this request or an earlier one already made, None
        if it has no short path, else _NOT_FAST; its key among requests). This request's
        memo first: the items of a list ask it once each."""
        got = memo.get(key)
        if got is not None and got[0] is holds:
            return got[1], None
        shared = self._shared_key((what, key[0]), groups)
        if shared is not None and (kept := _SHARED.get(shared)) is not None:
            _SHARED.move_to_end(shared)
            memo[key] = (holds, kept[1])
            return kept[1], shared
        return _NOT_FAST, shared

    def _shared_key(self, what: tuple[str, str], groups: Iterable[Any]) -> Any:
        """The key of a compiled field or selection among all requests: its field nodes (of
        the parsed document, which the entry holds) and the values of the variables used
        below them (arguments, @skip, @include); None when it cannot be shared."""
        nodes: list[Any] = []
        for field_details_list in groups:
            for fd in field_details_list:
                if fd.fragment_variable_values is not None:
                    return None
                nodes.append(fd.node)
        ids = tuple(map(id, nodes))
        used = _USED.get(ids)  # holds the nodes: their ids are not reused while it is kept
        if used is None:
            used = _USED[ids] = (nodes, _variables_in(nodes, self.fragments))
            if len(_USED) > SHARED:
                _USED.pop(next(iter(_USED)))
        coerced = self.variable_values.coerced
        try:
            values = tuple(_frozen(coerced.get(v, _NOT_FAST)) for v in used[1])
            hash(values)
        except TypeError:
            return None
        return (what, ids, values)

    def _compile(self, t: GraphQLObjectType, field_details_list: Any) -> Op | None:
        first = field_details_list[0]
        node = first.node
        name = node.name.value
        if any(fd.defer_usage is not None for fd in field_details_list):
            return None
        if name == "__typename":
            type_name = t.name
            return lambda _: type_name
        field = t.fields.get(name)
        if field is None:
            return None
        _, read, walk = self._entry(t, field, name)
        if read is not None:
            return None if node.arguments else read
        if walk is not None:
            return self._compiled_walk(walk, field, field_details_list)
        attribute = _attribute(field)
        get: Reader | None = None if attribute is None else attrgetter(attribute)
        if get is None:
            get = _prefetched(field)
        item, many, non_null = _object(field.type)
        if get is None or item is None or node.arguments:
            return None
        sub = self._subplan(item, field_details_list)
        if sub is None:
            return None
        return _attribute_op(get, item, sub, many, non_null)

    def _compiled_walk(self, walk: Walk, field: GraphQLField, field_details_list: Any) -> Op | None:
        first = field_details_list[0]
        try:
            key = walk_key(walk.name, self._window(walk, field, first))
        except Exception:  # noqa: BLE001 - the full path reports it
            return None
        plan_of: Callable[[Any], Op | None]
        if walk.item is not None:
            sub = self._subplan(walk.item, field_details_list)
            if sub is None:
                return None
            plan_of = lambda _: sub  # noqa: E731 - one plan for every node
        else:
            # Each node is completed as its kind's type (as strawberry's type resolution
            # finds it), if the field's type allows it: one plan per such type.
            by_label: dict[str, Op | None] = {}
            for label, kind in KIND_BY_LABEL.items():
                t = self.schema.get_type(kind.gql)
                if isinstance(t, GraphQLObjectType) and walk.abstract is not None \
                        and self.schema.is_sub_type(walk.abstract, t):
                    by_label[label] = self._subplan(t, field_details_list)

            plan_of = lambda n: by_label.get(n.label)  # noqa: E731
        return _walk_op(key, plan_of, walk.many, walk.non_null)

    def _walked(self, walk: Walk, field: GraphQLField, source: Any, field_details_list: Any,
                path: Any, position_context: Any) -> Any:
        """The completed value of a prefetched walk, or _NOT_FAST."""
        n = getattr(source, "_n", None)
        pre = n.pre if n is not None else None
        if pre is None:
            return _NOT_FAST
        try:
            key = walk_key(walk.name, self._window(walk, field, field_details_list[0]))
        except Exception:  # noqa: BLE001 - the full path reports it
            return _NOT_FAST
        got = pre.get(key)
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

    def _window(self, walk: Walk, field: GraphQLField, details: Any) -> Any:
        """The window of days the walk's arguments ask (api/graphql/walks.py), as the
        resolver reads them; Unreadable (or graphql-core's own error) if they cannot be."""
        if not walk.spec.args or not details.node.arguments:
            return (None, None)
        args = get_argument_values(field, details.node, self.variable_values,
                                   details.fragment_variable_values, self.hide_suggestions)
        return window(walk.spec, args)

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


SHARED = 2048  # compiled fields and selections kept across requests (each holds its nodes)
_SHARED: OrderedDict[Any, tuple[Any, Op | None]] = OrderedDict()


async def _gathered(results: list[Any], waiting: list[int]) -> list[Any]:
    """``results`` with its awaited items in place (graphql-core's get_completed_results)."""
    if len(waiting) == 1:
        results[waiting[0]] = await results[waiting[0]]
        return results
    done = await gather_with_cancel(*(results[i] for i in waiting))
    for i, r in zip(waiting, done, strict=True):
        results[i] = r
    return results
_USED: dict[tuple[int, ...], tuple[list[Any], tuple[str, ...]]] = {}


def _share(key: Any, holds: Any, op: Op | None) -> None:
    """Keep a compiled field or selection for later requests (least recently used out)."""
    if key is None:
        return
    _SHARED[key] = (holds, op)
    if len(_SHARED) > SHARED:
        _SHARED.popitem(last=False)


def _frozen(value: Any) -> Any:
    """A variable's value as a hashable key (lists and input objects included)."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def _variables_in(nodes: list[Any], fragments: dict[str, Any]) -> tuple[str, ...]:
    """The names of the variables that field nodes and everything below them use."""
    names: set[str] = set()
    seen: set[str] = set()

    def value(v: Any) -> None:
        if isinstance(v, VariableNode):
            names.add(v.name.value)
        elif isinstance(v, ListValueNode):
            for x in v.values:
                value(x)
        elif isinstance(v, ObjectValueNode):
            for f in v.fields:
                value(f.value)

    def used_by(node: Any) -> None:
        for directive in node.directives or ():
            for a in directive.arguments or ():
                value(a.value)
        for a in getattr(node, "arguments", None) or ():
            value(a.value)
        if isinstance(node, FragmentSpreadNode):
            fragment = fragments.get(node.name.value)  # graphql-core's FragmentDetails
            fragment = getattr(fragment, "definition", fragment)
            if fragment is not None and node.name.value not in seen:
                seen.add(node.name.value)
                used_by(fragment)
            return
        selection_set = getattr(node, "selection_set", None)
        for s in selection_set.selections if selection_set is not None else ():
            used_by(s)

    for n in nodes:
        used_by(n)
    return tuple(sorted(names))


def _attempt(op: Op | None, source: Any) -> Any:
    """A compiled field's or selection's value, or _NOT_FAST for graphql-core's path."""
    if op is None:
        return _NOT_FAST
    try:
        return op(source)
    except Exception:  # noqa: BLE001 - the full path raises it where it belongs
        return _NOT_FAST


def _complete_with(ops: list[tuple[str, Op]]) -> Op:
    def complete(source: Any) -> Any:
        out: dict[str, Any] = {}
        for response_name, op in ops:
            value = op(source)
            if value is _NOT_FAST:
                return _NOT_FAST
            out[response_name] = value
        return out
    return complete


def _walk_op(key: Any, plan_of: Callable[[Any], Op | None], many: bool, non_null: bool) -> Op:
    """A prefetched walk's nodes, each wrapped and completed by its plan."""
    def walked(source: Any) -> Any:
        n = getattr(source, "_n", None)
        pre = n.pre if n is not None else None
        got = pre.get(key) if pre is not None else None
        if got is None:
            return _NOT_FAST  # not fetched with its node: the resolver loads it
        if not many:
            if not got:
                return _NOT_FAST if non_null else None
            got = got[:1]
        out = []
        for node in got:
            plan = plan_of(node)
            value = _NOT_FAST if plan is None else plan(wrap(node))
            if value is _NOT_FAST:
                return _NOT_FAST
            out.append(value)
        return out if many else out[0]
    return walked


def _attribute_op(get: Reader, item: GraphQLObjectType, plan: Op, many: bool,
                  non_null: bool) -> Op:
    """An object (or a list of them) held in an attribute, each completed by ``plan``."""
    is_type_of = item.is_type_of  # strawberry's ignores its info
    origin = _origin(item)

    def one(value: Any) -> Any:
        if is_type_of is not None and type(value) is not origin \
                and not is_type_of(value, None):  # type: ignore[arg-type]
            return _NOT_FAST  # graphql-core's error to raise
        return plan(value)

    def attribute(source: Any) -> Any:
        value = get(source)
        if value is _NOT_FAST:
            return _NOT_FAST
        if value is None:
            return _NOT_FAST if non_null else None
        if not many:
            return one(value)
        out = []
        for v in value:
            if v is None:
                return _NOT_FAST
            done = one(v)
            if done is _NOT_FAST:
                return _NOT_FAST
            out.append(done)
        return out
    return attribute
