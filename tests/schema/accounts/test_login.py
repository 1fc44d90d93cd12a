"""Signing in: one answer for unknown and wrong, one Argon2 verification each, throttled,
rehashed when the parameters change, second factor when enrolled."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.tables.organisations import OrganisationKind, User
from security import totp
from security.passwords import Argon2Parameters, Passwords
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import PASSWORD, code_at, login, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute

ME = "{ me { user { email role } organisation { name } secondFactor { enrolled required } } }"


@pytest.fixture
async def organisation(engine: AsyncEngine) -> object:
    return await make_organisation(engine, "Nairobi Forum", OrganisationKind.NATIONAL_NGO)


async def test_login_gives_a_session_token(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    organisation: object,
) -> None:
    # Given a member; when they sign in; then the token opens their session
    _, email = await make_user(engine, platform_keys, organisation, email="Ana@Example.org")  # type: ignore[arg-type]
    token = await sign_in(client, "  ana@EXAMPLE.org ")
    assert token.startswith("upr_s_")
    me = (await data(client, ME, token=token))["me"]
    assert me == {
        "user": {"email": email, "role": "MEMBER"},
        "organisation": {"name": "Nairobi Forum"},
        "secondFactor": {"enrolled": False, "required": False},
    }
    assert (await data(client, ME))["me"] is None  # anonymous


async def test_unknown_and_wrong_answer_alike_with_one_verification_each(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    app: Starlette,
    client: httpx.AsyncClient,
    organisation: object,
) -> None:
    await make_user(engine, platform_keys, organisation, email="known@example.org")  # type: ignore[arg-type]
    passwords: Passwords = app.state.runtime.passwords
    answers = []
    for email, password in [
        ("known@example.org", "wrong password!"),
        ("nobody@example.org", PASSWORD),
        ("not-an-email", PASSWORD),
    ]:
        before = passwords.verifications
        body = await login(client, email, password)
        # Exactly one Argon2 verification, whether or not the account exists.
        assert passwords.verifications - before == 1
        answers.append(body)
    assert answers[0] == answers[1] == answers[2]
    assert error_codes(answers[0]) == ["UNAUTHENTICATED"]
    assert answers[0]["data"] is None


async def test_failed_logins_are_throttled_per_identifier(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: object,
) -> None:
    _, email = await make_user(engine, platform_keys, organisation)  # type: ignore[arg-type]
    for _ in range(6):  # 5 free failures, then a first delay
        assert error_codes(await login(client, email, "wrong password!")) == ["UNAUTHENTICATED"]
    blocked = await login(client, email)  # even the right password waits
    assert error_codes(blocked) == ["RATE_LIMITED"]
    assert blocked["errors"][0]["extensions"]["retryAfter"] >= 1
    # An unknown identifier is throttled exactly the same way.
    for _ in range(6):
        await login(client, "ghost@example.org", "wrong password!")
    assert error_codes(await login(client, "ghost@example.org")) == ["RATE_LIMITED"]
    # When the delay has passed, the right password gets in.
    clock.advance(seconds=2)
    assert (await login(client, email))["data"]["login"]["token"]


async def test_the_delay_grows(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: object,
) -> None:
    _, email = await make_user(engine, platform_keys, organisation)  # type: ignore[arg-type]
    waits = []
    for _ in range(8):
        body = await login(client, email, "wrong password!")
        if error_codes(body) == ["RATE_LIMITED"]:
            waits.append(body["errors"][0]["extensions"]["retryAfter"])
            clock.advance(seconds=body["errors"][0]["extensions"]["retryAfter"])
            await login(client, email, "wrong password!")
    assert waits == sorted(waits)
    assert waits[-1] > waits[0]


async def test_rehash_when_parameters_change(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    app: Starlette,
    client: httpx.AsyncClient,
    organisation: object,
) -> None:
    # Given a hash made with the minimum parameters, and a server now using stronger ones
    weak = Passwords(Argon2Parameters(time_cost=2)).hash(PASSWORD)
    user_id, email = await make_user(engine, platform_keys, organisation, password_hash=weak)  # type: ignore[arg-type]
    app.state.runtime.passwords = Passwords(Argon2Parameters(time_cost=3))
    app.state.runtime._services = None  # the next request picks the new parameters up
    await sign_in(client, email)
    async with engine.connect() as connection:
        stored = await connection.scalar(select(User.password_hash).where(User.id == user_id))
    assert stored != weak
    assert "t=3" in str(stored)
    await sign_in(client, email)  # and the new hash verifies


async def test_second_factor_when_enrolled(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: object,
) -> None:
    secret = totp.new_totp_secret()
    _, email = await make_user(engine, platform_keys, organisation, totp_secret=secret)  # type: ignore[arg-type]
    missing = await login(client, email)
    assert error_codes(missing) == ["UNAUTHENTICATED"]
    assert "second factor" in missing["errors"][0]["message"]
    code = code_at(secret, clock.now)
    assert await sign_in(client, email, second_factor=code)
    # The same code never works twice.
    assert error_codes(await login(client, email, second_factor=code)) == ["UNAUTHENTICATED"]


async def test_administrators_must_enrol_before_anything_else(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    organisation: object,
) -> None:
    _, email = await make_user(engine, platform_keys, organisation, Role.ORG_ADMIN)  # type: ignore[arg-type]
    body = await login(client, email)
    assert body["data"]["login"]["secondFactorEnrolmentRequired"] is True
    token = body["data"]["login"]["token"]
    refused = await execute(client, "{ users(first: 5) { totalCount } }", token=token)
    assert error_codes(refused) == ["FORBIDDEN"]
    enrolment = await data(
        client, "mutation { beginSecondFactorEnrolment { secret provisioningUri } }", token=token
    )
    assert enrolment["beginSecondFactorEnrolment"]["provisioningUri"].startswith("otpauth://totp/")


async def test_spelling_the_email_differently_does_not_reset_the_count(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    organisation: object,
) -> None:
    # Given an account, and guesses under several spellings of its email (case, a soft
    # hyphen and full-width letters in the domain: all the same address once normalised)
    await make_user(engine, platform_keys, organisation, email="ana@example.org")  # type: ignore[arg-type]
    spellings = [
        "ana@example.org",
        "ANA@Example.ORG",
        "ana@exam\u00adple.org",
        "ana@ｅｘａｍｐｌｅ.org",
    ]
    for spelling in spellings + spellings[:2]:
        assert error_codes(await login(client, spelling, "wrong password!")) == ["UNAUTHENTICATED"]
    # Then the next guess, under any spelling, waits
    assert error_codes(await login(client, spellings[2])) == ["RATE_LIMITED"]


async def test_second_factor_guesses_at_login_are_throttled(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: object,
) -> None:
    # Given someone who has the password but not the device
    secret = totp.new_totp_secret()
    _, email = await make_user(engine, platform_keys, organisation, totp_secret=secret)  # type: ignore[arg-type]
    right = code_at(secret, clock.now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    codes = [error_codes(await login(client, email, second_factor=wrong)) for _ in range(7)]
    # Then guessing codes is throttled too: five free guesses, one more, then a wait
    assert codes == [["UNAUTHENTICATED"]] * 6 + [["RATE_LIMITED"]]
