"""A field's whole answer built by PostgreSQL as JSON, in one statement.

A list field whose selection maps onto columns (a page of recommendations with their
states, themes and latest assessments, say) can be answered by one statement that
returns the JSON itself, as PostGraphile does, instead of rows that Python turns into
objects and GraphQL completes field by field. The policy is inside the statement: the
same SQLAlchemy clauses (`security.policy.visible`…) the loaders use.

A resolver compiles the selection below its field (`fields_of` says whether it can:
plain fields only, no fragments, directives or arguments), runs the statement and
returns `Precompleted`; the lean execution hands its JSON to orjson as it is. Anything
the compiler does not know takes the library's way, whole. Only the HTTP view asks
for this (`Context.json_answers`): in-process callers get Python values as always.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

from graphql import FieldNode, GraphQLObjectType, GraphQLSchema, SelectionSetNode
from sqlalchemy import ColumnElement, Text, case, cast, func, literal_column, null
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


class Precompleted:
    """A field's value already serialized as JSON, checked against its type when it
    was compiled. Only the lean execution completes it (as an `orjson.Fragment`)."""

    __slots__ = ("json",)

    def __init__(self, json: str) -> None:
        self.json = json


# How each field of a type is built, by GraphQL field name: from its node (for its
# selection) to an SQL expression of JSON, or None when it cannot be compiled.
Builder = Callable[[FieldNode], "ColumnElement[Any] | None"]


class Frozen(ColumnElement[Any]):
    """An expression whose cache key is a serial number, given once when it is built.

    SQLAlchemy finds a statement's compiled form by a cache key made by walking the whole
    statement on every execution, and a page's JSON is hundreds of elements. A compiled
    expression never changes, so its number stands for it. The values of parameters it
    holds itself are fixed with it (the policy's `PUBLIC`, say); the viewer's come by
    name with every execution (`policy_parameters`).
    """

    __visit_name__ = "upright_frozen"
    inherit_cache = False
    _traverse_internals = [("serial", InternalTraversal.dp_string)]  # noqa: RUF012 - SQLAlchemy's

    def __init__(self, expression: ColumnElement[Any]) -> None:
        self.inner = expression
        self.serial = str(next(_SERIALS))
        self.type = expression.type

    @property
    def _from_objects(self) -> list[Any]:
        return self.inner._from_objects


_SERIALS = itertools.count()


@compiles(Frozen)
def _compile_frozen(element: Frozen, compiler: SQLCompiler, **kw: Any) -> str:
    text: str = compiler.process(element.inner, **kw)
    return text


def fields_of(selection_set: SelectionSetNode | None) -> list[tuple[str, FieldNode]] | None:
    """(response name, node) of each field selected, or None unless every selection is
    a plain field: no fragment, no directive (@include, @skip, @defer…), no argument,
    each response name once (merging is the library's)."""
    if selection_set is None:
        return None
    found: list[tuple[str, FieldNode]] = []
    seen: set[str] = set()
    for selection in selection_set.selections:
        if not isinstance(selection, FieldNode) or selection.directives or selection.arguments:
            return None
        name = (selection.alias or selection.name).value
        if name in seen:
            return None
        seen.add(name)
        found.append((name, selection))
    return found


def graphql_name(name: str) -> ColumnElement[Any]:
    # GraphQL names are [_A-Za-z][_0-9A-Za-z]*: safe to write into the statement.
    if not name.replace("_", "a").isalnum() or not name.isascii():
        raise ValueError(f"not a GraphQL name: {name!r}")
    return literal_column(f"'{name}'", Text)


# What a compiler assumes of each field it answers, by (type, field): its GraphQL type
# and its resolver (None: a plain attribute), as `fingerprint` reads them.
Known = Mapping[tuple[str, str], tuple[str, str | None]]


def json_object(
    schema: GraphQLSchema,
    known: Known,
    type_name: str,
    builders: Mapping[str, Builder],
    node: FieldNode,
) -> ColumnElement[Any] | None:
    """The JSON object a selection makes of one `type_name`, keys in selection order.
    A field whose fingerprint is not the one the builders were written for (a new
    resolver, type, permission or extension) leaves the whole field to the library."""
    fields = fields_of(node.selection_set)
    if fields is None or len(fields) > 50:  # json_build_object takes at most 100 arguments
        return None
    arguments: list[ColumnElement[Any]] = []
    for response_name, field in fields:
        name = field.name.value
        if name == "__typename":
            value: ColumnElement[Any] | None = graphql_name(type_name)
        else:
            builder = builders.get(name)
            known_as = known.get((type_name, name))
            if builder is None or known_as is None:
                return None
            value = builder(field) if fingerprint(schema, type_name, name) == known_as else None
        if value is None:
            return None
        arguments += [graphql_name(response_name), value]
    return func.json_build_object(*arguments)


def fingerprint(schema: GraphQLSchema, type_name: str, name: str) -> tuple[str, str | None] | None:
    """A field's GraphQL type and resolver (None: a plain attribute); None when it has
    permission classes or extensions, which a statement would bypass."""
    object_type = schema.type_map.get(type_name)
    field = object_type.fields.get(name) if isinstance(object_type, GraphQLObjectType) else None
    if field is None:
        return None
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if (
        not isinstance(definition, StrawberryField)
        or definition.permission_classes
        or definition.extensions
    ):
        return None
    resolver = definition.base_resolver
    return str(field.type), resolver.wrapped_func.__qualname__ if resolver else None


EMPTY_LIST: ColumnElement[Any] = literal_column("'[]'::json")


def json_list(item: ColumnElement[Any], *order_by: ColumnElement[Any]) -> ColumnElement[Any]:
    """An aggregate: the items as a JSON array in `order_by` ([] when there are none)."""
    return func.coalesce(func.json_agg(aggregate_order_by(item, *order_by)), EMPTY_LIST)


def global_id(type_name: str, key: ColumnElement[Any]) -> ColumnElement[Any]:
    """`schema.relay.to_global_id` in SQL: URL-safe base64 of "Type:key", no padding
    (PostgreSQL's base64 also breaks lines, which go too)."""
    raw = func.convert_to(
        _prefix(type_name) + cast(key, Text),
        _sql("'UTF8'"),
    )
    return func.translate(func.encode(raw, _sql("'base64'")), _sql("E'+/=\\n'"), _sql("'-_'"))


def _sql(constant: str) -> ColumnElement[Any]:
    """A constant written into the statement: no parameter (see `Frozen`)."""
    return literal_column(constant, Text)


def _quoted(value: str) -> ColumnElement[Any]:
    return _sql("'" + value.replace("'", "''") + "'")


def _prefix(type_name: str) -> ColumnElement[Any]:
    graphql_name(type_name)  # checked: written into the statement
    return _sql(f"'{type_name}:'")


def leaf(column: ColumnElement[Any]) -> Builder:
    """A scalar read as it is stored (strings, integers, booleans, dates)."""
    return lambda node: column if node.selection_set is None else None


def enum_leaf(column: ColumnElement[Any], values: Mapping[str, Any]) -> Builder:
    """An enum stored as its member's value (`security.sharing.enum_column`), answered
    as its GraphQL name: `values` maps each name to that value, as the schema's enum
    type does (`GraphQLEnumType.values`)."""
    if all(name == value for name, value in values.items()):
        answer: ColumnElement[Any] = column
    else:
        answer = case(
            *((column == _quoted(value), _quoted(name)) for name, value in values.items()),
            else_=null(),
        )
    return lambda node: answer if node.selection_set is None else None
