"""A clock the tests move by hand: nothing waits for time to pass."""

from __future__ import annotations

import datetime as dt


class Clock:
    def __init__(self, start: dt.datetime = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)
