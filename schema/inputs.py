"""Input objects built from their GraphQL values with the work done once.

For every argument of every request, Strawberry builds an input object by going over
all of its fields, converting each name to camel case and resolving each type
annotation again. graphql-core hands over every field that has a default, so the
recommendations' filter costs that for all twenty of its fields: about 70 µs a page.
`fast_inputs` gives each input type a `from_input` hook (Strawberry's own extension
point for types that build their own value) that knows the names and types already,
passes scalars and enums through as Strawberry does, and converts anything else with
Strawberry's own `convert_argument`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.scalars import is_scalar
from strawberry.types.arguments import InputContext, convert_argument
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryObjectDefinition,
    StrawberryOptional,
)
from strawberry.types.enum import StrawberryEnumDefinition, has_enum_definition
from strawberry.types.unset import UNSET

_AS_IS, _LIST_COPY, _CONVERT = 0, 1, 2


def _is_plain(type_: Any, scalar_registry: Mapping[object, Any]) -> bool:
    """A scalar (other than a global ID, which Strawberry decodes) or an enum: the value
    graphql-core parsed is the Python value."""
    if isinstance(type_, StrawberryOptional):
        type_ = type_.of_type
    if type_ is strawberry.relay.GlobalID:
        return False
    return (
        isinstance(type_, StrawberryEnumDefinition)
        or has_enum_definition(type_)
        or is_scalar(type_, scalar_registry)
    )


def _kind(type_: Any, scalar_registry: Mapping[object, Any]) -> int:
    if _is_plain(type_, scalar_registry):
        return _AS_IS
    inner = type_.of_type if isinstance(type_, StrawberryOptional) else type_
    if isinstance(inner, StrawberryList) and _is_plain(inner.of_type, scalar_registry):
        return _LIST_COPY  # copied, as Strawberry does: graphql-core shares defaults
    return _CONVERT


class _Builder:
    """A `from_input` for one input type."""

    def __init__(self, definition: StrawberryObjectDefinition) -> None:
        self.definition = definition
        self.fields: list[tuple[str, str, Any, int]] | None = None
        self.defaults: dict[str, Any] = {
            field.python_name: None
            for field in definition.fields
            if field.default_value is dataclasses.MISSING
            and field.default_factory is dataclasses.MISSING
        }

    def __call__(self, cls: type, value: Mapping[str, Any], context: InputContext) -> Any:
        fields = self.fields
        if fields is None:
            fields = self.fields = self._fields(context)
        kwargs: dict[str, Any] = dict(self.defaults)
        for graphql_name, python_name, type_, kind in fields:
            if graphql_name not in value:
                continue
            given = value[graphql_name]
            if kind == _AS_IS:
                kwargs[python_name] = given
            elif kind == _LIST_COPY:
                kwargs[python_name] = given if given is None or given is UNSET else list(given)
            else:
                kwargs[python_name] = convert_argument(
                    given,
                    type_,
                    context.scalar_registry,
                    context.config,
                    context.info,
                    path=(*context.path, graphql_name),
                )
        return cls(**kwargs)

    def _fields(self, context: InputContext) -> list[tuple[str, str, Any, int]]:
        names = context.config.name_converter
        fields = []
        for field in self.definition.fields:
            type_ = field.resolve_type(type_definition=self.definition)
            kind = _kind(type_, context.scalar_registry)
            fields.append((names.from_field(field), field.python_name, type_, kind))
        return fields


def fast_inputs(schema: strawberry.Schema) -> None:
    """Give the schema's plain input types a `from_input` that knows their fields."""
    for concrete in schema.schema_converter.type_map.values():
        definition = concrete.definition
        if (
            isinstance(definition, StrawberryObjectDefinition)
            and definition.is_input
            and definition.from_input is None
            and not definition.type_var_map
            and not definition.is_graphql_generic
            and not any(isinstance(field.type, StrawberryMaybe) for field in definition.fields)
        ):
            definition.from_input = _Builder(definition)
