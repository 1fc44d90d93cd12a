"""Assessing implementation: each assessment is a new row, so the history stays; an
organisation corrects or withdraws only its own, never another's."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import strawberry
from sqlalchemy import Table, insert
from strawberry.types import Info

from schema.context import Context
from schema.db import new_id
from schema.followup.common import (
    ImplementationStatusEnum,
    VisibilityEnum,
    author,
    recommendation_key,
    sharing,
    text,
    web_url,
)
from schema.followup.loaders import assessment_select
from schema.followup.types import Assessment
from schema.followup.writes import audit, delete_own, own_row, update_own
from schema.payloads import UserError, invalid, reports_user_errors
from schema.relay import to_global_id
from schema.tables.followup import Assessment as AssessmentTable
from schema.tables.followup import ImplementationStatus
from security.roles import Scope
from security.sharing import Visibility

EVIDENCE_LIMIT = 10_000
# The UPR's first session was in April 2008: an assessment cannot be older.
EARLIEST = dt.date(2008, 1, 1)
# A date is not in the future while it is already that day somewhere: UTC+14 is the
# time zone furthest ahead, so partners in the Pacific can record their today.
AHEAD_OF_UTC = dt.timedelta(hours=14)

_assessments = cast(Table, AssessmentTable.__table__)


@strawberry.type
class AssessmentPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    assessment: Assessment | None = None


@strawberry.type
class WithdrawAssessmentPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    withdrawn_assessment_id: strawberry.ID | None = None


def _assessed_on(context: Context, value: dt.date) -> dt.date:
    if value > (context.now() + AHEAD_OF_UTC).date():
        raise invalid("assessedOn", "An assessment cannot be dated in the future.")
    if value < EARLIEST:
        raise invalid("assessedOn", "An assessment cannot be dated before 2008.")
    return value


def _fields(
    context: Context,
    status: ImplementationStatus,
    assessed_on: dt.date,
    visibility: Visibility,
    evidence: str | None,
    source_url: str | None,
    coalition_id: strawberry.ID | None,
) -> dict[str, object]:
    """The checked columns of an assessment; the first problem is a userError."""
    return {
        "status": status,
        "assessed_on": _assessed_on(context, assessed_on),
        "evidence": text("evidence", evidence, EVIDENCE_LIMIT),
        "source_url": web_url("sourceUrl", source_url),
        "visibility": visibility,
        "coalition_id": sharing(context, visibility, coalition_id),
    }


def _details(recommendation: uuid.UUID, fields: dict[str, object]) -> dict[str, str]:
    """Metadata only: the evidence and its URL stay out of the audit."""
    details = {
        "recommendation": str(recommendation),
        "status": str(fields["status"]),
        "assessedOn": str(fields["assessed_on"]),
        "visibility": str(fields["visibility"]),
    }
    if fields["coalition_id"] is not None:
        details["coalition"] = str(fields["coalition_id"])
    return details


async def _payload(context: Context, key: uuid.UUID, owner: uuid.UUID) -> AssessmentPayload:
    """The assessment as written: the author's own row, read as the author."""
    c = _assessments.c
    rows = await context.fetch_all(
        assessment_select().where(c.id == key, c.owner_organisation_id == owner)
    )
    return AssessmentPayload(assessment=Assessment.from_row(rows[0], context) if rows else None)


@reports_user_errors(AssessmentPayload)
async def assess_implementation(
    info: Info[Context, None],
    recommendation_id: strawberry.ID,
    status: ImplementationStatusEnum,  # type: ignore[valid-type]
    assessed_on: dt.date,
    visibility: VisibilityEnum,  # type: ignore[valid-type]
    evidence: str | None = None,
    source_url: str | None = None,
    coalition_id: strawberry.ID | None = None,
) -> AssessmentPayload:
    context = info.context
    owner = author(context, Scope.ASSESSMENTS_WRITE)
    recommendation = await recommendation_key(context, recommendation_id)
    fields = _fields(context, status, assessed_on, visibility, evidence, source_url, coalition_id)
    key, now = new_id(), context.now()
    async with context.write() as connection:
        await connection.execute(
            insert(_assessments).values(
                id=key,
                recommendation_id=recommendation,
                owner_organisation_id=owner,
                created_at=now,
                updated_at=now,
                version=1,
                **fields,
            )
        )
        await audit(
            context,
            connection,
            owner,
            "assessment.created",
            ("Assessment", key),
            _details(recommendation, fields),
        )
    return await _payload(context, key, owner)


@reports_user_errors(AssessmentPayload)
async def update_assessment(
    info: Info[Context, None],
    assessment_id: strawberry.ID,
    status: ImplementationStatusEnum,  # type: ignore[valid-type]
    assessed_on: dt.date,
    visibility: VisibilityEnum,  # type: ignore[valid-type]
    version: int,
    evidence: str | None = None,
    source_url: str | None = None,
    coalition_id: strawberry.ID | None = None,
) -> AssessmentPayload:
    """Corrects one of your assessments, replacing every field; a stale `version`
    changes nothing (CONFLICT). A new finding is a new assessment."""
    context = info.context
    owner = author(context, Scope.ASSESSMENTS_WRITE)
    row = await own_row(context, _assessments, "Assessment", assessment_id, owner)
    fields = _fields(context, status, assessed_on, visibility, evidence, source_url, coalition_id)
    async with context.write() as connection:
        await update_own(
            connection,
            _assessments,
            row.id,
            owner,
            version,
            {**fields, "updated_at": context.now()},
        )
        await audit(
            context,
            connection,
            owner,
            "assessment.updated",
            ("Assessment", row.id),
            _details(row.recommendation_id, fields),
        )
    return await _payload(context, row.id, owner)


@reports_user_errors(WithdrawAssessmentPayload)
async def withdraw_assessment(
    info: Info[Context, None], assessment_id: strawberry.ID, version: int
) -> WithdrawAssessmentPayload:
    """Deletes one of your assessments (one recorded in error); your earlier ones, if
    any, count again. A stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = author(context, Scope.ASSESSMENTS_WRITE)
    row = await own_row(context, _assessments, "Assessment", assessment_id, owner)
    async with context.write() as connection:
        await delete_own(connection, _assessments, row.id, owner, version)
        await audit(
            context,
            connection,
            owner,
            "assessment.withdrawn",
            ("Assessment", row.id),
            {"recommendation": str(row.recommendation_id), "status": str(row.status)},
        )
    return WithdrawAssessmentPayload(withdrawn_assessment_id=to_global_id("Assessment", row.id))
