"""An activities world: a vetted national NGO and a vetted international partner (with a
public profile) in one coalition with a government, and an unvetted NGO outside it,
each with a signed-in member; Kenya's review at session 48 with two of its
recommendations."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.followup import (
    Activity,
    FundingPledge,
    activity_organisers,
    activity_recommendations,
)
from security.platform import PlatformKeys
from tests.clock import Clock
from tests.factories import make_coalition, make_recommendation, make_review
from tests.worlds import GOVERNMENT, NGO, PARTNER, World

ACTIVITY_FIELDS = """
  id kind title description startsOn endsOn city stage cancelledAt visibility version
  country { code } budget { amount currency } pledged { amount currency }
  fundingGap { amount currency } organisation { name } organisers { name }
  recommendations { id } review { id } coalition { name }
  pledges { id amount { amount currency } status organisation { name } }
"""
PLEDGE_FIELDS = """
  id amount { amount currency } status visibility version organisation { name }
  activity { id }
"""
CREATE = f"""
mutation($input: ActivityInput!) {{
  createActivity(input: $input) {{
    userErrors {{ field code message }} activity {{ {ACTIVITY_FIELDS} }}
  }}
}}
"""
UPDATE = f"""
mutation($id: ID!, $version: Int!, $input: ActivityInput!) {{
  updateActivity(activityId: $id, version: $version, input: $input) {{
    userErrors {{ field code message }} activity {{ {ACTIVITY_FIELDS} }}
  }}
}}
"""
CANCEL = f"""
mutation($id: ID!, $version: Int!) {{
  cancelActivity(activityId: $id, version: $version) {{
    userErrors {{ field code message }} activity {{ {ACTIVITY_FIELDS} }}
  }}
}}
"""
PLEDGE = f"""
mutation($activity: ID!, $input: PledgeInput!) {{
  pledgeFunding(activityId: $activity, input: $input) {{
    userErrors {{ field code message }} pledge {{ {PLEDGE_FIELDS} }}
  }}
}}
"""
UPDATE_PLEDGE = f"""
mutation($id: ID!, $version: Int!, $input: PledgeInput!) {{
  updatePledge(pledgeId: $id, version: $version, input: $input) {{
    userErrors {{ field code message }} pledge {{ {PLEDGE_FIELDS} }}
  }}
}}
"""
NODE = f"""
query($id: ID!) {{
  node(id: $id) {{
    __typename id
    ... on Activity {{ {ACTIVITY_FIELDS} }}
    ... on FundingPledge {{ {PLEDGE_FIELDS} }}
  }}
}}
"""


@dataclass
class ActivityWorld(World):
    coalition_key: uuid.UUID = field(default_factory=uuid.uuid4)
    review_key: uuid.UUID = field(default_factory=uuid.uuid4)
    recommendation_keys: list[uuid.UUID] = field(default_factory=list)

    @property
    def coalition(self) -> str:
        return to_global_id("Coalition", self.coalition_key)

    @property
    def review(self) -> str:
        return to_global_id("Review", self.review_key)

    @property
    def recommendations(self) -> list[str]:
        return [to_global_id("Recommendation", key) for key in self.recommendation_keys]

    def organisation(self, who: str) -> str:
        return to_global_id("Organisation", self.organisations[who])

    def activity_input(self, **changes: Any) -> dict[str, Any]:
        """A valid activity: Kenya's strategy workshop, with a budget of 15,000 USD."""
        return {
            "kind": "CSO_STRATEGY_WORKSHOP",
            "title": "CSO strategy workshop on Kenya's fourth-cycle recommendations",
            "description": "Partners agree on priorities and share the work.",
            "reviewId": self.review,
            "startsOn": "2027-03-10",
            "endsOn": "2027-03-11",
            "city": "Nairobi",
            "country": "KEN",
            "budget": {"amount": "15000", "currency": "USD"},
            "organisers": [self.organisation(PARTNER)],
            "recommendations": self.recommendations,
            "visibility": "PARTNERS",
            **changes,
        }

    async def create(self, who: str = NGO, **changes: Any) -> dict[str, Any]:
        """A created activity (the payload's `activity`); must succeed."""
        payload = await self.payload(
            who, CREATE, {"input": self.activity_input(**changes)}, "createActivity"
        )
        assert payload["userErrors"] == [], payload["userErrors"]
        activity: dict[str, Any] = payload["activity"]
        return activity

    async def pledge(
        self, who: str, activity: str, amount: str = "5000", **changes: Any
    ) -> dict[str, Any]:
        """The pledgeFunding payload."""
        given = {"amount": {"amount": amount, "currency": "USD"}, "visibility": "PARTNERS"}
        variables = {"activity": activity, "input": {**given, **changes}}
        return await self.payload(who, PLEDGE, variables, "pledgeFunding")

    async def node(self, who: str, global_id: str) -> dict[str, Any] | None:
        body = await self.run(who, NODE, {"id": global_id})
        assert "errors" not in body, body["errors"]
        node: dict[str, Any] | None = body["data"]["node"]
        return node

    async def stored(self) -> list[Any]:
        """Everything activity mutations write, to compare before and after."""
        tables = (Activity.__table__, FundingPledge.__table__)
        links = (activity_organisers, activity_recommendations)
        async with self.engine.connect() as connection:
            rows = [
                sorted((await connection.execute(select(table))).all(), key=str)
                for table in (*tables, *links)
            ]
            rows.append((await connection.execute(select(func.count(AuditEvent.id)))).all())
            return rows


@pytest.fixture
async def world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> ActivityWorld:
    world = ActivityWorld(engine, platform_keys, client, clock)
    await world.add_cast(ngo_public=False)
    world.coalition_key = await make_coalition(
        engine,
        world.organisations[NGO],
        [world.organisations[PARTNER], world.organisations[GOVERNMENT]],
    )
    world.review_key = await make_review(engine)
    world.recommendation_keys = [
        await make_recommendation(engine, world.review_key) for _ in range(2)
    ]
    return world
