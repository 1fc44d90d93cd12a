"""The UPR calendar: cycles, Working Group sessions and Human Rights Council sessions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# The month each Working Group session met (sessions move: 36 was postponed from May
# to November 2020). Month precision only; a review carries its own exact date.
_SESSION_MONTHS = """
    2008-04 2008-05 2008-12 2009-02 2009-05 2009-12 2010-02 2010-05 2010-11 2011-01
    2011-05 2011-10 2012-05 2012-10 2013-01 2013-04 2013-10 2014-01 2014-04 2014-10
    2015-01 2015-05 2015-11 2016-01 2016-05 2016-11 2017-05 2017-11 2018-01 2018-05
    2018-11 2019-01 2019-05 2019-11 2020-01 2020-11 2021-01 2021-05 2021-11 2022-01
    2022-11 2023-01 2023-05 2023-11 2024-01 2024-05 2024-11 2025-01 2025-05 2025-11
    2026-01 2026-05 2026-11 2027-01"""


@dataclass(frozen=True, slots=True)
class CycleRecord:
    number: int
    first_session: int
    last_session: int
    starts_on: dt.date
    ends_on: dt.date | None


CYCLES = (
    CycleRecord(1, 1, 12, dt.date(2008, 4, 1), dt.date(2011, 10, 31)),
    CycleRecord(2, 13, 26, dt.date(2012, 5, 1), dt.date(2016, 11, 30)),
    CycleRecord(3, 27, 40, dt.date(2017, 5, 1), dt.date(2022, 1, 31)),
    CycleRecord(4, 41, 54, dt.date(2022, 11, 1), dt.date(2027, 1, 31)),
)


def sessions() -> dict[int, dt.date]:
    """Session number -> the first day of the month it met."""
    months = _SESSION_MONTHS.split()
    return {
        number: dt.date(int(month[:4]), int(month[5:]), 1)
        for number, month in enumerate(months, start=1)
    }


def cycle_of_session(session: int) -> int:
    for cycle in CYCLES:
        if cycle.first_session <= session <= cycle.last_session:
            return cycle.number
    raise ValueError(f"session {session} belongs to no known cycle")


def adoption_month(review_date: dt.date) -> tuple[int, int]:
    """(year, month) of the Council session adopting a review's outcome: a Jan/Feb
    review is adopted in June, Apr/May in September, Oct to Dec the next March."""
    if review_date.month <= 3:
        return review_date.year, 6
    if review_date.month <= 7:
        return review_date.year, 9
    return review_date.year + 1, 3


def hrc_session(year: int, month: int) -> int:
    """The Human Rights Council's regular session number meeting in that month:
    three a year since 2008 (March, June, September)."""
    offset = {3: 0, 6: 1, 9: 2}.get(month)
    if offset is None:
        raise ValueError("the Council's regular sessions meet in March, June and September")
    return 3 * (year - 2008) + 7 + offset
