"""The partners' work on Kenya's recommendations, at several sharing levels, shared by
the filter and statistics tests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id, utcnow
from schema.tables.followup import Assessment, ImplementationStatus
from security.sharing import Visibility
from tests.factories import (
    make_coalition,
    make_engagement,
    make_organisation,
    make_recommendation,
    make_review,
)


async def make_assessment(
    engine: AsyncEngine,
    recommendation: uuid.UUID,
    owner: uuid.UUID,
    status: ImplementationStatus,
    visibility: Visibility,
    assessed_on: dt.date,
    coalition: uuid.UUID | None = None,
) -> uuid.UUID:
    key, now = new_id(), utcnow()
    async with engine.begin() as connection:
        await connection.execute(
            insert(Assessment.__table__).values(
                id=key,
                recommendation_id=recommendation,
                owner_organisation_id=owner,
                visibility=visibility,
                coalition_id=coalition,
                status=status,
                assessed_on=assessed_on,
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
    return key


@dataclass
class Work:
    """Kenya's recommendations, and the partners' work on them at several levels."""

    assessed: uuid.UUID  # X: PUBLIC NOT_IMPLEMENTED, then a newer own-only FULLY_IMPLEMENTED
    partners_only: uuid.UUID  # Y engaged, for vetted partners
    coalition_work: uuid.UUID  # Y engaged, for the coalition of X and Y
    untouched: uuid.UUID
    x: uuid.UUID
    y: uuid.UUID
    coalition: uuid.UUID


@pytest.fixture
async def work(engine: AsyncEngine) -> Work:
    review = await make_review(engine, "KEN", 48)
    x = await make_organisation(engine, "Kenya Human Rights Forum", vetted_partner=True)
    y = await make_organisation(engine, "Defenders Network", vetted_partner=True)
    coalition = await make_coalition(engine, x, [y])
    assessed = await make_recommendation(engine, review)
    partners_only = await make_recommendation(engine, review)
    coalition_work = await make_recommendation(engine, review)
    untouched = await make_recommendation(engine, review)
    await make_assessment(
        engine,
        assessed,
        x,
        ImplementationStatus.NOT_IMPLEMENTED,
        Visibility.PUBLIC,
        dt.date(2025, 3, 1),
    )
    await make_assessment(
        engine,
        assessed,
        x,
        ImplementationStatus.FULLY_IMPLEMENTED,
        Visibility.ORGANISATION,
        dt.date(2025, 9, 1),
    )
    await make_engagement(engine, partners_only, y, Visibility.PARTNERS)
    await make_engagement(engine, coalition_work, y, Visibility.COALITION, coalition)
    return Work(assessed, partners_only, coalition_work, untouched, x, y, coalition)
