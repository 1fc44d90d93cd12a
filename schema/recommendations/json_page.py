"""Pages of recommendations answered by PostgreSQL as JSON: the statements compiled by
`schema.recommendations.as_json`, kept per document, and the request's statement."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

from graphql import FieldNode, GraphQLSchema, get_named_type
from sqlalchemy import ColumnElement, Select, select
from strawberry.types import Info

from schema.context import Context
from schema.execution.as_json import Precompleted
from schema.pagination import Ordering, PageArgs, page_statement
from schema.recommendations.as_json import PAGE, compile_page
from security.policy import (
    ListingShape,
    PolicyShape,
    listing_parameters,
    listing_shape,
    policy_parameters,
    policy_shape,
)

# Compiled statements by field node (kept, so that its id is not reused meanwhile),
# schema (checked by identity: tests build many), ordering and the viewer's shapes.
_Entry = tuple[FieldNode, weakref.ref[GraphQLSchema], tuple[ColumnElement[Any], bool] | None]
_COMPILED: OrderedDict[tuple[Any, ...], _Entry] = OrderedDict()
_CACHE_SIZE = 500


def compiled(
    schema: GraphQLSchema,
    node: FieldNode,
    connection_type: str,
    ordering: Ordering,
    shape: PolicyShape,
    listing: ListingShape,
) -> tuple[ColumnElement[Any], bool] | None:
    """`compile_page`, once per document's field node, schema, ordering and shapes."""
    key = (id(node), id(schema), connection_type, ordering.name, shape, listing)
    found = _COMPILED.get(key)
    if found is not None and found[0] is node and found[1]() is schema:
        _COMPILED.move_to_end(key)
        return found[2]
    result = compile_page(schema, node, connection_type, ordering, shape, listing)
    _COMPILED[key] = (node, weakref.ref(schema), result)
    if len(_COMPILED) > _CACHE_SIZE:
        _COMPILED.popitem(last=False)
    return result


async def page_answer(
    info: Info[Context, None], query: Select[Any], ordering: Ordering, args: PageArgs
) -> Precompleted | None:
    """The connection field's whole answer from one statement, or None (the library's
    way) when its selection does not compile. Page arguments are checked as for
    `paginate`, and refused the same way. (The field's nodes come from Strawberry's
    `_raw_info`: graphql-core's resolve info, which Strawberry's `Info` wraps.)"""
    context, raw = info.context, info._raw_info
    statement, size = page_statement(query, ordering, args)
    if len(raw.field_nodes) != 1:
        return None
    viewer = context.viewer
    found = compiled(
        raw.schema,
        raw.field_nodes[0],
        get_named_type(raw.return_type).name,
        ordering,
        policy_shape(viewer),
        listing_shape(viewer),
    )
    if found is None:
        return None
    answer, needs_viewer = found
    page = statement.limit(size).cte(PAGE.name)
    parameters = (
        {**policy_parameters(viewer), **listing_parameters(viewer)} if needs_viewer else None
    )
    rows = await context.fetch_all(select(answer).add_cte(page), parameters)
    return Precompleted(rows[0][0])
