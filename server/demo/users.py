"""Demo users: every role, in several organisations (a government one too), all with
one documented password. Administrators have a second factor enrolled, as production
requires; `upright demo totp EMAIL` prints their current code."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.accounts.second_factor import open_totp_secret, seal_totp_secret
from schema.audit import PLATFORM_CHAIN, record
from schema.db import new_id
from schema.tables.organisations import Organisation, OrganisationKind, User
from security import totp
from security.passwords import Passwords
from security.platform import PlatformKeys
from security.roles import SECOND_FACTOR_ROLES, Role
from server.demo.contacts import GRANT_HOLDERS

# Documented in the README: the demo is for trying upright, never for real data.
DEMO_PASSWORD = "upright-demo-password"  # noqa: S105
PLATFORM = "Upright Platform Operations (demo)"


@dataclass(frozen=True, slots=True)
class DemoUser:
    email: str
    name: str
    organisation: str  # acronym
    role: Role


USERS = (
    DemoUser("admin@upright.example.org", "Platform Administrator", "UPRIGHT", Role.PLATFORM_ADMIN),
    DemoUser("admin@gufn.example.org", "Amina Diallo", "GUFN", Role.ORG_ADMIN),
    DemoUser("member@gufn.example.org", "Lukas Meier", "GUFN", Role.MEMBER),
    DemoUser("viewer@gufn.example.org", "Sofia Rossi", "GUFN", Role.VIEWER),
    DemoUser("admin@khrdf.example.org", "Wanjiru Kamau", "KHRDF", Role.ORG_ADMIN),
    DemoUser("member@khrdf.example.org", "Otieno Odhiambo", "KHRDF", Role.MEMBER),
    DemoUser("member@unct-mw.example.org", "Chikondi Banda", "UNCT-MW", Role.MEMBER),
    DemoUser("member@hhrm.example.org", "Sita Gurung", "HHRM", Role.MEMBER),
    DemoUser("focal.point@nmrf-ke.example.org", "Government Focal Point", "NMRF-KE", Role.MEMBER),
)


async def add_users(
    connection: AsyncConnection, keys: PlatformKeys, passwords: Passwords, now: dt.datetime
) -> int:
    """Insert the platform's own organisation and the demo users."""
    platform_id = new_id()
    await connection.execute(
        insert(Organisation).values(
            id=platform_id,
            name=PLATFORM,
            acronym="UPRIGHT",
            kind=OrganisationKind.OTHER,
            vetted_partner=False,
            public_profile=False,
            created_at=now,
            updated_at=now,
            version=1,
        )
    )
    organisations = {
        row.acronym: row.id
        for row in await connection.execute(select(Organisation.id, Organisation.acronym))
    }
    password_hash = passwords.hash(DEMO_PASSWORD)
    for user in USERS:
        user_id, organisation_id = new_id(), organisations[user.organisation]
        second_factor = user.role in SECOND_FACTOR_ROLES or user.email in GRANT_HOLDERS
        secret = totp.new_totp_secret()
        await connection.execute(
            insert(User).values(
                id=user_id,
                organisation_id=organisation_id,
                role=user.role,
                name_ciphertext=keys.seal(user.name, "users", "name", user_id, organisation_id),
                email_ciphertext=keys.seal(user.email, "users", "email", user_id, organisation_id),
                email_index=keys.email_index(user.email),
                password_hash=password_hash,
                totp_secret_ciphertext=seal_totp_secret(keys, secret, user_id, organisation_id)
                if second_factor
                else None,
                totp_confirmed_at=now if second_factor else None,
                active=True,
                created_at=now,
                updated_at=now,
                version=1,
            )
        )
    await record(
        connection, PLATFORM_CHAIN, "demo.users-created", now, details={"users": len(USERS)}
    )
    return len(USERS)


async def current_code(
    connection: AsyncConnection, keys: PlatformKeys, email: str, now: dt.datetime
) -> str | None:
    """The current TOTP code of a demo user with a second factor, or None."""
    row = (
        await connection.execute(
            select(User.__table__).where(User.email_index == keys.email_index(email))
        )
    ).first()
    if row is None or row.totp_secret_ciphertext is None:
        return None
    return totp.current_code(open_totp_secret(keys, row), now.timestamp())
