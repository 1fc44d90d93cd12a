"""Second factor: TOTP enrolment with one-time recovery codes, each code accepted once,
step-up fresh for five minutes and throttled, and an admin's audited reset."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.organisations import User
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import code_at, login, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute

BEGIN = """
mutation { beginSecondFactorEnrolment { secret provisioningUri userErrors { field code } } }
"""
CONFIRM = """
mutation($code: String!) {
  confirmSecondFactor(code: $code) { recoveryCodes userErrors { field code message } }
}
"""
STEP_UP = "mutation($code: String!) { stepUp(code: $code) { freshUntil } }"
RESET = "mutation($id: ID!) { resetSecondFactor(userId: $id) { ok } }"
ME = "{ me { secondFactor { enrolled required freshUntil } } }"
USERS = "{ users(first: 10) { nodes { email secondFactorEnrolled } } }"


async def make_admin(
    engine: AsyncEngine,
    keys: PlatformKeys,
    organisation: uuid.UUID,
    role: Role = Role.ORG_ADMIN,
) -> tuple[uuid.UUID, str, bytes]:
    """An administrator with a confirmed second factor: (id, email, TOTP secret)."""
    secret = totp.new_totp_secret()
    user_id, email = await make_user(engine, keys, organisation, role, totp_secret=secret)
    return user_id, email, secret


def wrong_code(secret: bytes, when: dt.datetime) -> str:
    """A well-formed code that is valid in none of the steps accepted at `when`."""
    valid = {code_at(secret, when + dt.timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


async def enrol(client: httpx.AsyncClient, token: str, clock: Clock) -> tuple[bytes, list[str]]:
    """Enrol through the API: the TOTP secret and the recovery codes."""
    begun = (await data(client, BEGIN, token=token))["beginSecondFactorEnrolment"]
    secret = base64.b32decode(begun["secret"])
    confirmed = (await data(client, CONFIRM, {"code": code_at(secret, clock.now)}, token=token))[
        "confirmSecondFactor"
    ]
    assert confirmed["userErrors"] == [], confirmed
    codes: list[str] = confirmed["recoveryCodes"]
    return secret, codes


async def me(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    status: dict[str, Any] = (await data(client, ME, token=token))["me"]["secondFactor"]
    return status


async def users(client: httpx.AsyncClient, token: str) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = (await data(client, USERS, token=token))["users"]["nodes"]
    return nodes


async def status(client: httpx.AsyncClient, token: str) -> int:
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    return response.status_code


async def test_enrolment_returns_ten_recovery_codes_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member without a second factor
    organisation = await make_organisation(engine)
    member_id, email = await make_user(engine, platform_keys, organisation)
    token = await sign_in(client, email)

    # When they begin enrolment and confirm it with a code from their app
    begun = (await data(client, BEGIN, token=token))["beginSecondFactorEnrolment"]
    secret = base64.b32decode(begun["secret"])
    confirmed = await data(client, CONFIRM, {"code": code_at(secret, clock.now)}, token=token)

    # Then they get ten distinct recovery codes, and the factor is enrolled and fresh
    assert begun["provisioningUri"].startswith("otpauth://totp/")
    assert begun["secret"] in begun["provisioningUri"]
    codes = confirmed["confirmSecondFactor"]["recoveryCodes"]
    assert len(codes) == len(set(codes)) == 10
    assert await me(client, token) == {
        "enrolled": True,
        "required": False,
        "freshUntil": (clock.now + dt.timedelta(minutes=5)).isoformat(),
    }
    # and the secret is stored encrypted
    async with engine.connect() as connection:
        stored = await connection.scalar(
            select(User.totp_secret_ciphertext).where(User.id == member_id)
        )
    assert secret not in stored
    assert begun["secret"].encode() not in stored

    # When they ask again, to begin or to confirm
    clock.advance(seconds=30)
    again = (await data(client, BEGIN, token=token))["beginSecondFactorEnrolment"]
    reconfirmed = (await data(client, CONFIRM, {"code": code_at(secret, clock.now)}, token=token))[
        "confirmSecondFactor"
    ]

    # Then neither gives out a secret or codes again
    assert again["secret"] is None
    assert [e["code"] for e in again["userErrors"]] == ["BAD_USER_INPUT"]
    assert reconfirmed["recoveryCodes"] is None
    assert [e["code"] for e in reconfirmed["userErrors"]] == ["BAD_USER_INPUT"]


async def test_a_wrong_confirmation_code_is_an_input_error(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member who began enrolment
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    token = await sign_in(client, email)
    begun = (await data(client, BEGIN, token=token))["beginSecondFactorEnrolment"]
    secret = base64.b32decode(begun["secret"])

    # When they confirm with a wrong code
    answer = (await data(client, CONFIRM, {"code": wrong_code(secret, clock.now)}, token=token))[
        "confirmSecondFactor"
    ]

    # Then it is refused on the code field, no codes are given, and nothing is enrolled
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [("code", "BAD_USER_INPUT")]
    assert answer["recoveryCodes"] is None
    assert (await me(client, token))["enrolled"] is False
    # and login still needs no second factor
    assert await sign_in(client, email)


async def test_after_enrolment_login_needs_a_fresh_code(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member who enrolled just now
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    secret, _ = await enrol(client, await sign_in(client, email), clock)

    # When they sign in without a code, with the code of the enrolment, and with a later one
    without = await login(client, email)
    replayed = await login(client, email, second_factor=code_at(secret, clock.now))
    clock.advance(seconds=30)
    later = await login(client, email, second_factor=code_at(secret, clock.now))

    # Then only the later code lets them in
    assert error_codes(without) == ["UNAUTHENTICATED"]
    assert error_codes(replayed) == ["UNAUTHENTICATED"]
    assert later["data"]["login"]["token"].startswith("upr_s_")


async def test_a_recovery_code_works_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member who enrolled, with their recovery codes
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    _, codes = await enrol(client, await sign_in(client, email), clock)

    # When they sign in with a recovery code, then again with the same one
    first = await login(client, email, second_factor=codes[0])
    second = await login(client, email, second_factor=codes[0])

    # Then it lets them in once only; another code (typed in capitals) still works
    assert first["data"]["login"]["token"].startswith("upr_s_")
    assert error_codes(second) == ["UNAUTHENTICATED"]
    assert second["data"] is None
    assert await sign_in(client, email, second_factor=codes[1].upper())
    # And each use is in the organisation's audit (a lost device, or a stolen code)
    async with engine.connect() as connection:
        used = await connection.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.chain == f"org:{organisation}",
                AuditEvent.action == "second-factor.recovery-code-used",
            )
        )
    assert used == 2


async def test_a_totp_code_is_accepted_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin signed in with the code of this time step
    organisation = await make_organisation(engine)
    _, email, secret = await make_admin(engine, platform_keys, organisation)
    earlier = code_at(secret, clock.now)
    token = await sign_in(client, email, second_factor=earlier)

    # When they step up with the same code, with the next step's code, and with both again
    replayed = await execute(client, STEP_UP, {"code": earlier}, token=token)
    clock.advance(seconds=30)
    later = code_at(secret, clock.now)
    stepped = await execute(client, STEP_UP, {"code": later}, token=token)
    clock.advance(seconds=1)
    again = await execute(client, STEP_UP, {"code": later}, token=token)
    older = await execute(client, STEP_UP, {"code": earlier}, token=token)

    # Then each code is accepted once, and no code of an earlier step after a later one
    assert error_codes(replayed) == ["UNAUTHENTICATED"]
    assert "errors" not in stepped
    assert error_codes(again) == ["UNAUTHENTICATED"]
    assert error_codes(older) == ["UNAUTHENTICATED"]


async def test_step_up_keeps_sensitive_operations_open_for_five_minutes(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin who signed in with their second factor ten minutes ago
    organisation = await make_organisation(engine)
    _, email, secret = await make_admin(engine, platform_keys, organisation)
    signed_in_at = clock.now
    token = await sign_in(client, email, second_factor=code_at(secret, clock.now))
    clock.advance(minutes=10)
    stale = await me(client, token)

    # When they step up
    stepped = (await data(client, STEP_UP, {"code": code_at(secret, clock.now)}, token=token))[
        "stepUp"
    ]

    # Then the session is fresh for five more minutes
    five_minutes = dt.timedelta(minutes=5)
    assert dt.datetime.fromisoformat(stale["freshUntil"]) == signed_in_at + five_minutes
    assert dt.datetime.fromisoformat(stepped["freshUntil"]) == clock.now + five_minutes
    fresh = await me(client, token)
    assert dt.datetime.fromisoformat(fresh["freshUntil"]) == clock.now + five_minutes
    assert fresh["required"] is True


async def test_step_up_attempts_are_throttled(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a signed-in admin
    organisation = await make_organisation(engine)
    _, email, secret = await make_admin(engine, platform_keys, organisation)
    token = await sign_in(client, email, second_factor=code_at(secret, clock.now))
    clock.advance(seconds=30)

    # When they step up with wrong codes six times, then with the right one
    wrong = [
        await execute(client, STEP_UP, {"code": wrong_code(secret, clock.now)}, token=token)
        for _ in range(6)
    ]
    blocked = await execute(client, STEP_UP, {"code": code_at(secret, clock.now)}, token=token)

    # Then the wrong ones are refused, and then even the right one must wait
    assert [error_codes(answer) for answer in wrong] == [["UNAUTHENTICATED"]] * 6
    assert error_codes(blocked) == ["RATE_LIMITED"]
    retry_after = blocked["errors"][0]["extensions"]["retryAfter"]
    assert retry_after >= 1
    # When the delay has passed, the right code is accepted
    clock.advance(seconds=max(retry_after, 30))
    assert "errors" not in await execute(
        client, STEP_UP, {"code": code_at(secret, clock.now)}, token=token
    )


async def test_an_admin_resets_a_members_second_factor_after_stepping_up(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin, and a member with a second factor, both signed in six minutes ago
    organisation = await make_organisation(engine)
    admin_id, admin_email, admin_secret = await make_admin(engine, platform_keys, organisation)
    member_secret = totp.new_totp_secret()
    member_id, member_email = await make_user(
        engine, platform_keys, organisation, totp_secret=member_secret
    )
    admin = await sign_in(client, admin_email, second_factor=code_at(admin_secret, clock.now))
    member = await sign_in(client, member_email, second_factor=code_at(member_secret, clock.now))
    clock.advance(minutes=6)
    variables = {"id": to_global_id("User", member_id)}

    # When the admin resets the member's factor without a fresh step-up
    stale = await execute(client, RESET, variables, token=admin)

    # Then it is forbidden, and nothing changed
    assert error_codes(stale) == ["FORBIDDEN"]
    assert await status(client, member) == 200
    enrolled = {u["email"]: u["secondFactorEnrolled"] for u in await users(client, admin)}
    assert enrolled[member_email] is True

    # When the admin steps up and resets it
    await data(client, STEP_UP, {"code": code_at(admin_secret, clock.now)}, token=admin)
    reset = await data(client, RESET, variables, token=admin)

    # Then the factor is cleared, the member's sessions end, and they sign in with a password
    assert reset == {"resetSecondFactor": {"ok": True}}
    enrolled = {u["email"]: u["secondFactorEnrolled"] for u in await users(client, admin)}
    assert enrolled[member_email] is False
    assert await status(client, member) == 401
    assert await sign_in(client, member_email)
    # and the reset is in the organisation's audit chain
    table = AuditEvent.__table__
    async with engine.connect() as connection:
        event = (
            await connection.execute(select(table).where(table.c.action == "second-factor.reset"))
        ).one()
    assert event.chain == f"org:{organisation}"
    assert (event.actor_user_id, event.subject_type, event.subject_id) == (
        admin_id,
        "User",
        member_id,
    )


async def test_an_admin_cannot_reset_a_user_of_another_organisation(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a freshly signed-in admin, and a user of another organisation with a factor
    _, email, secret = await make_admin(engine, platform_keys, await make_organisation(engine))
    admin = await sign_in(client, email, second_factor=code_at(secret, clock.now))
    outsider_id, _ = await make_user(
        engine,
        platform_keys,
        await make_organisation(engine),
        totp_secret=totp.new_totp_secret(),
    )

    # When the admin resets the outsider's factor, and a made-up user's
    foreign = await execute(client, RESET, {"id": to_global_id("User", outsider_id)}, token=admin)
    missing = await execute(client, RESET, {"id": to_global_id("User", uuid.uuid4())}, token=admin)

    # Then both are not found, alike, and the outsider keeps their factor
    assert error_codes(foreign) == error_codes(missing) == ["NOT_FOUND"]
    assert foreign["errors"][0]["message"] == missing["errors"][0]["message"]
    async with engine.connect() as connection:
        confirmed = await connection.scalar(
            select(User.totp_confirmed_at).where(User.id == outsider_id)
        )
    assert confirmed is not None


async def test_members_cannot_reset_second_factors(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member who enrolled just now (so is fresh), and a colleague with a factor
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    member = await sign_in(client, email)
    await enrol(client, member, clock)
    colleague_id, _ = await make_user(
        engine, platform_keys, organisation, totp_secret=totp.new_totp_secret()
    )

    # When the member resets the colleague's factor
    answer = await execute(client, RESET, {"id": to_global_id("User", colleague_id)}, token=member)

    # Then it is forbidden
    assert error_codes(answer) == ["FORBIDDEN"]
    assert answer["data"] is None


async def test_an_org_admin_cannot_reset_the_factor_of_a_role_above_theirs(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a freshly signed-in org admin, and a platform admin of the same organisation
    organisation = await make_organisation(engine)
    _, email, secret = await make_admin(engine, platform_keys, organisation)
    admin = await sign_in(client, email, second_factor=code_at(secret, clock.now))
    above_id, _, _ = await make_admin(engine, platform_keys, organisation, Role.PLATFORM_ADMIN)

    # When the org admin resets the platform admin's second factor
    answer = await execute(client, RESET, {"id": to_global_id("User", above_id)}, token=admin)

    # Then it is forbidden (as changing their role or deactivating them is), and they keep it
    assert error_codes(answer) == ["FORBIDDEN"]
    async with engine.connect() as connection:
        confirmed = await connection.scalar(
            select(User.totp_confirmed_at).where(User.id == above_id)
        )
    assert confirmed is not None
