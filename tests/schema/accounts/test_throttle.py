"""Throttle state, in the database and in Redis: the same rules, on the injected clock."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.accounts.throttle import DatabaseThrottle, RedisThrottle, Throttle
from security.throttling import ThrottlePolicy

REDIS_URL = os.environ.get("UPRIGHT_TEST_REDIS_URL")
POLICY = ThrottlePolicy(free=2, first_delay=dt.timedelta(seconds=4))
START = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["database", "redis"])
async def throttles(
    request: pytest.FixtureRequest, engine: AsyncEngine
) -> AsyncIterator[tuple[Throttle, Throttle]]:
    """Two throttles over one store, as two server processes would have."""
    if request.param == "database":
        yield DatabaseThrottle(engine), DatabaseThrottle(engine)
        return
    if REDIS_URL is None:
        pytest.skip("UPRIGHT_TEST_REDIS_URL is not set: Redis tests skipped (.ci/run sets it)")
    one, other = Redis.from_url(REDIS_URL), Redis.from_url(REDIS_URL)
    yield RedisThrottle(one), RedisThrottle(other)
    await one.aclose()
    await other.aclose()


async def test_free_failures_then_growing_waits(throttles: tuple[Throttle, Throttle]) -> None:
    throttle, _ = throttles
    key = [(f"id:{uuid.uuid4().hex}", POLICY)]
    for expected in (1, 2):
        assert await throttle.failed(key, START) == expected
        assert await throttle.wait(key, START) == dt.timedelta(0)
    await throttle.failed(key, START)
    assert await throttle.wait(key, START) == dt.timedelta(seconds=4)
    await throttle.failed(key, START)
    assert await throttle.wait(key, START) == dt.timedelta(seconds=8)
    # Time passes (on the injected clock): the wait ends.
    assert await throttle.wait(key, START + dt.timedelta(seconds=8)) == dt.timedelta(0)


async def test_state_is_shared_and_forgotten(throttles: tuple[Throttle, Throttle]) -> None:
    # Given failures counted by one process, then the other sees the same wait
    one, other = throttles
    key = [(f"id:{uuid.uuid4().hex}", POLICY)]
    for _ in range(3):
        await one.failed(key, START)
    assert await other.wait(key, START) == dt.timedelta(seconds=4)
    # A success forgets the identifier's failures everywhere
    await other.succeeded(key[0][0])
    assert await one.wait(key, START) == dt.timedelta(0)
    assert await one.failed(key, START) == 1


async def test_failures_expire_after_the_window(throttles: tuple[Throttle, Throttle]) -> None:
    throttle, _ = throttles
    key = [(f"id:{uuid.uuid4().hex}", POLICY)]
    for _ in range(3):
        await throttle.failed(key, START)
    later = START + POLICY.window + dt.timedelta(seconds=1)
    assert await throttle.failed(key, later) == 1
