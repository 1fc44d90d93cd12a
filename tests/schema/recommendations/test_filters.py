"""`recommendations(filter:)`: every filter, bad values, and filters on partners' work
that look only at the rows the viewer may see."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id
from schema.relay import to_global_id
from schema.tables.recommendations import Response
from security.platform import PlatformKeys
from tests.clock import Clock
from tests.factories import (
    make_organisation,
    make_recommendation,
    make_review,
)
from tests.graphql import data, error_codes, execute
from tests.schema.recommendations.conftest import Work, reader

IDS = """
query($filter: RecommendationFilter) {
  recommendations(filter: $filter, first: 100) { nodes { id } }
}
"""


def gid(key: uuid.UUID) -> str:
    return to_global_id("Recommendation", key)


async def ids(
    client: httpx.AsyncClient, filter: dict[str, object], token: str | None = None
) -> list[str]:
    result = await data(client, IDS, {"filter": filter}, token=token)
    return [node["id"] for node in result["recommendations"]["nodes"]]


async def test_filters_on_what_a_recommendation_says(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Given recommendations to Kenya (Africa) and Nepal (Asia-Pacific) with varied tags
    kenya = await make_review(engine, "KEN", 48)
    nepal = await make_review(engine, "NPL", 51)
    death_penalty = await make_recommendation(
        engine,
        kenya,
        themes=["death-penalty"],
        recommending=["FRA"],
        affected=["persons-deprived-of-their-liberty"],
        goals=[16],
        targets=["16.3"],
        response=Response.NOTED,
        action_category=5,
    )
    girls = await make_recommendation(
        engine,
        kenya,
        themes=["rights-of-the-child", "womens-rights"],
        recommending=["BRA", "NPL"],
        affected=["women-girls"],
        goals=[5],
        targets=["5.3"],
        response=Response.SUPPORTED,
        action_category=4,
    )
    nepali = await make_recommendation(
        engine, nepal, "NPL", recommending=["KEN"], response=Response.SUPPORTED, action_category=2
    )
    # When filtering; then exactly the matching ones, in the order they were added
    assert await ids(client, {"regionalGroup": "AFRICA"}) == [gid(death_penalty), gid(girls)]
    assert await ids(client, {"states": ["NPL", "ke"]}) == [
        gid(death_penalty),
        gid(girls),
        gid(nepali),
    ]
    assert await ids(client, {"recommendingState": "FR"}) == [gid(death_penalty)]
    assert await ids(client, {"recommendingRegionalGroup": "ASIA_PACIFIC"}) == [gid(girls)]
    assert await ids(client, {"recommendingRegionalGroup": "AFRICA"}) == [gid(nepali)]
    assert await ids(client, {"responses": ["SUPPORTED"]}) == [gid(girls), gid(nepali)]
    assert await ids(client, {"actionCategories": [5, 2]}) == [gid(death_penalty), gid(nepali)]
    assert await ids(client, {"themes": ["womens-rights", "death-penalty"]}) == [
        gid(death_penalty),
        gid(girls),
    ]
    assert await ids(client, {"affectedPersons": ["women-girls"]}) == [gid(girls)]
    assert await ids(client, {"sdgGoals": [16]}) == [gid(death_penalty)]
    assert await ids(client, {"sdgTargets": ["5.3"]}) == [gid(girls)]
    # And fields combine: all of them must match
    assert await ids(client, {"responses": ["SUPPORTED"], "state": "KEN"}) == [gid(girls)]
    assert await ids(client, {"state": "KEN", "states": ["NPL"]}) == []
    assert await ids(client, {"themes": ["death-penalty"], "cycle": 3}) == []


@pytest.mark.parametrize(
    "filter",
    [
        {"states": ["KEN", "XXX"]},
        {"states": []},
        {"recommendingState": "Atlantis"},
        {"regionalGroup": "EUROPE"},  # enum values as variables: refused on coercion
        {"responses": ["MAYBE"]},
        {"actionCategories": [6]},
        {"themes": ["no-such-theme"]},
        {"affectedPersons": ["martians"]},
        {"sdgGoals": [18]},
        {"sdgTargets": ["16"]},
        {"implementationStatuses": ["DONE"]},
        {"engagedOrganisation": "not an id"},
        {"engagedOrganisation": to_global_id("Review", uuid.uuid4())},
        {"engagedCoalition": to_global_id("Organisation", uuid.uuid4())},
        {"themes": [f"theme-{i}" for i in range(101)]},
        {"search": "the of and"},
    ],
)
async def test_bad_values_are_bad_user_input(
    client: httpx.AsyncClient, filter: dict[str, object]
) -> None:
    body = await execute(client, IDS, {"filter": filter})
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body.get("data") is None


async def test_status_filter_uses_the_latest_assessment_the_viewer_may_see(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    work: Work,
) -> None:
    # Given X's public assessment, overtaken by a newer one only X may see
    x = await reader(engine, platform_keys, work.x, clock)
    outsider = await make_organisation(engine, "Outsider", vetted_partner=True)
    vetted = await reader(engine, platform_keys, outsider, clock)
    not_done = {"implementationStatuses": ["NOT_IMPLEMENTED"]}
    done = {"implementationStatuses": ["FULLY_IMPLEMENTED"]}
    # Then anonymous clients and other partners find it by the public status, as if the
    # newer assessment did not exist; X finds it by its own latest status only
    assert await ids(client, not_done) == [gid(work.assessed)]
    assert await ids(client, done) == []
    assert await ids(client, not_done, vetted) == [gid(work.assessed)]
    assert await ids(client, not_done, x) == []
    assert await ids(client, done, x) == [gid(work.assessed)]
    both = {"implementationStatuses": ["FULLY_IMPLEMENTED", "NOT_IMPLEMENTED"]}
    assert await ids(client, both, x) == [gid(work.assessed)]


async def test_follow_up_filters_see_only_visible_engagements(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    work: Work,
) -> None:
    x = await reader(engine, platform_keys, work.x, clock)
    unvetted_org = await make_organisation(engine, "Unvetted")
    unvetted = await reader(engine, platform_keys, unvetted_org, clock)
    y_id = to_global_id("Organisation", work.y)
    coalition_id = to_global_id("Coalition", work.coalition)
    everything = [gid(k) for k in (work.assessed, work.partners_only, work.coalition_work)]
    everything.append(gid(work.untouched))
    # Anonymous and unvetted clients see no engagement: nobody follows anything up
    assert await ids(client, {"followedUp": False}) == everything
    assert await ids(client, {"followedUp": True}, unvetted) == []
    assert await ids(client, {"engagedOrganisation": y_id}) == []
    # X, a vetted coalition member, sees both of Y's engagements
    assert await ids(client, {"followedUp": True}, x) == everything[1:3]
    assert await ids(client, {"followedUp": False}, x) == [everything[0], everything[3]]
    assert await ids(client, {"engagedOrganisation": y_id}, x) == everything[1:3]
    assert await ids(client, {"engagedCoalition": coalition_id}, x) == everything[1:3]
    # A coalition the viewer is not in answers like one nobody joined, not an error
    assert await ids(client, {"engagedCoalition": coalition_id}, unvetted) == []
    assert await ids(client, {"engagedCoalition": to_global_id("Coalition", new_id())}, x) == []
