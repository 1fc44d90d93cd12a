"""Recording activities: create, update and cancel (both versioned).

The owner is the recording organisation, always among the organisers; only it changes
or cancels the activity. Organisers and recommendations are replaced with the rest.
"""

from __future__ import annotations

import uuid
from typing import cast

import strawberry
from sqlalchemy import Table, delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from schema.activities.inputs import ActivityInput, CheckedActivity, check_activity
from schema.activities.loaders import activity_select, writable
from schema.activities.types import Activity
from schema.context import Context
from schema.db import new_id
from schema.followup.common import author
from schema.followup.writes import audit, own_row, update_own
from schema.payloads import UserError, invalid, reports_user_errors
from schema.tables.followup import Activity as ActivityTable
from schema.tables.followup import activity_organisers, activity_recommendations
from security.roles import Scope

_activities = cast(Table, ActivityTable.__table__)


@strawberry.type
class ActivityPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    activity: Activity | None = None


async def activity_payload(context: Context, key: uuid.UUID, owner: uuid.UUID) -> ActivityPayload:
    """The activity as written: the owner's own row, whatever the token may read."""
    rows = await context.fetch_all(
        activity_select().where(_activities.c.id == key, writable(context.viewer, owner))
    )
    return ActivityPayload(activity=Activity.from_row(rows[0], context) if rows else None)


def _details(checked: CheckedActivity) -> dict[str, str]:
    """Ids and enum values only: no title, description or place."""
    values = checked.values
    details = {"kind": str(values["kind"]), "visibility": str(values["visibility"])}
    for name, column in (("review", "review_id"), ("coalition", "coalition_id")):
        if values[column] is not None:
            details[name] = str(values[column])
    return details


async def _link(connection: AsyncConnection, key: uuid.UUID, checked: CheckedActivity) -> None:
    """Replace the organisers and recommendations with the checked ones."""
    for table, column, keys in (
        (activity_organisers, "organisation_id", checked.organisers),
        (activity_recommendations, "recommendation_id", checked.recommendations),
    ):
        await connection.execute(delete(table).where(table.c.activity_id == key))
        if keys:
            await connection.execute(
                insert(table), [{"activity_id": key, column: other} for other in keys]
            )


@reports_user_errors(ActivityPayload)
async def create_activity(info: Info[Context, None], input: ActivityInput) -> ActivityPayload:
    context = info.context
    owner = author(context, Scope.ACTIVITIES_WRITE)
    checked = await check_activity(context, owner, input)
    key, now = new_id(), context.now()
    async with context.write() as connection:
        await connection.execute(
            insert(_activities).values(
                id=key,
                owner_organisation_id=owner,
                created_at=now,
                updated_at=now,
                version=1,
                **checked.values,
            )
        )
        await _link(connection, key, checked)
        await audit(
            context, connection, owner, "activity.created", ("Activity", key), _details(checked)
        )
    return await activity_payload(context, key, owner)


@reports_user_errors(ActivityPayload)
async def update_activity(
    info: Info[Context, None], activity_id: strawberry.ID, version: int, input: ActivityInput
) -> ActivityPayload:
    """Replaces every field; a stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = author(context, Scope.ACTIVITIES_WRITE)
    row = await own_row(context, _activities, "Activity", activity_id, owner)
    checked = await check_activity(context, owner, input)
    async with context.write() as connection:
        values = {**checked.values, "updated_at": context.now()}
        await update_own(connection, _activities, row.id, owner, version, values)
        await _link(connection, row.id, checked)
        await audit(
            context, connection, owner, "activity.updated", ("Activity", row.id), _details(checked)
        )
    return await activity_payload(context, row.id, owner)


@reports_user_errors(ActivityPayload)
async def cancel_activity(
    info: Info[Context, None], activity_id: strawberry.ID, version: int
) -> ActivityPayload:
    """Cancelled, not deleted: partners see what was planned and its pledges stay on
    record. A stale `version` changes nothing (CONFLICT)."""
    context = info.context
    owner = author(context, Scope.ACTIVITIES_WRITE)
    row = await own_row(context, _activities, "Activity", activity_id, owner)
    if row.cancelled_at is not None:
        raise invalid(None, "The activity is already cancelled.")
    now = context.now()
    async with context.write() as connection:
        values = {"cancelled_at": now, "updated_at": now}
        await update_own(connection, _activities, row.id, owner, version, values)
        await audit(context, connection, owner, "activity.cancelled", ("Activity", row.id), {})
    return await activity_payload(context, row.id, owner)
