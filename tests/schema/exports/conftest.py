"""An export world: a vetted national NGO and a vetted international partner in one
coalition (both in the public directory), an unlisted unvetted NGO and a government,
each with a signed-in member; and a review of Kenya."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.followup import ImplementationStatus
from security.platform import PlatformKeys
from security.sharing import Visibility
from tests.clock import Clock
from tests.factories import make_assessment, make_coalition, make_recommendation, make_review
from tests.worlds import NGO, PARTNER, World

EXPORT = """
mutation($input: ExportRecommendationsInput!) {
  exportRecommendations(input: $input) {
    userErrors { field code message }
    export {
      format content count endCursor hasNextPage contactsIncluded recipient { id name }
    }
  }
}
"""


@dataclass
class ExportWorld(World):
    coalition: uuid.UUID = field(default_factory=uuid.uuid4)
    review: uuid.UUID = field(default_factory=uuid.uuid4)

    def organisation_id(self, who: str) -> str:
        return to_global_id("Organisation", self.organisations[who])

    async def recommendation(self, text: str | None = None, **more: Any) -> uuid.UUID:
        return await make_recommendation(self.engine, self.review, text=text, **more)

    async def assessment(
        self,
        recommendation: uuid.UUID,
        who: str,
        visibility: Visibility,
        status: ImplementationStatus = ImplementationStatus.PARTIALLY_IMPLEMENTED,
        **more: Any,
    ) -> uuid.UUID:
        coalition = self.coalition if visibility is Visibility.COALITION else None
        return await make_assessment(
            self.engine,
            recommendation,
            self.organisations[who],
            visibility,
            coalition,
            status=status,
            **more,
        )

    async def export(self, who: str, **given: Any) -> dict[str, Any]:
        """The export page `who` gets (the call must not fail)."""
        payload = await self.payload(who, EXPORT, {"input": given}, "exportRecommendations")
        assert payload["userErrors"] == [], payload["userErrors"]
        page: dict[str, Any] = payload["export"]
        return page

    async def exported(self, who: str, **given: Any) -> list[dict[str, Any]]:
        """The recommendations of a JSON export, by id."""
        page = await self.export(who, format="JSON", **given)
        rows: list[dict[str, Any]] = orjson.loads(page["content"])
        return rows


@pytest.fixture
async def world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> ExportWorld:
    world = ExportWorld(engine, platform_keys, client, clock)
    await world.add_cast()
    world.coalition = await make_coalition(
        engine, world.organisations[NGO], [world.organisations[PARTNER]]
    )
    world.review = await make_review(engine)
    return world
