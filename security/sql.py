"""SQL constructs the policy and the batch loads share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ARRAY, Boolean, ColumnElement, any_, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.visitors import InternalTraversal


class OneOf(ColumnElement[bool]):
    """`column IN (…)` with the list as the parameter `name`.

    On PostgreSQL it is `column = ANY(:name)`, one array parameter: the statement's text
    is the same whatever the list's length, so it is rendered once and prepared once.
    An expanding `IN` (what other databases get) renders the text again on every run,
    a placeholder per item, which cost more than running the statement on a page.
    """

    __visit_name__ = "upright_one_of"
    inherit_cache = True
    _traverse_internals = [  # noqa: RUF012 - SQLAlchemy's own declaration
        ("column", InternalTraversal.dp_clauseelement),
        ("name", InternalTraversal.dp_string),
    ]
    type = Boolean()
    _is_implicitly_boolean = True  # no `= 1` after it where booleans are integers

    def __init__(self, column: ColumnElement[Any], name: str) -> None:
        self.column = column
        self.name = name

    @property
    def _from_objects(self) -> list[Any]:
        return self.column._from_objects


@compiles(OneOf)
def _expanding_in(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    return compiler.process(element.column.in_(bindparam(element.name, expanding=True)), **kw)


@compiles(OneOf, "postgresql")
def _equals_any(element: OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    array = bindparam(element.name, type_=ARRAY(element.column.type))
    return compiler.process(element.column == any_(array), **kw)
