"""The partners' work on Kenya's recommendations, at several sharing levels, shared by
the filter and statistics tests."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.tables.followup import ImplementationStatus
from security.platform import PlatformKeys
from security.roles import Role
from security.sharing import Visibility
from tests.accounts import make_user
from tests.clock import Clock
from tests.factories import (
    make_assessment,
    make_coalition,
    make_engagement,
    make_organisation,
    make_recommendation,
    make_review,
)
from tests.principals import insert_token


async def reader(
    engine: AsyncEngine, keys: PlatformKeys, organisation: uuid.UUID, clock: Clock
) -> str:
    """An API token of `organisation` that reads as it."""
    user, _ = await make_user(engine, keys, organisation, Role.MEMBER)
    _, secret = await insert_token(engine, organisation, user, "recommendations:read", clock.now)
    return secret


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
        Visibility.PUBLIC,
        status=ImplementationStatus.NOT_IMPLEMENTED,
        assessed_on=dt.date(2025, 3, 1),
    )
    await make_assessment(
        engine,
        assessed,
        x,
        Visibility.ORGANISATION,
        status=ImplementationStatus.FULLY_IMPLEMENTED,
        assessed_on=dt.date(2025, 9, 1),
    )
    await make_engagement(engine, partners_only, y, Visibility.PARTNERS)
    await make_engagement(engine, coalition_work, y, Visibility.COALITION, coalition)
    return Work(assessed, partners_only, coalition_work, untouched, x, y, coalition)
