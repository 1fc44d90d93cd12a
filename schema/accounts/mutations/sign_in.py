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
from schema.accounts.service import start_session, throttled
from schema.accounts.throttle import Key
from schema.accounts.types import User
from schema.audit import PLATFORM_CHAIN, record
from schema.context import Context
from schema.errors import ErrorCode, UprightError
from schema.payloads import UserError
from schema.tables.accounts import UserSession
from schema.tables.organisations import User as UserTable
from security.blind_index import normalise_email
from security.policy import ANONYMOUS, NotAuthenticated, require_user
from security.throttling import ADDRESS_BURST, BURST, PER_ADDRESS, PER_IDENTIFIER

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
    identifier, address = _throttle_keys(context, email)
    attempt = await throttled(context, [identifier, address])
    await _audit_bursts(context, attempt.counts)
    row = await _active_user(context, email)
    # Exactly one Argon2 verification, account or not.
    if not services.passwords.verify(row.password_hash if row else None, password) or row is None:
        raise NotAuthenticated(INVALID_LOGIN)
    proved = False
    if row.totp_confirmed_at is not None:
        if not second_factor:
            raise SecondFactorRequired("This account needs its second factor: send `secondFactor`.")
        factor_key = f"2fa:{row.id}"
        await throttled(context, [(factor_key, PER_IDENTIFIER)])
        proved = await accept_second_factor(context, row, second_factor)
        if not proved:
            raise NotAuthenticated(INVALID_LOGIN)
        await services.throttle.succeeded(factor_key, [], context.write)
    await services.throttle.succeeded(identifier[0], [address[0]], context.write)
    values: dict[str, Any] = {"last_login_at": now}
    if services.passwords.needs_rehash(row.password_hash):
        values["password_hash"] = services.passwords.hash(password)  # outside the transaction
    async with context.write() as connection:
        await connection.execute(update(UserTable).where(_users.id == row.id).values(values))
        secret, _ = await start_session(connection, row.id, now, services.rules, proved)
    context.signed_in_as(await authenticate(context, f"Bearer {secret}"))
    user_rows = await context.fetch_all(select(UserTable.__table__).where(_users.id == row.id))
    return LoginPayload(
        token=secret,
        user=User.from_row(user_rows[0], services.keys),
        second_factor_enrolment_required=context.principal.enrolment_pending,
    )


def _throttle_keys(context: Context, email: str) -> tuple[Key, Key]:
    """Keyed on the identifier as the account lookup normalises it, so spelling an
    address differently (case, Unicode forms of its domain) does not reset the count."""
    keys = context.services.keys
    try:
        identifier = normalise_email(email)
    except ValueError:
        identifier = email.strip().casefold()
    address = context.client_address or "unknown"
    return (
        ("id:" + keys.keyed_digest("login-identifier", identifier), PER_IDENTIFIER),
        ("ip:" + keys.keyed_digest("login-address", address), PER_ADDRESS),
    )


async def _active_user(context: Context, email: str) -> Row[Any] | None:
    try:
        indexes = context.services.keys.email_lookup(email)
    except ValueError:
        return None
    rows = await context.fetch_all(
        select(UserTable.__table__).where(_users.email_index.in_(indexes), _users.active.is_(True))
    )
    return rows[0] if rows else None


async def _audit_bursts(context: Context, counts: tuple[int, ...]) -> None:
    """A burst of attempts against one identifier, or from one address (password
    spraying), goes in the platform audit; never the identifier or the address."""
    bursts = {"identifier": BURST, "address": ADDRESS_BURST}
    reached = [kind for kind, count in zip(bursts, counts, strict=True) if count == bursts[kind]]
    if not reached:
        return
    async with context.write() as connection:
        for kind in reached:
            await record(
                connection,
                PLATFORM_CHAIN,
                "login.attempt-burst",
                context.now(),
                details={"per": kind, "attempts": bursts[kind]},
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
