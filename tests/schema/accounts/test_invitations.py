"""Invitations: only organisation admins invite, never above their own role; the secret
is shown once, used once and expires; acceptance sets a strong password; whether an
email already has an account is told to the invitee only; every step is audited
without the email."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.tables.accounts import Invitation
from schema.tables.audit import AuditEvent
from schema.tables.organisations import User
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import PASSWORD, code_at, login, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute

INVITE = """
mutation($email: String!, $role: Role!) {
  inviteUser(email: $email, role: $role) {
    token
    invitation { id email role expiresAt acceptedAt revokedAt }
    userErrors { field code message }
  }
}
"""
ACCEPT = """
mutation($token: String!, $name: String!, $password: String!) {
  acceptInvitation(token: $token, name: $name, password: $password) {
    token
    user { name email role }
    userErrors { field code message }
  }
}
"""
REVOKE = "mutation($id: ID!) { revokeInvitation(invitationId: $id) { ok } }"
INVITATIONS = """
{ invitations(first: 10) { totalCount nodes { id email role acceptedAt revokedAt } } }
"""
ME = "{ me { user { email role } organisation { name } } }"
CREATE_TOKEN = """
mutation($expiresAt: DateTime!) {
  createApiToken(name: "CI", scopes: [RECOMMENDATIONS_READ], expiresAt: $expiresAt) { secret }
}
"""

NEWCOMER = "amina.wanjiru@example.org"
NEWCOMER_NAME = "Amina Wanjiru"


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


async def invite(
    client: httpx.AsyncClient, token: str, email: str = NEWCOMER, role: str = "MEMBER"
) -> dict[str, Any]:
    """An invitation that must succeed: its payload (with the one-time token)."""
    payload: dict[str, Any] = (
        await data(client, INVITE, {"email": email, "role": role}, token=token)
    )["inviteUser"]
    assert payload["userErrors"] == [], payload
    return payload


async def accept(
    client: httpx.AsyncClient,
    token: str,
    password: str = PASSWORD,
    name: str = NEWCOMER_NAME,
) -> dict[str, Any]:
    body = await data(client, ACCEPT, {"token": token, "name": name, "password": password})
    payload: dict[str, Any] = body["acceptInvitation"]
    return payload


async def count_users(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(User)) or 0)


async def count_invitations(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(Invitation)) or 0)


async def audit_events(engine: AsyncEngine, organisation: uuid.UUID) -> list[Any]:
    table = AuditEvent.__table__
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(table).where(table.c.chain == f"org:{organisation}").order_by(table.c.sequence)
        )
        return list(rows.all())


async def test_the_invitee_joins_with_the_invited_role_and_a_working_session(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation admin
    organisation = await make_organisation(engine, "Nairobi Forum")
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)

    # When they invite a viewer, and the invitee accepts
    invited = await invite(client, admin, role="VIEWER")
    accepted = await accept(client, invited["token"])

    # Then the secret is an invitation token valid for seven days
    assert invited["token"].startswith("upr_i_")
    assert invited["invitation"]["email"] == NEWCOMER
    assert invited["invitation"]["role"] == "VIEWER"
    expires = dt.datetime.fromisoformat(invited["invitation"]["expiresAt"])
    assert expires == clock.now + dt.timedelta(days=7)
    # and the new user has the invited role, in the inviting organisation
    assert accepted["userErrors"] == []
    assert accepted["user"] == {"name": NEWCOMER_NAME, "email": NEWCOMER, "role": "VIEWER"}
    assert accepted["token"].startswith("upr_s_")
    me = (await data(client, ME, token=accepted["token"]))["me"]
    assert me == {
        "user": {"email": NEWCOMER, "role": "VIEWER"},
        "organisation": {"name": "Nairobi Forum"},
    }
    # and the password they chose signs them in
    assert await sign_in(client, NEWCOMER)
    listed = (await data(client, INVITATIONS, token=admin))["invitations"]["nodes"]
    assert listed[0]["acceptedAt"] is not None


async def test_the_invitation_secret_is_stored_only_as_its_digest(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an invitation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    secret = (await invite(client, admin))["token"]

    # When the admin lists the invitations, and we read the table
    listing = await data(client, INVITATIONS, token=admin)
    async with engine.connect() as connection:
        row = (await connection.execute(select(Invitation.__table__))).one()

    # Then the secret is shown nowhere again, and the table holds its digest only
    assert secret not in json.dumps(listing)
    assert row.token_digest == hashlib.sha256(secret.encode()).digest()
    body = secret.removeprefix("upr_i_")
    for value in row:
        stored = value if isinstance(value, bytes) else str(value).encode()
        assert body.encode() not in stored
        assert NEWCOMER.encode() not in stored  # the email is encrypted too


async def test_an_org_admin_cannot_invite_a_platform_admin(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)

    # When they invite someone as platform admin
    refused = await execute(
        client, INVITE, {"email": NEWCOMER, "role": "PLATFORM_ADMIN"}, token=admin
    )

    # Then it is forbidden and nothing is written; their own role is as far as they go
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused["data"] is None
    assert await count_invitations(engine) == 0
    peer = await invite(client, admin, "peer@example.org", "ORG_ADMIN")
    assert peer["invitation"]["role"] == "ORG_ADMIN"


async def test_an_invited_admin_enrols_a_second_factor_before_administering(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin who invites a peer admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    invited = await invite(client, admin, role="ORG_ADMIN")

    # When the peer joins and, at once, lists the invitations
    session = (await accept(client, invited["token"]))["token"]
    listing = await execute(client, INVITATIONS, token=session)

    # Then they must first enrol their second factor
    assert error_codes(listing) == ["FORBIDDEN"]
    assert listing["data"] is None


async def test_only_org_admins_invite(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member, a viewer, an API token of the organisation, and an anonymous client
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    expires = (clock.now + dt.timedelta(days=30)).isoformat()
    api_token = (await data(client, CREATE_TOKEN, {"expiresAt": expires}, token=admin))[
        "createApiToken"
    ]["secret"]
    _, member_email = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    _, viewer_email = await make_user(engine, platform_keys, organisation, Role.VIEWER)
    member = await sign_in(client, member_email)
    viewer = await sign_in(client, viewer_email)

    # When each of them invites someone (a role no higher than their own, even)
    variables = {"email": NEWCOMER, "role": "VIEWER"}
    answers = {
        "member": await execute(client, INVITE, variables, token=member),
        "viewer": await execute(client, INVITE, variables, token=viewer),
        "api token": await execute(client, INVITE, variables, token=api_token),
        "anonymous": await execute(client, INVITE, variables),
    }

    # Then users and tokens are forbidden, anonymous clients unauthenticated, nothing written
    assert {who: error_codes(body) for who, body in answers.items()} == {
        "member": ["FORBIDDEN"],
        "viewer": ["FORBIDDEN"],
        "api token": ["FORBIDDEN"],
        "anonymous": ["UNAUTHENTICATED"],
    }
    assert all(body["data"] is None for body in answers.values())
    assert await count_invitations(engine) == 0


async def test_an_invitation_is_used_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an accepted invitation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    token = (await invite(client, admin))["token"]
    assert (await accept(client, token))["userErrors"] == []
    users = await count_users(engine)

    # When it is accepted again, under another name and password
    again = await accept(client, token, "another long passphrase", "Someone Else")

    # Then it is refused as invalid and no account is created
    assert [(e["field"], e["code"]) for e in again["userErrors"]] == [("token", "BAD_USER_INPUT")]
    assert again["token"] is None
    assert again["user"] is None
    assert await count_users(engine) == users
    assert error_codes(await login(client, NEWCOMER, "another long passphrase")) == [
        "UNAUTHENTICATED"
    ]


async def test_an_invitation_expires_after_seven_days(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given two invitations made at the same time
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    early = (await invite(client, admin, "early@example.org"))["token"]
    late = (await invite(client, admin, "late@example.org"))["token"]
    users = await count_users(engine)

    # When one is accepted a minute before seven days have passed, the other at seven days
    clock.advance(days=7, minutes=-1)
    in_time = await accept(client, early)
    clock.advance(minutes=1)
    too_late = await accept(client, late)

    # Then the first is still good and the second is refused, creating nobody
    assert in_time["userErrors"] == []
    assert [(e["field"], e["code"]) for e in too_late["userErrors"]] == [
        ("token", "BAD_USER_INPUT")
    ]
    assert too_late["token"] is None
    assert await count_users(engine) == users + 1


async def test_a_revoked_invitation_is_refused(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an invitation, and the admin of another organisation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    outsider = await signed_in_admin(
        engine, platform_keys, client, clock, await make_organisation(engine)
    )
    invited = await invite(client, admin)
    variables = {"id": invited["invitation"]["id"]}

    # When the outsider tries to revoke it, then the admin does, then the invitee accepts
    foreign = await execute(client, REVOKE, variables, token=outsider)
    revoked = await data(client, REVOKE, variables, token=admin)
    accepted = await accept(client, invited["token"])

    # Then only the own organisation's admin could revoke it, and the invitee is refused
    assert error_codes(foreign) == ["NOT_FOUND"]
    assert revoked["revokeInvitation"]["ok"] is True
    assert [(e["field"], e["code"]) for e in accepted["userErrors"]] == [
        ("token", "BAD_USER_INPUT")
    ]
    assert accepted["user"] is None
    listed = (await data(client, INVITATIONS, token=admin))["invitations"]["nodes"]
    assert listed[0]["revokedAt"] is not None
    assert listed[0]["acceptedAt"] is None
    # A revoked invitation is no longer open: revoking it again finds nothing.
    assert error_codes(await execute(client, REVOKE, variables, token=admin)) == ["NOT_FOUND"]


async def test_weak_passwords_are_refused_and_nothing_is_written(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an invitation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    token = (await invite(client, admin))["token"]
    users = await count_users(engine)
    weak = {
        "short": "Tr0ub4dor&3",  # 11 characters
        "common": "!qaz2wsx3edc",  # on the shipped list of common passwords
        "own name": "wanjiru wanjiru wanjiru",
        "own email": "amina.wanjiru is me",
    }

    # When the invitee picks each weak password in turn
    answers = {why: await accept(client, token, password) for why, password in weak.items()}

    # Then each is refused on the password field, and nothing is written
    for why, answer in answers.items():
        assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [
            ("password", "BAD_USER_INPUT")
        ], why
        assert answer["token"] is None, why
        assert weak[why] not in answer["userErrors"][0]["message"]
    assert await count_users(engine) == users
    # and the invitation is not spent: a strong password still joins
    assert (await accept(client, token))["userErrors"] == []
    assert await count_users(engine) == users + 1


async def test_an_email_with_an_account_conflicts_at_acceptance_only(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a person who already has an account, in another organisation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    await make_user(
        engine, platform_keys, await make_organisation(engine), email="Known@Example.org"
    )

    # When the admin invites them (spelled differently) and someone with no account
    known = await execute(
        client, INVITE, {"email": "known@example.ORG", "role": "MEMBER"}, token=admin
    )
    fresh = await execute(
        client, INVITE, {"email": "fresh@example.org", "role": "MEMBER"}, token=admin
    )

    # Then the admin gets the same answer for both: the admin is never told
    def shape(body: dict[str, Any]) -> dict[str, Any]:
        payload = body["data"]["inviteUser"]
        invitation = {k: v for k, v in payload["invitation"].items() if k not in ("id", "email")}
        return {
            "errors": body.get("errors"),
            "userErrors": payload["userErrors"],
            "prefix": payload["token"][:6],
            "invitation": invitation,
        }

    assert shape(known) == shape(fresh)
    users = await count_users(engine)

    # When the known person accepts
    answer = await accept(client, known["data"]["inviteUser"]["token"])

    # Then they are told, as a conflict, and no second account is created
    assert [(e["field"], e["code"]) for e in answer["userErrors"]] == [("token", "CONFLICT")]
    assert answer["token"] is None
    assert answer["user"] is None
    assert await count_users(engine) == users
    listed = (await data(client, INVITATIONS, token=admin))["invitations"]["nodes"]
    assert [node["acceptedAt"] for node in listed] == [None, None]


async def test_only_org_admins_list_invitations(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given two invitations to one organisation, and one to another
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    await invite(client, admin, "first@example.org", "VIEWER")
    await invite(client, admin, "second@example.org", "MEMBER")
    outsider = await signed_in_admin(
        engine, platform_keys, client, clock, await make_organisation(engine)
    )
    await invite(client, outsider, "elsewhere@example.org")
    _, member_email = await make_user(engine, platform_keys, organisation)
    member = await sign_in(client, member_email)

    # When the admin, a member and an anonymous client list the invitations
    listed = (await data(client, INVITATIONS, token=admin))["invitations"]
    by_member = await execute(client, INVITATIONS, token=member)
    by_anonymous = await execute(client, INVITATIONS)

    # Then the admin sees their organisation's, with emails decrypted; the others nothing
    assert listed["totalCount"] == 2
    assert sorted((n["email"], n["role"]) for n in listed["nodes"]) == [
        ("first@example.org", "VIEWER"),
        ("second@example.org", "MEMBER"),
    ]
    assert error_codes(by_member) == ["FORBIDDEN"]
    assert error_codes(by_anonymous) == ["UNAUTHENTICATED"]
    assert by_member["data"] is None
    assert by_anonymous["data"] is None


async def test_a_malformed_email_or_token_is_bad_input(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)

    # When they invite a non-email, and someone accepts with a made-up token
    bad_email = (
        await data(client, INVITE, {"email": "not-an-email", "role": "MEMBER"}, token=admin)
    )["inviteUser"]
    bad_token = await accept(client, "upr_i_" + "A" * 43)

    # Then both are input errors, nothing written
    assert [(e["field"], e["code"]) for e in bad_email["userErrors"]] == [
        ("email", "BAD_USER_INPUT")
    ]
    assert bad_email["token"] is None
    assert [(e["field"], e["code"]) for e in bad_token["userErrors"]] == [
        ("token", "BAD_USER_INPUT")
    ]
    assert await count_invitations(engine) == 0


async def test_invitations_are_audited_without_the_email(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)

    # When they invite a member, who joins
    invited = await invite(client, admin, role="MEMBER")
    await accept(client, invited["token"])

    # Then the organisation's chain records both steps
    events = await audit_events(engine, organisation)
    async with engine.connect() as connection:
        newcomer_id = await connection.scalar(
            select(User.id).where(User.email_index == platform_keys.email_index(NEWCOMER))
        )
        invitation_id = await connection.scalar(select(Invitation.id))
    by_action = {event.action: event for event in events}
    assert [event.action for event in events][-2:] == ["invitation.created", "user.joined"]
    created, joined = by_action["invitation.created"], by_action["user.joined"]
    assert (created.subject_type, created.subject_id) == ("Invitation", invitation_id)
    assert created.details == {"role": "MEMBER"}
    assert (joined.subject_type, joined.subject_id) == ("User", newcomer_id)
    assert joined.actor_user_id == newcomer_id
    assert joined.actor_organisation_id == organisation
    # and no entry, in any chain, holds the email or its local part
    table = AuditEvent.__table__
    async with engine.connect() as connection:
        everything = (await connection.execute(select(table))).all()
    assert everything
    for event in everything:
        text = json.dumps(event.details).casefold() + str(event.sealed_details)
        assert "amina" not in text
        assert "example.org" not in text


async def test_concurrent_acceptances_make_one_account_per_email(
    engine: AsyncEngine,
    platform_keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    backend: str,
    request: pytest.FixtureRequest,
) -> None:
    # Given two organisations that invited the same person
    first = await signed_in_admin(
        engine, platform_keys, client, clock, await make_organisation(engine)
    )
    second = await signed_in_admin(
        engine, platform_keys, client, clock, await make_organisation(engine)
    )
    tokens = [(await invite(client, admin))["token"] for admin in (first, second)]

    # When they accept both at the same moment
    answers = await asyncio.gather(*(accept(client, token) for token in tokens))

    # Then one account is made, and the other acceptance is a conflict
    async with engine.connect() as connection:
        accounts = await connection.scalar(
            select(func.count())
            .select_from(User)
            .where(User.email_index == platform_keys.email_index(NEWCOMER))
        )
    assert accounts == 1
    assert sorted(
        [(e["field"], e["code"]) for e in answer["userErrors"]] for answer in answers
    ) == [[], [("token", "CONFLICT")]]


async def test_an_invitation_dies_with_its_inviter_rights(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an invitation by an admin who is deactivated before it is accepted
    organisation = await make_organisation(engine)
    inviter = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    invitation = await invite(client, inviter, role="ORG_ADMIN")
    inviter_id = (await data(client, "{ me { user { id } } }", token=inviter))["me"]["user"]["id"]
    other = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    version = await data(client, "{ users(first: 10) { nodes { id version } } }", token=other)
    current = next(n["version"] for n in version["users"]["nodes"] if n["id"] == inviter_id)
    deactivate = (
        "mutation($id: ID!, $v: Int!) {"
        " setUserActive(userId: $id, active: false, version: $v) { userErrors { code } } }"
    )
    assert (await data(client, deactivate, {"id": inviter_id, "v": current}, token=other))[
        "setUserActive"
    ]["userErrors"] == []
    # When the invitee accepts; then the invitation no longer holds, and no user is made
    users = await count_users(engine)
    payload = await accept(client, invitation["token"])
    assert payload["userErrors"][0]["code"] == "BAD_USER_INPUT"
    assert await count_users(engine) == users
