"""A reporting world: Kenya's review in cycle 3 and partners' work on it at every
sharing level. The vetted NGO, the vetted partner and the government are active in
one coalition; the partner and the unvetted group in another. The NGO and the partner
show in the public directory, the others do not."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.followup import Assessment
from schema.tables.recommendations import Recommendation
from security.platform import PlatformKeys
from tests.clock import Clock
from tests.factories import make_coalition, make_recommendation, make_review
from tests.worlds import GOVERNMENT, NGO, PARTNER, UNVETTED, World

REVIEW_DATE = dt.date(2020, 1, 22)  # Kenya, session 35

REPORT = """
query($state: String!, $cycle: Int!, $audience: ReportAudienceInput) {
  midtermReport(state: $state, cycle: $cycle, audience: $audience) {
    state { code } cycle session { number } reviewDate midtermDate generatedAt
    audience { kind coalitionName }
    recommendations {
      id paragraph text response responseWording actionCategory
      themes { code } recommendingStates { code }
      latestAssessments { organisation { name } status assessedOn evidence sourceUrl }
      implementationStatuses
    }
    summary {
      recommendations byResponse { response count }
      byImplementationStatus { status count } notAssessed
    }
    statusByTheme {
      theme { code } recommendations byImplementationStatus { status count } notAssessed
    }
    activitiesHeld { title kind startsOn endsOn organisers { name } }
  }
}
"""


@dataclass
class ReportWorld(World):
    coalition: str = ""
    other_coalition: str = ""
    coalition_keys: dict[str, uuid.UUID] = field(default_factory=dict)
    review: uuid.UUID = field(default_factory=uuid.uuid4)

    async def recommendation(
        self, paragraph: str | None, text: str | None = None, **tags: Any
    ) -> uuid.UUID:
        key = await make_recommendation(self.engine, self.review, text=text, **tags)
        async with self.engine.begin() as connection:
            await connection.execute(
                update(Recommendation).where(Recommendation.id == key).values(paragraph=paragraph)
            )
        return key

    async def evidence(self, assessment: uuid.UUID, text: str, url: str | None = None) -> None:
        async with self.engine.begin() as connection:
            await connection.execute(
                update(Assessment)
                .where(Assessment.id == assessment)
                .values(evidence=text, source_url=url)
            )

    async def body(
        self, who: str, audience: dict[str, Any] | None = None, state: str = "KEN", cycle: int = 3
    ) -> dict[str, Any]:
        variables = {"state": state, "cycle": cycle, "audience": audience}
        return await self.run(who, REPORT, variables)

    async def report(self, who: str, audience: dict[str, Any] | None = None) -> dict[str, Any]:
        """The report as `who` makes it; the call must not fail."""
        body = await self.body(who, audience)
        assert "errors" not in body, body["errors"]
        report: dict[str, Any] = body["data"]["midtermReport"]
        return report


@pytest.fixture
async def world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> ReportWorld:
    world = ReportWorld(engine, platform_keys, client, clock)
    await world.add_cast()
    org = world.organisations
    world.coalition_keys = {
        "coalition": await make_coalition(engine, org[NGO], [org[PARTNER], org[GOVERNMENT]]),
        "other": await make_coalition(engine, org[PARTNER], [org[UNVETTED]]),
    }
    world.coalition = to_global_id("Coalition", world.coalition_keys["coalition"])
    world.other_coalition = to_global_id("Coalition", world.coalition_keys["other"])
    world.review = await make_review(engine, "KEN", 35, REVIEW_DATE)
    return world
