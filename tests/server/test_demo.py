"""`upright demo`: a realistic world, loaded all at once, only into an empty database."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.registry.model import RiskLevel
from schema.tables.accounts import RevealGrant
from schema.tables.audit import AuditEvent
from schema.tables.followup import Activity, FundingPledge
from schema.tables.organisations import (
    CoalitionMembership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
)
from schema.tables.recommendations import Recommendation
from schema.tables.registry import Contact, ContactShare
from schema.tables.reviews import Review
from security.sharing import Visibility
from server.demo.contacts import CONTACTS
from server.demo.load import DemoRefused, load_demo
from server.settings import Environment, Settings
from tests.factories import make_organisation
from tests.graphql import data


@pytest.fixture
def development(settings: Settings) -> Settings:
    """The demo runs in development only."""
    return settings.model_copy(update={"env": Environment.DEVELOPMENT})


# From most to least visible: a pledge may never rank before its activity.
RANK = {
    Visibility.PUBLIC: 0,
    Visibility.PARTNERS: 1,
    Visibility.COALITION: 2,
    Visibility.ORGANISATION: 3,
}


async def _count(engine: AsyncEngine, table: type) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


async def test_demo_loads_once(development: Settings, engine: AsyncEngine) -> None:
    summary = await load_demo(development)
    assert summary.startswith("demo loaded: 12 reviews, ")
    recommendations = await _count(engine, Recommendation)
    assert recommendations >= 300
    async with engine.connect() as connection:
        kinds = set((await connection.scalars(select(Organisation.kind))).all())
        governments_vetted = await connection.scalar(
            select(func.count()).where(
                Organisation.kind == OrganisationKind.GOVERNMENT, Organisation.vetted_partner
            )
        )
        reviewed = set((await connection.scalars(select(Review.state_code))).all())
    assert kinds == set(OrganisationKind)
    assert governments_vetted == 0
    assert reviewed == {"ARM", "KEN", "MNG", "MWI", "RWA", "NPL"}
    # Running it again changes nothing.
    assert await load_demo(development) == "demo data already loaded"
    assert await _count(engine, Recommendation) == recommendations


async def test_demo_respects_the_sharing_rules(development: Settings, engine: AsyncEngine) -> None:
    await load_demo(development)
    async with engine.connect() as connection:
        pledges = (
            await connection.execute(
                select(FundingPledge.visibility, Activity.visibility).join(
                    Activity, Activity.id == FundingPledge.activity_id
                )
            )
        ).all()
        coalition_rows = (
            await connection.execute(
                select(Activity.owner_organisation_id, Activity.coalition_id).where(
                    Activity.visibility == Visibility.COALITION
                )
            )
        ).all()
        active = {
            (row.organisation_id, row.coalition_id)
            for row in await connection.execute(
                select(CoalitionMembership.organisation_id, CoalitionMembership.coalition_id).where(
                    CoalitionMembership.status == MembershipStatus.ACTIVE
                )
            )
        }
    assert pledges
    assert all(RANK[pledge] >= RANK[activity] for pledge, activity in pledges)
    assert all((owner, coalition) in active for owner, coalition in coalition_rows)


async def test_demo_refuses_a_database_with_other_data(
    development: Settings, engine: AsyncEngine
) -> None:
    await make_organisation(engine, "A real organisation")
    with pytest.raises(DemoRefused, match="only into an empty database"):
        await load_demo(development)
    assert await _count(engine, Recommendation) == 0


async def test_demo_is_useful_through_graphql(
    development: Settings, client: httpx.AsyncClient
) -> None:
    await load_demo(development)
    result = await data(
        client,
        """{
          recommendations(filter: {state: "KEN", cycle: 4}, first: 100) {
            totalCount nodes { recommendingStates { code } themes { code } }
          }
          organisations(first: 100) { totalCount }
        }""",
    )
    kenya = result["recommendations"]
    assert kenya["totalCount"] >= 20
    assert all(node["recommendingStates"] and node["themes"] for node in kenya["nodes"])
    assert 0 < result["organisations"]["totalCount"] < 16  # only the public profiles


async def test_the_demo_refuses_production(settings: Settings, engine: AsyncEngine) -> None:
    # It creates accounts with a published password: never outside development.
    with pytest.raises(DemoRefused, match="development only"):
        await load_demo(settings)
    assert await _count(engine, Recommendation) == 0


async def test_demo_keeps_contacts_of_every_risk_level(
    development: Settings, engine: AsyncEngine
) -> None:
    await load_demo(development)
    async with engine.connect() as connection:
        contacts = await connection.scalar(select(func.count()).select_from(Contact))
        shares = await connection.scalar(select(func.count()).select_from(ContactShare))
        grants = await connection.scalar(select(func.count()).select_from(RevealGrant))
        recorded = await connection.scalar(
            select(func.count()).where(AuditEvent.action == "contact.shared")
        )
    assert (contacts, shares, grants) == (8, 3, 2)
    assert recorded == shares  # every share has its audit entry, as through the API
    assert {person.risk for person in CONTACTS} == set(RiskLevel)
