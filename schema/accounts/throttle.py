"""Login throttling state: in the database, or in Redis shared by every process.

Keys are keyed digests of the submitted identifier and the client address, never the
values themselves. Times come from the injected clock, also in Redis (its own expiry
only collects garbage), so tests can move time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol

from redis.asyncio import Redis
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.tables.accounts import LoginThrottle
from security.throttling import ThrottlePolicy

Key = tuple[str, ThrottlePolicy]


class Throttle(Protocol):
    async def wait(self, keys: Sequence[Key], now: dt.datetime) -> dt.timedelta:
        """How long until these keys may try again (zero if they may now)."""

    async def failed(self, keys: Sequence[Key], now: dt.datetime) -> int:
        """Count a failure against each key; the identifier key's failure count."""

    async def succeeded(self, key: str) -> None:
        """Forget an identifier's failures after a successful sign-in."""


class DatabaseThrottle:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def wait(self, keys: Sequence[Key], now: dt.datetime) -> dt.timedelta:
        table = LoginThrottle.__table__
        async with self._engine.connect() as connection:
            rows = await connection.execute(
                select(table.c.blocked_until).where(table.c.key.in_([key for key, _ in keys]))
            )
            until = [row.blocked_until for row in rows if row.blocked_until is not None]
        return max([u - now for u in until if u > now], default=dt.timedelta(0))

    async def failed(self, keys: Sequence[Key], now: dt.datetime) -> int:
        table = LoginThrottle.__table__
        counts = []
        async with self._engine.connect() as connection:
            await connection.execution_options(upright_write=True)
            async with connection.begin():
                for key, policy in keys:
                    row = (
                        await connection.execute(select(table).where(table.c.key == key))
                    ).first()
                    if row is None or now - row.first_failure_at > policy.window:
                        failures, first = 1, now
                        await connection.execute(delete(LoginThrottle).where(table.c.key == key))
                        await connection.execute(
                            insert(LoginThrottle).values(key=key, failures=1, first_failure_at=now)
                        )
                    else:
                        failures, first = row.failures + 1, row.first_failure_at
                    delay = policy.delay(failures)
                    await connection.execute(
                        update(LoginThrottle)
                        .where(table.c.key == key)
                        .values(
                            failures=failures,
                            first_failure_at=first,
                            blocked_until=now + delay if delay else None,
                        )
                    )
                    counts.append(failures)
        return counts[0]

    async def succeeded(self, key: str) -> None:
        table = LoginThrottle.__table__
        async with self._engine.begin() as connection:
            await connection.execute(delete(LoginThrottle).where(table.c.key == key))


class RedisThrottle:
    """Shared by every server process: a client cannot spread its guesses over them."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def wait(self, keys: Sequence[Key], now: dt.datetime) -> dt.timedelta:
        waits = [dt.timedelta(0)]
        for key, _ in keys:
            until = await self._redis.hget(_name(key), "blocked_until")
            if until is not None:
                waits.append(dt.datetime.fromtimestamp(float(until), dt.UTC) - now)
        return max(waits)

    async def failed(self, keys: Sequence[Key], now: dt.datetime) -> int:
        counts = []
        for key, policy in keys:
            name = _name(key)
            first = await self._redis.hget(name, "first")
            if first is None or now.timestamp() - float(first) > policy.window.total_seconds():
                await self._redis.delete(name)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(name, "failures", 1)
                pipe.hsetnx(name, "first", now.timestamp())
                pipe.expire(
                    name, int(policy.window.total_seconds()) + int(policy.longest.total_seconds())
                )
                failures = int((await pipe.execute())[0])
            delay = policy.delay(failures)
            if delay:
                await self._redis.hset(name, "blocked_until", (now + delay).timestamp())
            counts.append(failures)
        return counts[0]

    async def succeeded(self, key: str) -> None:
        await self._redis.delete(_name(key))


def _name(key: str) -> str:
    return f"upright:login-throttle:{key}"
