"""Sessions: listed, idle and absolute expiry on the injected clock, ended by logout,
revocation, a password change or deactivation, at once."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import PASSWORD, code_at, login, make_user, sign_in, user_version
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute

ME = "{ me { user { email } } }"
MY_SESSIONS = """
{ mySessions(first: 10) { totalCount nodes { id current createdAt lastSeenAt expiresAt } } }
"""
ORGANISATION_SESSIONS = "{ organisationSessions(first: 10) { totalCount nodes { id current } } }"
LOGOUT = "mutation { logout { ok } }"
REVOKE = "mutation($id: ID!) { revokeSession(sessionId: $id) { ok } }"
CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(currentPassword: $current, newPassword: $new) {
    ok userErrors { field code message }
  }
}
"""
SET_ACTIVE = """
mutation($id: ID!, $active: Boolean!, $version: Int!) {
  setUserActive(userId: $id, active: $active, version: $version) {
    user { active version } userErrors { field code }
  }
}
"""
NEW_PASSWORD = "a brand new passphrase"


async def signed_in_admin(
    engine: AsyncEngine,
    keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: uuid.UUID,
) -> str:
    """A session of a new organisation admin (with the second factor admins need)."""
    secret = totp.new_totp_secret()
    _, email = await make_user(engine, keys, organisation, Role.ORG_ADMIN, totp_secret=secret)
    return await sign_in(client, email, second_factor=code_at(secret, clock.now))


async def status(client: httpx.AsyncClient, token: str) -> int:
    """The HTTP status of a request with this session (401 once it has ended)."""
    response = await client.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code == 401:
        assert [e["extensions"]["code"] for e in response.json()["errors"]] == ["UNAUTHENTICATED"]
        assert "data" not in response.json()
    return response.status_code


async def my_sessions(client: httpx.AsyncClient, token: str) -> dict[str, Any]:
    result: dict[str, Any] = (await data(client, MY_SESSIONS, token=token))["mySessions"]
    return result


def other(sessions: dict[str, Any]) -> str:
    """The id of the one listed session that is not the current one."""
    (found,) = [node["id"] for node in sessions["nodes"] if not node["current"]]
    return str(found)


async def test_my_sessions_lists_live_sessions_and_marks_the_current_one(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member signed in three times, once logged out again, and another member
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    _, colleague = await make_user(engine, platform_keys, organisation)
    await sign_in(client, colleague)
    first = await sign_in(client, email)
    clock.advance(minutes=5)
    second = await sign_in(client, email)
    ended = await sign_in(client, email)
    await data(client, LOGOUT, token=ended)

    # When they list their sessions from each live one
    from_first = await my_sessions(client, first)
    from_second = await my_sessions(client, second)

    # Then both live sessions are listed, newest first, the asking one marked current
    assert from_first["totalCount"] == from_second["totalCount"] == 2
    assert [node["current"] for node in from_first["nodes"]] == [False, True]
    assert [node["current"] for node in from_second["nodes"]] == [True, False]
    newest, oldest = from_second["nodes"]
    assert dt.datetime.fromisoformat(newest["createdAt"]) == clock.now
    assert dt.datetime.fromisoformat(oldest["expiresAt"]) == (
        clock.now - dt.timedelta(minutes=5) + dt.timedelta(days=7)
    )


async def test_a_session_ends_after_twelve_idle_hours(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given two sessions started together
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    used = await sign_in(client, email)
    idle = await sign_in(client, email)

    # When one is used a minute short of twelve hours, and both at twelve hours
    clock.advance(hours=11, minutes=59)
    before = await status(client, used)
    clock.advance(minutes=1)

    # Then the idle one has ended, and use kept the other alive
    assert before == 200
    assert await status(client, idle) == 401
    assert await status(client, used) == 200
    listed = await my_sessions(client, used)
    assert listed["totalCount"] == 1
    assert dt.datetime.fromisoformat(listed["nodes"][0]["lastSeenAt"]) == clock.now


async def test_use_keeps_a_session_alive_until_its_absolute_limit_of_seven_days(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a session
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    token = await sign_in(client, email)
    start = clock.now

    # When it is used every eleven hours (165 hours in all)
    statuses = []
    for _ in range(15):
        clock.advance(hours=11)
        statuses.append(await status(client, token))

    # Then it lives on, until the seventh day is over
    assert statuses == [200] * 15
    clock.advance(hours=2, minutes=59)
    assert await status(client, token) == 200
    clock.advance(minutes=1)
    assert clock.now == start + dt.timedelta(days=7)
    assert await status(client, token) == 401


async def test_logout_ends_the_session_at_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given two sessions of one member
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    leaving = await sign_in(client, email)
    staying = await sign_in(client, email)

    # When one logs out
    answer = await data(client, LOGOUT, token=leaving)

    # Then its next request is refused, and the other session lives on
    assert answer == {"logout": {"ok": True}}
    assert await status(client, leaving) == 401
    assert await status(client, staying) == 200


async def test_a_user_revokes_their_own_sessions_only(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member with two sessions, a colleague, and a user of another organisation
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    _, colleague_email = await make_user(engine, platform_keys, organisation)
    _, outsider_email = await make_user(
        engine, platform_keys, await make_organisation(engine), Role.MEMBER
    )
    current = await sign_in(client, email)
    lost_laptop = await sign_in(client, email)
    colleague = await sign_in(client, colleague_email)
    outsider = await sign_in(client, outsider_email)
    colleague_session = (await my_sessions(client, colleague))["nodes"][0]["id"]
    outsider_session = (await my_sessions(client, outsider))["nodes"][0]["id"]
    missing_session = to_global_id("LoginSession", uuid.uuid4())

    # When the member revokes their other session, the colleague's, the outsider's, a missing one
    laptop_session = other(await my_sessions(client, current))
    own = await data(client, REVOKE, {"id": laptop_session}, token=current)
    answers = [
        await execute(client, REVOKE, {"id": session}, token=current)
        for session in (colleague_session, outsider_session, missing_session)
    ]

    # Then their own ends at once; the others answer NOT_FOUND alike and live on
    assert own == {"revokeSession": {"ok": True}}
    assert await status(client, lost_laptop) == 401
    assert await status(client, current) == 200
    assert [error_codes(answer) for answer in answers] == [["NOT_FOUND"]] * 3
    assert len({answer["errors"][0]["message"] for answer in answers}) == 1
    assert await status(client, colleague) == 200
    assert await status(client, outsider) == 200


async def test_an_org_admin_lists_and_revokes_their_organisations_sessions(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin, a member of the organisation, and a user of another organisation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    _, member_email = await make_user(engine, platform_keys, organisation)
    _, outsider_email = await make_user(engine, platform_keys, await make_organisation(engine))
    member = await sign_in(client, member_email)
    outsider = await sign_in(client, outsider_email)
    outsider_session = (await my_sessions(client, outsider))["nodes"][0]["id"]

    # When the admin lists the organisation's sessions, and the member tries to
    listed = (await data(client, ORGANISATION_SESSIONS, token=admin))["organisationSessions"]
    by_member = await execute(client, ORGANISATION_SESSIONS, token=member)

    # Then the admin sees their own and the member's session, never the outsider's
    assert listed["totalCount"] == 2
    assert sorted(node["current"] for node in listed["nodes"]) == [False, True]
    assert error_codes(by_member) == ["FORBIDDEN"]

    # When the admin revokes the member's session, and the outsider's
    revoked = await data(client, REVOKE, {"id": other(listed)}, token=admin)
    foreign = await execute(client, REVOKE, {"id": outsider_session}, token=admin)

    # Then the member is signed out at once; the outsider's is not found and lives on
    assert revoked == {"revokeSession": {"ok": True}}
    assert await status(client, member) == 401
    assert error_codes(foreign) == ["NOT_FOUND"]
    assert await status(client, outsider) == 200


async def test_changing_the_password_needs_the_old_one_and_ends_other_sessions(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member signed in on two devices
    organisation = await make_organisation(engine)
    _, email = await make_user(engine, platform_keys, organisation)
    here = await sign_in(client, email)
    elsewhere = await sign_in(client, email)

    # When they give a wrong current password, or a weak new one
    wrong = await execute(
        client, CHANGE_PASSWORD, {"current": "not my password", "new": NEW_PASSWORD}, token=here
    )
    weak = await data(client, CHANGE_PASSWORD, {"current": PASSWORD, "new": "short"}, token=here)

    # Then the first is unauthenticated, the second an input error, and nothing changed
    assert error_codes(wrong) == ["UNAUTHENTICATED"]
    assert wrong["data"] is None
    assert weak["changePassword"]["ok"] is False
    assert [(e["field"], e["code"]) for e in weak["changePassword"]["userErrors"]] == [
        ("newPassword", "BAD_USER_INPUT")
    ]
    assert await status(client, elsewhere) == 200

    # When they change it properly
    changed = await data(
        client, CHANGE_PASSWORD, {"current": PASSWORD, "new": NEW_PASSWORD}, token=here
    )

    # Then the other session ends at once, this one stays, and only the new password works
    assert changed["changePassword"] == {"ok": True, "userErrors": []}
    assert await status(client, elsewhere) == 401
    assert await status(client, here) == 200
    assert error_codes(await login(client, email)) == ["UNAUTHENTICATED"]
    assert await sign_in(client, email, NEW_PASSWORD)


async def test_deactivation_ends_sessions_at_once_and_reactivation_lets_them_back(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member signed in, and their organisation's admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    member_id, email = await make_user(engine, platform_keys, organisation)
    member = await sign_in(client, email)
    user = to_global_id("User", member_id)

    # When the admin deactivates the member
    deactivated = await data(
        client, SET_ACTIVE, {"id": user, "active": False, "version": 1}, token=admin
    )

    # Then the member's session ends at once, and they cannot sign in
    assert deactivated["setUserActive"] == {
        "user": {"active": False, "version": 2},
        "userErrors": [],
    }
    assert await status(client, member) == 401
    assert error_codes(await login(client, email)) == ["UNAUTHENTICATED"]

    # When the admin reactivates them
    version = await user_version(engine, member_id)
    reactivated = await data(
        client, SET_ACTIVE, {"id": user, "active": True, "version": version}, token=admin
    )

    # Then they sign in again, but the session that was ended stays ended
    assert reactivated["setUserActive"]["user"]["active"] is True
    assert await status(client, member) == 401
    assert await status(client, await sign_in(client, email)) == 200
