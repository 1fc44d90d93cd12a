"""`login` and `logout`.

Unknown users and wrong passwords get the same answer, and both paths run exactly
one Argon2 verification (`Passwords.verify` checks a dummy hash when there is no
account), so neither the answer nor its timing tells whether an account exists.
"""

from __future__ import annotations

from typing import Any

import strawberry
from sqlalchemy import Row, select, update
from strawberry.types import Info

from schema.accounts.authentication import authenticate
from schema.accounts.second_factor import accept_second_factor
from schema.accounts.service import start_session
from schema.accounts.types import User
from schema.audit import PLATFORM_CHAIN, record
from schema.context import Context
from schema.errors import ErrorCode, RateLimited, UprightError
from schema.payloads import UserError
from schema.tables.accounts import UserSession
from schema.tables.organisations import User as UserTable
from security.policy import ANONYMOUS, NotAuthenticated, require_user
from security.throttling import BURST, PER_ADDRESS, PER_IDENTIFIER, ThrottlePolicy

INVALID_LOGIN = "Invalid email, password or second factor."

_users = UserTable.__table__.c


class SecondFactorRequired(UprightError):
    """The password was right; this account also needs its second factor."""

    code = ErrorCode.UNAUTHENTICATED


@strawberry.type
class LoginPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    token: str | None = strawberry.field(
        default=None,
        description="The session secret: send it as `Authorization: Bearer <token>`. "
        "Shown once; upright keeps only its digest.",
    )
    user: User | None = None
    second_factor_enrolment_required: bool = strawberry.field(
        default=False,
        description="An administrator without a second factor can only enrol one.",
    )


@strawberry.type
class LogoutPayload:
    user_errors: list[UserError] = strawberry.field(default_factory=list)
    ok: bool = False


async def login(
    info: Info[Context, None], email: str, password: str, second_factor: str | None = None
) -> LoginPayload:
    context = info.context
    services, now = context.services, context.now()
    throttled = _throttle_keys(context, email)
    wait = await services.throttle.wait(throttled, now)
    if wait.total_seconds() > 0:
        seconds = max(1, round(wait.total_seconds()))
        raise RateLimited(f"Too many attempts: try again in {seconds} seconds.", seconds)
    row = await _active_user(context, email)
    # Exactly one Argon2 verification, account or not.
    if not services.passwords.verify(row.password_hash if row else None, password) or row is None:
        await _failed(context, throttled)
        raise NotAuthenticated(INVALID_LOGIN)
    proved = False
    if row.totp_confirmed_at is not None:
        if not second_factor:
            await _failed(context, throttled)
            raise SecondFactorRequired("This account needs its second factor: send `secondFactor`.")
        proved = await accept_second_factor(context, row, second_factor)
        if not proved:
            await _failed(context, throttled)
            raise NotAuthenticated(INVALID_LOGIN)
    await services.throttle.succeeded(throttled[0][0])
    async with context.write() as connection:
        values: dict[str, Any] = {"last_login_at": now}
        if services.passwords.needs_rehash(row.password_hash):
            values["password_hash"] = services.passwords.hash(password)
        await connection.execute(update(UserTable).where(_users.id == row.id).values(values))
        secret, _ = await start_session(connection, row.id, now, services.rules, proved)
    context.signed_in_as(await authenticate(context, f"Bearer {secret}"))
    user_rows = await context.fetch_all(select(UserTable.__table__).where(_users.id == row.id))
    return LoginPayload(
        token=secret,
        user=User.from_row(user_rows[0], services.keys),
        second_factor_enrolment_required=context.principal.enrolment_pending,
    )


def _throttle_keys(context: Context, email: str) -> list[tuple[str, ThrottlePolicy]]:
    keys = context.services.keys
    identifier = keys.keyed_digest("login-identifier", email.strip().lower())
    address = keys.keyed_digest("login-address", context.client_address or "unknown")
    return [("id:" + identifier, PER_IDENTIFIER), ("ip:" + address, PER_ADDRESS)]


async def _active_user(context: Context, email: str) -> Row[Any] | None:
    try:
        index = context.services.keys.email_index(email)
    except ValueError:
        return None
    rows = await context.fetch_all(
        select(UserTable.__table__).where(_users.email_index == index, _users.active.is_(True))
    )
    return rows[0] if rows else None


async def _failed(context: Context, throttled: list[tuple[str, ThrottlePolicy]]) -> None:
    """Count the failure; a burst against one identifier goes in the platform audit
    (without the identifier: the log must not collect the emails people type)."""
    failures = await context.services.throttle.failed(throttled, context.now())
    if failures == BURST:
        async with context.write() as connection:
            await record(
                connection,
                PLATFORM_CHAIN,
                "login.failure-burst",
                context.now(),
                details={"failures": failures},
            )


async def logout(info: Info[Context, None]) -> LogoutPayload:
    context = info.context
    require_user(context.principal, allow_pending_enrolment=True)
    async with context.write() as connection:
        await connection.execute(
            update(UserSession)
            .where(UserSession.__table__.c.id == context.principal.session_id)
            .values(revoked_at=context.now())
        )
    context.signed_in_as(ANONYMOUS)
    return LogoutPayload(ok=True)
