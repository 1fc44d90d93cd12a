"""The per-request context: the viewer, one database connection, the loaders."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Executable, Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from strawberry.dataloader import DataLoader

from schema.reference.cache import ReferenceData
from security.policy import Viewer

K = TypeVar("K")
V = TypeVar("V")


class Context:
    """Everything a resolver may use for one request.

    One connection per request, opened on first use: GraphQL resolves sibling fields
    and DataLoader batches concurrently, and a connection runs one statement at a
    time, so statements take turns on it behind a lock instead of each batch taking
    a connection (and a BEGIN/ROLLBACK) of its own.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        viewer: Viewer,
        reference: ReferenceData,
    ) -> None:
        self.engine = engine
        self.viewer = viewer
        self.reference = reference
        self._connection: AsyncConnection | None = None
        self._lock = asyncio.Lock()
        self._loaders: dict[Callable[..., Any], DataLoader[Any, Any]] = {}

    async def fetch_all(self, statement: Executable) -> Sequence[Row[Any]]:
        async with self._lock:
            if self._connection is None:
                self._connection = await self.engine.connect()
            result = await self._connection.execute(statement)
            return result.all()

    async def fetch_scalar(self, statement: Executable) -> Any:
        rows = await self.fetch_all(statement)
        return rows[0][0] if rows else None

    def loader(self, load: Callable[[Context, list[K]], Any]) -> DataLoader[K, V]:
        """The request's DataLoader for a batch function `load(context, keys)`."""
        existing = self._loaders.get(load)
        if existing is None:

            async def batch(keys: list[K]) -> Sequence[V]:
                return await load(self, keys)  # type: ignore[no-any-return]

            existing = self._loaders[load] = DataLoader(load_fn=batch)
        return existing

    async def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            await connection.close()
