"""A small registry world: an NGO with an admin and a reveal-grant holder (both with a
second factor), a member, and a partner organisation to share with."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import to_global_id
from security import totp
from security.platform import PlatformKeys
from security.roles import Role
from tests.accounts import code_at, make_user, sign_in
from tests.clock import Clock
from tests.factories import make_organisation
from tests.graphql import data, execute

CREATE = """
mutation($input: ContactInput!) {
  createContact(input: $input) {
    userErrors { field code message }
    contact { id pseudonym owned riskLevel consent region country { code } themes { code } version }
  }
}
"""
GRANT = "mutation($id: ID!) { grantReveal(userId: $id) { holdsGrant userErrors { code } } }"
STEP_UP = "mutation($code: String!) { stepUp(code: $code) { freshUntil } }"


@dataclass
class Person:
    token: str
    user_id: uuid.UUID
    secret: bytes | None = None


@dataclass
class Registry:
    client: httpx.AsyncClient
    clock: Clock
    ngo: uuid.UUID
    partner: uuid.UUID
    admin: Person
    keeper: Person  # holds a reveal grant
    member: Person
    outsider: Person  # an admin of the partner organisation

    async def run(
        self, who: Person, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        return await execute(self.client, query, variables, token=who.token)

    async def step_up(self, who: Person) -> None:
        """A fresh second factor (a later time step: each step is accepted once)."""
        assert who.secret is not None
        self.clock.advance(seconds=30)
        await data(
            self.client, STEP_UP, {"code": code_at(who.secret, self.clock.now)}, token=who.token
        )

    async def create(self, who: Person | None = None, **fields: Any) -> dict[str, Any]:
        contact = {"fullName": "Jane Defender", "riskLevel": "HIGH", "consent": "GIVEN", **fields}
        body = await self.run(who or self.member, CREATE, {"input": contact})
        payload: dict[str, Any] = body["data"]["createContact"]
        assert payload["userErrors"] == [], payload
        return payload["contact"]


async def _person(
    engine: AsyncEngine,
    keys: PlatformKeys,
    client: httpx.AsyncClient,
    clock: Clock,
    organisation: uuid.UUID,
    role: Role,
    second_factor: bool,
) -> Person:
    secret = totp.new_totp_secret() if second_factor else None
    user_id, email = await make_user(engine, keys, organisation, role, totp_secret=secret)
    code = code_at(secret, clock.now) if secret else None
    return Person(await sign_in(client, email, second_factor=code), user_id, secret)


@pytest.fixture
async def registry(
    engine: AsyncEngine, platform_keys: PlatformKeys, client: httpx.AsyncClient, clock: Clock
) -> Registry:
    ngo = await make_organisation(engine, "Nairobi Defenders Forum", vetted_partner=True)
    partner = await make_organisation(
        engine, "Geneva Partner", vetted_partner=True, public_profile=True
    )
    admin = await _person(engine, platform_keys, client, clock, ngo, Role.ORG_ADMIN, True)
    keeper = await _person(engine, platform_keys, client, clock, ngo, Role.MEMBER, True)
    member = await _person(engine, platform_keys, client, clock, ngo, Role.MEMBER, False)
    outsider = await _person(engine, platform_keys, client, clock, partner, Role.ORG_ADMIN, True)
    world = Registry(client, clock, ngo, partner, admin, keeper, member, outsider)
    granted = await world.run(admin, GRANT, {"id": to_global_id("User", keeper.user_id)})
    assert granted["data"]["grantReveal"]["holdsGrant"] is True, granted
    return world
