"""Keyset pagination: cursors that stay correct while rows are inserted or removed.

A cursor holds the sort-key values of a row (the last key is always unique), so the
next page starts strictly after that row whatever happened to the rows before it.
Offsets would skip or repeat rows under concurrent inserts; keysets never do, and the
database answers them from an index instead of counting past every earlier row.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import orjson
from sqlalchemy import ColumnElement, Row, Select, and_, func, literal, or_, select, tuple_

from schema.context import Context
from schema.errors import BadUserInput
from schema.relay import Connection, Edge, PageInfo

MAX_PAGE_SIZE = 100

T = TypeVar("T")


def _text(value: Any) -> str:
    # PostgreSQL refuses NUL in text: that would be a database error, not bad input.
    if not isinstance(value, str) or "\x00" in value:
        raise ValueError("not a cursor string")
    return value


def _integer(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError("not a cursor integer")
    return value


# Cursors come from clients: every value is checked for its type before use.
_DECODERS: dict[type, Callable[[Any], Any]] = {
    uuid.UUID: lambda value: uuid.UUID(_text(value)),
    dt.date: lambda value: dt.date.fromisoformat(_text(value)),
    dt.datetime: lambda value: dt.datetime.fromisoformat(_text(value)),
    str: _text,
    int: _integer,
}


@dataclass(frozen=True, slots=True)
class SortKey:
    """One column of an ordering, with its direction and Python type."""

    column: ColumnElement[Any]
    python_type: type
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Ordering:
    """A total order: the last key must be unique (usually the primary key).
    Keys must be NOT NULL: NULLs sort differently on SQLite and PostgreSQL."""

    name: str
    keys: tuple[SortKey, ...]

    def clauses(self, reverse: bool = False) -> list[ColumnElement[Any]]:
        return [
            key.column.desc() if key.descending != reverse else key.column.asc()
            for key in self.keys
        ]

    def after(self, values: Sequence[Any], reverse: bool = False) -> ColumnElement[bool]:
        """Rows strictly after `values` in this order (before them when `reverse`).

        Keys all in one direction compare as a row value, `(a, b) > (x, y)`, which
        both databases answer with one index range scan; mixed directions need the
        expanded form `a > x OR (a = x AND b > y)`.
        """
        directions = {key.descending for key in self.keys}
        if len(directions) == 1:
            row = tuple_(*(key.column for key in self.keys))
            bound = tuple_(
                *(literal(v, k.column.type) for k, v in zip(self.keys, values, strict=True))
            )
            return row < bound if directions.pop() != reverse else row > bound
        alternatives = []
        for i, key in enumerate(self.keys):
            later = (
                (key.column < values[i]) if key.descending != reverse else (key.column > values[i])
            )
            equal_prefix = [self.keys[j].column == values[j] for j in range(i)]
            alternatives.append(and_(*equal_prefix, later))
        return or_(*alternatives)

    def encode(self, row: Row[Any]) -> str:
        columns = row._mapping
        values = [_plain(columns[key.column]) for key in self.keys]
        raw = orjson.dumps([self.name, values])
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def decode(self, cursor: str) -> list[Any]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            name, values = orjson.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
            if name != self.name or len(values) != len(self.keys):
                raise ValueError
            return [
                _DECODERS[key.python_type](value)
                for key, value in zip(self.keys, values, strict=True)
            ]
        except (ValueError, TypeError, binascii.Error, UnicodeError, orjson.JSONDecodeError):
            raise BadUserInput("Invalid cursor for this list and order.") from None


def _plain(value: Any) -> Any:
    if isinstance(value, (uuid.UUID, dt.date)):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def size(self) -> int:
        """The page size asked for; exactly one of `first` and `last`, 0 to 100."""
        if (self.first is None) == (self.last is None):
            raise BadUserInput("Give exactly one of `first` and `last`.")
        size = self.first if self.first is not None else self.last or 0
        if not 0 <= size <= MAX_PAGE_SIZE:
            raise BadUserInput(f"`first` and `last` must be between 0 and {MAX_PAGE_SIZE}.")
        return size


def page_statement(
    query: Select[Any], ordering: Ordering, args: PageArgs
) -> tuple[Select[Any], int]:
    """The SELECT for one page (one row more than asked, to learn if there is more)."""
    size = args.size()
    backwards = args.last is not None
    if args.after is not None:
        query = query.where(ordering.after(ordering.decode(args.after)))
    if args.before is not None:
        query = query.where(ordering.after(ordering.decode(args.before), reverse=True))
    return query.order_by(*ordering.clauses(reverse=backwards)).limit(size + 1), size


def count_statement(query: Select[Any]) -> Select[int]:
    return select(func.count()).select_from(query.order_by(None).subquery())


def build_connection(
    *,
    rows: Sequence[Row[Any]],
    size: int,
    args: PageArgs,
    ordering: Ordering,
    to_node: Callable[[Row[Any]], T],
    count: Callable[[], Any],
) -> Connection[T]:
    """Edges from the rows of `page_statement`, in the requested order.

    Following Relay, `hasPreviousPage` is only computed when paging backwards and
    `hasNextPage` only when paging forwards; the other one is false.
    """
    more = len(rows) > size
    rows = rows[:size]
    backwards = args.last is not None
    if backwards:
        rows = rows[::-1]
    encode = ordering.encode
    edges = [Edge(node=to_node(row), row=row, encode=encode) for row in rows]
    page_info = PageInfo(
        has_next_page=more and not backwards,
        has_previous_page=more and backwards,
        first=edges[0] if edges else None,
        last=edges[-1] if edges else None,
    )
    return Connection(edges=edges, page_info=page_info, count=count)


async def paginate(
    context: Context,
    query: Select[Any],
    ordering: Ordering,
    args: PageArgs,
    to_node: Callable[[Row[Any]], T],
) -> Connection[T]:
    """One page of `query` in `ordering`: one statement, plus one more for
    `totalCount` only when the client selects it."""
    statement, size = page_statement(query, ordering, args)
    rows = await context.fetch_all(statement)
    return build_connection(
        rows=rows,
        size=size,
        args=args,
        ordering=ordering,
        to_node=to_node,
        count=lambda: context.fetch_scalar(count_statement(query)),
    )
