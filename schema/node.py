"""`node(id)`: any object by its global id, under the same policy as every list.

Each domain registers how to fetch its nodes by key. The fetcher applies the policy,
so an id the viewer may not see answers `null`, exactly like an id that never existed.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from schema.context import Context
from schema.errors import BadUserInput
from schema.relay import Node, from_global_id

Fetch = Callable[[Context, list[Any]], Awaitable[Sequence[Node | None]]]


@dataclass(frozen=True, slots=True)
class NodeType:
    parse_key: Callable[[str], Any]
    fetch: Fetch


_NODE_TYPES: dict[str, NodeType] = {}


def register_node(type_name: str, fetch: Fetch, parse_key: Callable[[str], Any] = str) -> None:
    _NODE_TYPES[type_name] = NodeType(parse_key=parse_key, fetch=fetch)


def uuid_key(key: str) -> uuid.UUID:
    try:
        return uuid.UUID(key)
    except ValueError:
        raise BadUserInput("Malformed id.") from None


async def resolve_node(context: Context, global_id: str) -> Node | None:
    type_name, key = from_global_id(global_id)
    node_type = _NODE_TYPES.get(type_name)
    if node_type is None:
        return None
    result: Node | None = await context.loader(node_type.fetch).load(node_type.parse_key(key))
    return result
