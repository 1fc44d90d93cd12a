"""Changing one's password, and ending sessions (one's own, or a member's)."""

from __future__ import annotations

import strawberry
from sqlalchemy import select, update
from strawberry.types import Info

from schema.accounts.service import end_sessions, throttled
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.errors import NotFound
from schema.node import uuid_key
from schema.payloads import UserError, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.accounts import UserSession
from schema.tables.organisations import User
from security.passwords import password_problem
from security.policy import NotAuthenticated, may_assign, require_user
from security.roles import Role
from security.throttling import PER_IDENTIFIER

_users = User.__table__.c
_sessions = UserSession.__table__.c


@strawberry.type
class ChangePasswordPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    ok: bool = False


@strawberry.type
class RevokeSessionPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    ok: bool = False


@reports_user_errors(ChangePasswordPayload)
async def change_password(
    info: Info[Context, None], current_password: str, new_password: str
) -> ChangePasswordPayload:
    """Needs the current password; every other session of the user ends."""
    context = info.context
    user_id = require_user(context.principal, allow_pending_enrolment=True)
    services, now = context.services, context.now()
    key = f"password:{user_id}"
    await throttled(context, [(key, PER_IDENTIFIER)])
    user = (await context.fetch_all(select(User.__table__).where(_users.id == user_id)))[0]
    if not services.passwords.verify(user.password_hash, current_password):
        raise NotAuthenticated("The current password is not right.")
    await services.throttle.succeeded(key, [], context.write)
    email = services.keys.open(
        user.email_ciphertext, "users", "email", user.id, user.organisation_id
    )
    name = services.keys.open(user.name_ciphertext, "users", "name", user.id, user.organisation_id)
    problem = password_problem(new_password, context=[email.partition("@")[0], name])
    if problem is not None:
        raise invalid("newPassword", problem)
    password_hash = services.passwords.hash(new_password)  # slow: outside the transaction
    async with context.write() as connection:
        await connection.execute(
            update(User).where(_users.id == user_id).values(password_hash=password_hash)
        )
        await end_sessions(connection, user_id, now, keep=context.principal.session_id)
        await record(
            connection,
            organisation_chain(user.organisation_id),
            "password.changed",
            now,
            actor_user_id=user_id,
            actor_organisation_id=user.organisation_id,
            subject_type="User",
            subject_id=user_id,
        )
    return ChangePasswordPayload(ok=True)


async def revoke_session(
    info: Info[Context, None], session_id: strawberry.ID
) -> RevokeSessionPayload:
    """Your own session, or (organisation admins) a session of a user of your
    organisation whose role is not above yours; others answer NOT_FOUND."""
    context = info.context
    principal = context.principal
    user_id = require_user(principal, allow_pending_enrolment=True)
    key = uuid_key(expect_global_id(session_id, "LoginSession"))
    async with context.write() as connection:
        row = (
            await connection.execute(
                select(_sessions.user_id, _users.organisation_id, _users.role)
                .join(User.__table__, _users.id == _sessions.user_id)
                .where(_sessions.id == key, _sessions.revoked_at.is_(None))
            )
        ).first()
        own = row is not None and row.user_id == user_id
        managed = (
            row is not None
            and not principal.enrolment_pending
            and row.organisation_id == principal.organisation_id
            and principal.role is not None
            and principal.role.at_least(Role.ORG_ADMIN)
            and may_assign(principal, Role(row.role))
        )
        if row is None or not (own or managed):
            raise NotFound("No such session.")
        await connection.execute(
            update(UserSession).where(_sessions.id == key).values(revoked_at=context.now())
        )
        if not own:
            await record(
                connection,
                organisation_chain(row.organisation_id),
                "session.revoked",
                context.now(),
                actor_user_id=user_id,
                actor_organisation_id=principal.organisation_id,
                subject_type="User",
                subject_id=row.user_id,
            )
    return RevokeSessionPayload(ok=True)
