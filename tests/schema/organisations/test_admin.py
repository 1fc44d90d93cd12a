"""Platform administration of organisations (create, vet, invite the first admin) and
an organisation's own opt-in to the public directory."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.organisations import Organisation, OrganisationKind
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, error_codes, execute

CREATE = """
mutation($input: OrganisationInput!) {
  createOrganisation(input: $input) {
    userErrors { field code }
    organisation { name acronym kind country { code } website vettedPartner }
  }
}
"""
SET_VETTED = """
mutation($id: ID!, $vetted: Boolean!) {
  setOrganisationVetted(organisationId: $id, vetted: $vetted) {
    userErrors { field code } organisation { name vettedPartner }
  }
}
"""
INVITE_ADMIN = """
mutation($id: ID!, $email: String!) {
  inviteOrganisationAdmin(organisationId: $id, email: $email) {
    userErrors { field code } invitation { email role } token
  }
}
"""
ACCEPT = """
mutation($token: String!) {
  acceptInvitation(token: $token, name: "Amina Wanjiru", password: "tea at the river at dawn") {
    userErrors { field code } token user { email role }
  }
}
"""
ME = "{ me { user { role } organisation { name } secondFactor { enrolled required } } }"
SET_PUBLIC = """
mutation($public: Boolean!) {
  setPublicProfile(public: $public) { userErrors { field code } organisation { name } }
}
"""
DIRECTORY = "{ organisations(first: 20) { nodes { name } } }"


@dataclass
class Admin:
    organisation: uuid.UUID
    session: str


async def _admin(
    engine: AsyncEngine,
    keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: uuid.UUID,
    role: Role,
) -> Admin:
    secret = totp.new_totp_secret()
    _, email = await make_user(engine, keys, organisation, role, totp_secret=secret)
    return Admin(
        organisation, await sign_in(client, email, second_factor=code_at(secret, clock.now))
    )


@pytest.fixture
async def platform_admin(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> Admin:
    platform = await make_organisation(engine, "Upright", OrganisationKind.OTHER)
    return await _admin(engine, platform_keys, client, clock, platform, Role.PLATFORM_ADMIN)


@pytest.fixture
async def org_admin(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> Admin:
    """The admin of a national NGO, neither vetted nor in the public directory."""
    ngo = await make_organisation(engine, "Mombasa Rights Watch")
    return await _admin(engine, platform_keys, client, clock, ngo, Role.ORG_ADMIN)


async def _audit(engine: AsyncEngine, subject: uuid.UUID) -> set[tuple[str, str]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(AuditEvent.chain, AuditEvent.action).where(AuditEvent.subject_id == subject)
        )
        return {(row.chain, row.action) for row in rows}


async def _organisations_named(engine: AsyncEngine, name: str) -> list[Any]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(Organisation.id, Organisation.vetted_partner, Organisation.version).where(
                Organisation.name == name
            )
        )
        return list(rows.all())


async def test_platform_admins_create_organisations(
    engine: AsyncEngine, client: httpx.AsyncClient, platform_admin: Admin, org_admin: Admin
) -> None:
    # Given an organisation's details
    given = {
        "name": "Nairobi Forum",
        "kind": "NATIONAL_NGO",
        "country": "ke",
        "acronym": "NF",
        "website": "https://forum.example.org",
    }
    # When an org admin tries to create it, then it is refused and nothing is written
    refused = await execute(client, CREATE, {"input": given}, token=org_admin.session)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await _organisations_named(engine, "Nairobi Forum") == []
    # When the platform admin creates it, then it exists, not vetted, and is audited
    created = await data(client, CREATE, {"input": given}, token=platform_admin.session)
    assert created["createOrganisation"] == {
        "userErrors": [],
        "organisation": {
            "name": "Nairobi Forum",
            "acronym": "NF",
            "kind": "NATIONAL_NGO",
            "country": {"code": "KEN"},
            "website": "https://forum.example.org",
            "vettedPartner": False,
        },
    }
    ((key, vetted, _),) = await _organisations_named(engine, "Nairobi Forum")
    assert vetted is False
    assert await _audit(engine, key) == {("platform", "organisation.created")}


async def test_a_duplicate_name_is_a_conflict(
    engine: AsyncEngine, client: httpx.AsyncClient, platform_admin: Admin
) -> None:
    # Given an organisation
    given = {"input": {"name": "Nairobi Forum", "kind": "NATIONAL_NGO"}}
    await data(client, CREATE, given, token=platform_admin.session)
    # When the platform admin creates another of the same name
    again = await data(client, CREATE, given, token=platform_admin.session)
    # Then it is a conflict, as data, and there is still one
    assert again["createOrganisation"] == {
        "userErrors": [{"field": "name", "code": "CONFLICT"}],
        "organisation": None,
    }
    assert len(await _organisations_named(engine, "Nairobi Forum")) == 1


async def test_a_website_must_be_http_and_a_country_known(
    engine: AsyncEngine, client: httpx.AsyncClient, platform_admin: Admin
) -> None:
    # Given inputs with one bad field each
    cases = {
        "ftp": {"website": "ftp://files.example.org"},
        "script": {"website": "javascript:alert(1)"},
        "no scheme": {"website": "forum.example.org"},
        "unknown country": {"country": "ZZZ"},
    }
    # When the platform admin submits each
    answers = {}
    for case, bad in cases.items():
        given = {"name": f"Forum {case}", "kind": "NATIONAL_NGO", **bad}
        answer = await data(client, CREATE, {"input": given}, token=platform_admin.session)
        answers[case] = (
            answer["createOrganisation"]["userErrors"],
            await _organisations_named(engine, given["name"]),
        )
    # Then each is a user error on that field, and nothing is created
    assert answers == {
        case: ([{"field": next(iter(bad)), "code": "BAD_USER_INPUT"}], [])
        for case, bad in cases.items()
    }


async def test_a_government_is_never_vetted(
    engine: AsyncEngine, client: httpx.AsyncClient, platform_admin: Admin
) -> None:
    # Given a government organisation
    government = await make_organisation(engine, "Ministry", OrganisationKind.GOVERNMENT)
    before = await _organisations_named(engine, "Ministry")
    # When the platform admin vets it
    variables = {"id": to_global_id("Organisation", government), "vetted": True}
    answer = await data(client, SET_VETTED, variables, token=platform_admin.session)
    # Then it is refused as data, the row is unchanged and nothing is audited
    assert answer["setOrganisationVetted"] == {
        "userErrors": [{"field": "organisationId", "code": "BAD_USER_INPUT"}],
        "organisation": None,
    }
    assert await _organisations_named(engine, "Ministry") == before
    assert before[0].vetted_partner is False
    assert await _audit(engine, government) == set()


async def test_vetting_is_recorded_in_the_platform_and_organisation_chains(
    engine: AsyncEngine, client: httpx.AsyncClient, platform_admin: Admin, org_admin: Admin
) -> None:
    # Given an NGO
    variables = {"id": to_global_id("Organisation", org_admin.organisation), "vetted": True}
    # When its own admin tries to vet it, then that is refused
    refused = await execute(client, SET_VETTED, variables, token=org_admin.session)
    assert error_codes(refused) == ["FORBIDDEN"]
    # When the platform admin vets it
    answer = await data(client, SET_VETTED, variables, token=platform_admin.session)
    # Then it is a vetted partner, recorded in the platform's chain and its own
    assert answer["setOrganisationVetted"]["organisation"] == {
        "name": "Mombasa Rights Watch",
        "vettedPartner": True,
    }
    assert await _audit(engine, org_admin.organisation) == {
        ("platform", "organisation.vetted"),
        (f"org:{org_admin.organisation}", "organisation.vetted"),
    }


async def test_an_invited_organisation_admin_joins_as_its_admin(
    engine: AsyncEngine, client: httpx.AsyncClient, platform_admin: Admin, org_admin: Admin
) -> None:
    # Given a new organisation
    ngo = await make_organisation(engine, "Kisumu Forum")
    variables = {"id": to_global_id("Organisation", ngo), "email": "head@kisumu.example.org"}
    # When an org admin of another organisation invites its admin, then that is refused,
    # and the platform admin inviting into an unknown organisation finds none
    refused = await execute(client, INVITE_ADMIN, variables, token=org_admin.session)
    assert error_codes(refused) == ["FORBIDDEN"]
    unknown = {**variables, "id": to_global_id("Organisation", uuid.uuid4())}
    missing = await execute(client, INVITE_ADMIN, unknown, token=platform_admin.session)
    assert error_codes(missing) == ["NOT_FOUND"]
    # When the platform admin invites, and the invitee accepts
    invited = (await data(client, INVITE_ADMIN, variables, token=platform_admin.session))[
        "inviteOrganisationAdmin"
    ]
    accepted = (await data(client, ACCEPT, {"token": invited["token"]}))["acceptInvitation"]
    # Then the invitee is the organisation's admin, with a second factor still to enrol
    assert invited["token"].startswith("upr_i_")
    assert invited["invitation"] == {"email": "head@kisumu.example.org", "role": "ORG_ADMIN"}
    assert accepted["user"] == {"email": "head@kisumu.example.org", "role": "ORG_ADMIN"}
    me = (await data(client, ME, token=accepted["token"]))["me"]
    assert me == {
        "user": {"role": "ORG_ADMIN"},
        "organisation": {"name": "Kisumu Forum"},
        "secondFactor": {"enrolled": False, "required": True},
    }
    # And from now on only its own admins invite: the platform cannot slip another in
    again = {**variables, "email": "second@kisumu.example.org"}
    second = (await data(client, INVITE_ADMIN, again, token=platform_admin.session))[
        "inviteOrganisationAdmin"
    ]
    assert (second["token"], second["userErrors"]) == (
        None,
        [{"field": "organisationId", "code": "CONFLICT"}],
    )


async def test_inviting_an_organisation_admin_needs_a_fresh_second_factor(
    engine: AsyncEngine, client: httpx.AsyncClient, clock: Clock, platform_admin: Admin
) -> None:
    ngo = await make_organisation(engine, "Lilongwe Forum")
    variables = {"id": to_global_id("Organisation", ngo), "email": "head@lilongwe.example.org"}
    clock.advance(minutes=6)  # the second factor proved at sign-in is no longer fresh
    stale = await execute(client, INVITE_ADMIN, variables, token=platform_admin.session)
    assert error_codes(stale) == ["FORBIDDEN"]


async def test_an_org_admin_opts_into_the_public_directory(
    platform_keys: PlatformKeys, engine: AsyncEngine, client: httpx.AsyncClient, org_admin: Admin
) -> None:
    # Given an NGO outside the public directory, and one of its members
    _, email = await make_user(engine, platform_keys, org_admin.organisation)
    member = await sign_in(client, email)

    async def listed() -> list[str]:
        return [node["name"] for node in (await data(client, DIRECTORY))["organisations"]["nodes"]]

    assert await listed() == []
    # When a member tries to publish it, then that is refused
    refused = await execute(client, SET_PUBLIC, {"public": True}, token=member)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await listed() == []
    # When its admin publishes it, then anonymous clients see it; until it is hidden again
    shown = await data(client, SET_PUBLIC, {"public": True}, token=org_admin.session)
    assert shown["setPublicProfile"]["organisation"] == {"name": "Mombasa Rights Watch"}
    assert await listed() == ["Mombasa Rights Watch"]
    await data(client, SET_PUBLIC, {"public": False}, token=org_admin.session)
    assert await listed() == []
