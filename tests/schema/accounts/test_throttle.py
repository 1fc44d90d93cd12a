"""Throttle state, in the database and in Redis: the same rules, on the injected clock,
and no way for parallel attempts to slip past the limit together."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.accounts.throttle import DatabaseThrottle, RedisThrottle, Throttle, Write
from security.throttling import ThrottlePolicy
from server.database import write_transaction

REDIS_URL = os.environ.get("UPRIGHT_TEST_REDIS_URL")
POLICY = ThrottlePolicy(free=2, first_delay=dt.timedelta(seconds=4))
START = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)
ZERO = dt.timedelta(0)


def writer(engine: AsyncEngine) -> Write:
    """A write transaction of its own, as each request has."""
    return lambda: write_transaction(engine)


@pytest.fixture(params=["database", "redis"])
async def throttles(
    request: pytest.FixtureRequest, engine: AsyncEngine
) -> AsyncIterator[tuple[Throttle, Throttle]]:
    """Two throttles over one store, as two server processes would have."""
    if request.param == "database":
        yield DatabaseThrottle(), DatabaseThrottle()
        return
    if REDIS_URL is None:
        pytest.skip("UPRIGHT_TEST_REDIS_URL is not set: Redis tests skipped (.ci/run sets it)")
    one, other = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    yield RedisThrottle(one), RedisThrottle(other)
    await one.aclose()
    await other.aclose()


def _key() -> list[tuple[str, ThrottlePolicy]]:
    return [(f"id:{uuid.uuid4().hex}", POLICY)]


async def test_free_attempts_then_growing_waits(
    throttles: tuple[Throttle, Throttle], engine: AsyncEngine
) -> None:
    throttle, write = throttles[0], writer(engine)
    key = _key()
    # Two free attempts, then a third that is let through but blocks what follows
    for count in (1, 2, 3):
        attempt = await throttle.attempt(key, START, write)
        assert (attempt.wait, attempt.counts) == (ZERO, (count,))
    assert (await throttle.attempt(key, START, write)).wait == dt.timedelta(seconds=4)
    # Time passes (on the injected clock): one more attempt, then a doubled wait
    later = START + dt.timedelta(seconds=4)
    assert (await throttle.attempt(key, later, write)).counts == (4,)
    assert (await throttle.attempt(key, later, write)).wait == dt.timedelta(seconds=8)


async def test_state_is_shared_forgotten_and_released(
    throttles: tuple[Throttle, Throttle], engine: AsyncEngine
) -> None:
    # Given attempts counted by one process, then the other sees the same block
    one, other = throttles
    write = writer(engine)
    identifier, address = _key(), _key()
    for _ in range(3):
        await one.attempt([*identifier, *address], START, write)
    assert (await other.attempt(identifier, START, write)).wait == dt.timedelta(seconds=4)
    # A success forgets the identifier everywhere and takes one attempt back from the address
    await other.succeeded(identifier[0][0], [address[0][0]], write)
    later = START + dt.timedelta(seconds=4)
    assert (await one.attempt([*identifier, *address], later, write)).counts == (1, 3)


async def test_attempts_are_forgotten_after_the_window(
    throttles: tuple[Throttle, Throttle], engine: AsyncEngine
) -> None:
    throttle, write = throttles[0], writer(engine)
    key = _key()
    for _ in range(3):
        await throttle.attempt(key, START, write)
    later = START + POLICY.window + dt.timedelta(seconds=5)
    assert (await throttle.attempt(key, later, write)).counts == (1,)


async def test_parallel_attempts_never_slip_past_the_limit(
    throttles: tuple[Throttle, Throttle], engine: AsyncEngine
) -> None:
    # Given twenty attempts at the same instant, from two processes
    one, other = throttles
    key, write = _key(), writer(engine)
    attempts = await asyncio.gather(
        *((one if i % 2 else other).attempt(key, START, write) for i in range(20))
    )
    # Then exactly the free ones and the one that sets the block get through
    assert sum(attempt.wait == ZERO for attempt in attempts) == POLICY.free + 1
