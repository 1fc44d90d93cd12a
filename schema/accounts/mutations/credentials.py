"""Changing one's password, and ending sessions (one's own, or a member's)."""

from __future__ import annotations

import strawberry
from sqlalchemy import select, update
from strawberry.types import Info

from schema.accounts.service import end_sessions
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.errors import NotFound, RateLimited
from schema.node import uuid_key
from schema.payloads import UserError, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.accounts import UserSession
from schema.tables.organisations import User
from security.passwords import password_problem
from security.policy import NotAuthenticated, require_user
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
    throttled = [(f"password:{user_id}", PER_IDENTIFIER)]
    wait = await services.throttle.wait(throttled, now)
    if wait.total_seconds() > 0:
        seconds = max(1, round(wait.total_seconds()))
        raise RateLimited(f"Too many attempts: try again in {seconds} seconds.", seconds)
    user = (await context.fetch_all(select(User.__table__).where(_users.id == user_id)))[0]
    if not services.passwords.verify(user.password_hash, current_password):
        await services.throttle.failed(throttled, now)
        raise NotAuthenticated("The current password is not right.")
    email = services.keys.open(
        user.email_ciphertext, "users", "email", user.id, user.organisation_id
    )
    problem = password_problem(new_password, context=[email.partition("@")[0]])
    if problem is not None:
        raise invalid("newPassword", problem)
    async with context.write() as connection:
        await connection.execute(
            update(User)
            .where(_users.id == user_id)
            .values(password_hash=services.passwords.hash(new_password))
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
    """Your own session, or (organisation admins) any session of your organisation."""
    context = info.context
    principal = context.principal
    user_id = require_user(principal, allow_pending_enrolment=True)
    key = uuid_key(expect_global_id(session_id, "LoginSession"))
    admin = principal.role is not None and principal.role.at_least(Role.ORG_ADMIN)
    members = select(_users.id).where(_users.organisation_id == principal.organisation_id)
    owner = (
        _sessions.user_id.in_(members)
        if admin and not principal.enrolment_pending
        else (_sessions.user_id == user_id)
    )
    async with context.write() as connection:
        result = await connection.execute(
            update(UserSession)
            .where(_sessions.id == key, owner, _sessions.revoked_at.is_(None))
            .values(revoked_at=context.now())
        )
        if result.rowcount != 1:
            raise NotFound("No such session.")
    return RevokeSessionPayload(ok=True)
