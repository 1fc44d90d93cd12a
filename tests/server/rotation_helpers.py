"""What the rotation tests share: keys and contacts made as servers make them, read back
as a server with an empty cache reads them, and backups taken as an operator takes them."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import insert, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.db import new_id
from schema.registry.keys import KeyCache, RegistryKeys, organisation_key_purpose
from schema.registry.sealing import ContactFields
from schema.tables.accounts import KeyCheck, OrganisationKey, PlatformKey
from schema.tables.audit import AuditEvent
from schema.tables.registry import Contact
from security.crypto import unwrap_key
from security.keyring import Keyring
from server.database import write_transaction
from server.keys import open_platform_keys
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_organisation

RETENTION = dt.timedelta(days=35)
_org_keys = OrganisationKey.__table__.c
_contacts = Contact.__table__.c
_checks = KeyCheck.__table__.c
_audit = AuditEvent.__table__.c


class Killed(Exception):
    """A rotation process dying between two batches."""


@dataclass
class Seeded:
    organisation_keys: dict[uuid.UUID, bytes]  # generation 1 of each, as made
    platform_key: bytes
    names: dict[uuid.UUID, str]  # contact -> its name, as written


def promoted(keyring: Keyring) -> Keyring:
    return keyring.with_new_version("kek").promoted("kek", max(keyring.kek.versions) + 1)


async def add_contact(
    connection: AsyncConnection,
    registry: RegistryKeys,
    organisation: uuid.UUID,
    name: str,
    now: dt.datetime,
) -> uuid.UUID:
    """A contact as `createContact` writes it (its name sealed under its data key), in the
    caller's write transaction."""
    contact = new_id()
    data_key, wrapped = await registry.new_contact_key(connection, contact, organisation, now)
    await insert_contact(connection, contact, organisation, wrapped, data_key, name, now)
    return contact


async def insert_contact(
    connection: AsyncConnection,
    contact: uuid.UUID,
    organisation: uuid.UUID,
    wrapped: bytes,
    data_key: bytes,
    name: str,
    now: dt.datetime,
) -> None:
    await connection.execute(
        insert(Contact).values(
            id=contact,
            owner_organisation_id=organisation,
            pseudonym_seed=os.urandom(32),
            wrapped_data_key=wrapped,
            full_name_ciphertext=ContactFields(data_key, contact, organisation).seal(
                "full_name", name
            ),
            created_at=now,
            updated_at=now,
            version=1,
        )
    )


async def seed(
    engine: AsyncEngine,
    keyring: Keyring,
    now: dt.datetime,
    organisations: int = 3,
    contacts: int = 0,
) -> Seeded:
    """The platform key, and organisations each with a key and `contacts` contacts."""
    platform = await open_platform_keys(engine, keyring)
    registry = RegistryKeys(keyring, KeyCache())
    keys, names = {}, {}
    for number in range(organisations):
        organisation = await make_organisation(engine)
        async with write_transaction(engine) as connection:
            _, keys[organisation] = await registry.organisation_key(connection, organisation, now)
            for person in range(contacts):
                name = f"Person {number}.{person}"
                names[await add_contact(connection, registry, organisation, name, now)] = name
    return Seeded(keys, platform.data_keys[1], names)


async def make_keys(engine: AsyncEngine, keyring: Keyring, now: dt.datetime, count: int = 3) -> Any:
    """The platform key and `count` organisation keys, without contacts."""
    seeded = await seed(engine, keyring, now, organisations=count)
    return seeded.organisation_keys, seeded.platform_key


async def organisation_rows(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(OrganisationKey.__table__).order_by(
                _org_keys.organisation_id, _org_keys.generation
            )
        )
        return rows.all()


async def generations(engine: AsyncEngine) -> dict[uuid.UUID, list[tuple[int, int]]]:
    """Per organisation, its key generations as (generation, KEK version)."""
    found: dict[uuid.UUID, list[tuple[int, int]]] = {}
    for row in await organisation_rows(engine):
        found.setdefault(row.organisation_id, []).append((row.generation, row.kek_version))
    return found


async def organisation_keys_now(engine: AsyncEngine, keyring: Keyring) -> dict[uuid.UUID, bytes]:
    """Each organisation's newest key, unwrapped."""
    return {
        row.organisation_id: unwrap_key(
            keyring.kek.key,
            row.wrapped_key,
            organisation_key_purpose(row.organisation_id, row.generation),
        )
        for row in await organisation_rows(engine)  # by generation: the newest wins
    }


async def contact_rows(engine: AsyncEngine) -> dict[uuid.UUID, Any]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(Contact.__table__))
        return {row.id: row for row in rows}


async def names_now(engine: AsyncEngine, keyring: Keyring) -> dict[uuid.UUID, str]:
    """Every live contact's name, as a server with `keyring` and an empty cache reads it."""
    registry = RegistryKeys(keyring, KeyCache())
    names = {}
    async with engine.connect() as connection:
        for row in (await contact_rows(engine)).values():
            if row.wrapped_data_key is None:
                continue
            key = await registry.contact_key(
                connection, row.id, row.owner_organisation_id, row.wrapped_data_key
            )
            fields = ContactFields(key, row.id, row.owner_organisation_id)
            names[row.id] = str(fields.open("full_name", row.full_name_ciphertext))
    return names


async def platform_key_now(engine: AsyncEngine, keyring: Keyring) -> bytes:
    return (await open_platform_keys(engine, keyring)).data_keys[1]


async def kek_versions_in_use(engine: AsyncEngine) -> set[int]:
    async with engine.connect() as connection:
        organisation = await connection.scalars(select(_org_keys.kek_version))
        platform = await connection.scalars(select(PlatformKey.__table__.c.kek_version))
        return {*organisation, *platform}


async def check_row(engine: AsyncEngine, version: int) -> Any:
    async with engine.connect() as connection:
        found = await connection.execute(
            select(KeyCheck.__table__).where(_checks.root == "kek", _checks.version == version)
        )
        return found.one()


async def audit_actions(engine: AsyncEngine) -> list[tuple[str, dict[str, Any]]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(_audit.action, _audit.details)
            .where(_audit.chain == "platform", _audit.action.like("keys.%"))
            .where(_audit.action.not_like("keys.version-%"))
            .where(_audit.action != "keys.platform-key-created")
            .order_by(_audit.sequence)
        )
        return [(row.action, row.details) for row in rows]


async def snapshot(engines: Sequence[AsyncEngine], url: str, tmp_path: Path) -> str:
    """A copy of the database as a backup holds it; returns its URL. SQLite: the online
    backup API (the write-ahead log included). PostgreSQL: a clone, which needs every
    other session of the database closed: the `engines` give theirs back first."""
    database = make_url(url).database
    assert database is not None
    if make_url(url).get_backend_name() == "sqlite":
        copy = tmp_path / f"backup-{uuid.uuid4().hex[:8]}.db"
        source, target = sqlite3.connect(database), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        return f"sqlite+aiosqlite:///{copy}"
    for engine in engines:
        await engine.dispose()
    name = create_postgres_database(template=database)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def drop_snapshot(engine: AsyncEngine, url: str) -> None:
    await engine.dispose()
    if make_url(url).get_backend_name() == "postgresql":
        drop_postgres_database(str(make_url(url).database))


WAITING_ON_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def blocked_on_a_lock(engine: AsyncEngine, what: str = "the other session") -> None:
    """Returns once another session of this PostgreSQL database waits for a lock
    (bounded): the moment a race is decided, without timing anything."""
    for _ in range(1000):
        async with engine.connect() as connection:
            if await connection.scalar(WAITING_ON_A_LOCK):
                return
        await asyncio.sleep(0.01)  # polling a condition, not timing an outcome
    pytest.fail(f"{what} never waited for the lock")


async def erase(connection: AsyncConnection, contact: uuid.UUID, now: dt.datetime) -> None:
    """What `eraseContact` does to the row: its key and ciphertexts gone, a tombstone."""
    await connection.execute(
        update(Contact)
        .where(_contacts.id == contact)
        .values(
            wrapped_data_key=None,
            full_name_ciphertext=None,
            pseudonym_seed=None,
            erased_at=now,
            updated_at=now,
            version=_contacts.version + 1,
        )
    )
