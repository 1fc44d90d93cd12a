"""Engaging on a recommendation: engage, update the engagement, disengage.

One engagement per (recommendation, organisation): engaging twice is a CONFLICT.
"""

from __future__ import annotations

import uuid
from typing import cast

import strawberry
from sqlalchemy import Table, select
from sqlalchemy.exc import IntegrityError
from strawberry.types import Info

from schema.context import Context
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
from schema.followup.writes import OwnRows, audit_details
from schema.payloads import UserError, conflict, reports_user_errors
from schema.relay import to_global_id
from schema.tables.followup import Engagement as EngagementTable
from schema.tables.followup import EngagementRole
from security.roles import Scope
from security.sharing import Visibility

NOTE_LIMIT = 2000

_engagements = cast(Table, EngagementTable.__table__)
_own = OwnRows(_engagements, "Engagement", Scope.ENGAGEMENTS_WRITE, engagement_select)
ALREADY = "Your organisation already engages on this recommendation: update that engagement."


@strawberry.type
class EngagementPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    engagement: Engagement | None = None


@strawberry.type
class DisengagePayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    disengaged_engagement_id: strawberry.ID | None = None


def _fields(
    context: Context,
    role: EngagementRole,
    visibility: Visibility,
    note: str | None,
    coalition_id: strawberry.ID | None,
) -> dict[str, object]:
    """The checked columns of an engagement; the first problem is a userError."""
    return {
        "role": role,
        "note": text("note", note, NOTE_LIMIT),
        "visibility": visibility,
        "coalition_id": sharing(context, visibility, coalition_id),
    }


def _details(recommendation: uuid.UUID, fields: dict[str, object]) -> dict[str, str]:
    """Metadata only: the note stays out of the audit."""
    return audit_details(recommendation, fields, role="role", visibility="visibility")


async def _payload(context: Context, key: uuid.UUID, owner: uuid.UUID) -> EngagementPayload:
    row = await _own.written(context, key, owner)
    return EngagementPayload(engagement=Engagement.from_row(row, context) if row else None)


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
    fields = _fields(context, role, visibility, note, coalition_id)
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
            key = await _own.create(
                context,
                connection,
                owner,
                {**fields, "recommendation_id": recommendation},
                "engagement.created",
                _details(recommendation, fields),
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
    owner, row = await _own.find(context, engagement_id)
    fields = _fields(context, role, visibility, note, coalition_id)
    details = _details(row.recommendation_id, fields)
    await _own.update(context, owner, row, version, fields, "engagement.updated", details)
    return await _payload(context, row.id, owner)


@reports_user_errors(DisengagePayload)
async def disengage(
    info: Info[Context, None], engagement_id: strawberry.ID, version: int
) -> DisengagePayload:
    """Ends the engagement (deleted); a stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner, row = await _own.find(context, engagement_id)
    details = {"recommendation": str(row.recommendation_id)}
    await _own.delete(context, owner, row, version, "engagement.deleted", details)
    return DisengagePayload(disengaged_engagement_id=to_global_id("Engagement", row.id))
