"""The UPR calendar: sessions as they really met, Council sessions by formula."""

from __future__ import annotations

import datetime as dt

import pytest

from schema.reference import calendar


def test_fifty_four_sessions_in_four_cycles() -> None:
    sessions = calendar.sessions()
    assert list(sessions) == list(range(1, 55))
    assert [calendar.cycle_of_session(n) for n in (1, 12, 13, 26, 27, 40, 41, 54)] == [
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
    ]


def test_sessions_keep_their_real_months() -> None:
    sessions = calendar.sessions()
    # Session 36 was postponed from May to November 2020.
    assert sessions[36] == dt.date(2020, 11, 1)
    # Kenya was reviewed at sessions 8, 21, 35 and 48: one per cycle.
    assert [calendar.cycle_of_session(n) for n in (8, 21, 35, 48)] == [1, 2, 3, 4]


def test_no_cycle_for_unknown_sessions() -> None:
    with pytest.raises(ValueError, match="no known cycle"):
        calendar.cycle_of_session(55)


@pytest.mark.parametrize(
    ("review", "adoption"),
    [
        (dt.date(2025, 1, 22), (2025, 6)),
        (dt.date(2020, 11, 9), (2021, 3)),
        (dt.date(2015, 5, 4), (2015, 9)),
        (dt.date(2008, 12, 3), (2009, 3)),
    ],
)
def test_adoption_follows_the_review(review: dt.date, adoption: tuple[int, int]) -> None:
    assert calendar.adoption_month(review) == adoption


def test_hrc_session_numbers() -> None:
    # Three regular sessions a year since 2008: March 2008 was the 7th.
    assert calendar.hrc_session(2008, 3) == 7
    assert calendar.hrc_session(2015, 9) == 30
    assert calendar.hrc_session(2025, 6) == 59
    with pytest.raises(ValueError, match="March, June and September"):
        calendar.hrc_session(2025, 5)
