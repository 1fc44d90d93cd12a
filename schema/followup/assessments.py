"""Assessing implementation: each assessment is a new row, so the history stays; an
organisation corrects or withdraws only its own, never another's."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

import strawberry
from sqlalchemy import Table
from strawberry.types import Info

from schema.context import Context
from schema.followup.common import (
    EARLIEST,
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
from schema.followup.writes import OwnRows, audit_details
from schema.payloads import UserError, invalid, reports_user_errors
from schema.relay import to_global_id
from schema.tables.followup import Assessment as AssessmentTable
from schema.tables.followup import ImplementationStatus
from security.roles import Scope
from security.sharing import Visibility

EVIDENCE_LIMIT = 10_000
# A date is not in the future while it is already that day somewhere: UTC+14 is the
# time zone furthest ahead, so partners in the Pacific can record their today.
AHEAD_OF_UTC = dt.timedelta(hours=14)

_assessments = cast(Table, AssessmentTable.__table__)
_own = OwnRows(_assessments, "Assessment", Scope.ASSESSMENTS_WRITE, assessment_select)


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
    return audit_details(
        recommendation, fields, status="status", assessedOn="assessed_on", visibility="visibility"
    )


async def _payload(context: Context, key: uuid.UUID, owner: uuid.UUID) -> AssessmentPayload:
    row = await _own.written(context, key, owner)
    return AssessmentPayload(assessment=Assessment.from_row(row, context) if row else None)


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
    async with context.write() as connection:
        key = await _own.create(
            context,
            connection,
            owner,
            {**fields, "recommendation_id": recommendation},
            "assessment.created",
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
    owner, row = await _own.find(context, assessment_id)
    fields = _fields(context, status, assessed_on, visibility, evidence, source_url, coalition_id)
    details = _details(row.recommendation_id, fields)
    await _own.update(context, owner, row, version, fields, "assessment.updated", details)
    return await _payload(context, row.id, owner)


@reports_user_errors(WithdrawAssessmentPayload)
async def withdraw_assessment(
    info: Info[Context, None], assessment_id: strawberry.ID, version: int
) -> WithdrawAssessmentPayload:
    """Deletes one of your assessments (one recorded in error); your earlier ones, if
    any, count again. A stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner, row = await _own.find(context, assessment_id)
    details = {"recommendation": str(row.recommendation_id), "status": str(row.status)}
    await _own.delete(context, owner, row, version, "assessment.withdrawn", details)
    return WithdrawAssessmentPayload(withdrawn_assessment_id=to_global_id("Assessment", row.id))
