"""Second factor: enrol TOTP, confirm it, step up, and an admin's reset of a lost one."""

from __future__ import annotations

import base64
import datetime as dt
import uuid

import strawberry
from sqlalchemy import delete, insert, select, update
from strawberry.types import Info

from schema.accounts.second_factor import accept_second_factor, open_totp_secret, seal_totp_secret
from schema.accounts.service import end_sessions, target_user, throttled
from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.node import uuid_key
from schema.payloads import UserError, invalid, reports_user_errors
from schema.relay import expect_global_id
from schema.tables.accounts import RecoveryCode, UserSession
from schema.tables.organisations import User as UserTable
from security import totp
from security.policy import (
    STEP_UP_WINDOW,
    NotAllowed,
    NotAuthenticated,
    may_assign,
    require_fresh_second_factor,
    require_role,
    require_user,
)
from security.roles import Role
from security.throttling import PER_IDENTIFIER

_users = UserTable.__table__.c


@strawberry.type
class SecondFactorEnrolmentPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    secret: str | None = strawberry.field(
        default=None, description="Base32, for authenticator apps without a camera."
    )
    provisioning_uri: str | None = strawberry.field(
        default=None, description="`otpauth://` URI, for a QR code."
    )


@strawberry.type
class ConfirmSecondFactorPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    recovery_codes: list[str] | None = strawberry.field(
        default=None, description="One-time codes for a lost device; shown once."
    )


@strawberry.type
class StepUpPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    fresh_until: dt.datetime | None = None


@strawberry.type
class ResetSecondFactorPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    ok: bool = False


@reports_user_errors(SecondFactorEnrolmentPayload)
async def begin_second_factor_enrolment(info: Info[Context, None]) -> SecondFactorEnrolmentPayload:
    context = info.context
    user_id = require_user(context.principal, allow_pending_enrolment=True)
    secret = totp.new_totp_secret()
    async with context.write() as connection:
        user = (
            await connection.execute(select(UserTable.__table__).where(_users.id == user_id))
        ).one()
        if user.totp_confirmed_at is not None:
            raise invalid(None, "A second factor is already enrolled; an admin can reset it.")
        await connection.execute(
            update(UserTable)
            .where(_users.id == user_id)
            .values(
                totp_secret_ciphertext=seal_totp_secret(
                    context.services.keys, secret, user.id, user.organisation_id
                ),
                totp_last_step=None,
            )
        )
    account = f"{user_id}"
    return SecondFactorEnrolmentPayload(
        secret=base64.b32encode(secret).decode(),
        provisioning_uri=totp.provisioning_uri(secret, account),
    )


@reports_user_errors(ConfirmSecondFactorPayload)
async def confirm_second_factor(info: Info[Context, None], code: str) -> ConfirmSecondFactorPayload:
    context = info.context
    user_id = require_user(context.principal, allow_pending_enrolment=True)
    now = context.now()
    rows = await context.fetch_all(select(UserTable.__table__).where(_users.id == user_id))
    user = rows[0]
    if user.totp_confirmed_at is not None or user.totp_secret_ciphertext is None:
        raise invalid(None, "Begin an enrolment first.")
    secret = open_totp_secret(context.services.keys, user)
    step = totp.verify_code(secret, code.strip(), now.timestamp(), None)
    if step is None:
        raise invalid("code", "That code does not match: check the device's clock and try again.")
    codes = totp.new_recovery_codes()
    async with context.write() as connection:
        await connection.execute(
            update(UserTable)
            .where(_users.id == user_id)
            .values(totp_confirmed_at=now, totp_last_step=step)
        )
        await connection.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
        await connection.execute(
            insert(RecoveryCode),
            [
                {"id": new_id(), "user_id": user_id, "code_digest": totp.recovery_code_digest(c)}
                for c in codes
            ],
        )
        await connection.execute(
            update(UserSession)
            .where(UserSession.id == context.principal.session_id)
            .values(second_factor_at=now)
        )
        await record(
            connection,
            organisation_chain(user.organisation_id),
            "second-factor.enrolled",
            now,
            actor_user_id=user_id,
            actor_organisation_id=user.organisation_id,
            subject_type="User",
            subject_id=user_id,
        )
    return ConfirmSecondFactorPayload(recovery_codes=codes)


async def step_up(info: Info[Context, None], code: str) -> StepUpPayload:
    """Prove the second factor again: sensitive operations stay open for 5 minutes."""
    context = info.context
    user_id = require_user(context.principal)
    now = context.now()
    key = f"2fa:{user_id}"
    await throttled(context, [(key, PER_IDENTIFIER)])
    user = (await context.fetch_all(select(UserTable.__table__).where(_users.id == user_id)))[0]
    if user.totp_confirmed_at is None or not await accept_second_factor(context, user, code):
        raise NotAuthenticated("That second-factor code is not valid.")
    await context.services.throttle.succeeded(key, [], context.write)
    async with context.write() as connection:
        await connection.execute(
            update(UserSession)
            .where(UserSession.id == context.principal.session_id)
            .values(second_factor_at=now)
        )
    return StepUpPayload(fresh_until=now + STEP_UP_WINDOW)


async def reset_second_factor(
    info: Info[Context, None], user_id: strawberry.ID
) -> ResetSecondFactorPayload:
    """An organisation admin clears a member's lost second factor; the member's
    sessions end, and the reset is audited."""
    context = info.context
    organisation_id = require_role(context.principal, Role.ORG_ADMIN)
    require_fresh_second_factor(context.principal, context.now())
    key: uuid.UUID = uuid_key(expect_global_id(user_id, "User"))
    now = context.now()
    async with context.write() as connection:
        target = await target_user(connection, key, organisation_id)
        if not may_assign(context.principal, Role(target.role)):
            raise NotAllowed("You cannot change a user whose role is above your own.")
        await connection.execute(
            update(UserTable)
            .where(_users.id == target.id)
            .values(totp_secret_ciphertext=None, totp_confirmed_at=None, totp_last_step=None)
        )
        await connection.execute(delete(RecoveryCode).where(RecoveryCode.user_id == target.id))
        await end_sessions(connection, target.id, now)
        await record(
            connection,
            organisation_chain(organisation_id),
            "second-factor.reset",
            now,
            actor_user_id=context.principal.user_id,
            actor_organisation_id=organisation_id,
            subject_type="User",
            subject_id=target.id,
        )
    return ResetSecondFactorPayload(ok=True)
