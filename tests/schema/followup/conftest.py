"""A follow-up world: a vetted national NGO and a vetted international partner in one
coalition, an unvetted NGO and a government, each with a signed-in member; and a
recommendation to Kenya for them to follow up."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.organisations import OrganisationKind
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import make_user, sign_in
from tests.clock import Clock
from tests.factories import make_coalition, make_organisation, make_recommendation, make_review
from tests.graphql import execute
from tests.principals import insert_token

NGO, PARTNER, UNVETTED, GOVERNMENT = "ngo", "partner", "unvetted", "government"
ANONYMOUS = "anonymous"

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
class FollowUpWorld:
    engine: AsyncEngine
    keys: PlatformKeys
    client: httpx.AsyncClient
    clock: Clock
    organisations: dict[str, uuid.UUID] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, str] = field(default_factory=dict)
    creators: dict[str, uuid.UUID] = field(default_factory=dict)
    coalition: str = ""
    recommendation: str = ""
    recommendation_key: uuid.UUID = field(default_factory=uuid.uuid4)

    async def add(
        self,
        who: str,
        name: str,
        kind: OrganisationKind,
        *,
        vetted: bool = False,
        public: bool = False,
    ) -> None:
        self.organisations[who] = await make_organisation(
            self.engine, name, kind, vetted_partner=vetted, public_profile=public
        )
        self.names[who] = name
        self.creators[who], email = await make_user(
            self.engine, self.keys, self.organisations[who], Role.MEMBER
        )
        self.sessions[who] = await sign_in(self.client, email)

    async def session(self, who: str, role: Role) -> str:
        """Another user of `who`'s organisation, signed in."""
        _, email = await make_user(self.engine, self.keys, self.organisations[who], role)
        return await sign_in(self.client, email)

    async def token(self, who: str, *scopes: str) -> str:
        """An API token of `who`'s organisation holding `scopes` (e.g. "engagements:write")."""
        _, secret = await insert_token(
            self.engine,
            self.organisations[who],
            self.creators[who],
            " ".join(scopes),
            self.clock.now,
        )
        return secret

    async def run(
        self, who: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """`query` as `who`: an organisation's member, "anonymous", or a bearer secret."""
        credentials = None if who == ANONYMOUS else self.sessions.get(who, who)
        return await execute(self.client, query, variables, token=credentials)

    async def payload(
        self, who: str, query: str, variables: dict[str, Any], name: str
    ) -> dict[str, Any]:
        """The mutation's payload; the call must not fail with a top-level error."""
        body = await self.run(who, query, variables)
        assert "errors" not in body, body["errors"]
        result: dict[str, Any] = body["data"][name]
        return result

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

    async def audit(self, who: str) -> list[tuple[str, str | None, dict[str, Any]]]:
        """(action, subject type, details) of the entries in `who`'s chain, in order."""
        table = AuditEvent.__table__.c
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(table.action, table.subject_type, table.details)
                .where(table.chain == f"org:{self.organisations[who]}")
                .order_by(table.sequence)
            )
            return [(row.action, row.subject_type, row.details) for row in rows]


@pytest.fixture
async def world(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> FollowUpWorld:
    world = FollowUpWorld(engine, platform_keys, client, clock)
    # The NGO and the partner show in the public directory, so readers of their PUBLIC
    # rows see who made them (the unvetted group does not: tests/schema/activities/
    # test_naming.py and test_engagements.py show what hiding changes).
    await world.add(
        NGO, "Kenya Rights Network", OrganisationKind.NATIONAL_NGO, vetted=True, public=True
    )
    await world.add(
        PARTNER, "Geneva Rights Watch", OrganisationKind.INTERNATIONAL_NGO, vetted=True, public=True
    )
    await world.add(UNVETTED, "Unvetted Group", OrganisationKind.NATIONAL_NGO)
    await world.add(GOVERNMENT, "Ministry of Justice", OrganisationKind.GOVERNMENT)
    coalition = await make_coalition(
        engine, world.organisations[NGO], [world.organisations[PARTNER]]
    )
    world.coalition = to_global_id("Coalition", coalition)
    review = await make_review(engine)
    world.recommendation_key = await make_recommendation(engine, review)
    world.recommendation = to_global_id("Recommendation", world.recommendation_key)
    return world
