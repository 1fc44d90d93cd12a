"""No N+1 across domains: a representative dashboard query, nesting recommendations,
their review's timeline with its activities, partners' work and related
recommendations, costs the same statements at page sizes 1, 10 and 100."""

from __future__ import annotations

import datetime as dt

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.tables.followup import ActivityKind
from security.sharing import Visibility
from tests.factories import (
    make_activity,
    make_assessment,
    make_engagement,
    make_organisation,
    make_pledge,
    make_recommendation,
    make_review,
)
from tests.graphql import data
from tests.statements import count_statements

DASHBOARD = """
query($first: Int!) {
  recommendations(first: $first, filter: {state: "KEN"}, orderBy: {field: SESSION}) {
    totalCount
    nodes {
      id text cycle state { name } recommendingStates { code } themes { name }
      affectedPersons { code } sdgGoals { number } sourceThemes links { documentSymbol }
      review {
        reviewDate
        timeline { kind date status activities { title organisers { name } } }
      }
      engagements { role organisation { name } }
      latestAssessments { status assessedOn organisation { name } }
      implementationStatuses
      relatedRecommendations { id cycle }
    }
  }
  activities(first: $first, filter: {state: "KEN"}) {
    nodes {
      title organisers { name } recommendations { id } review { reviewDate }
      pledges { amount { amount currency } organisation { name } }
      pledged { amount } fundingGap { amount }
    }
  }
}
"""


async def test_a_dashboard_query_costs_the_same_at_every_page_size(
    engine: AsyncEngine, app: Starlette, client: httpx.AsyncClient
) -> None:
    # Given 100 public recommendations to Kenya over two cycles, each followed up and
    # assessed, and 100 public activities with pledges
    ngo = await make_organisation(engine, "Kenya Human Rights Forum", public_profile=True)
    reviews = [
        await make_review(engine, "KEN", 35, dt.date(2020, 1, 22)),
        await make_review(engine, "KEN", 48, dt.date(2025, 1, 22)),
    ]
    recommendations = []
    for i in range(100):
        key = await make_recommendation(
            engine,
            reviews[i % 2],
            text=f"Protect human rights defenders in county {i}",
            themes=["human-rights-defenders"],
            recommending=["FRA", "BRA"],
            affected=["human-rights-defenders"],
            goals=[16],
        )
        await make_engagement(engine, key, ngo, Visibility.PUBLIC)
        await make_assessment(engine, key, ngo, Visibility.PUBLIC)
        recommendations.append(key)
    for i in range(100):
        activity = await make_activity(
            engine,
            ngo,
            Visibility.PUBLIC,
            kind=ActivityKind.CSO_STRATEGY_WORKSHOP,
            review=reviews[i % 2],
            recommendations=recommendations[i : i + 2],
        )
        await make_pledge(engine, activity, ngo, Visibility.PUBLIC)
    counts = {}
    for size in (1, 10, 100):
        # When an anonymous dashboard reads a page of each
        with count_statements(app.state.engine) as statements:
            result = await data(client, DASHBOARD, {"first": size})
        assert len(result["recommendations"]["nodes"]) == size
        assert len(result["activities"]["nodes"]) == size
        counts[size] = len(statements)
    # Then the statements are the same at every size: for recommendations the page, its
    # count, its four textual tags together and one per other relation (10), reviews and
    # their timelines' activities with organisers (3); for activities the page and one
    # per relation (5)
    assert counts == {1: 18, 10: 18, 100: 18}
