"""How long to make a client wait after failed sign-ins: a delay that grows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    """`free` failures cost nothing; each one after doubles the wait, up to `longest`.
    Failures are forgotten `window` after the first one."""

    free: int
    first_delay: dt.timedelta = dt.timedelta(seconds=1)
    longest: dt.timedelta = dt.timedelta(minutes=15)
    window: dt.timedelta = dt.timedelta(hours=1)

    def delay(self, failures: int) -> dt.timedelta:
        if failures <= self.free:
            return dt.timedelta(0)
        grown: dt.timedelta = self.first_delay * 2 ** (failures - self.free - 1)
        return min(grown, self.longest)


# Per submitted identifier (whether or not the account exists), and per client address
# (which may be a whole office behind one NAT, hence more lenient).
PER_IDENTIFIER = ThrottlePolicy(free=5)
PER_ADDRESS = ThrottlePolicy(free=30)
# Bursts worth an audit entry: attempts against one identifier, or from one address.
BURST = 10
ADDRESS_BURST = 60
