"""Login throttling state: in the database, or in Redis shared by every process.

An attempt is counted (atomically) before the credentials are checked, so parallel
requests cannot slip past the limit together; a success then forgets the count. Keys
are keyed digests of the submitted identifier or the client address, never the values.
Times come from the injected clock, also in Redis (its own expiry only collects
garbage), so tests can move time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from redis.asyncio import Redis
from sqlalchemy import Row, delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.db import insert_for
from schema.tables.accounts import LoginThrottle
from security.throttling import ThrottlePolicy

Key = tuple[str, ThrottlePolicy]
Write = Callable[[], AbstractAsyncContextManager[AsyncConnection]]


@dataclass(frozen=True, slots=True)
class Attempt:
    wait: dt.timedelta  # zero: go ahead; else refuse, and retry after this long
    counts: tuple[int, ...]  # per key, attempts within the window, this one included


class Throttle(Protocol):
    async def attempt(self, keys: Sequence[Key], now: dt.datetime, write: Write) -> Attempt:
        """Count an attempt against every key, unless one of them is blocked now."""

    async def succeeded(self, forget: str, release: Sequence[str], write: Write) -> None:
        """After a successful attempt: forget one key's attempts (the identifier's), and
        take this attempt back from the others (the address's: an office behind one
        address signs in many times a day)."""


def _blocked(until: dt.datetime | None, now: dt.datetime) -> dt.timedelta:
    return until - now if until is not None and until > now else dt.timedelta(0)


class DatabaseThrottle:
    """On the request's own connection and transaction (no second connection per login);
    the rows are made first if missing, then locked, so parallel attempts queue up."""

    async def attempt(self, keys: Sequence[Key], now: dt.datetime, write: Write) -> Attempt:
        table = LoginThrottle.__table__.c
        async with write() as connection:
            dialect_insert = insert_for(connection)
            await connection.execute(
                dialect_insert(LoginThrottle)
                .values(
                    [
                        {"key": key, "failures": 0, "first_failure_at": now, "blocked_until": None}
                        for key, _ in keys
                    ]
                )
                .on_conflict_do_nothing(index_elements=["key"])
            )
            rows = {
                row.key: row
                for row in await connection.execute(
                    select(LoginThrottle.__table__)
                    .where(table.key.in_([key for key, _ in keys]))
                    .with_for_update()
                )
            }
            waits = [_blocked(row.blocked_until, now) for row in rows.values()]
            if max(waits) > dt.timedelta(0):
                return Attempt(max(waits), ())
            counts = [await _count(connection, key, policy, rows[key], now) for key, policy in keys]
        return Attempt(dt.timedelta(0), tuple(counts))

    async def succeeded(self, forget: str, release: Sequence[str], write: Write) -> None:
        async with write() as connection:
            await connection.execute(delete(LoginThrottle).where(LoginThrottle.key == forget))
            if release:
                await connection.execute(
                    update(LoginThrottle)
                    .where(LoginThrottle.key.in_(release), LoginThrottle.failures > 0)
                    .values(failures=LoginThrottle.failures - 1)
                )


async def _count(
    connection: AsyncConnection, key: str, policy: ThrottlePolicy, row: Row[Any], now: dt.datetime
) -> int:
    """One more attempt on a locked row."""
    if row.failures == 0 or now - row.first_failure_at > policy.window:
        failures, first = 1, now
    else:
        failures, first = row.failures + 1, row.first_failure_at
    delay = policy.delay(failures)
    await connection.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=failures, first_failure_at=first, blocked_until=now + delay if delay else None
        )
    )
    return failures


# Check and count in one step on the Redis server: two processes can never both pass.
_ATTEMPT = """
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local until_ = tonumber(redis.call('HGET', key, 'blocked_until') or '0')
  if until_ > now then return {0, tostring(until_ - now)} end
end
local counts = {}
for i, key in ipairs(KEYS) do
  local base = 1 + (i - 1) * 5
  local free, first_delay, longest, window, ttl = tonumber(ARGV[base + 1]),
    tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]), tonumber(ARGV[base + 4]),
    tonumber(ARGV[base + 5])
  local first = tonumber(redis.call('HGET', key, 'first') or '-1')
  local failures
  if first < 0 or now - first > window then
    redis.call('DEL', key)
    redis.call('HSET', key, 'first', tostring(now), 'failures', 1)
    failures = 1
  else
    failures = redis.call('HINCRBY', key, 'failures', 1)
  end
  if failures > free then
    local delay = math.min(first_delay * 2 ^ (failures - free - 1), longest)
    redis.call('HSET', key, 'blocked_until', tostring(now + delay))
  end
  redis.call('EXPIRE', key, ttl)
  counts[i] = failures
end
return {1, counts}
"""


class RedisThrottle:
    """Shared by every server process: a client cannot spread its guesses over them."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_ATTEMPT)

    async def attempt(self, keys: Sequence[Key], now: dt.datetime, write: Write) -> Attempt:
        arguments: list[float] = [now.timestamp()]
        for _, policy in keys:
            arguments += [
                policy.free,
                policy.first_delay.total_seconds(),
                policy.longest.total_seconds(),
                policy.window.total_seconds(),
                int((policy.window + policy.longest).total_seconds()),
            ]
        allowed, result = await self._script(keys=[_name(key) for key, _ in keys], args=arguments)
        if not allowed:
            return Attempt(dt.timedelta(seconds=float(result)), ())
        return Attempt(dt.timedelta(0), tuple(int(count) for count in result))

    async def succeeded(self, forget: str, release: Sequence[str], write: Write) -> None:
        await self._redis.delete(_name(forget))
        for key in release:
            if await self._redis.hincrby(_name(key), "failures", -1) < 0:
                await self._redis.hset(_name(key), "failures", 0)


def _name(key: str) -> str:
    return f"upright:login-throttle:{key}"
