"""Typed helpers for tests that sign in: users, second factors, tokens."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import httpx
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.accounts.second_factor import seal_totp_secret
from schema.db import new_id, utcnow
from schema.tables.organisations import User
from security import totp
from security.passwords import Passwords
from security.platform import PlatformKeys
from security.roles import Role
from tests.graphql import execute

PASSWORD = "correct horse battery staple"
_passwords = Passwords()
_hash = _passwords.hash(PASSWORD)

LOGIN = """
mutation($email: String!, $password: String!, $secondFactor: String) {
  login(email: $email, password: $password, secondFactor: $secondFactor) {
    token secondFactorEnrolmentRequired user { id email role }
  }
}
"""


async def make_user(
    engine: AsyncEngine,
    keys: PlatformKeys,
    organisation: uuid.UUID,
    role: Role = Role.MEMBER,
    *,
    email: str | None = None,
    name: str = "Test User",
    password_hash: str | None = _hash,
    totp_secret: bytes | None = None,
    active: bool = True,
) -> tuple[uuid.UUID, str]:
    """A user (id, email); with `totp_secret`, a confirmed second factor."""
    user_id = new_id()
    email = email or f"user-{user_id.hex[-10:]}@example.org"
    now = utcnow()
    async with engine.begin() as connection:
        await connection.execute(
            insert(User).values(
                id=user_id,
                organisation_id=organisation,
                role=role,
                name_ciphertext=keys.seal(name, "users", "name", user_id, organisation),
                email_ciphertext=keys.seal(email, "users", "email", user_id, organisation),
                email_index=keys.email_index(email),
                password_hash=password_hash,
                totp_secret_ciphertext=seal_totp_secret(keys, totp_secret, user_id, organisation)
                if totp_secret
                else None,
                totp_confirmed_at=now if totp_secret else None,
                active=active,
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
    return user_id, email


def code_at(secret: bytes, when: dt.datetime) -> str:
    return totp.current_code(secret, when.timestamp())


async def login(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    second_factor: str | None = None,
) -> dict[str, Any]:
    return await execute(
        client, LOGIN, {"email": email, "password": password, "secondFactor": second_factor}
    )


async def sign_in(
    client: httpx.AsyncClient,
    email: str,
    password: str = PASSWORD,
    second_factor: str | None = None,
) -> str:
    """A session token; the login must succeed."""
    body = await login(client, email, password, second_factor)
    assert "errors" not in body, body
    token: str = body["data"]["login"]["token"]
    return token


async def user_version(engine: AsyncEngine, user_id: uuid.UUID) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(User.version).where(User.id == user_id)) or 0)


def b32(secret: bytes) -> str:
    return base64.b32encode(secret).decode()
