"""API tokens: made by organisation admins, shown once, stored as a digest, scoped,
revocable and expiring at once; a token reads but never administers."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.accounts import ApiToken
from schema.tables.audit import AuditEvent
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import code_at, make_user, sign_in, user_version
from tests.clock import Clock
from tests.factories import make_organisation, make_recommendation, make_review
from tests.graphql import data, error_codes, execute

CREATE = """
mutation($name: String!, $scopes: [Scope!]!, $expiresAt: DateTime!) {
  createApiToken(name: $name, scopes: $scopes, expiresAt: $expiresAt) {
    secret
    apiToken { id name scopes expiresAt lastUsedAt revokedAt }
    userErrors { field code message }
  }
}
"""
REVOKE = "mutation($id: ID!) { revokeApiToken(apiTokenId: $id) { apiToken { revokedAt } } }"
TOKENS = "{ apiTokens(first: 10) { totalCount nodes { id name scopes lastUsedAt revokedAt } } }"
RECOMMENDATIONS = "{ recommendations(first: 1) { totalCount } }"
READ = "{ recommendations(first: 10) { nodes { text } } me { user { email } } }"
DIRECTORY = "query($id: ID!) { organisations(first: 10) { nodes { name } } node(id: $id) { id } }"
ACCOUNTS = "query($user: ID!) { me { user { id } } node(id: $user) { id } }"
# Every field about accounts or administration, with the variables `$user` (a member of
# the token's organisation), `$token` (the token itself) and `$expiresAt`.
ADMINISTRATION = {
    "users": "{ users(first: 10) { totalCount } }",
    "mySessions": "{ mySessions(first: 10) { totalCount } }",
    "organisationSessions": "{ organisationSessions(first: 10) { totalCount } }",
    "apiTokens": "{ apiTokens(first: 10) { totalCount } }",
    "invitations": "{ invitations(first: 10) { totalCount } }",
    "inviteUser": 'mutation { inviteUser(email: "x@example.org", role: VIEWER) { token } }',
    "createApiToken": 'mutation($expiresAt: DateTime!) { createApiToken(name: "t", '
    "scopes: [CONTACTS_READ], expiresAt: $expiresAt) { secret } }",
    "revokeApiToken": "mutation($token: ID!) { revokeApiToken(apiTokenId: $token) "
    "{ apiToken { id } } }",
    "setUserRole": "mutation($user: ID!) { setUserRole(userId: $user, role: ORG_ADMIN, "
    "version: 1) { user { role } } }",
    "setUserActive": "mutation($user: ID!) { setUserActive(userId: $user, active: false, "
    "version: 1) { user { active } } }",
    "resetSecondFactor": "mutation($user: ID!) { resetSecondFactor(userId: $user) { ok } }",
    "changePassword": 'mutation { changePassword(currentPassword: "x", '
    'newPassword: "a long new passphrase") { ok } }',
    "beginSecondFactorEnrolment": "mutation { beginSecondFactorEnrolment { secret } }",
    "logout": "mutation { logout { ok } }",
}


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


def variables(
    clock: Clock,
    scopes: tuple[str, ...] = ("RECOMMENDATIONS_READ",),
    name: str = "Monitoring app",
    lifetime: dt.timedelta = dt.timedelta(days=30),
) -> dict[str, Any]:
    return {
        "name": name,
        "scopes": list(scopes),
        "expiresAt": (clock.now + lifetime).isoformat(),
    }


async def create_token(
    client: httpx.AsyncClient, admin: str, clock: Clock, **options: Any
) -> dict[str, Any]:
    """A token that must be created: the payload, with the secret."""
    payload: dict[str, Any] = (
        await data(client, CREATE, variables(clock, **options), token=admin)
    )["createApiToken"]
    assert payload["userErrors"] == [], payload
    return payload


async def post(client: httpx.AsyncClient, query: str, bearer: str) -> httpx.Response:
    """A request whatever its status (`tests.graphql.execute` insists on 200)."""
    return await client.post(
        "/graphql", json={"query": query}, headers={"Authorization": f"Bearer {bearer}"}
    )


def assert_refused(response: httpx.Response) -> None:
    """401 with UNAUTHENTICATED, and never any data."""
    assert response.status_code == 401, response.text
    body = response.json()
    assert "data" not in body
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert response.headers["www-authenticate"] == "Bearer"


async def count_tokens(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).select_from(ApiToken)) or 0)


async def test_the_secret_is_shown_once_and_stored_only_as_its_digest(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)

    # When they create a token with two scopes, and list the tokens
    created = await create_token(
        client, admin, clock, scopes=("RECOMMENDATIONS_READ", "ENGAGEMENTS_WRITE")
    )
    listing = (await data(client, TOKENS, token=admin))["apiTokens"]

    # Then the secret is a prefixed 256-bit token, shown in the creation answer only
    secret = created["secret"]
    assert secret.startswith("upr_t_")
    assert len(secret.removeprefix("upr_t_")) == 43
    assert secret not in json.dumps(listing)
    assert listing["totalCount"] == 1
    assert listing["nodes"][0]["name"] == "Monitoring app"
    assert sorted(listing["nodes"][0]["scopes"]) == ["ENGAGEMENTS_WRITE", "RECOMMENDATIONS_READ"]
    assert listing["nodes"][0]["lastUsedAt"] is None
    # and the table holds its SHA-256 digest, and no part of the secret
    async with engine.connect() as connection:
        row = (await connection.execute(select(ApiToken.__table__))).one()
    assert row.token_digest == hashlib.sha256(secret.encode()).digest()
    body = secret.removeprefix("upr_t_").encode()
    for value in row:
        stored = value if isinstance(value, bytes) else str(value).encode()
        assert body not in stored
    # and its creation is audited, without the secret
    table = AuditEvent.__table__
    async with engine.connect() as connection:
        event = (
            await connection.execute(select(table).where(table.c.action == "api-token.created"))
        ).one()
    assert event.chain == f"org:{organisation}"
    assert event.subject_id == row.id
    assert secret not in json.dumps(event.details)


async def test_only_org_admins_create_tokens(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin's token with every scope, a member, a viewer and an anonymous client
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    every_scope = (
        "RECOMMENDATIONS_READ",
        "ENGAGEMENTS_WRITE",
        "ASSESSMENTS_WRITE",
        "ACTIVITIES_WRITE",
        "CONTACTS_READ",
    )
    api_token = (await create_token(client, admin, clock, scopes=every_scope))["secret"]
    _, member_email = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    _, viewer_email = await make_user(engine, platform_keys, organisation, Role.VIEWER)
    member = await sign_in(client, member_email)
    viewer = await sign_in(client, viewer_email)

    # When each of them tries to create a token
    wanted = variables(clock)
    answers = {
        "member": await execute(client, CREATE, wanted, token=member),
        "viewer": await execute(client, CREATE, wanted, token=viewer),
        "api token": await execute(client, CREATE, wanted, token=api_token),
        "anonymous": await execute(client, CREATE, wanted),
    }

    # Then none of them may, and no token is made
    assert {who: error_codes(body) for who, body in answers.items()} == {
        "member": ["FORBIDDEN"],
        "viewer": ["FORBIDDEN"],
        "api token": ["FORBIDDEN"],
        "anonymous": ["UNAUTHENTICATED"],
    }
    assert all(body["data"] is None for body in answers.values())
    assert await count_tokens(engine) == 1


async def test_a_token_reads_as_its_bearer(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a recommendation, and a token that may read recommendations
    await make_recommendation(engine, await make_review(engine), text="Ratify the convention")
    organisation = await make_organisation(engine, "Nairobi Forum")
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    secret = (await create_token(client, admin, clock))["secret"]

    # When a client app sends it as its bearer
    read = await data(client, READ, token=secret)

    # Then it reads, as no user at all
    assert read == {"recommendations": {"nodes": [{"text": "Ratify the convention"}]}, "me": None}


async def test_last_use_is_written_at_most_once_a_minute(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a token never used
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    secret = (await create_token(client, admin, clock))["secret"]
    start = clock.now

    async def last_used() -> dt.datetime | None:
        async with engine.connect() as connection:
            value: dt.datetime | None = await connection.scalar(select(ApiToken.last_used_at))
        return value

    # When it is used now, and again 59 seconds later
    await data(client, RECOMMENDATIONS, token=secret)
    first = await last_used()
    clock.advance(seconds=59)
    await data(client, RECOMMENDATIONS, token=secret)
    within_a_minute = await last_used()
    # and once more, a minute after the first use
    clock.advance(seconds=1)
    await data(client, RECOMMENDATIONS, token=secret)
    after_a_minute = await last_used()

    # Then the time is written on first use, left alone within the minute, then updated
    assert first == start
    assert within_a_minute == start
    assert after_a_minute == start + dt.timedelta(minutes=1)
    listed = (await data(client, TOKENS, token=admin))["apiTokens"]["nodes"][0]
    assert dt.datetime.fromisoformat(listed["lastUsedAt"]) == after_a_minute


async def test_revoking_a_token_is_effective_at_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a token in use
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    created = await create_token(client, admin, clock)
    secret = created["secret"]
    assert (await post(client, RECOMMENDATIONS, secret)).status_code == 200

    # When the admin revokes it
    revoked = await data(client, REVOKE, {"id": created["apiToken"]["id"]}, token=admin)

    # Then the very next request with it is refused, and the listing shows it revoked
    assert revoked["revokeApiToken"]["apiToken"]["revokedAt"] is not None
    assert_refused(await post(client, RECOMMENDATIONS, secret))
    listed = (await data(client, TOKENS, token=admin))["apiTokens"]["nodes"][0]
    assert listed["revokedAt"] is not None
    # A revoked token is no longer live: revoking it again finds nothing.
    again = await execute(client, REVOKE, {"id": created["apiToken"]["id"]}, token=admin)
    assert error_codes(again) == ["NOT_FOUND"]


async def test_another_organisation_neither_lists_nor_revokes_a_token(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a token of one organisation, and the admin of another
    admin = await signed_in_admin(
        engine, platform_keys, client, clock, await make_organisation(engine)
    )
    outsider = await signed_in_admin(
        engine, platform_keys, client, clock, await make_organisation(engine)
    )
    created = await create_token(client, admin, clock)
    token_id = created["apiToken"]["id"]

    # When the outsider lists tokens, and revokes it and a made-up id
    listing = (await data(client, TOKENS, token=outsider))["apiTokens"]
    foreign = await execute(client, REVOKE, {"id": token_id}, token=outsider)
    missing = await execute(
        client, REVOKE, {"id": to_global_id("ApiToken", uuid.uuid4())}, token=outsider
    )

    # Then they see nothing, the token is not found exactly like a missing one, and it works
    assert listing["totalCount"] == 0
    assert error_codes(foreign) == ["NOT_FOUND"]
    assert foreign["errors"][0]["message"] == missing["errors"][0]["message"]
    assert foreign["data"] is None
    assert (await post(client, RECOMMENDATIONS, created["secret"])).status_code == 200


async def test_an_expired_token_is_refused(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a token that expires in an hour
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    secret = (await create_token(client, admin, clock, lifetime=dt.timedelta(hours=1)))["secret"]

    # When it is used a second before, and at, its expiry
    clock.advance(minutes=59, seconds=59)
    before = await post(client, RECOMMENDATIONS, secret)
    clock.advance(seconds=1)
    at_expiry = await post(client, RECOMMENDATIONS, secret)

    # Then it works until then and is refused from then on
    assert before.status_code == 200
    assert_refused(at_expiry)


async def test_a_malformed_or_unknown_bearer_is_refused_never_served(
    client: httpx.AsyncClient,
) -> None:
    # Given credentials that are not (or no longer) ours
    unknown_body = secrets.token_urlsafe(32)
    authorizations = [
        f"Bearer upr_t_{unknown_body}",  # well formed, unknown
        f"Bearer upr_s_{unknown_body}",
        f"Bearer upr_i_{unknown_body}",  # an invitation is no credential
        "Bearer upr_t_short",
        "Bearer not-a-token",
        "Bearer",
        f"Basic {unknown_body}",
        f"upr_t_{unknown_body}",
    ]

    for authorization in authorizations:
        # When a client sends each of them
        response = await client.post(
            "/graphql", json={"query": RECOMMENDATIONS}, headers={"Authorization": authorization}
        )

        # Then it is refused outright, never served as anonymous
        assert_refused(response)


async def test_tokens_cannot_administer_or_see_accounts(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a token with every scope, and a member of its organisation
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    every_scope = (
        "RECOMMENDATIONS_READ",
        "ENGAGEMENTS_WRITE",
        "ASSESSMENTS_WRITE",
        "ACTIVITIES_WRITE",
        "CONTACTS_READ",
    )
    created = await create_token(client, admin, clock, scopes=every_scope)
    secret = created["secret"]
    member_id, _ = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    given = {
        "user": to_global_id("User", member_id),
        "token": created["apiToken"]["id"],
        "expiresAt": (clock.now + dt.timedelta(days=1)).isoformat(),
    }

    # When the token asks for accounts, or to administer
    answers = {
        field: await execute(client, query, given, token=secret)
        for field, query in ADMINISTRATION.items()
    }
    seen = await data(client, ACCOUNTS, given, token=secret)

    # Then every administrative field is forbidden, and no account is visible
    assert {field: error_codes(body) for field, body in answers.items()} == {
        field: ["FORBIDDEN"] for field in ADMINISTRATION
    }
    assert all(body["data"] is None for body in answers.values())
    assert seen == {"me": None, "node": None}
    # and nothing changed: the member, the tokens
    assert await user_version(engine, member_id) == 1
    assert await count_tokens(engine) == 1
    assert (await post(client, RECOMMENDATIONS, secret)).status_code == 200


async def test_expiry_and_scopes_are_validated(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation admin
    organisation = await make_organisation(engine)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    wrong = {
        "past": variables(clock, lifetime=dt.timedelta(minutes=-1)),
        "now": variables(clock, lifetime=dt.timedelta(0)),
        "over a year": variables(clock, lifetime=dt.timedelta(days=367)),
        "naive": {**variables(clock), "expiresAt": "2026-12-28T09:00:00"},
        "no scope": variables(clock, scopes=()),
        "no name": variables(clock, name="   "),
    }

    # When the admin asks for tokens with each of these
    answers = {
        why: (await data(client, CREATE, wanted, token=admin))["createApiToken"]
        for why, wanted in wrong.items()
    }

    # Then each is an input error on its field, and no token is made
    assert {
        why: [(e["field"], e["code"]) for e in a["userErrors"]] for why, a in answers.items()
    } == {
        "past": [("expiresAt", "BAD_USER_INPUT")],
        "now": [("expiresAt", "BAD_USER_INPUT")],
        "over a year": [("expiresAt", "BAD_USER_INPUT")],
        "naive": [("expiresAt", "BAD_USER_INPUT")],
        "no scope": [("scopes", "BAD_USER_INPUT")],
        "no name": [("name", "BAD_USER_INPUT")],
    }
    assert all(a["secret"] is None and a["apiToken"] is None for a in answers.values())
    assert await count_tokens(engine) == 0
    # A year ahead, with its UTC offset, is fine.
    offset = dt.timezone(dt.timedelta(hours=3))
    in_a_year = (clock.now + dt.timedelta(days=365)).astimezone(offset).isoformat()
    fine = await data(client, CREATE, {**variables(clock), "expiresAt": in_a_year}, token=admin)
    assert fine["createApiToken"]["userErrors"] == []


async def test_a_token_without_recommendations_read_reads_only_public_data(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an organisation that is not in the public directory, and one that is
    organisation = await make_organisation(engine, "Quiet Defenders")
    await make_organisation(engine, "Open Watch", public_profile=True)
    admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    reader = (await create_token(client, admin, clock))["secret"]
    writer = (await create_token(client, admin, clock, scopes=("ENGAGEMENTS_WRITE",)))["secret"]
    own = {"id": to_global_id("Organisation", organisation)}

    # When each token reads the directory and its own organisation by id
    by_reader = await data(client, DIRECTORY, own, token=reader)
    by_writer = await data(client, DIRECTORY, own, token=writer)

    # Then the reader sees its own organisation; the other reads as the public does
    assert [n["name"] for n in by_reader["organisations"]["nodes"]] == [
        "Open Watch",
        "Quiet Defenders",
    ]
    assert by_reader["node"] == own
    assert [n["name"] for n in by_writer["organisations"]["nodes"]] == ["Open Watch"]
    assert by_writer["node"] is None
