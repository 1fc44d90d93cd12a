"""Typed async factories: insert one row (and its links) with sensible defaults."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id, utcnow
from schema.recommendations.search import search_document
from schema.tables.followup import (
    Activity,
    ActivityKind,
    Assessment,
    Engagement,
    EngagementRole,
    FundingPledge,
    ImplementationStatus,
    PledgeStatus,
    activity_organisers,
    activity_recommendations,
)
from schema.tables.organisations import (
    Coalition,
    CoalitionMembership,
    MembershipStatus,
    Organisation,
    OrganisationKind,
)
from schema.tables.recommendations import (
    Mechanism,
    Recommendation,
    RecommendationLink,
    Response,
    recommendation_affected_persons,
    recommendation_sdg_goals,
    recommendation_sdg_targets,
    recommendation_source_themes,
    recommendation_themes,
    recommending_states,
)
from schema.tables.reviews import Review
from security.sharing import Visibility


def _stamps() -> dict[str, Any]:
    now = utcnow()
    return {"created_at": now, "updated_at": now, "version": 1}


async def make_organisation(
    engine: AsyncEngine,
    name: str | None = None,
    kind: OrganisationKind = OrganisationKind.NATIONAL_NGO,
    *,
    country: str | None = "KEN",
    vetted_partner: bool = False,
    public_profile: bool = False,
) -> uuid.UUID:
    key = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Organisation.__table__).values(
                id=key,
                name=name or f"Organisation {key.hex[-8:]}",
                kind=kind,
                country_code=country,
                vetted_partner=vetted_partner,
                public_profile=public_profile,
                **_stamps(),
            )
        )
    return key


async def make_coalition(
    engine: AsyncEngine, creator: uuid.UUID, members: Sequence[uuid.UUID] = ()
) -> uuid.UUID:
    key = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Coalition.__table__).values(
                id=key,
                name=f"Coalition {key.hex[-8:]}",
                created_by_organisation_id=creator,
                **_stamps(),
            )
        )
        for member in (creator, *members):
            await connection.execute(
                insert(CoalitionMembership.__table__).values(
                    id=new_id(),
                    coalition_id=key,
                    organisation_id=member,
                    status=MembershipStatus.ACTIVE,
                    invited_by_organisation_id=creator,
                    joined_at=utcnow(),
                    **_stamps(),
                )
            )
    return key


async def make_review(
    engine: AsyncEngine,
    state: str = "KEN",
    session: int = 48,
    review_date: dt.date = dt.date(2025, 1, 22),
) -> uuid.UUID:
    key = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Review.__table__).values(
                id=key,
                state_code=state,
                session_number=session,
                review_date=review_date,
                **_stamps(),
            )
        )
    return key


async def make_recommendation(
    engine: AsyncEngine,
    review: uuid.UUID | None,
    state: str = "KEN",
    text: str | None = None,
    *,
    themes: Sequence[str] = (),
    recommending: Sequence[str] = (),
    affected: Sequence[str] = (),
    goals: Sequence[int] = (),
    targets: Sequence[str] = (),
    source_themes: Sequence[str] = (),
    links: Sequence[tuple[str, str | None, uuid.UUID | None]] = (),
    response: Response | None = Response.SUPPORTED,
    action_category: int | None = 4,
) -> uuid.UUID:
    key = new_id()
    text = text or f"Take measures to ensure the follow-up of recommendation {key.hex[-8:]}"
    mechanism = Mechanism.UPR if review is not None else Mechanism.TREATY_BODY
    async with engine.begin() as connection:
        await connection.execute(
            insert(Recommendation.__table__).values(
                id=key,
                mechanism=mechanism,
                state_code=state,
                review_id=review,
                text=text,
                search_tokens=search_document(text),
                natural_key=hashlib.sha256(f"{review}|{text}".encode()).hexdigest(),
                response=response if review is not None else None,
                action_category=action_category,
                document_symbol=None if review is not None else f"CRC/C/{state}/CO/1",
                **_stamps(),
            )
        )
        tags = [
            (recommendation_themes, "theme_code", themes),
            (recommending_states, "state_code", recommending),
            (recommendation_affected_persons, "affected_person_code", affected),
            (recommendation_sdg_goals, "goal_number", goals),
            (recommendation_sdg_targets, "target_code", targets),
            (recommendation_source_themes, "name", source_themes),
        ]
        for table, column, values in tags:
            for value in values:
                await connection.execute(
                    insert(table).values(recommendation_id=key, **{column: value})
                )
        for symbol, paragraph, target in links:
            await connection.execute(
                insert(RecommendationLink.__table__).values(
                    id=new_id(),
                    recommendation_id=key,
                    target_id=target,
                    mechanism=Mechanism.TREATY_BODY,
                    document_symbol=symbol,
                    paragraph=paragraph,
                )
            )
    return key


async def make_engagement(
    engine: AsyncEngine,
    recommendation: uuid.UUID,
    owner: uuid.UUID,
    visibility: Visibility,
    coalition: uuid.UUID | None = None,
) -> uuid.UUID:
    key = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Engagement.__table__).values(
                id=key,
                recommendation_id=recommendation,
                owner_organisation_id=owner,
                visibility=visibility,
                coalition_id=coalition,
                role=EngagementRole.PARTNER,
                **_stamps(),
            )
        )
    return key


async def make_assessment(
    engine: AsyncEngine,
    recommendation: uuid.UUID,
    owner: uuid.UUID,
    visibility: Visibility,
    coalition: uuid.UUID | None = None,
    *,
    status: ImplementationStatus = ImplementationStatus.PARTIALLY_IMPLEMENTED,
    assessed_on: dt.date = dt.date(2026, 6, 1),
) -> uuid.UUID:
    key = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Assessment.__table__).values(
                id=key,
                recommendation_id=recommendation,
                owner_organisation_id=owner,
                visibility=visibility,
                coalition_id=coalition,
                status=status,
                evidence="A draft law is before parliament.",
                assessed_on=assessed_on,
                **_stamps(),
            )
        )
    return key


async def make_activity(
    engine: AsyncEngine,
    owner: uuid.UUID,
    visibility: Visibility,
    coalition: uuid.UUID | None = None,
    *,
    kind: ActivityKind = ActivityKind.CSO_STRATEGY_WORKSHOP,
    review: uuid.UUID | None = None,
    starts_on: dt.date = dt.date(2025, 3, 10),
    ends_on: dt.date | None = None,
    budget: tuple[int, str] | None = (1_500_000, "USD"),
    cancelled_at: dt.datetime | None = None,
    organisers: Sequence[uuid.UUID] = (),
    recommendations: Sequence[uuid.UUID] = (),
    country: str | None = None,
) -> uuid.UUID:
    """An activity (its owner among the organisers); `budget` in minor units."""
    key = new_id()
    budget_minor, currency = budget if budget is not None else (None, None)
    async with engine.begin() as connection:
        await connection.execute(
            insert(Activity.__table__).values(
                id=key,
                kind=kind,
                title="Strategy workshop",
                review_id=review,
                starts_on=starts_on,
                ends_on=ends_on,
                owner_organisation_id=owner,
                visibility=visibility,
                coalition_id=coalition,
                budget_minor=budget_minor,
                currency=currency,
                cancelled_at=cancelled_at,
                country_code=country,
                **_stamps(),
            )
        )
        for organiser in dict.fromkeys((owner, *organisers)):
            await connection.execute(
                insert(activity_organisers).values(activity_id=key, organisation_id=organiser)
            )
        for recommendation in recommendations:
            await connection.execute(
                insert(activity_recommendations).values(
                    activity_id=key, recommendation_id=recommendation
                )
            )
    return key


async def make_pledge(
    engine: AsyncEngine,
    activity: uuid.UUID,
    owner: uuid.UUID,
    visibility: Visibility,
    coalition: uuid.UUID | None = None,
    *,
    amount: tuple[int, str] = (500_000, "USD"),
    status: PledgeStatus = PledgeStatus.PLEDGED,
) -> uuid.UUID:
    """A pledge; `amount` in minor units."""
    key = new_id()
    async with engine.begin() as connection:
        await connection.execute(
            insert(FundingPledge.__table__).values(
                id=key,
                activity_id=activity,
                owner_organisation_id=owner,
                visibility=visibility,
                coalition_id=coalition,
                amount_minor=amount[0],
                currency=amount[1],
                status=status,
                **_stamps(),
            )
        )
    return key
