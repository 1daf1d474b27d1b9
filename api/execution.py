"""graphql-core's execution with a short path for the commonest field: a scalar, enum or
list of them read from an attribute.

Every property of the generated types is a plain attribute (api/types.py), which strawberry
resolves with a function that ignores its ``info`` (``_get_basic_result``). graphql-core
still builds a resolve info, checks for awaitables and dispatches the completion for each
such field of each item: most of the time a list of a hundred cities costs. Here a field
whose resolver is that function, whose type is a leaf (or a list of leaves) and which takes
no arguments is read and coerced at once, exactly as the full path would; a null, an error or
anything else takes the full path, so errors and their locations are graphql-core's own.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any, ClassVar

from graphql import (
    GraphQLField,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    is_leaf_type,
)
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

Reader = Callable[[Any], Any]
_NOT_FAST = object()


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
    # reused while it is a key, and its fast reader or None.
    readers: dict[int, tuple[GraphQLField, Reader | None]] = {}
    enabled: ClassVar[bool] = True  # off: graphql-core's path for every field (tests compare)

    def execute_field(self, parent_type: GraphQLObjectType, source: Any,
                      field_details_list: Any, path: Any, position_context: Any) -> Any:
        node = field_details_list[0].node
        field = parent_type.fields.get(node.name.value)
        middleware = self.middleware_manager  # strawberry passes one per request, often empty
        if self.enabled and field is not None and not node.arguments and (
                middleware is None or not middleware.middlewares):
            entry = self.readers.get(id(field))
            if entry is None or entry[0] is not field:
                entry = self.readers[id(field)] = (field, _reader(field))
            read = entry[1]
            if read is not None:
                try:
                    value = read(source)
                except Exception:  # noqa: BLE001 - the full path raises it where it belongs
                    value = _NOT_FAST
                if value is not _NOT_FAST:
                    return value
        return super().execute_field(parent_type, source, field_details_list, path,
                                     position_context)
