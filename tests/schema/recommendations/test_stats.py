"""`recommendationStats`: counts computed in SQL, over what the viewer may see."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.relay import to_global_id
from schema.tables.followup import ImplementationStatus
from schema.tables.recommendations import Response
from security.platform import PlatformKeys
from security.sharing import Visibility
from tests.clock import Clock
from tests.factories import make_assessment, make_recommendation, make_review
from tests.graphql import data, error_codes, execute
from tests.schema.recommendations.conftest import Work, reader
from tests.statements import count_statements

STATS = """
query($filter: RecommendationFilter) {
  recommendationStats(filter: $filter) {
    total
    byResponse { response count }
    byActionCategory { actionCategory count }
    byTheme { theme { code } count }
    byAffectedPersons { affectedPerson { code } count }
    byImplementationStatus { status count }
    notAssessed
    notFollowedUp
  }
}
"""


async def stats(
    client: httpx.AsyncClient, filter: dict[str, Any] | None = None, token: str | None = None
) -> dict[str, Any]:
    result: dict[str, Any] = (await data(client, STATS, {"filter": filter}, token=token))[
        "recommendationStats"
    ]
    return result


async def test_counts_by_what_recommendations_say(
    engine: AsyncEngine, client: httpx.AsyncClient
) -> None:
    # Given a review of Kenya with four recommendations, and one of Nepal
    kenya = await make_review(engine, "KEN", 48)
    await make_recommendation(
        engine, kenya, themes=["justice", "death-penalty"], affected=["children"]
    )
    await make_recommendation(
        engine, kenya, themes=["justice"], response=Response.NOTED, action_category=5
    )
    await make_recommendation(engine, kenya, response=Response.NOTED, action_category=None)
    await make_recommendation(engine, kenya, themes=["justice"], affected=["children", "media"])
    await make_recommendation(engine, await make_review(engine, "NPL", 51), "NPL")
    # When asking for the statistics of the review
    found = await stats(client, {"review": to_global_id("Review", kenya)})
    # Then each count covers that review only; tags most frequent first
    assert found["total"] == 4
    assert found["byResponse"] == [
        {"response": "NOTED", "count": 2},
        {"response": "SUPPORTED", "count": 2},
    ]
    assert found["byActionCategory"] == [
        {"actionCategory": 4, "count": 2},
        {"actionCategory": 5, "count": 1},
        {"actionCategory": None, "count": 1},
    ]
    assert found["byTheme"] == [
        {"theme": {"code": "justice"}, "count": 3},
        {"theme": {"code": "death-penalty"}, "count": 1},
    ]
    assert found["byAffectedPersons"] == [
        {"affectedPerson": {"code": "children"}, "count": 2},
        {"affectedPerson": {"code": "media"}, "count": 1},
    ]
    assert (found["notAssessed"], found["notFollowedUp"]) == (4, 4)
    # And by state, the same; over everything, both reviews
    assert (await stats(client, {"state": "KEN"}))["total"] == 4
    assert (await stats(client))["total"] == 5


async def test_work_counts_cover_visible_rows_only(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    work: Work,
) -> None:
    # Given Y disagreeing publicly with X's public assessment of the same recommendation
    await make_assessment(
        engine,
        work.assessed,
        work.y,
        Visibility.PUBLIC,
        status=ImplementationStatus.PARTIALLY_IMPLEMENTED,
        assessed_on=dt.date(2025, 4, 1),
    )
    x = await reader(engine, platform_keys, work.x, clock)
    # When anonymous clients and X ask
    anonymous = await stats(client, {"state": "KEN"})
    own = await stats(client, {"state": "KEN"}, x)
    # Then both statuses count (disagreement is never averaged away), each from the
    # latest assessment the viewer may see; X's own newer one replaces its public one
    assert anonymous["byImplementationStatus"] == [
        {"status": "NOT_IMPLEMENTED", "count": 1},
        {"status": "PARTIALLY_IMPLEMENTED", "count": 1},
    ]
    assert own["byImplementationStatus"] == [
        {"status": "FULLY_IMPLEMENTED", "count": 1},
        {"status": "PARTIALLY_IMPLEMENTED", "count": 1},
    ]
    assert (anonymous["notAssessed"], own["notAssessed"]) == (3, 3)
    # And engagements count only where the viewer sees them
    assert (anonymous["notFollowedUp"], own["notFollowedUp"]) == (4, 2)
    coalition = {"engagedCoalition": to_global_id("Coalition", work.coalition)}
    assert (await stats(client, coalition, x))["total"] == 2
    assert (await stats(client, coalition))["total"] == 0


async def test_each_count_is_one_statement_and_bad_filters_are_refused(
    engine: AsyncEngine, app: Starlette, client: httpx.AsyncClient, work: Work
) -> None:
    # Given every count selected, then one aggregate statement each
    with count_statements(app.state.engine) as statements:
        await stats(client, {"state": "KEN"})
    assert len(statements) == 8
    # And a bad filter is refused before any count runs
    body = await execute(client, STATS, {"filter": {"themes": ["nonsense"]}})
    assert error_codes(body) == ["BAD_USER_INPUT"]
