"""The report costs the same statements for one recommendation as for twenty: one per
relation, never one per row."""

from __future__ import annotations

from starlette.applications import Starlette

from security.sharing import Visibility
from tests.factories import make_activity, make_assessment
from tests.schema.reports.conftest import REPORT, ReportWorld
from tests.statements import count_statements
from tests.worlds import GOVERNMENT, NGO, PARTNER


async def _followed_up(world: ReportWorld, paragraph: str) -> None:
    """A recommendation with themes and states, assessed in public and in the coalition,
    and a held activity with organisers."""
    org, coalition = world.organisations, world.coalition_keys["coalition"]
    key = await world.recommendation(
        paragraph, themes=["justice", "detention"], recommending=["FRA", "BRA"]
    )
    await make_assessment(world.engine, key, org[NGO], Visibility.PUBLIC)
    await make_assessment(world.engine, key, org[GOVERNMENT], Visibility.COALITION, coalition)
    await make_activity(
        world.engine,
        org[PARTNER],
        Visibility.PUBLIC,
        review=world.review,
        organisers=[org[NGO]],
        recommendations=[key],
    )


async def test_statements_do_not_grow_with_recommendations(
    world: ReportWorld, app: Starlette
) -> None:
    variables = {"state": "KEN", "cycle": 3, "audience": {"coalitionId": world.coalition}}
    counts = {}
    made = 0
    for size in (1, 20):
        # Given `size` followed-up recommendations
        while made < size:
            made += 1
            await _followed_up(world, f"119.{made}")
        # When the NGO makes the coalition's report
        with count_statements(app.state.engine) as statements:
            body = await world.run(NGO, REPORT, variables)
        assert "errors" not in body, body["errors"]
        report = body["data"]["midtermReport"]
        assert len(report["recommendations"]) == len(report["activitiesHeld"]) == size
        assert all(len(r["latestAssessments"]) == 2 for r in report["recommendations"])
        counts[size] = len(statements)
    # Then the statements are the same: one to authenticate (the session with its
    # coalitions), the coalition's members, the review, the recommendations, their
    # themes, states and latest assessments, the activities held and their organisers
    assert counts == {1: 9, 20: 9}
