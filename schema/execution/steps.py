"""Which fields the lean execution runs itself, and how it completes their values.

A field qualifies once, when first met, and the answer is kept in the schema field's
`extensions` (`STEP`): a plain attribute, or a synchronous resolver taking at most
`self` and `info`, without arguments, permission classes, extensions or exception
handlers, whose type is a scalar, an enum, an object type (not an interface or a union)
or a list of those (`spec_of`).
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from types import CoroutineType, GeneratorType
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
)
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField

# Kept in each schema field's `extensions`: how the lean execution runs it, or None
# when it takes the library's way.
STEP = "upright.lean_step"
_BACKREF = GraphQLCoreConverter.DEFINITION_BACKREF


class Delegate(Exception):
    """The short path is not certain of a value: the library does the field."""


class LeafSpec:
    """A scalar or an enum. `exact` holds, by the exact type of a value, what the
    library's coercion gives for it (None where it would refuse it)."""

    __slots__ = ("coerce", "exact", "nullable")

    def __init__(
        self, graphql_type: GraphQLOutputType, named: GraphQLScalarType | GraphQLEnumType
    ) -> None:
        self.coerce = named.coerce_output_value
        self.exact = exact_coercions(named)
        self.nullable = not isinstance(graphql_type, GraphQLNonNull)


def _same(value: Any) -> Any:
    return value


def _int32(value: int) -> int | None:
    return value if -(2**31) <= value < 2**31 else None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


# The built-in scalars take a value of these exact types as it is (`int` within 32
# bits, `float` when finite); `bool` is not an `int` here, as `type()` is exact.
_BUILT_IN: dict[GraphQLScalarType, dict[type, Callable[[Any], Any]]] = {
    GraphQLString: {str: _same},
    GraphQLID: {str: _same},
    GraphQLBoolean: {bool: _same},
    GraphQLInt: {int: _int32},
    GraphQLFloat: {float: _finite},
}


def exact_coercions(named: GraphQLScalarType | GraphQLEnumType) -> dict[type, Callable[[Any], Any]]:
    """The commonest leaves coerced by a dict lookup: a built-in scalar's own Python
    type, and the members of a Strawberry enum by name. Strawberry's enum coercion
    scans every value of the enum for each value it coerces; the names are the ones
    that scan finds."""
    if isinstance(named, GraphQLScalarType):
        return _BUILT_IN.get(named, {})
    wrapped = getattr(named, "wrapped_cls", None)
    if wrapped is None:
        return {}
    names = {}
    for member in wrapped:
        for name, value in named.values.items():
            if member.value == value.value:
                names[member] = name
                break
    return {wrapped: names.get}


class ListSpec:
    __slots__ = ("item", "nullable", "type")

    def __init__(self, graphql_type: GraphQLOutputType, item: Spec) -> None:
        self.type, self.item = graphql_type, item
        self.nullable = not isinstance(graphql_type, GraphQLNonNull)


class ObjectSpec:
    """An object type; `origin` is its class when the library would check that the value
    is one (`is_type_of`), None when it takes any value."""

    __slots__ = ("nullable", "object_type", "origin", "type")

    def __init__(
        self, graphql_type: GraphQLOutputType, object_type: GraphQLObjectType, origin: type | None
    ) -> None:
        self.type, self.object_type, self.origin = graphql_type, object_type, origin
        self.nullable = not isinstance(graphql_type, GraphQLNonNull)


Spec = LeafSpec | ListSpec | ObjectSpec


def spec_of(graphql_type: GraphQLOutputType) -> Spec | None:
    """How to complete a value of this type here, or None (interfaces, unions, objects
    with an `is_type_of` of their own or generic casts): the library's way."""
    named = graphql_type.of_type if isinstance(graphql_type, GraphQLNonNull) else graphql_type
    if isinstance(named, GraphQLList):
        item = spec_of(named.of_type)
        return None if item is None else ListSpec(graphql_type, item)
    if isinstance(named, GraphQLScalarType | GraphQLEnumType):
        return LeafSpec(graphql_type, named)
    if isinstance(named, GraphQLObjectType):
        definition = named.extensions.get(_BACKREF)
        if not isinstance(definition, StrawberryObjectDefinition):
            return None
        if definition.is_type_of is not None or definition.concrete_of is not None:
            return None
        origin = definition.origin if named.is_type_of is not None else None
        return ObjectSpec(graphql_type, named, origin)
    return None


class Step:
    """A field read here: a plain attribute (`attribute`), or a synchronous resolver
    called with the source and, when it asks, the info."""

    __slots__ = ("attribute", "definition", "field", "info_parameter", "leaf", "resolver", "spec")

    def __init__(self, field: GraphQLField, definition: StrawberryField, spec: Spec) -> None:
        self.field, self.definition, self.spec = field, definition, spec
        resolver = definition.base_resolver
        self.attribute: str | None = None if resolver else definition.python_name
        self.resolver: Any = resolver.wrapped_func if resolver else None
        info = resolver.info_parameter if resolver else None
        self.info_parameter: str | None = info.name if info else None
        # A scalar or an enum in an attribute: read inline by `execute_fields`.
        self.leaf = self.attribute is not None and type(spec) is LeafSpec


def step_of(field: GraphQLField, converter: GraphQLCoreConverter | None) -> Step | None:
    """A field without arguments, permission classes or extensions whose value is a
    plain attribute or comes from a synchronous resolver taking at most `self` and
    `info`, of a type `spec_of` completes; else None."""
    definition = field.extensions.get(_BACKREF)
    if (
        field.args
        or not isinstance(definition, StrawberryField)
        or type(definition).get_result is not StrawberryField.get_result
        or definition.extensions
        or definition.permission_classes
        or definition.default_resolver is not getattr
    ):
        return None
    resolver = definition.base_resolver
    if resolver is None:
        if getattr(field.resolve, "__name__", None) != "_get_basic_result":
            return None  # Strawberry wraps it for a reason of its own (exception handlers)
    elif (
        resolver.is_async
        or not callable(resolver.wrapped_func)
        or getattr(field.resolve, "__name__", None) != "_resolver"
        or converter is None
        or getattr(converter, "_exception_handler_specs", True)  # handlers: their way
        or not _self_and_info_only(resolver.signature, resolver)
    ):
        return None
    spec = spec_of(field.type)
    return None if spec is None else Step(field, definition, spec)


def _self_and_info_only(signature: inspect.Signature, resolver: Any) -> bool:
    allowed = {p.name for p in (resolver.self_parameter, resolver.info_parameter) if p}
    return resolver.self_parameter is not None and set(signature.parameters) == allowed


# Types whose values are neither errors nor awaitable (str, int, enums, dates…), learnt
# as they are met: what the library checks of every value, asked once per type.
_PLAIN_TYPES: set[type] = set()


def is_plain(value: Any) -> bool:
    """Neither an error (which the library raises at the field) nor awaitable (which it
    awaits): a value to serialize."""
    kind = type(value)
    if kind in _PLAIN_TYPES:
        return True
    if (
        issubclass(kind, Exception)
        or kind in (CoroutineType, GeneratorType)
        or hasattr(kind, "__await__")
        or inspect.isawaitable(value)
    ):
        return False
    _PLAIN_TYPES.add(kind)
    return True


UNCERTAIN = object()


def read_leaf(step: Step, source: Any) -> Any:
    """A plain leaf's completed value, or `UNCERTAIN` (a null in a non-null field, a
    value that does not serialize, an attribute that raises)."""
    try:
        value = getattr(source, step.attribute)  # type: ignore[arg-type]
        if value is None:
            return None if step.spec.nullable else UNCERTAIN
        exact = step.spec.exact.get(type(value))  # type: ignore[union-attr]
        if exact is not None:
            completed = exact(value)
            return UNCERTAIN if completed is None else completed
        if not is_plain(value):
            return UNCERTAIN
        completed = step.spec.coerce(value)  # type: ignore[union-attr]
    except Exception:
        return UNCERTAIN
    return UNCERTAIN if completed is None or completed is Undefined else completed
