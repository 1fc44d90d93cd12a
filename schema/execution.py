"""A leaner execution of plain leaf fields.

Most fields of a page are plain attributes holding a scalar or an enum: a page of ten
recommendations completes about 240 of them. For each, graphql-core builds a
`GraphQLResolveInfo`, checks for arguments, calls the resolver, tests whether the
result is awaitable and dispatches on the return type; the resolver never reads the
info it was given. Here such a field reads its attribute and serializes it, nothing
more. Anything else, and any value the short path is not certain of (a null where the
schema says non-null, a value that does not serialize), goes the library's way, so the
answer and its errors are the library's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

# Kept in each schema field's `extensions`: how to serialize it when it is a plain
# leaf and whether it may be null, or None when it takes the library's way.
_PLAIN = "upright.plain_leaf"


def _plain_leaf(field: GraphQLField) -> tuple[Callable[[Any], Any], bool] | None:
    """A field without arguments, resolver, permission classes or extensions (strawberry
    then reads the attribute, in a function of its own), whose type is a scalar or an
    enum. A field with permissions keeps the library's way, which gives them the info."""
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        field.args
        or not isinstance(definition, StrawberryField)
        or not definition.is_basic_field
        or getattr(field.resolve, "__name__", None) != "_get_basic_result"
    ):
        return None
    field_type, nullable = field.type, True
    if isinstance(field_type, GraphQLNonNull):
        field_type, nullable = field_type.of_type, False
    if not isinstance(field_type, GraphQLScalarType | GraphQLEnumType):
        return None
    return field_type.serialize, nullable


class ExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, with plain leaf fields completed directly."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Extensions that wrap resolvers (none here today) must see every field.
        manager = self.middleware_manager
        self._short = manager is None or not manager.middlewares

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_details_list: Any,
        path: Path,
        position_context: Any,
    ) -> Any:
        field = parent_type.fields.get(field_details_list[0].node.name.value)
        if field is not None and self._short:
            try:
                plain = field.extensions[_PLAIN]
            except KeyError:
                plain = field.extensions[_PLAIN] = _plain_leaf(field)
            if plain is not None:
                serialize, nullable = plain
                try:
                    value = field.resolve(source, None)
                    serialized = None if value is None else serialize(value)
                except Exception:  # noqa: S110 - the library's way reports it, at the field
                    pass
                else:
                    if serialized is not None and serialized is not Undefined:
                        return serialized
                    if value is None and nullable:
                        return None
        return super().execute_field(
            parent_type, source, field_details_list, path, position_context
        )
