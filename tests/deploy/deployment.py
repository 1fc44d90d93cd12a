"""What the deployment tests share: the services they need, people to sign in as, and
GraphQL over real HTTP to real `upright serve` processes."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.relay import from_global_id
from schema.tables.audit import AuditEvent
from security.keyring import Keyring, load_keyring
from security.roles import Role
from server.audit_tools import verify
from server.database import create_engine
from server.keys import open_platform_keys
from server.settings import Settings
from tests.accounts import LOGIN, PASSWORD, make_user
from tests.factories import make_organisation

REDIS_URL = os.environ.get("UPRIGHT_TEST_REDIS_URL")
NO_REDIS = "UPRIGHT_TEST_REDIS_URL is not set: Redis tests skipped (.ci/run sets it)"
# Generous: the test machine is small and busy; a deadline only bounds a failure.
DEADLINE = 60.0


def require_postgres(
    backend: str, why: str = "scale-out runs on PostgreSQL (SQLite is one process's database)"
) -> None:
    if backend != "postgresql":
        pytest.skip(why)


def require_redis() -> str:
    if REDIS_URL is None:
        pytest.skip(NO_REDIS)
    return REDIS_URL


@dataclass(frozen=True)
class Member:
    organisation: uuid.UUID
    user: uuid.UUID
    email: str


async def make_member(
    database_url: str,
    keys_file: Path,
    role: Role = Role.MEMBER,
    organisation: uuid.UUID | None = None,
    totp_secret: bytes | None = None,
) -> Member:
    """A user (of a new organisation unless given) written as the servers would find it."""
    engine = create_engine(Settings(database_url=database_url))
    try:
        keys = await open_platform_keys(engine, load_keyring(keys_file))
        if organisation is None:
            organisation = await make_organisation(engine, vetted_partner=True)
        user, email = await make_user(engine, keys, organisation, role, totp_secret=totp_secret)
    finally:
        await engine.dispose()
    return Member(organisation, user, email)


async def post(
    client: httpx.AsyncClient,
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.post(
        f"{base}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


async def run(
    client: httpx.AsyncClient,
    base: str,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
) -> dict[str, Any]:
    """The response body (whatever its HTTP status, which tests of errors check apart)."""
    body: dict[str, Any] = (await post(client, base, query, variables, token)).json()
    return body


async def sign_in(
    client: httpx.AsyncClient, base: str, email: str, second_factor: str | None = None
) -> str:
    variables = {"email": email, "password": PASSWORD, "secondFactor": second_factor}
    body = await run(client, base, LOGIN, variables)
    assert "errors" not in body, body
    token: str = body["data"]["login"]["token"]
    return token


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


def key_of(global_id: str) -> uuid.UUID:
    return uuid.UUID(from_global_id(global_id)[1])


async def audit_actions(engine: AsyncEngine, chain: str) -> list[str]:
    """The actions of one chain, in order."""
    events = AuditEvent.__table__.c
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(events.action).where(events.chain == chain).order_by(events.sequence)
        )
        return list(rows.scalars())


async def audit_problems(engine: AsyncEngine, keyring: Keyring) -> list[str]:
    """What `upright audit verify` would report (no checkpoints): [] when every chain
    links up."""
    return await verify(engine, keyring, [])
