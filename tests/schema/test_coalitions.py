"""Coalitions: joined by invitation and acceptance, never by being added; members see
the member list with governments flagged; every join is in every member's audit chain."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.relay import from_global_id, to_global_id
from schema.tables.audit import AuditEvent
from schema.tables.organisations import Coalition, OrganisationKind
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from security.sharing import Visibility
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import (
    make_coalition,
    make_engagement,
    make_organisation,
    make_recommendation,
    make_review,
)
from tests.graphql import data, error_codes, execute
from tests.principals import server_viewer, visible_engagements

MEMBERS = "members { organisation { name } status government }"
CREATE = """
mutation($name: String!) {
  createCoalition(name: $name, description: "Follow-up of the fourth cycle") {
    userErrors { field code }
    coalition { id name myStatus members { organisation { name } status government joinedAt } }
  }
}
"""
INVITE = f"""
mutation($coalition: ID!, $organisation: ID!) {{
  inviteToCoalition(coalitionId: $coalition, organisationId: $organisation) {{
    userErrors {{ field code }} coalition {{ governmentMember {MEMBERS} }}
  }}
}}
"""
ANSWER = f"""
mutation($coalition: ID!, $accept: Boolean!) {{
  answerCoalitionInvitation(coalitionId: $coalition, accept: $accept) {{
    userErrors {{ field code }} coalition {{ myStatus {MEMBERS} }}
  }}
}}
"""
LEAVE = """
mutation($coalition: ID!) {
  leaveCoalition(coalitionId: $coalition) { userErrors { field code } coalition { id } }
}
"""
COALITIONS = (
    f"{{ coalitions(first: 10) {{ nodes {{ id name myStatus governmentMember {MEMBERS} }} }} }}"
)
DIRECTORY = "{ organisations(first: 20) { nodes { name } } }"


class Admins:
    """Organisations, each with a signed-in admin (second factor confirmed)."""

    def __init__(
        self, engine: AsyncEngine, keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
    ) -> None:
        self.engine, self.keys, self.client, self.clock = engine, keys, client, clock
        self.ids: dict[str, uuid.UUID] = {}
        self.sessions: dict[str, str] = {}

    async def add(
        self, name: str, kind: OrganisationKind = OrganisationKind.NATIONAL_NGO, **flags: bool
    ) -> str:
        # Listed in the public directory unless told otherwise: an admin invites only
        # organisations it can see.
        flags.setdefault("public_profile", True)
        self.ids[name] = await make_organisation(self.engine, name, kind, **flags)
        secret = totp.new_totp_secret()
        _, email = await make_user(
            self.engine, self.keys, self.ids[name], Role.ORG_ADMIN, totp_secret=secret
        )
        code = code_at(secret, self.clock.now)
        self.sessions[name] = await sign_in(self.client, email, second_factor=code)
        return self.sessions[name]

    async def member(self, name: str) -> str:
        """A session of a plain member (no admin) of organisation `name`."""
        _, email = await make_user(self.engine, self.keys, self.ids[name])
        return await sign_in(self.client, email)

    def id(self, name: str) -> str:
        return to_global_id("Organisation", self.ids[name])

    async def run(
        self, name: str, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """`query` run by the admin of organisation `name`."""
        return await execute(self.client, query, variables, token=self.sessions[name])

    async def create(self, name: str, coalition: str = "Kenya UPR Coalition") -> str:
        created = await data(self.client, CREATE, {"name": coalition}, self.sessions[name])
        key: str = created["createCoalition"]["coalition"]["id"]
        return key

    async def invite(self, name: str, coalition: str, invitee: str) -> dict[str, Any]:
        return await self.run(
            name, INVITE, {"coalition": coalition, "organisation": self.id(invitee)}
        )

    async def answer(self, name: str, coalition: str, accept: bool = True) -> dict[str, Any]:
        return await self.run(name, ANSWER, {"coalition": coalition, "accept": accept})

    async def coalitions(self, name: str) -> list[dict[str, Any]]:
        listed = await self.run(name, COALITIONS)
        nodes: list[dict[str, Any]] = listed["data"]["coalitions"]["nodes"]
        return nodes

    async def members(self, name: str) -> dict[str, tuple[str, bool]]:
        """What `name` sees of its (first) coalition's members: status and flag by name."""
        (coalition,) = await self.coalitions(name)
        return {
            member["organisation"]["name"]: (member["status"], member["government"])
            for member in coalition["members"]
        }


@pytest.fixture
def admins(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> Admins:
    return Admins(engine, platform_keys, client, clock)


async def _audit(engine: AsyncEngine, action: str, coalition: str) -> set[tuple[str, str]]:
    """(chain, organisation joined/left/...) of the audit entries of a coalition."""
    key = uuid.UUID(from_global_id(coalition)[1])
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(AuditEvent.chain, AuditEvent.details).where(
                AuditEvent.action == action, AuditEvent.subject_id == key
            )
        )
        return {(row.chain, row.details["organisation"]) for row in rows}


def _chain(organisation: uuid.UUID) -> str:
    return f"org:{organisation}"


async def test_an_org_admin_creates_a_coalition_as_its_first_member(admins: Admins) -> None:
    # Given an organisation's admin and one of its members
    await admins.add("Nairobi Forum")
    member = await admins.member("Nairobi Forum")
    # When the admin creates a coalition
    created = (await admins.run("Nairobi Forum", CREATE, {"name": "Kenya UPR Coalition"}))["data"]
    # Then their organisation is its one active member
    coalition = created["createCoalition"]["coalition"]
    assert (coalition["name"], coalition["myStatus"]) == ("Kenya UPR Coalition", "ACTIVE")
    (only,) = coalition["members"]
    assert only["joinedAt"] is not None
    assert (only["organisation"]["name"], only["status"], only["government"]) == (
        "Nairobi Forum",
        "ACTIVE",
        False,
    )
    # And a member who is not an admin may not create one; a second of that name conflicts
    refused = await execute(admins.client, CREATE, {"name": "Their Coalition"}, token=member)
    assert error_codes(refused) == ["FORBIDDEN"]
    again = await admins.run("Nairobi Forum", CREATE, {"name": "Kenya UPR Coalition"})
    assert again["data"]["createCoalition"]["userErrors"] == [{"field": "name", "code": "CONFLICT"}]
    assert [c["name"] for c in await admins.coalitions("Nairobi Forum")] == ["Kenya UPR Coalition"]


async def test_only_an_active_members_admin_invites(admins: Admins) -> None:
    # Given a coalition of one founder, and two other organisations
    for name in ("Founder", "Invitee", "Outsider"):
        await admins.add(name)
    coalition = await admins.create("Founder")
    # When an outsider invites someone into it, then it does not exist for them
    assert error_codes(await admins.invite("Outsider", coalition, "Invitee")) == ["NOT_FOUND"]
    # When the founder invites an organisation, then it is not listed until it accepts
    # (it has not agreed to be seen in this coalition)
    invited = await admins.invite("Founder", coalition, "Invitee")
    assert invited["data"]["inviteToCoalition"]["userErrors"] == []
    assert await admins.members("Founder") == {"Founder": ("ACTIVE", False)}
    # And the invitee sees the coalition, but not its member list until it joins
    (seen,) = await admins.coalitions("Invitee")
    assert (seen["id"], seen["myStatus"], seen["members"]) == (coalition, "INVITED", [])
    # And an invited organisation cannot invite others yet
    assert error_codes(await admins.invite("Invitee", coalition, "Outsider")) == ["NOT_FOUND"]


async def test_only_the_invited_organisations_admin_accepts(admins: Admins) -> None:
    # Given an organisation invited into a coalition, and an outsider
    for name in ("Founder", "Invitee", "Outsider"):
        await admins.add(name)
    invitee_member = await admins.member("Invitee")
    coalition = await admins.create("Founder")
    await admins.invite("Founder", coalition, "Invitee")
    # When anyone but the invitee's admin answers, then nobody joins
    assert error_codes(await admins.answer("Outsider", coalition)) == ["NOT_FOUND"]
    assert error_codes(await admins.answer("Founder", coalition)) == ["NOT_FOUND"]
    by_member = await execute(
        admins.client, ANSWER, {"coalition": coalition, "accept": True}, token=invitee_member
    )
    assert error_codes(by_member) == ["FORBIDDEN"]
    assert "Invitee" not in await admins.members("Founder")
    # When the invitee's admin accepts, then it is an active member and sees the list
    accepted = (await admins.answer("Invitee", coalition))["data"]["answerCoalitionInvitation"]
    assert accepted["coalition"]["myStatus"] == "ACTIVE"
    assert await admins.members("Invitee") == {
        "Founder": ("ACTIVE", False),
        "Invitee": ("ACTIVE", False),
    }
    assert await admins.coalitions("Outsider") == []


async def test_declining_keeps_the_organisation_out(admins: Admins) -> None:
    # Given an organisation invited into a coalition
    for name in ("Founder", "Invitee"):
        await admins.add(name)
    coalition = await admins.create("Founder")
    await admins.invite("Founder", coalition, "Invitee")
    # When the invitee declines
    declined = (await admins.answer("Invitee", coalition, accept=False))["data"]
    # Then the coalition is gone from its view, and it is not in the member list
    assert declined["answerCoalitionInvitation"] == {"userErrors": [], "coalition": None}
    assert await admins.coalitions("Invitee") == []
    assert await admins.members("Founder") == {"Founder": ("ACTIVE", False)}
    # And the answer was final, and recorded for both
    assert error_codes(await admins.answer("Invitee", coalition)) == ["NOT_FOUND"]
    invitee = str(admins.ids["Invitee"])
    assert await _audit(admins.engine, "coalition.declined", coalition) == {
        (_chain(admins.ids["Founder"]), invitee),
        (_chain(admins.ids["Invitee"]), invitee),
    }


async def test_government_members_are_flagged_to_every_member(admins: Admins) -> None:
    # Given a coalition an NGO founded, which a government and another NGO joined
    await admins.add("Founder")
    await admins.add("Ministry of Justice", OrganisationKind.GOVERNMENT)
    await admins.add("Second NGO")
    coalition = await admins.create("Founder")
    for invitee in ("Ministry of Justice", "Second NGO"):
        await admins.invite("Founder", coalition, invitee)
        await admins.answer(invitee, coalition)
    # When each member reads the member list, then each sees the government flagged
    expected = {
        "Founder": ("ACTIVE", False),
        "Ministry of Justice": ("ACTIVE", True),
        "Second NGO": ("ACTIVE", False),
    }
    for member in expected:
        assert await admins.members(member) == expected


async def test_each_join_is_recorded_in_every_members_audit_chain(admins: Admins) -> None:
    # Given a coalition and two organisations invited into it
    for name in ("Founder", "Second", "Third"):
        await admins.add(name)
    coalition = await admins.create("Founder")
    await admins.invite("Founder", coalition, "Second")
    await admins.invite("Founder", coalition, "Third")
    # When the second, then the third organisation joins
    await admins.answer("Second", coalition)
    await admins.answer("Third", coalition)
    # Then each join is in the chain of every member at the time (the joiner included)
    founder, second, third = (admins.ids[name] for name in ("Founder", "Second", "Third"))
    assert await _audit(admins.engine, "coalition.joined", coalition) == {
        (_chain(founder), str(second)),
        (_chain(second), str(second)),
        (_chain(founder), str(third)),
        (_chain(second), str(third)),
        (_chain(third), str(third)),
    }


async def test_a_member_leaves(admins: Admins, app: Starlette) -> None:
    # Given an organisation that joined a coalition
    for name in ("Founder", "Leaver"):
        await admins.add(name)
    coalition = await admins.create("Founder")
    await admins.invite("Founder", coalition, "Leaver")
    await admins.answer("Leaver", coalition)
    # When the member leaves
    left = (await admins.run("Leaver", LEAVE, {"coalition": coalition}))["data"]["leaveCoalition"]
    # Then it no longer sees the coalition (nor reads as a member), and is off the list
    assert left == {"userErrors": [], "coalition": None}
    assert await admins.coalitions("Leaver") == []
    assert (await server_viewer(app, admins.sessions["Leaver"])).coalition_ids == frozenset()
    assert await admins.members("Founder") == {"Founder": ("ACTIVE", False)}
    # And both chains record it; leaving twice finds nothing to leave
    leaver = str(admins.ids["Leaver"])
    assert await _audit(admins.engine, "coalition.left", coalition) == {
        (_chain(admins.ids["Founder"]), leaver),
        (_chain(admins.ids["Leaver"]), leaver),
    }
    again = await admins.run("Leaver", LEAVE, {"coalition": coalition})
    assert error_codes(again) == ["NOT_FOUND"]


async def test_after_joining_a_government_reads_the_coalitions_rows_only(
    engine: AsyncEngine, admins: Admins, app: Starlette
) -> None:
    # Given a vetted NGO, not in the public directory, sharing a row at every level, and
    # one with another coalition of its own
    await admins.add("Founder", vetted_partner=True, public_profile=False)
    government = await admins.add(
        "Ministry of Justice", OrganisationKind.GOVERNMENT, public_profile=False
    )
    founder = admins.ids["Founder"]
    coalition = await admins.create("Founder")
    coalition_key = uuid.UUID(from_global_id(coalition)[1])
    other = await make_coalition(engine, founder)
    review = await make_review(engine)
    rows = {}
    for level, shared_in in [
        (Visibility.PUBLIC, None),
        (Visibility.PARTNERS, None),
        (Visibility.COALITION, coalition_key),
        (Visibility.ORGANISATION, None),
    ]:
        recommendation = await make_recommendation(engine, review)
        rows[level] = await make_engagement(engine, recommendation, founder, level, shared_in)
    await make_engagement(
        engine, await make_recommendation(engine, review), founder, Visibility.COALITION, other
    )
    before = await visible_engagements(engine, await server_viewer(app, government))
    directory_before = await data(admins.client, DIRECTORY, token=government)
    # When the government accepts an invitation into the coalition
    await admins.invite("Founder", coalition, "Ministry of Justice")
    await admins.answer("Ministry of Justice", coalition)
    # Then the viewer the server builds for it reads that coalition's rows, and no more
    after = await visible_engagements(engine, await server_viewer(app, government))
    assert before == {rows[Visibility.PUBLIC]}
    assert after == {rows[Visibility.PUBLIC], rows[Visibility.COALITION]}
    # And the directory shows it its fellow member, which is neither public nor visible to
    # an unvetted organisation otherwise
    directory_after = await data(admins.client, DIRECTORY, token=government)
    assert [n["name"] for n in directory_before["organisations"]["nodes"]] == [
        "Ministry of Justice"
    ]
    assert [n["name"] for n in directory_after["organisations"]["nodes"]] == [
        "Founder",
        "Ministry of Justice",
    ]


async def test_creating_a_coalition_reveals_no_coalition_of_others(
    engine: AsyncEngine, admins: Admins
) -> None:
    # Given a coalition of NGOs that a government may not see
    await admins.add("Ministry of Justice", OrganisationKind.GOVERNMENT)
    hidden = await make_coalition(engine, await make_organisation(engine, "Quiet Defenders"))
    async with engine.connect() as connection:
        name = await connection.scalar(select(Coalition.name).where(Coalition.id == hidden))
    assert await admins.coalitions("Ministry of Justice") == []
    # When the government creates a coalition of that name, and one of a name never used
    taken = await admins.run("Ministry of Justice", CREATE, {"name": name})
    fresh = await admins.run("Ministry of Justice", CREATE, {"name": "Never Used Coalition"})
    # Then both answers alike: the name tells it nothing of the hidden coalition
    assert fresh["data"]["createCoalition"]["userErrors"] == []
    assert taken["data"]["createCoalition"]["userErrors"] == []


async def test_an_invited_organisation_knows_a_government_is_in(admins: Admins) -> None:
    # Given a coalition a government has joined
    await admins.add("Founder", vetted_partner=True)
    await admins.add("Ministry of Justice", OrganisationKind.GOVERNMENT)
    await admins.add("Invitee")
    coalition = await admins.create("Founder")
    before = await admins.invite("Founder", coalition, "Invitee")
    assert before["data"]["inviteToCoalition"]["coalition"]["governmentMember"] is False
    await admins.invite("Founder", coalition, "Ministry of Justice")
    await admins.answer("Ministry of Justice", coalition)
    # Then an invited organisation learns it before deciding, without seeing the members
    (seen,) = await admins.coalitions("Invitee")
    assert (seen["myStatus"], seen["governmentMember"], seen["members"]) == ("INVITED", True, [])
