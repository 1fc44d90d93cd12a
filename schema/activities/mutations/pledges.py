"""Pledging money to an activity, and updating the pledge (versioned).

Any author may pledge to an activity it may see that is not cancelled, in the budget's
currency; only the pledging organisation changes its pledge. Received money stays
received.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

import strawberry
from sqlalchemy import Row, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from schema.activities.inputs import PledgeInput, check_pledge
from schema.activities.loaders import activities, pledge_select, pledge_writable, writable
from schema.activities.types import FundingPledge
from schema.context import Context
from schema.db import new_id
from schema.errors import NotFound
from schema.followup.common import author
from schema.followup.writes import audit, update_own
from schema.node import uuid_key
from schema.payloads import UserError, conflict, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.followup import FundingPledge as PledgeTable
from schema.tables.followup import PledgeStatus
from security.policy import NotAllowed
from security.roles import Scope

_pledges = cast(Table, PledgeTable.__table__)
_a, _p = activities.c, _pledges.c


@strawberry.type
class PledgePayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    pledge: FundingPledge | None = None


async def _pledge_payload(context: Context, key: uuid.UUID, owner: uuid.UUID) -> PledgePayload:
    rows = await context.fetch_all(
        pledge_select().where(_p.id == key, pledge_writable(context.viewer, owner))
    )
    return PledgePayload(pledge=FundingPledge.from_row(rows[0], context) if rows else None)


def _details(activity: uuid.UUID, values: dict[str, object]) -> dict[str, str]:
    details = {
        "activity": str(activity),
        "status": str(values["status"]),
        "visibility": str(values["visibility"]),
    }
    if values["coalition_id"] is not None:
        details["coalition"] = str(values["coalition_id"])
    return details


async def _activity(context: Context, activity_id: strawberry.ID, owner: uuid.UUID) -> Row[Any]:
    key = uuid_key(expect_global_id(activity_id, "Activity"))
    rows = await context.fetch_all(
        select(_a.id, _a.currency, _a.cancelled_at).where(
            _a.id == key, writable(context.viewer, owner)
        )
    )
    if not rows:
        raise NotFound("No such activity.")
    return rows[0]


async def _own_pledge(context: Context, pledge_id: strawberry.ID, owner: uuid.UUID) -> Row[Any]:
    """The pledge, if `owner` made it. Another's is NOT_FOUND when the writer may not
    see it (or its activity), FORBIDDEN when it may."""
    key = uuid_key(expect_global_id(pledge_id, "FundingPledge"))
    rows = await context.fetch_all(
        select(_p.id, _p.owner_organisation_id, _p.activity_id, _p.status, _a.currency)
        .select_from(_pledges.join(activities, _a.id == _p.activity_id))
        .where(_p.id == key, pledge_writable(context.viewer, owner))
    )
    if not rows:
        raise NotFound("No such pledge.")
    if rows[0].owner_organisation_id != owner:
        raise NotAllowed("Only the organisation that pledged may change the pledge.")
    return rows[0]


async def _unchanged(
    connection: AsyncConnection, activity: uuid.UUID, currency: str, *, open_only: bool
) -> None:
    """Inside the write: the activity (locked until commit) still has its budget in
    `currency` and (`open_only`) is not cancelled, whatever another request did since it
    was read."""
    row = (
        await connection.execute(
            select(_a.currency, _a.cancelled_at).where(_a.id == activity).with_for_update()
        )
    ).one()
    if open_only and row.cancelled_at is not None:
        raise invalid("activityId", "The activity is cancelled.")
    if row.currency != currency:
        raise conflict("The activity's budget changed since you read it: read it again.", None)


@reports_user_errors(PledgePayload)
async def pledge_funding(
    info: Info[Context, None], activity_id: strawberry.ID, input: PledgeInput
) -> PledgePayload:
    context = info.context
    owner = author(context, Scope.ACTIVITIES_WRITE)
    activity = await _activity(context, activity_id, owner)
    if activity.cancelled_at is not None:
        raise invalid("activityId", "The activity is cancelled.")
    values = check_pledge(context, input, activity.currency)
    key, now = new_id(), context.now()
    async with context.write() as connection:
        await _unchanged(connection, activity.id, activity.currency, open_only=True)
        await connection.execute(
            insert(_pledges).values(
                id=key,
                activity_id=activity.id,
                owner_organisation_id=owner,
                created_at=now,
                updated_at=now,
                version=1,
                **values,
            )
        )
        await audit(
            context,
            connection,
            owner,
            "pledge.created",
            ("FundingPledge", key),
            _details(activity.id, values),
        )
    return await _pledge_payload(context, key, owner)


@reports_user_errors(PledgePayload)
async def update_pledge(
    info: Info[Context, None], pledge_id: strawberry.ID, version: int, input: PledgeInput
) -> PledgePayload:
    """Replaces amount, status and sharing; a stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = author(context, Scope.ACTIVITIES_WRITE)
    row = await _own_pledge(context, pledge_id, owner)
    values = check_pledge(context, input, row.currency)
    if row.status == PledgeStatus.RECEIVED and values["status"] == PledgeStatus.PLEDGED:
        raise invalid("status", "Money received stays received.")
    async with context.write() as connection:
        await _unchanged(connection, row.activity_id, row.currency, open_only=False)
        changed = {**values, "updated_at": context.now()}
        await update_own(connection, _pledges, row.id, owner, version, changed)
        await audit(
            context,
            connection,
            owner,
            "pledge.updated",
            ("FundingPledge", row.id),
            _details(row.activity_id, values),
        )
    return await _pledge_payload(context, row.id, owner)
