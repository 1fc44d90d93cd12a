"""A follow-up world: a vetted national NGO and a vetted international partner in one
coalition, an unvetted NGO and a government, each with a signed-in member; and a
recommendation to Kenya for them to follow up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from security.platform import PlatformKeys
from tests.clock import Clock
from tests.factories import make_coalition, make_recommendation, make_review
from tests.worlds import NGO, PARTNER, World

ENGAGEMENT_FIELDS = """
  id role note visibility version createdAt updatedAt
  organisation { name } coalition { name } recommendation { id }
"""
ASSESSMENT_FIELDS = """
  id status assessedOn evidence sourceUrl visibility version
  organisation { name } coalition { name } recommendation { id }
"""
ENGAGE = f"""
mutation($recommendation: ID!, $role: EngagementRole!, $visibility: Visibility!,
         $note: String, $coalition: ID) {{
  engage(recommendationId: $recommendation, role: $role, visibility: $visibility,
         note: $note, coalitionId: $coalition) {{
    userErrors {{ field code message }} engagement {{ {ENGAGEMENT_FIELDS} }}
  }}
}}
"""
ASSESS = f"""
mutation($recommendation: ID!, $status: ImplementationStatus!, $assessedOn: Date!,
         $visibility: Visibility!, $evidence: String, $sourceUrl: String, $coalition: ID) {{
  assessImplementation(recommendationId: $recommendation, status: $status,
                       assessedOn: $assessedOn, visibility: $visibility, evidence: $evidence,
                       sourceUrl: $sourceUrl, coalitionId: $coalition) {{
    userErrors {{ field code message }} assessment {{ {ASSESSMENT_FIELDS} }}
  }}
}}
"""
FOLLOW_UP = """
query($id: ID!) {
  node(id: $id) {
    ... on Recommendation {
      engagements { role visibility organisation { name } }
      assessments { status assessedOn organisation { name } }
      latestAssessments { status assessedOn organisation { name } }
      implementationStatuses
    }
  }
}
"""


@dataclass
class FollowUpWorld(World):
    coalition: str = ""
    recommendation: str = ""
    recommendation_key: uuid.UUID = field(default_factory=uuid.uuid4)

    async def engage(self, who: str, visibility: str = "PUBLIC", **more: Any) -> dict[str, Any]:
        variables = {
            "recommendation": self.recommendation,
            "role": "LEAD",
            "visibility": visibility,
            **more,
        }
        return await self.payload(who, ENGAGE, variables, "engage")

    async def assess(
        self, who: str, status: str, assessed_on: str, visibility: str = "PUBLIC", **more: Any
    ) -> dict[str, Any]:
        variables = {
            "recommendation": self.recommendation,
            "status": status,
            "assessedOn": assessed_on,
            "visibility": visibility,
            **more,
        }
        return await self.payload(who, ASSESS, variables, "assessImplementation")

    async def follow_up(self, who: str, recommendation: str | None = None) -> dict[str, Any]:
        """The recommendation's follow-up fields as `who` sees them."""
        body = await self.run(who, FOLLOW_UP, {"id": recommendation or self.recommendation})
        assert "errors" not in body, body["errors"]
        node: dict[str, Any] = body["data"]["node"]
        return node


@pytest.fixture
async def world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> FollowUpWorld:
    return await follow_up_world(engine, platform_keys, client, clock)


async def follow_up_world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> FollowUpWorld:
    """The follow-up world (for other directories' fixtures too)."""
    world = FollowUpWorld(engine, platform_keys, client, clock)
    # The NGO and the partner show in the public directory, so readers of their PUBLIC
    # rows see who made them (the unvetted group does not: tests/schema/activities/
    # test_naming.py and test_engagements.py show what hiding changes).
    await world.add_cast()
    coalition = await make_coalition(
        engine, world.organisations[NGO], [world.organisations[PARTNER]]
    )
    world.coalition = to_global_id("Coalition", coalition)
    review = await make_review(engine)
    world.recommendation_key = await make_recommendation(engine, review)
    world.recommendation = to_global_id("Recommendation", world.recommendation_key)
    return world
