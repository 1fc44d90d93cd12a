"""SECURITY.md property 5, end to end: a contact erased through the API is gone from a
backup taken before the erasure once the KEK has been rotated and the version of the
backup's day destroyed, even for someone holding that backup, the live database and the
current key file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from schema.registry.keys import KeyCache, RegistryKeys, contact_key_aad, organisation_key_purpose
from schema.registry.model import ENCRYPTED
from schema.registry.sealing import ContactFields
from schema.tables.accounts import OrganisationKey, PlatformKey
from schema.tables.registry import Contact
from security.crypto import DecryptionError, decrypt, unwrap_key
from security.keyring import Keyring, KeyringError, load_keyring, replace_keyring
from server.database import create_engine
from server.keys import PLATFORM_KEY_PURPOSE, KeysRefused, open_platform_keys
from server.rotation import destroy_kek_version, rotate
from server.settings import Settings
from tests.clock import Clock
from tests.schema.registry.conftest import Registry
from tests.server.rotation_helpers import drop_snapshot, promoted, snapshot

NAME = "Amina Backup-Witness"
EMAIL = "amina.witness@example.org"
KEPT = "Joseph Still-Here"
ERASE = """
mutation($id: ID!, $reason: String!) {
  eraseContact(contactId: $id, reason: $reason) { erased userErrors { code } }
}
"""
REVEAL = """
mutation($id: ID!, $purpose: String!) {
  revealContact(contactId: $id, purpose: $purpose) { userErrors { code } contact { fullName } }
}
"""


async def _rows(engine: AsyncEngine, table: Any) -> list[Any]:
    async with engine.connect() as connection:
        return list((await connection.execute(select(table.__table__))).all())


def _unwrapped(keyring: Keyring, wrapped: bytes, purpose: str) -> bytes | None:
    try:
        return unwrap_key(keyring.kek.key, wrapped, purpose)
    except (DecryptionError, KeyringError):
        return None


async def recover(
    backup: AsyncEngine, live: AsyncEngine, keyring: Keyring
) -> dict[uuid.UUID, set[str]]:
    """Whatever of the backup's contacts decrypts, per contact, trying every key the
    holder of the backup, the live database and `keyring` can get."""
    databases = (backup, live)
    # Organisation and platform keys: every row of either database that unwraps
    keys = [
        _unwrapped(keyring, row.wrapped_key, organisation_key_purpose(row.organisation_id, g))
        for database in databases
        for row in await _rows(database, OrganisationKey)
        for g in {row.generation, 1, 2}  # also as any other generation it might have been
    ]
    keys += [
        _unwrapped(keyring, row.wrapped_key, PLATFORM_KEY_PURPOSE)
        for database in databases
        for row in await _rows(database, PlatformKey)
    ]
    found_keys = [key for key in keys if key is not None]
    # Data keys: every contact's wrapped data key, in either database, opened by any of
    # them (whatever generation it names)
    for database in databases:
        for row in await _rows(database, Contact):
            for key in list(found_keys):
                if row.wrapped_data_key is None:
                    break
                try:
                    aad = contact_key_aad(row.id, row.owner_organisation_id)
                    found_keys.append(decrypt(lambda _, key=key: key, row.wrapped_data_key, aad))
                except DecryptionError:
                    continue
    # Fields: each of the backup's ciphertexts, under every key found
    recovered: dict[uuid.UUID, set[str]] = {}
    for row in await _rows(backup, Contact):
        for key in found_keys:
            fields = ContactFields(key, row.id, row.owner_organisation_id)
            for column in ENCRYPTED:
                try:
                    text = fields.open(column, getattr(row, f"{column}_ciphertext"))
                except DecryptionError:
                    continue
                if text is not None:
                    recovered.setdefault(row.id, set()).add(text)
    return recovered


async def through_the_product(
    backup: AsyncEngine, live: AsyncEngine, keyring: Keyring, contact: Any
) -> list[bytes]:
    """The data key as a server would open it from the backup's row: with the backup's
    organisation keys, and with the live database's."""
    opened = []
    for database in (backup, live):
        registry = RegistryKeys(keyring, KeyCache())
        async with database.connect() as connection:
            try:
                opened.append(
                    await registry.contact_key(
                        connection,
                        contact.id,
                        contact.owner_organisation_id,
                        contact.wrapped_data_key,
                    )
                )
            except (DecryptionError, KeyringError):
                continue
    return opened


async def test_an_erased_contact_is_gone_from_an_old_backup_once_its_kek_version_is(
    registry: Registry,
    engine: AsyncEngine,
    app: Starlette,
    make_app: Any,
    settings: Settings,
    keys_file: Path,
    key_path: Path,
    clock: Clock,
    database_url: str,
    tmp_path: Path,
) -> None:
    # Given a contact with a known name and email, another one, and a backup taken then
    erased = await registry.create(fullName=NAME, email=EMAIL)
    kept = await registry.create(fullName=KEPT)
    backup_url = await snapshot([engine, app.state.engine], database_url, tmp_path)
    backup = create_engine(Settings(database_url=backup_url))
    try:
        (victim,) = [row for row in await _rows(backup, Contact) if row.email_ciphertext]
        (other,) = [row for row in await _rows(backup, Contact) if row.id != victim.id]
        # When the contact is erased through the API
        await registry.step_up(registry.admin)
        reason = {"id": erased["id"], "reason": "She asked to be removed entirely"}
        body = await registry.run(registry.admin, ERASE, reason)
        assert body["data"]["eraseContact"] == {"erased": True, "userErrors": []}
        # ... the KEK rotated: version 2 added to the key file and promoted, keys rotated
        rotated = promoted(load_keyring(key_path))
        replace_keyring(key_path, rotated)
        done = await rotate(engine, rotated, clock)
        assert (done.unfinished, done.retired) == (False, [1])
        # ... (a server started with the new key file still reveals the other contact)
        assert await reveal_on_a_restarted_server(make_app, key_path, registry, kept) == KEPT
        # ... and version 1 destroyed once no backup of its time is kept
        clock.advance(days=settings.backup_retention_days + 1)
        retention = dt.timedelta(days=settings.backup_retention_days)
        await destroy_kek_version(engine, key_path, rotated, 1, clock(), retention)
        current = load_keyring(key_path)
        # Then with the current key file and the live database, the backup gives nothing of
        # her: not through organisation keys of the backup or of the live database, not
        # through her data key in the backup, not as a server would open it
        recovered = await recover(backup, engine, current)
        assert recovered.get(victim.id, set()) == set()
        assert await through_the_product(backup, engine, current, victim) == []
        with pytest.raises(KeysRefused, match="lacks kek version 1"):
            await open_platform_keys(backup, current)
        # (the other contact's fields there still open with its live data key, which the
        # rotation kept: the attempt is real)
        assert KEPT in recovered[other.id]
        # And with the key file of the backup's day, the same recovery finds her (so this
        # test can fail)
        old = load_keyring(keys_file)
        assert {NAME, EMAIL} <= (await recover(backup, engine, old))[victim.id]
        assert len(await through_the_product(backup, engine, old, victim)) == 1
    finally:
        await drop_snapshot(backup, backup_url)


async def reveal_on_a_restarted_server(
    make_app: Any, key_path: Path, registry: Registry, contact: dict[str, Any]
) -> str:
    restarted = make_app(keys_file=key_path)
    async with restarted.router.lifespan_context(restarted):
        transport = httpx.ASGITransport(app=restarted)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
            world = dataclasses.replace(registry, client=client)
            await world.step_up(world.keeper)
            variables = {"id": contact["id"], "purpose": "Checking the rotation kept her record"}
            body = await world.run(world.keeper, REVEAL, variables)
    name: str = body["data"]["revealContact"]["contact"]["fullName"]
    return name
