"""The per-request context lets go of what the request read as soon as it is closed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from schema.context import Context
from security.policy import ANONYMOUS


class Loaded:
    """Something a batch function returns (weak-referenceable, unlike a str)."""


async def _load(_context: Context, keys: list[int]) -> list[Loaded]:
    return [Loaded() for _ in keys]


async def test_what_a_request_loaded_is_freed_when_its_context_closes(
    engine: AsyncEngine,
) -> None:
    # The loaders' batch functions hold the context that holds the loaders: unless
    # closing breaks that cycle, a request's objects wait for the cycle collector.
    context = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    loaded = weakref.ref(await context.loader(_load).load(1))
    # And what it read as another reader (an export's recipient), through its own loaders.
    read_as = weakref.ref(await context.reading_as(ANONYMOUS).loader(_load).load(1))
    gc.disable()
    try:
        await context.close()
        del context
        await asyncio.sleep(0)  # a turn of the loop: its callbacks hold the last future
        assert loaded() is None
        assert read_as() is None
    finally:
        gc.enable()


async def test_without_closing_the_cycle_holds_them(engine: AsyncEngine) -> None:
    # The same without `close`: the test above would pass for a wrong reason if
    # nothing were holding the objects in the first place.
    context: Any = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    loaded = weakref.ref(await context.loader(_load).load(1))
    gc.disable()
    try:
        del context
        await asyncio.sleep(0)
        assert loaded() is not None
    finally:
        gc.enable()
        gc.collect()
    assert loaded() is None
