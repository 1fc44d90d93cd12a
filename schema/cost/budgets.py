"""Points per viewer per hour: in this process, or in Redis shared by every process.

A budget is a fixed window: the clock hour (from the injected clock, also with Redis,
whose own expiry only collects garbage). A request is charged its whole cost up front,
or refused without being charged when the cost does not fit in what is left; the check
and the charge are one step (a Lua script in Redis), so parallel requests cannot
overspend together.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from typing import Protocol

from redis.asyncio import Redis

WINDOW = dt.timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Charge:
    accepted: bool
    remaining: int  # after this charge (or, refused, as it stands)
    resets_at: dt.datetime


def window_of(now: dt.datetime) -> tuple[int, dt.datetime]:
    """The window's number and when it ends (the next clock hour, UTC)."""
    start = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return int(start.timestamp()) // 3600, start + WINDOW


class Budgets(Protocol):
    async def charge(self, key: str, cost: int, budget: int, now: dt.datetime) -> Charge:
        """Charge `cost` to `key` if it fits in `budget` for the current window."""


class LocalBudgets:
    """One process's budgets (the default without Redis): each server process then
    grants the full budget, so N processes let a viewer spend up to N times as much."""

    def __init__(self) -> None:
        self._used: dict[str, tuple[int, int]] = {}  # key -> (window, points used)
        self._lock = threading.Lock()

    async def charge(self, key: str, cost: int, budget: int, now: dt.datetime) -> Charge:
        window, resets_at = window_of(now)
        with self._lock:
            if len(self._used) > 100_000:  # keys of past windows, collected now and then
                self._used = {k: v for k, v in self._used.items() if v[0] == window}
            seen, used = self._used.get(key, (window, 0))
            used = used if seen == window else 0
            if used + cost > budget:
                return Charge(False, budget - used, resets_at)
            self._used[key] = (window, used + cost)
            return Charge(True, budget - used - cost, resets_at)


# KEYS[1] the window's key; ARGV cost, budget, seconds to keep the key.
_CHARGE = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local cost = tonumber(ARGV[1])
if used + cost > tonumber(ARGV[2]) then return {0, used} end
used = redis.call('INCRBY', KEYS[1], cost)
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return {1, used}
"""


class RedisBudgets:
    """Budgets every server process shares. Keys are `upright:budget:<window>:<key>`,
    where the key is a viewer's id or a digest of a client address, never a secret."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._script = redis.register_script(_CHARGE)

    async def charge(self, key: str, cost: int, budget: int, now: dt.datetime) -> Charge:
        window, resets_at = window_of(now)
        keep = int(WINDOW.total_seconds()) * 2
        accepted, used = await self._script(
            keys=[f"upright:budget:{window}:{key}"], args=[cost, budget, keep]
        )
        return Charge(bool(accepted), budget - int(used), resets_at)
