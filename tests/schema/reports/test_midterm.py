"""`midtermReport`: what it holds for each audience, who may ask, and its figures.

A report holds only what both its maker and its audience may see: the public report
PUBLIC work only, a coalition's the coalition's and the public's, never PARTNERS or
ORGANISATION rows or another coalition's, and "latest" is computed over those rows."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import update

from schema.relay import to_global_id
from schema.tables.followup import Activity, ActivityKind, ImplementationStatus
from schema.tables.recommendations import Response
from security.sharing import Visibility
from tests.factories import make_activity, make_assessment, make_recommendation, make_review
from tests.graphql import data, error_codes
from tests.schema.reports.conftest import ReportWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED

S = ImplementationStatus
STATS = """
query {
  recommendationStats(filter: {state: "KEN", cycle: 3}) {
    total byImplementationStatus { status count } notAssessed
  }
}
"""


async def _work(world: ReportWorld) -> None:
    """Three recommendations; the first assessed at every level, the second by the
    unvetted group in public, the third by nobody."""
    org, coalitions = world.organisations, world.coalition_keys
    first = await world.recommendation("119.2", themes=["justice", "womens-rights"])
    second = await world.recommendation(
        "119.10", themes=["justice"], response=Response.NOTED, recommending=["FRA", "BRA"]
    )
    await world.recommendation("119.3", themes=["womens-rights"])

    async def assess(
        owner: str,
        level: Visibility,
        status: S,
        day: dt.date,
        coalition: str | None = None,
        recommendation: Any = first,
    ) -> None:
        shared_with = coalitions[coalition] if coalition else None
        await make_assessment(
            world.engine,
            recommendation,
            org[owner],
            level,
            shared_with,
            status=status,
            assessed_on=day,
        )

    await assess(NGO, Visibility.PUBLIC, S.PARTIALLY_IMPLEMENTED, dt.date(2026, 1, 10))
    await assess(NGO, Visibility.COALITION, S.FULLY_IMPLEMENTED, dt.date(2026, 6, 1), "coalition")
    await assess(NGO, Visibility.ORGANISATION, S.UNKNOWN, dt.date(2026, 7, 1))
    await assess(PARTNER, Visibility.PARTNERS, S.NOT_IMPLEMENTED, dt.date(2026, 5, 1))
    await assess(PARTNER, Visibility.COALITION, S.UNKNOWN, dt.date(2026, 5, 2), "other")
    await assess(
        GOVERNMENT, Visibility.COALITION, S.FULLY_IMPLEMENTED, dt.date(2026, 2, 1), "coalition"
    )
    await assess(
        UNVETTED, Visibility.PUBLIC, S.NOT_IMPLEMENTED, dt.date(2025, 9, 1), recommendation=second
    )


def _latest(report: dict[str, Any]) -> list[list[tuple[str | None, str, str]]]:
    return [
        [
            (a["organisation"] and a["organisation"]["name"], a["status"], a["assessedOn"])
            for a in recommendation["latestAssessments"]
        ]
        for recommendation in report["recommendations"]
    ]


async def test_the_public_report_holds_public_work_only(world: ReportWorld) -> None:
    # Given work at every sharing level, and recommendations of Kenya's previous review
    # and of a treaty body
    await _work(world)
    earlier = await make_review(world.engine, "KEN", 21, dt.date(2015, 1, 21))
    await make_recommendation(world.engine, earlier, text="An earlier cycle's")
    await make_recommendation(world.engine, None, text="A treaty body's")
    # When the NGO (who sees all of its own) makes the public report, and so does anyone
    mine = await world.report(NGO)
    theirs = await world.report(ANONYMOUS)
    # Then both hold the public assessments only, latest among them, by paragraph; the
    # unvetted group (no public profile) unnamed
    assert [r["paragraph"] for r in mine["recommendations"]] == ["119.2", "119.3", "119.10"]
    assert _latest(mine) == [
        [("Kenya Rights Network", "PARTIALLY_IMPLEMENTED", "2026-01-10")],
        [],
        [(None, "NOT_IMPLEMENTED", "2025-09-01")],
    ]
    assert mine["audience"] == {"kind": "PUBLIC", "coalitionName": None}
    assert mine == theirs


async def test_a_coalition_report_holds_the_coalitions_and_public_work(world: ReportWorld) -> None:
    # Given work at every sharing level
    await _work(world)
    # When the partner (in both coalitions, vetted) makes the first coalition's report
    report = await world.report(PARTNER, {"coalitionId": world.coalition})
    # Then each organisation's latest is over the coalition's and public rows: not the
    # NGO's own or the partner's PARTNERS row, not the other coalition's; the
    # government, a member, is named
    assert _latest(report)[0] == [
        ("Kenya Rights Network", "FULLY_IMPLEMENTED", "2026-06-01"),
        ("Ministry of Justice", "FULLY_IMPLEMENTED", "2026-02-01"),
    ]
    assert report["audience"]["kind"] == "COALITION"
    assert report["audience"]["coalitionName"].startswith("Coalition ")
    # And every member makes the same report, a user or a reading token
    reader = await world.token(NGO, "recommendations:read")
    for who in (NGO, GOVERNMENT, reader):
        assert await world.report(who, {"coalitionId": world.coalition}) == report


async def test_who_may_ask_for_a_coalitions_report(world: ReportWorld) -> None:
    audience = {"coalitionId": world.coalition}
    # A non-member (the unvetted group is in the other coalition only) gets what a
    # coalition that does not exist gets
    assert error_codes(await world.body(UNVETTED, audience)) == ["NOT_FOUND"]
    missing = await world.body(NGO, {"coalitionId": to_global_id("Coalition", uuid.uuid4())})
    assert error_codes(missing) == ["NOT_FOUND"]
    # (word for word, for the NGO asking for a coalition it is not in)
    assert await world.body(NGO, {"coalitionId": world.other_coalition}) == missing
    # Anonymous clients sign in first; a token that may not read shared work is refused
    assert error_codes(await world.body(ANONYMOUS, audience)) == ["UNAUTHENTICATED"]
    writer = await world.token(NGO, "engagements:write")
    assert error_codes(await world.body(writer, audience)) == ["FORBIDDEN"]
    # And a token without that scope still makes the public report
    assert (await world.report(writer))["audience"]["kind"] == "PUBLIC"


async def test_unknown_states_cycles_and_reviews(world: ReportWorld) -> None:
    assert error_codes(await world.body(NGO, state="XXX")) == ["BAD_USER_INPUT"]
    assert error_codes(await world.body(NGO, cycle=99)) == ["BAD_USER_INPUT"]
    # Kenya had no review in cycle 4 here: no report
    body = await world.body(NGO, cycle=4)
    assert "errors" not in body
    assert body["data"]["midtermReport"] is None


async def test_the_review_and_the_clock(world: ReportWorld) -> None:
    report = await world.report(ANONYMOUS, None)
    assert (report["state"], report["cycle"], report["session"]) == (
        {"code": "KEN"},
        3,
        {"number": 35},
    )
    assert (report["reviewDate"], report["midtermDate"]) == ("2020-01-22", "2022-04-22")
    assert report["generatedAt"] == world.clock.now.isoformat()


async def test_counts_and_chart_figures(world: ReportWorld) -> None:
    # Given the work, read by the coalition
    await _work(world)
    report = await world.report(NGO, {"coalitionId": world.coalition})

    def counts(entries: list[dict[str, Any]]) -> dict[str, int]:
        return {e["status"]: e["count"] for e in entries if e["count"]}

    summary = report["summary"]
    # Then: three recommendations, two supported and one noted; the first fully
    # implemented (its two organisations agree), the second not implemented, one unassessed
    assert summary["recommendations"] == 3
    assert {e["response"]: e["count"] for e in summary["byResponse"]} == {
        "SUPPORTED": 2,
        "NOTED": 1,
        "SUPPORTED_IN_PART": 0,
        "PENDING": 0,
    }
    assert counts(summary["byImplementationStatus"]) == {
        "FULLY_IMPLEMENTED": 1,
        "NOT_IMPLEMENTED": 1,
    }
    assert summary["notAssessed"] == 1
    # And per theme, most recommendations first (a tie by name): justice holds the first
    # two, women's rights the first and the unassessed third
    assert [
        (
            t["theme"]["code"],
            t["recommendations"],
            counts(t["byImplementationStatus"]),
            t["notAssessed"],
        )
        for t in report["statusByTheme"]
    ] == [
        ("justice", 2, {"FULLY_IMPLEMENTED": 1, "NOT_IMPLEMENTED": 1}, 0),
        ("womens-rights", 2, {"FULLY_IMPLEMENTED": 1}, 1),
    ]


async def test_public_figures_agree_with_the_statistics(world: ReportWorld) -> None:
    # Given the work at every level
    await _work(world)
    # When anyone reads the public report and the public statistics of the same review
    report = (await world.report(ANONYMOUS))["summary"]
    stats = (await data(world.client, STATS))["recommendationStats"]
    # Then they agree
    assert report["recommendations"] == stats["total"]
    assert report["notAssessed"] == stats["notAssessed"]
    nonzero = [e for e in report["byImplementationStatus"] if e["count"]]
    assert sorted(nonzero, key=lambda e: e["status"]) == sorted(
        stats["byImplementationStatus"], key=lambda e: e["status"]
    )


async def test_only_held_activities_the_audience_may_see(world: ReportWorld) -> None:
    # Given activities on the review: held in public, in the coalition and by the NGO
    # alone; upcoming; cancelled; and held on another review
    org, review = world.organisations, world.review

    async def activity(title: str, level: Visibility, **more: Any) -> None:
        coalition = world.coalition_keys["coalition"] if level is Visibility.COALITION else None
        more.setdefault("review", review)
        key = await make_activity(world.engine, org[NGO], level, coalition, **more)
        async with world.engine.begin() as connection:
            await connection.execute(update(Activity).where(Activity.id == key).values(title=title))

    day = dt.date(2022, 4, 20)
    await activity(
        "Public dialogue",
        Visibility.PUBLIC,
        kind=ActivityKind.CSO_GOVERNMENT_DIALOGUE,
        starts_on=dt.date(2020, 9, 1),
        organisers=[org[UNVETTED], org[PARTNER]],
    )
    await activity(
        "Coalition workshop",
        Visibility.COALITION,
        starts_on=dt.date(2020, 3, 5),
        ends_on=dt.date(2020, 3, 6),
    )
    await activity("Own planning", Visibility.ORGANISATION, starts_on=day)
    await activity(
        "Upcoming report",
        Visibility.PUBLIC,
        kind=ActivityKind.MID_TERM_REPORT,
        starts_on=dt.date(2027, 1, 10),
    )
    await activity(
        "Cancelled",
        Visibility.PUBLIC,
        starts_on=day,
        cancelled_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
    )
    elsewhere = await make_review(world.engine, "KEN", 21, dt.date(2015, 1, 21))
    await activity(
        "Another cycle", Visibility.PUBLIC, starts_on=dt.date(2015, 3, 1), review=elsewhere
    )
    # When the public and the coalition reports are made
    public = (await world.report(NGO))["activitiesHeld"]
    coalition = (await world.report(NGO, {"coalitionId": world.coalition}))["activitiesHeld"]
    # Then the public one lists the public held activity, its unlisted organiser unnamed
    assert public == [
        {
            "title": "Public dialogue",
            "kind": "CSO_GOVERNMENT_DIALOGUE",
            "startsOn": "2020-09-01",
            "endsOn": None,
            "organisers": [{"name": "Geneva Rights Watch"}, {"name": "Kenya Rights Network"}],
        }
    ]
    # And the coalition's adds its own, by date
    assert [a["title"] for a in coalition] == ["Coalition workshop", "Public dialogue"]
