"""The per-request context lets go of what the request read as soon as it is closed."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest
from sqlalchemy import text
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


async def test_a_request_that_ended_mid_statement_gives_up_its_connection(
    engine: AsyncEngine,
) -> None:
    # Given a request whose connection is busy (a DataLoader batch still running after
    # the request timed out)
    context = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    await context.fetch_all(text("SELECT 1"))
    connection = context._link.connection
    assert connection is not None
    busy, release = asyncio.Event(), asyncio.Event()

    async def batch_still_running() -> None:
        async with context._link.lock:
            busy.set()
            await release.wait()

    batch = asyncio.create_task(batch_still_running())
    await busy.wait()
    # When the request ends
    await context.close()
    release.set()
    await batch
    # Then its connection is cut, not handed back to the pool for the next request
    assert connection.invalidated
    # And nothing that still runs for it gets a connection of its own that nobody closes
    with pytest.raises(RuntimeError, match="request is over"):
        await context.fetch_all(text("SELECT 1"))


# The statement's transaction: the same number for two statements in one transaction.
_TRANSACTION = text("SELECT txid_current()")


async def test_reads_run_outside_a_transaction_and_writes_inside_one(
    engine: AsyncEngine, backend: str
) -> None:
    """On PostgreSQL a request reads without BEGIN and ROLLBACK (two round trips a
    request saved), and writes all or nothing in a transaction of their own."""
    if backend != "postgresql":
        pytest.skip("SQLite reads in its own transactions")
    await _scratch(engine)
    context = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    try:
        # Each read is a transaction of its own.
        first = (await context.fetch_all(_TRANSACTION))[0][0]
        second = (await context.fetch_all(_TRANSACTION))[0][0]
        assert first != second
        # In a write, statements share one transaction.
        shared: list[Any] = []

        async def failing_write() -> None:
            async with context.write() as connection:
                await connection.execute(text("INSERT INTO scratch VALUES (1)"))
                shared.append((await connection.execute(_TRANSACTION)).scalar())
                shared.append((await connection.execute(_TRANSACTION)).scalar())
                raise RuntimeError("the mutation fails after its first write")

        with pytest.raises(RuntimeError):
            await failing_write()
        assert shared[0] == shared[1]
        # All or nothing: the failed write left nothing, and reads are back outside.
        assert (await context.fetch_all(text("SELECT count(*) FROM scratch")))[0][0] == 0
        async with context.write() as connection:
            await connection.execute(text("INSERT INTO scratch VALUES (2)"))
        after = (await context.fetch_all(_TRANSACTION))[0][0]
        assert (await context.fetch_all(_TRANSACTION))[0][0] != after
    finally:
        await context.close()
    async with engine.connect() as connection:
        kept = (await connection.execute(text("SELECT n FROM scratch"))).scalars().all()
    assert kept == [2]


async def _scratch(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE scratch (n integer)"))


class Counting:
    """A batch function that counts the keys it was asked for."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    async def __call__(self, _context: Context, keys: list[int]) -> list[int]:
        self.asked.extend(keys)
        return keys


async def test_a_write_makes_every_reader_load_afresh(engine: AsyncEngine) -> None:
    # Later fields of a mutation (its payload, the next mutation's) must not answer from
    # what was loaded before it wrote: the next load of the same key asks again, for the
    # request's own reader and for any other (an export's recipient, say).
    context = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    other = context.reading_as(ANONYMOUS)
    load = Counting()
    try:
        for reader in (context, other, context, other):
            await reader.loader(load).load(1)
        assert load.asked == [1, 1]  # once per reader: the second time from the cache
        async with context.write():
            pass
        await context.loader(load).load(1)
        await other.loader(load).load(1)
        assert load.asked == [1, 1, 1, 1]
    finally:
        await context.close()


async def test_signing_in_makes_the_reader_load_afresh(engine: AsyncEngine) -> None:
    # A login or logout mid-request: what was loaded under the policy for the principal
    # before is not answered to the one after.
    from security.policy import Viewer

    context = Context(engine, ANONYMOUS, reference=None, services=None)  # type: ignore[arg-type]
    load = Counting()
    try:
        await context.loader(load).load(1)
        await context.loader(load).load(1)
        assert load.asked == [1]
        context.signed_in_as(Viewer(organisation_id=None))
        await context.loader(load).load(1)
        assert load.asked == [1, 1]
    finally:
        await context.close()
