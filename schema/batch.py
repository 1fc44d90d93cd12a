"""Batch loads by key, for DataLoaders and `node(id)`."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Row, Select

from schema.context import Context

T = TypeVar("T")


async def fetch_by_keys(
    context: Context,
    query: Select[Any],
    key: ColumnElement[Any],
    keys: Sequence[Hashable],
    build: Callable[[Row[Any]], T],
) -> list[T | None]:
    """One object per key, in the order of `keys`; None where `query` (which carries
    the policy filter, if any) finds no row."""
    rows = await context.fetch_all(query.where(key.in_(keys)))
    found = {row._mapping[key]: build(row) for row in rows}
    return [found.get(k) for k in keys]
