"""Engaging on a recommendation: engage, update the engagement, disengage.

One engagement per (recommendation, organisation): engaging twice is a CONFLICT.
"""

from __future__ import annotations

import uuid
from typing import cast

import strawberry
from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from schema.context import Context
from schema.db import new_id
from schema.followup.common import (
    EngagementRoleEnum,
    VisibilityEnum,
    author,
    recommendation_key,
    sharing,
    text,
)
from schema.followup.loaders import engagement_select
from schema.followup.types import Engagement
from schema.followup.writes import audit, delete_own, own_row, update_own
from schema.payloads import UserError, conflict, reports_user_errors
from schema.relay import to_global_id
from schema.tables.followup import Engagement as EngagementTable
from schema.tables.followup import EngagementRole
from security.roles import Scope
from security.sharing import Visibility

NOTE_LIMIT = 2000

_engagements = cast(Table, EngagementTable.__table__)
ALREADY = "Your organisation already engages on this recommendation: update that engagement."


@strawberry.type
class EngagementPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    engagement: Engagement | None = None


@strawberry.type
class DisengagePayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    disengaged_engagement_id: strawberry.ID | None = None


def _details(
    recommendation: uuid.UUID,
    role: EngagementRole,
    visibility: Visibility,
    coalition: uuid.UUID | None,
) -> dict[str, str]:
    details = {
        "recommendation": str(recommendation),
        "role": role.value,
        "visibility": visibility.value,
    }
    if coalition is not None:
        details["coalition"] = str(coalition)
    return details


async def _payload(context: Context, key: uuid.UUID, owner: uuid.UUID) -> EngagementPayload:
    """The engagement as written: the author's own row, read as the author."""
    c = _engagements.c
    rows = await context.fetch_all(
        engagement_select().where(c.id == key, c.owner_organisation_id == owner)
    )
    return EngagementPayload(engagement=Engagement.from_row(rows[0], context) if rows else None)


@reports_user_errors(EngagementPayload)
async def engage(
    info: Info[Context, None],
    recommendation_id: strawberry.ID,
    role: EngagementRoleEnum,  # type: ignore[valid-type]
    visibility: VisibilityEnum,  # type: ignore[valid-type]
    note: str | None = None,
    coalition_id: strawberry.ID | None = None,
) -> EngagementPayload:
    context = info.context
    owner = author(context, Scope.ENGAGEMENTS_WRITE)
    recommendation = await recommendation_key(context, recommendation_id)
    checked_note = text("note", note, NOTE_LIMIT)
    coalition = sharing(context, visibility, coalition_id)
    key, now = new_id(), context.now()
    c = _engagements.c
    try:
        async with context.write() as connection:
            existing = await connection.scalar(
                select(c.id).where(
                    c.recommendation_id == recommendation, c.owner_organisation_id == owner
                )
            )
            if existing is not None:
                raise conflict(ALREADY, field="recommendationId")
            await connection.execute(
                insert(_engagements).values(
                    id=key,
                    recommendation_id=recommendation,
                    owner_organisation_id=owner,
                    role=role,
                    note=checked_note,
                    visibility=visibility,
                    coalition_id=coalition,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await audit(
                context,
                connection,
                owner,
                "engagement.created",
                ("Engagement", key),
                _details(recommendation, role, visibility, coalition),
            )
    except IntegrityError:  # the same engagement made at the same moment
        raise conflict(ALREADY, field="recommendationId") from None
    return await _payload(context, key, owner)


@reports_user_errors(EngagementPayload)
async def update_engagement(
    info: Info[Context, None],
    engagement_id: strawberry.ID,
    role: EngagementRoleEnum,  # type: ignore[valid-type]
    visibility: VisibilityEnum,  # type: ignore[valid-type]
    version: int,
    note: str | None = None,
    coalition_id: strawberry.ID | None = None,
) -> EngagementPayload:
    """Replaces role, note and sharing; a stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = author(context, Scope.ENGAGEMENTS_WRITE)
    row = await own_row(context, _engagements, "Engagement", engagement_id, owner)
    checked_note = text("note", note, NOTE_LIMIT)
    coalition = sharing(context, visibility, coalition_id)
    values = {"role": role, "note": checked_note, "visibility": visibility}
    async with context.write() as connection:
        await update_own(
            connection,
            _engagements,
            row.id,
            owner,
            version,
            {**values, "coalition_id": coalition, "updated_at": context.now()},
        )
        await audit(
            context,
            connection,
            owner,
            "engagement.updated",
            ("Engagement", row.id),
            _details(row.recommendation_id, role, visibility, coalition),
        )
    return await _payload(context, row.id, owner)


@reports_user_errors(DisengagePayload)
async def disengage(
    info: Info[Context, None], engagement_id: strawberry.ID, version: int
) -> DisengagePayload:
    """Ends the engagement (deleted); a stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = author(context, Scope.ENGAGEMENTS_WRITE)
    row = await own_row(context, _engagements, "Engagement", engagement_id, owner)
    async with context.write() as connection:
        await delete_own(connection, _engagements, row.id, owner, version)
        await audit(
            context,
            connection,
            owner,
            "engagement.deleted",
            ("Engagement", row.id),
            {"recommendation": str(row.recommendation_id)},
        )
    return DisengagePayload(disengaged_engagement_id=to_global_id("Engagement", row.id))
