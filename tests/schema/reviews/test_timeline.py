"""A review's follow-up timeline: milestone dates from the review's own date, statuses
as the clock moves, and only the activities the viewer may see."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.reviews.timeline import Milestone, MilestoneKind, add_months, milestones
from schema.tables.followup import ActivityKind
from schema.tables.reviews import Review
from security.platform import PlatformKeys
from security.sharing import Visibility
from tests.accounts import make_user, sign_in
from tests.clock import Clock
from tests.factories import make_activity, make_organisation, make_review
from tests.graphql import data
from tests.statements import count_statements

TIMELINE = """
query($state: String) {
  reviews(first: 5, filter: {state: $state}) {
    nodes { timeline { kind date approximate hrcSession status activities { title } } }
  }
}
"""
K = MilestoneKind


def test_kenya_session_48_milestones() -> None:
    # Given Kenya's review at session 48 on 22 January 2025, adoption not yet recorded
    found = milestones(dt.date(2025, 1, 22), None, None)
    # Then every milestone is dated from that day, the adoption in June at HRC 59
    assert found == [
        Milestone(K.SUBMISSION_DEADLINE, dt.date(2024, 5, 22), True),
        Milestone(K.PRE_SESSION, dt.date(2024, 12, 22), True),
        Milestone(K.REVIEW, dt.date(2025, 1, 22), False),
        Milestone(K.CSO_STRATEGY_WORKSHOP, dt.date(2025, 3, 5), True),
        Milestone(K.ADOPTION, dt.date(2025, 6, 15), True, 59),
        Milestone(K.CSO_GOVERNMENT_DIALOGUE, dt.date(2025, 8, 15), True),
        Milestone(K.MID_TERM_REPORT, dt.date(2027, 4, 22), True),
    ]


def test_a_recorded_adoption_wins() -> None:
    # Given a postponed session (36, November 2020) with its adoption recorded
    found = {m.kind: m for m in milestones(dt.date(2020, 11, 4), dt.date(2021, 3, 18), 46)}
    assert found[K.ADOPTION] == Milestone(K.ADOPTION, dt.date(2021, 3, 18), False, 46)
    assert found[K.CSO_GOVERNMENT_DIALOGUE].day == dt.date(2021, 5, 18)
    # And without the record, an October-December review is adopted the next March
    estimated = {m.kind: m for m in milestones(dt.date(2020, 11, 4), None, None)}
    assert estimated[K.ADOPTION] == Milestone(K.ADOPTION, dt.date(2021, 3, 15), True, 46)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2025, 1, 31), 1, dt.date(2025, 2, 28)),
        (dt.date(2024, 1, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2025, 1, 22), -8, dt.date(2024, 5, 22)),
        (dt.date(2025, 3, 31), -1, dt.date(2025, 2, 28)),
        (dt.date(2025, 11, 30), 27, dt.date(2028, 2, 29)),
    ],
)
def test_months_are_calendar_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


async def _statuses(client: httpx.AsyncClient, token: str | None = None) -> dict[str, str]:
    body = await data(client, TIMELINE, {"state": "KEN"}, token=token)
    (review,) = body["reviews"]["nodes"]
    return {milestone["kind"]: milestone["status"] for milestone in review["timeline"]}


async def test_statuses_follow_the_clock(
    engine: AsyncEngine, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given Kenya's review, a public pre-session held on 10 December 2024, a public
    # workshop planned for 20 March 2025, and a cancelled dialogue
    review = await make_review(engine, "KEN", 48, dt.date(2025, 1, 22))
    owner = await make_organisation(engine, vetted_partner=True)

    async def activity(kind: ActivityKind, day: dt.date, cancelled: bool = False) -> None:
        cancelled_at = dt.datetime(2025, 1, 2, tzinfo=dt.UTC) if cancelled else None
        await make_activity(
            engine,
            owner,
            Visibility.PUBLIC,
            kind=kind,
            review=review,
            starts_on=day,
            cancelled_at=cancelled_at,
        )

    await activity(ActivityKind.PRE_SESSION, dt.date(2024, 12, 10))
    await activity(ActivityKind.CSO_STRATEGY_WORKSHOP, dt.date(2025, 3, 20))
    await activity(ActivityKind.CSO_GOVERNMENT_DIALOGUE, dt.date(2025, 8, 20), cancelled=True)

    async def on(day: dt.date) -> dict[str, str]:
        clock.now = dt.datetime.combine(day, dt.time(9), dt.UTC)
        return await _statuses(client)

    # Then, in April 2024: the deadline is within 60 days, the rest further off, the
    # pre-session and workshop already planned
    assert await on(dt.date(2024, 4, 1)) == {
        "SUBMISSION_DEADLINE": "DUE",
        "PRE_SESSION": "PLANNED",
        "REVIEW": "UPCOMING",
        "CSO_STRATEGY_WORKSHOP": "PLANNED",
        "ADOPTION": "UPCOMING",
        "CSO_GOVERNMENT_DIALOGUE": "UPCOMING",
        "MID_TERM_REPORT": "UPCOMING",
    }
    # On 1 January 2025: the deadline passed, the pre-session held, the review due
    assert await on(dt.date(2025, 1, 1)) == {
        "SUBMISSION_DEADLINE": "DONE",
        "PRE_SESSION": "DONE",
        "REVIEW": "DUE",
        "CSO_STRATEGY_WORKSHOP": "PLANNED",
        "ADOPTION": "UPCOMING",
        "CSO_GOVERNMENT_DIALOGUE": "UPCOMING",
        "MID_TERM_REPORT": "UPCOMING",
    }
    # On 10 March 2025, the workshop's usual date passed but it is still planned
    assert (await on(dt.date(2025, 3, 10)))["CSO_STRATEGY_WORKSHOP"] == "PLANNED"
    # On 1 July 2025: the workshop held, the adoption done, the dialogue due (its only
    # activity was cancelled)
    july = await on(dt.date(2025, 7, 1))
    assert (july["CSO_STRATEGY_WORKSHOP"], july["ADOPTION"]) == ("DONE", "DONE")
    assert july["CSO_GOVERNMENT_DIALOGUE"] == "DUE"
    # On 1 October 2025 the dialogue is overdue; the mid-term report (April 2027) not yet
    october = await on(dt.date(2025, 10, 1))
    assert (october["CSO_GOVERNMENT_DIALOGUE"], october["MID_TERM_REPORT"]) == (
        "OVERDUE",
        "UPCOMING",
    )
    # And on the mid-term report's day itself, it is still due
    assert (await on(dt.date(2027, 4, 22)))["MID_TERM_REPORT"] == "DUE"


async def test_only_visible_activities_count(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given Kenya's review, with its adoption recorded, and an NGO's dialogue kept to itself
    review = await make_review(engine, "KEN", 48, dt.date(2025, 1, 22))
    async with engine.begin() as connection:
        await connection.execute(
            update(Review)
            .where(Review.id == review)
            .values(adoption_date=dt.date(2025, 7, 3), hrc_session=59)
        )
    ngo = await make_organisation(engine, vetted_partner=True)
    await make_activity(
        engine,
        ngo,
        Visibility.ORGANISATION,
        kind=ActivityKind.CSO_GOVERNMENT_DIALOGUE,
        review=review,
        starts_on=dt.date(2025, 9, 15),
    )
    _, email = await make_user(engine, platform_keys, ngo)
    clock.now = dt.datetime(2025, 8, 1, 9, tzinfo=dt.UTC)
    session = await sign_in(client, email)
    # When the NGO and an anonymous client read the timeline on 1 August 2025
    mine = await data(client, TIMELINE, {"state": "KEN"}, token=session)
    theirs = await data(client, TIMELINE, {"state": "KEN"})
    # Then both see the recorded adoption
    adoption = [
        next(m for m in body["reviews"]["nodes"][0]["timeline"] if m["kind"] == "ADOPTION")
        for body in (mine, theirs)
    ]
    assert (
        adoption[0]
        == adoption[1]
        == {
            "kind": "ADOPTION",
            "date": "2025-07-03",
            "approximate": False,
            "hrcSession": 59,
            "status": "DONE",
            "activities": [],
        }
    )
    # And the NGO sees its dialogue planned; for anyone else the dialogue is simply due,
    # with no trace of it
    assert (await _statuses(client, session))["CSO_GOVERNMENT_DIALOGUE"] == "PLANNED"
    assert (await _statuses(client))["CSO_GOVERNMENT_DIALOGUE"] == "DUE"
    assert [
        m["activities"]
        for m in theirs["reviews"]["nodes"][0]["timeline"]
        if m["kind"] == "CSO_GOVERNMENT_DIALOGUE"
    ] == [[]]


async def test_one_statement_for_the_activities_of_every_review(
    engine: AsyncEngine, app: Starlette, client: httpx.AsyncClient
) -> None:
    # Given Kenya's four reviews, each with public activities
    owner = await make_organisation(engine)
    for session, day in ((8, dt.date(2010, 5, 6)), (21, dt.date(2015, 1, 21))):
        review = await make_review(engine, "KEN", session, day)
        await make_activity(engine, owner, Visibility.PUBLIC, review=review, starts_on=day)
    counts = []
    for extra in ((35, dt.date(2020, 1, 22)), (48, dt.date(2025, 1, 22))):
        review = await make_review(engine, "KEN", *extra)
        await make_activity(engine, owner, Visibility.PUBLIC, review=review, starts_on=extra[1])
        # When the timelines of all of them are read
        with count_statements(app.state.engine) as statements:
            await data(client, TIMELINE, {"state": "KEN"})
        counts.append(len(statements))
    # Then the reviews take one statement and their activities one, however many
    assert counts == [2, 2]
