"""Organisation admins manage their users: the list is the own organisation's only,
roles never above the admin's own, stale versions conflict, and another organisation's
user answers exactly like one that does not exist."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.organisations import User
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute

USERS = "{ users(first: 10) { totalCount nodes { id name email role active version } } }"
SET_ROLE = """
mutation($id: ID!, $role: Role!, $version: Int!) {
  setUserRole(userId: $id, role: $role, version: $version) {
    user { role version } userErrors { field code message }
  }
}
"""
SET_ACTIVE = """
mutation($id: ID!, $active: Boolean!, $version: Int!) {
  setUserActive(userId: $id, active: $active, version: $version) {
    user { active version } userErrors { field code message }
  }
}
"""
NODE = "query($id: ID!) { node(id: $id) { id ... on User { email } } }"
ME = "{ me { user { active } } }"


async def signed_in_admin(
    engine: AsyncEngine,
    keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: uuid.UUID,
) -> tuple[uuid.UUID, str]:
    """A new organisation admin (with the second factor admins need): (id, session)."""
    secret = totp.new_totp_secret()
    user_id, email = await make_user(engine, keys, organisation, Role.ORG_ADMIN, totp_secret=secret)
    return user_id, await sign_in(client, email, second_factor=code_at(secret, clock.now))


async def role_of(engine: AsyncEngine, user_id: uuid.UUID) -> tuple[Role, int, bool]:
    """What the database holds: (role, version, active)."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(User.role, User.version, User.active).where(User.id == user_id)
            )
        ).one()
    return Role(row.role), row.version, row.active


async def test_users_lists_the_own_organisation_only(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given two organisations with their users
    organisation = await make_organisation(engine)
    admin_id, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    member_id, member_email = await make_user(
        engine, platform_keys, organisation, Role.VIEWER, name="Amina Wanjiru"
    )
    other = await make_organisation(engine)
    _, outsider_email = await make_user(engine, platform_keys, other, name="Someone Else")

    # When the admin and the viewer list the users
    by_admin = (await data(client, USERS, token=admin))["users"]
    by_viewer = (await data(client, USERS, token=await sign_in(client, member_email)))["users"]

    # Then both see their organisation's users, decrypted, and nobody else
    assert by_admin == by_viewer
    assert by_admin["totalCount"] == 2
    member = next(n for n in by_admin["nodes"] if n["id"] == to_global_id("User", member_id))
    assert member == {
        "id": to_global_id("User", member_id),
        "name": "Amina Wanjiru",
        "email": member_email,
        "role": "VIEWER",
        "active": True,
        "version": 1,
    }
    assert {n["id"] for n in by_admin["nodes"]} == {
        to_global_id("User", admin_id),
        to_global_id("User", member_id),
    }
    assert outsider_email not in str(by_admin)


async def test_an_admin_changes_a_members_role(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin and a member
    organisation = await make_organisation(engine)
    admin_id, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    member_id, _ = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    member = to_global_id("User", member_id)

    # When the admin makes the member a viewer, then an admin
    to_viewer = await data(
        client, SET_ROLE, {"id": member, "role": "VIEWER", "version": 1}, token=admin
    )
    to_admin = await data(
        client, SET_ROLE, {"id": member, "role": "ORG_ADMIN", "version": 2}, token=admin
    )

    # Then each change is made, versioned and audited
    assert to_viewer["setUserRole"] == {
        "user": {"role": "VIEWER", "version": 2},
        "userErrors": [],
    }
    assert to_admin["setUserRole"]["user"] == {"role": "ORG_ADMIN", "version": 3}
    assert await role_of(engine, member_id) == (Role.ORG_ADMIN, 3, True)
    table = AuditEvent.__table__
    async with engine.connect() as connection:
        events = (
            await connection.execute(
                select(table)
                .where(table.c.action == "user.role-changed")
                .order_by(table.c.sequence)
            )
        ).all()
    assert [(e.chain, e.actor_user_id, e.subject_id, e.details) for e in events] == [
        (f"org:{organisation}", admin_id, member_id, {"from": "MEMBER", "to": "VIEWER"}),
        (f"org:{organisation}", admin_id, member_id, {"from": "VIEWER", "to": "ORG_ADMIN"}),
    ]


async def test_an_admin_cannot_grant_platform_admin(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin and a member
    organisation = await make_organisation(engine)
    _, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    member_id, _ = await make_user(engine, platform_keys, organisation, Role.MEMBER)

    # When the admin makes the member a platform admin
    variables = {"id": to_global_id("User", member_id), "role": "PLATFORM_ADMIN", "version": 1}
    refused = await execute(client, SET_ROLE, variables, token=admin)

    # Then it is forbidden and nothing changes
    assert error_codes(refused) == ["FORBIDDEN"]
    assert refused["data"] is None
    assert await role_of(engine, member_id) == (Role.MEMBER, 1, True)


async def test_an_admin_cannot_change_a_user_above_them(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an org admin and a platform admin of the same organisation
    organisation = await make_organisation(engine)
    _, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    above_id, _ = await make_user(
        engine,
        platform_keys,
        organisation,
        Role.PLATFORM_ADMIN,
        totp_secret=totp.new_totp_secret(),
    )
    above = to_global_id("User", above_id)

    # When the org admin demotes or deactivates the platform admin
    demoted = await execute(
        client, SET_ROLE, {"id": above, "role": "MEMBER", "version": 1}, token=admin
    )
    deactivated = await execute(
        client, SET_ACTIVE, {"id": above, "active": False, "version": 1}, token=admin
    )

    # Then both are forbidden and nothing changes
    assert error_codes(demoted) == ["FORBIDDEN"]
    assert error_codes(deactivated) == ["FORBIDDEN"]
    assert await role_of(engine, above_id) == (Role.PLATFORM_ADMIN, 1, True)


async def test_members_and_viewers_cannot_manage_users(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member and a viewer of one organisation
    organisation = await make_organisation(engine)
    member_id, member_email = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    viewer_id, viewer_email = await make_user(engine, platform_keys, organisation, Role.VIEWER)
    member = await sign_in(client, member_email)
    viewer = await sign_in(client, viewer_email)

    # When each promotes themselves, and deactivates the other
    attempts = [
        await execute(
            client,
            SET_ROLE,
            {"id": to_global_id("User", member_id), "role": "ORG_ADMIN", "version": 1},
            token=member,
        ),
        await execute(
            client,
            SET_ROLE,
            {"id": to_global_id("User", viewer_id), "role": "MEMBER", "version": 1},
            token=viewer,
        ),
        await execute(
            client,
            SET_ACTIVE,
            {"id": to_global_id("User", viewer_id), "active": False, "version": 1},
            token=member,
        ),
        await execute(
            client,
            SET_ACTIVE,
            {"id": to_global_id("User", member_id), "active": False, "version": 1},
            token=viewer,
        ),
    ]

    # Then every attempt is forbidden, and nothing changes
    assert [error_codes(attempt) for attempt in attempts] == [["FORBIDDEN"]] * 4
    assert await role_of(engine, member_id) == (Role.MEMBER, 1, True)
    assert await role_of(engine, viewer_id) == (Role.VIEWER, 1, True)


async def test_a_stale_version_conflicts_and_changes_nothing(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a member whose role another admin changed since it was read (version 1 → 2)
    organisation = await make_organisation(engine)
    _, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    member_id, _ = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    member = to_global_id("User", member_id)
    await data(client, SET_ROLE, {"id": member, "role": "VIEWER", "version": 1}, token=admin)

    # When an update comes with the old version
    stale_role = await data(
        client, SET_ROLE, {"id": member, "role": "ORG_ADMIN", "version": 1}, token=admin
    )
    stale_active = await data(
        client, SET_ACTIVE, {"id": member, "active": False, "version": 1}, token=admin
    )

    # Then both are conflicts on the version, and nothing changes
    for payload in (stale_role["setUserRole"], stale_active["setUserActive"]):
        assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [("version", "CONFLICT")]
        assert payload["user"] is None
    assert await role_of(engine, member_id) == (Role.VIEWER, 2, True)


async def test_another_organisations_user_answers_like_a_missing_one(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given an admin, a colleague, and a user of another organisation
    organisation = await make_organisation(engine)
    _, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    colleague_id, colleague_email = await make_user(engine, platform_keys, organisation)
    outsider_id, _ = await make_user(engine, platform_keys, await make_organisation(engine))
    outsider = to_global_id("User", outsider_id)
    missing = to_global_id("User", uuid.uuid4())

    # When the admin changes the outsider and a made-up user
    answers = {
        (who, mutation): await execute(
            client,
            query,
            {"id": target, "role": "VIEWER", "active": False, "version": 1},
            token=admin,
        )
        for who, target in (("outsider", outsider), ("missing", missing))
        for mutation, query in (("role", SET_ROLE), ("active", SET_ACTIVE))
    }
    # and looks both up by id, and the colleague too
    looked_up = {
        who: (await data(client, NODE, {"id": target}, token=admin))["node"]
        for who, target in (
            ("outsider", outsider),
            ("missing", missing),
            ("colleague", to_global_id("User", colleague_id)),
        )
    }

    # Then the outsider is not found, word for word like the missing user
    for mutation in ("role", "active"):
        outsider_answer = answers["outsider", mutation]
        assert error_codes(outsider_answer) == ["NOT_FOUND"]
        assert (
            outsider_answer["errors"][0]["message"]
            == (answers["missing", mutation]["errors"][0]["message"])
        )
        assert outsider_answer["data"] is None
    assert await role_of(engine, outsider_id) == (Role.MEMBER, 1, True)
    assert looked_up == {
        "outsider": None,
        "missing": None,
        "colleague": {"id": to_global_id("User", colleague_id), "email": colleague_email},
    }


async def test_an_admin_cannot_deactivate_themselves(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given a signed-in admin
    organisation = await make_organisation(engine)
    admin_id, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)

    # When they deactivate themselves
    variables = {"id": to_global_id("User", admin_id), "active": False, "version": 1}
    refused = await execute(client, SET_ACTIVE, variables, token=admin)

    # Then it is forbidden: they stay active and signed in
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await role_of(engine, admin_id) == (Role.ORG_ADMIN, 1, True)
    assert (await data(client, ME, token=admin))["me"] == {"user": {"active": True}}


async def test_a_demoted_admin_loses_admin_rights_at_once(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> None:
    # Given two signed-in admins of one organisation, and a member
    organisation = await make_organisation(engine)
    _, admin = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    peer_id, peer = await signed_in_admin(engine, platform_keys, client, clock, organisation)
    member_id, _ = await make_user(engine, platform_keys, organisation, Role.MEMBER)
    change = {"id": to_global_id("User", member_id), "role": "VIEWER", "version": 1}

    # When one admin makes the other a member
    await data(
        client,
        SET_ROLE,
        {"id": to_global_id("User", peer_id), "role": "MEMBER", "version": 1},
        token=admin,
    )

    # Then the demoted admin's very next request, in the same session, is refused
    refused = await execute(client, SET_ROLE, change, token=peer)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await role_of(engine, member_id) == (Role.MEMBER, 1, True)
