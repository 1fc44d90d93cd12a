"""Relay conventions: the Node interface, opaque global ids, connections.

A global id is base64url("Type:key"); clients treat it as opaque. Every list of the
API is a `Connection` with keyset cursors (see `schema.pagination`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Generic, TypeVar

import strawberry

from schema.errors import BadUserInput

NodeT = TypeVar("NodeT")


@strawberry.interface(description="An object with a globally unique, opaque id.")
class Node:
    id: strawberry.ID


def to_global_id(type_name: str, key: object) -> strawberry.ID:
    raw = f"{type_name}:{key}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii"))


def from_global_id(global_id: str) -> tuple[str, str]:
    """(type name, key) of a global id; BAD_USER_INPUT when it is not one of ours."""
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        type_name, _, key = base64.urlsafe_b64decode(padded.encode("ascii")).decode().partition(":")
    except (UnicodeError, binascii.Error, ValueError):
        raise BadUserInput("Malformed id.") from None
    if not type_name.isidentifier() or not key or "\x00" in key:
        raise BadUserInput("Malformed id.")
    return type_name, key


def expect_global_id(global_id: str, type_name: str) -> str:
    """The key of an id that must name a `type_name`."""
    found, key = from_global_id(global_id)
    if found != type_name:
        raise BadUserInput(f"Expected the id of a {type_name}.")
    return key


# The paging arguments of every connection field.
First = Annotated[
    int | None,
    strawberry.argument(description="Page size, 0 to 100, from the start. Give this or `last`."),
]
After = Annotated[
    str | None, strawberry.argument(description="Start after this cursor (an `endCursor`).")
]
Last = Annotated[
    int | None,
    strawberry.argument(description="Page size, 0 to 100, from the end. Give this or `first`."),
]
Before = Annotated[
    str | None, strawberry.argument(description="End before this cursor (a `startCursor`).")
]


@strawberry.type
class Edge(Generic[NodeT]):
    """A node and its place in the list. The cursor is encoded only when a client
    selects it: most ask for `nodes`, and encoding is a few µs a row."""

    cursor: str = strawberry.field(resolver=lambda self: self.encoded())
    node: NodeT
    row: strawberry.Private[Any]
    encode: strawberry.Private[Callable[[Any], str]]

    def encoded(self) -> str:
        return self.encode(self.row)


@strawberry.type(description="Where a page sits in its list.")
class PageInfo:
    has_next_page: bool
    has_previous_page: bool

    @strawberry.field
    def start_cursor(self) -> str | None:
        return None if self.first is None else self.first.encoded()

    @strawberry.field
    def end_cursor(self) -> str | None:
        return None if self.last is None else self.last.encoded()

    first: strawberry.Private[Edge[Any] | None] = None
    last: strawberry.Private[Edge[Any] | None] = None


@strawberry.type(description="A page of a list, in the requested order.")
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field(description="The nodes of this page (the edges without cursors).")
    def nodes(self) -> list[NodeT]:
        return [edge.node for edge in self.edges]

    @strawberry.field(description="How many items the whole list holds, over every page.")
    async def total_count(self) -> int:
        return await self.count()
