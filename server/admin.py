"""Creating a platform administrator from the command line (the first one, typically)."""

from __future__ import annotations

from sqlalchemy import insert, select

from schema.audit import PLATFORM_CHAIN, record
from schema.db import new_id, utcnow
from schema.tables.organisations import Organisation, OrganisationKind, User
from security.passwords import Passwords, password_problem
from security.platform import PlatformKeys
from security.roles import Role
from server.database import create_engine, write_transaction
from server.settings import Settings

PLATFORM_ORGANISATION = "upright platform operations"


class AdminRefused(Exception):
    """The administrator cannot be created as asked; the message says why."""


async def create_platform_admin(
    settings: Settings, keys: PlatformKeys, email: str, name: str, password: str
) -> None:
    try:
        email_index = keys.email_index(email)
    except ValueError:
        raise AdminRefused("not an email address") from None
    problem = password_problem(password, context=[email.partition("@")[0], name])
    if problem is not None:
        raise AdminRefused(problem)
    if not 1 <= len(name.strip()) <= 200:
        raise AdminRefused("give a name of 1 to 200 characters")
    now = utcnow()
    engine = create_engine(settings)
    try:
        async with write_transaction(engine) as connection:
            if (
                await connection.execute(select(User.id).where(User.email_index == email_index))
            ).first():
                raise AdminRefused("a user with this email exists already")
            organisation = (
                await connection.execute(
                    select(Organisation.id).where(Organisation.acronym == "UPRIGHT")
                )
            ).scalar()
            if organisation is None:
                organisation = new_id()
                await connection.execute(
                    insert(Organisation).values(
                        id=organisation,
                        name=PLATFORM_ORGANISATION,
                        acronym="UPRIGHT",
                        kind=OrganisationKind.OTHER,
                        vetted_partner=False,
                        public_profile=False,
                        created_at=now,
                        updated_at=now,
                        version=1,
                    )
                )
            user_id = new_id()
            await connection.execute(
                insert(User).values(
                    id=user_id,
                    organisation_id=organisation,
                    role=Role.PLATFORM_ADMIN,
                    name_ciphertext=keys.seal(name.strip(), "users", "name", user_id, organisation),
                    email_ciphertext=keys.seal(
                        email.strip(), "users", "email", user_id, organisation
                    ),
                    email_index=email_index,
                    password_hash=Passwords().hash(password),
                    active=True,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await record(
                connection,
                PLATFORM_CHAIN,
                "platform-admin.created",
                now,
                subject_type="User",
                subject_id=user_id,
                details={"via": "cli"},
            )
    finally:
        await engine.dispose()
