"""Organisation admins manage their users: roles, and (de)activation."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import strawberry
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection
from strawberry.types import Info

from schema.accounts.service import end_sessions, target_user
from schema.accounts.types import User
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.node import uuid_key
from schema.payloads import UserError, conflict, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.organisations import User as UserTable
from security.policy import NotAllowed, may_assign, require_role
from security.roles import Role

_users = UserTable.__table__.c


@strawberry.type
class UserPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    user: User | None = None


@reports_user_errors(UserPayload)
async def set_user_role(
    info: Info[Context, None],
    user_id: strawberry.ID,
    role: Role,
    version: int,
) -> UserPayload:
    """No role above the admin's own is handed out, and no one above them is changed."""
    context = info.context
    principal = context.principal
    organisation_id = require_role(principal, Role.ORG_ADMIN)
    new_role = Role(role)
    if not may_assign(principal, new_role):
        raise NotAllowed("You cannot hand out a role above your own.")
    key = uuid_key(expect_global_id(user_id, "User"))
    if key == principal.user_id:
        raise NotAllowed("Another administrator must change your role.")
    async with context.write() as connection:
        target = await target_user(connection, key, organisation_id)
        if not may_assign(principal, Role(target.role)):
            raise NotAllowed("You cannot change a user whose role is above your own.")
        await _update(connection, target.id, version, context.now(), {"role": new_role})
        await record(
            connection,
            organisation_chain(organisation_id),
            "user.role-changed",
            context.now(),
            actor_user_id=principal.user_id,
            actor_organisation_id=organisation_id,
            subject_type="User",
            subject_id=target.id,
            details={"from": target.role, "to": new_role.value},
        )
    return await _payload(context, key)


@reports_user_errors(UserPayload)
async def set_user_active(
    info: Info[Context, None], user_id: strawberry.ID, active: bool, version: int
) -> UserPayload:
    """A deactivated user's sessions end at once; their data stays."""
    context = info.context
    principal = context.principal
    organisation_id = require_role(principal, Role.ORG_ADMIN)
    key = uuid_key(expect_global_id(user_id, "User"))
    if key == principal.user_id and not active:
        raise NotAllowed("You cannot deactivate yourself.")
    async with context.write() as connection:
        target = await target_user(connection, key, organisation_id)
        if not may_assign(principal, Role(target.role)):
            raise NotAllowed("You cannot change a user whose role is above your own.")
        await _update(connection, target.id, version, context.now(), {"active": active})
        if not active:
            await end_sessions(connection, target.id, context.now())
        await record(
            connection,
            organisation_chain(organisation_id),
            "user.activated" if active else "user.deactivated",
            context.now(),
            actor_user_id=principal.user_id,
            actor_organisation_id=organisation_id,
            subject_type="User",
            subject_id=target.id,
        )
    return await _payload(context, key)


async def _update(
    connection: AsyncConnection,
    key: uuid.UUID,
    version: int,
    now: dt.datetime,
    values: dict[str, Any],
) -> None:
    """Optimistic concurrency: an update from a stale read changes nothing (CONFLICT)."""
    result = await connection.execute(
        update(UserTable)
        .where(_users.id == key, _users.version == version)
        .values(**values, version=version + 1, updated_at=now)
    )
    if result.rowcount != 1:
        raise conflict("The user changed since you read it: read it again.")


async def _payload(context: Context, key: uuid.UUID) -> UserPayload:
    rows = await context.fetch_all(select(UserTable.__table__).where(_users.id == key))
    return UserPayload(user=User.from_row(rows[0], context.services.keys))
