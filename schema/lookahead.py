"""Selection-set lookahead: which fields a query asks of a list's nodes.

A list resolver that knows the relations its nodes will be asked for fetches them for
the whole page at once, before GraphQL walks the nodes; the fields then resolve
synchronously, without a task or a DataLoader round per node.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from strawberry.types import Info
from strawberry.types.nodes import SelectedField, Selection


def _fields(selections: Sequence[Selection]) -> Iterator[SelectedField]:
    """The fields of a selection set, looking through fragments."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        else:
            yield from _fields(selection.selections)


def _names_at(selections: Sequence[Selection], path: Sequence[str]) -> set[str]:
    if not path:
        return {field.name for field in _fields(selections)}
    names: set[str] = set()
    for field in _fields(selections):
        if field.name == path[0]:
            names |= _names_at(field.selections, path[1:])
    return names


def connection_node_fields(info: Info) -> set[str]:
    """Fields selected on the nodes of the connection this resolver returns, through
    `nodes { ... }` and `edges { node { ... } }` alike."""
    inner = [selection for field in _fields(info.selected_fields) for selection in field.selections]
    return _names_at(inner, ("nodes",)) | _names_at(inner, ("edges", "node"))
