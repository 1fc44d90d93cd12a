""" "Latest" is per organisation, over the assessments the viewer may see: a newer
assessment hidden from a viewer neither hides an older visible one nor changes anything
derived from them (SECURITY.md: nothing derived may reveal that hidden rows exist)."""

from __future__ import annotations

from schema.relay import to_global_id
from tests.factories import make_recommendation
from tests.schema.followup.conftest import FollowUpWorld
from tests.worlds import ANONYMOUS, GOVERNMENT, NGO, PARTNER, UNVETTED


async def _assess_all(world: FollowUpWorld, hidden: bool) -> None:
    """The public assessments, and (if `hidden`) newer ones shared more narrowly."""
    await world.assess(NGO, "PARTIALLY_IMPLEMENTED", "2026-01-10", "PUBLIC")
    await world.assess(PARTNER, "NOT_IMPLEMENTED", "2025-11-01", "PUBLIC")
    if hidden:
        await world.assess(NGO, "NOT_IMPLEMENTED", "2026-06-01", "ORGANISATION")
        await world.assess(NGO, "UNKNOWN", "2026-07-01", "COALITION", coalition=world.coalition)
        await world.assess(PARTNER, "FULLY_IMPLEMENTED", "2026-05-01", "PARTNERS")


async def test_a_newer_hidden_assessment_changes_nothing_for_those_who_cannot_see_it(
    world: FollowUpWorld,
) -> None:
    # Given a recommendation with public assessments and newer, narrowly shared ones,
    # and a twin recommendation with the same public assessments only
    await _assess_all(world, hidden=True)
    with_hidden = world.recommendation
    twin = to_global_id("Recommendation", await make_recommendation(world.engine, None))
    world.recommendation = twin
    await _assess_all(world, hidden=False)
    # When readers who may see none of the newer ones read both
    for who in (ANONYMOUS, UNVETTED, GOVERNMENT):
        seen = await world.follow_up(who, with_hidden)
        # Then each organisation's latest is its latest public one, and every value,
        # derived ones included, is exactly what the twin without hidden rows shows
        assert [(a["organisation"]["name"], a["status"]) for a in seen["latestAssessments"]] == [
            ("Geneva Rights Watch", "NOT_IMPLEMENTED"),
            ("Kenya Rights Network", "PARTIALLY_IMPLEMENTED"),
        ]
        assert seen["implementationStatuses"] == ["NOT_IMPLEMENTED", "PARTIALLY_IMPLEMENTED"]
        assert seen == await world.follow_up(who, twin)


async def test_each_reader_gets_the_latest_it_may_see(world: FollowUpWorld) -> None:
    # Given public assessments and newer ones shared with the NGO only, the coalition
    # (the NGO and the partner) and vetted partners
    await _assess_all(world, hidden=True)

    async def latest(who: str) -> list[tuple[str, str, str]]:
        seen = await world.follow_up(who)
        return [
            (a["organisation"]["name"], a["status"], a["assessedOn"])
            for a in seen["latestAssessments"]
        ]

    # Then the NGO and the partner see the same latest ones: the NGO's newest (shared
    # with the coalition) and the partner's (shared with partners)
    both = [
        ("Geneva Rights Watch", "FULLY_IMPLEMENTED", "2026-05-01"),
        ("Kenya Rights Network", "UNKNOWN", "2026-07-01"),
    ]
    assert await latest(NGO) == both
    assert await latest(PARTNER) == both
    # And the NGO's history holds its own-only assessment, the partner's does not
    ngo_history = [a["assessedOn"] for a in (await world.follow_up(NGO))["assessments"]]
    partner_history = [a["assessedOn"] for a in (await world.follow_up(PARTNER))["assessments"]]
    assert ngo_history == ["2026-07-01", "2026-06-01", "2026-05-01", "2026-01-10", "2025-11-01"]
    assert partner_history == ["2026-07-01", "2026-05-01", "2026-01-10", "2025-11-01"]
    assert (await world.follow_up(NGO))["implementationStatuses"] == [
        "FULLY_IMPLEMENTED",
        "UNKNOWN",
    ]
