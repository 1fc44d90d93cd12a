"""KEK rotation under traffic: servers write and erase contacts while organisation keys
are replaced, and nothing is lost, undone or overwritten."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id
from schema.registry.keys import (
    KeyCache,
    RegistryKeys,
    contact_key_aad,
    contact_key_generation,
    contact_key_id,
)
from schema.tables.accounts import PlatformKey
from security.crypto import encrypt, new_data_key
from security.keyring import Keyring, load_keyring
from server.database import write_transaction
from server.key_generations import contacts_to_move, newest_generations, older_generations
from server.key_renewal import delete_unused, move_contacts
from server.keys import open_platform_keys
from server.rotation import pending_batch, rewrap_batch, rotate
from tests.clock import Clock
from tests.factories import make_organisation
from tests.server.rotation_helpers import (
    add_contact,
    blocked_on_a_lock,
    contact_rows,
    erase,
    generations,
    insert_contact,
    kek_versions_in_use,
    names_now,
    platform_key_now,
    promoted,
    seed,
)

_platform = PlatformKey.__table__.c


async def test_servers_lose_nothing_while_the_rotation_runs(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given contacts under version 1, and servers on the promoted file and on the added one
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), organisations=4, contacts=2)
    names = dict(seeded.names)
    added = keyring.with_new_version("kek")
    newer = added.promoted("kek", 2)
    await open_platform_keys(engine, added)

    async def serve(server_keyring: Keyring, tag: str) -> None:
        """Reads every contact with an empty cache, writes one to an existing organisation
        and one to a new organisation (whose key it makes)."""
        registry = RegistryKeys(server_keyring, KeyCache())
        for turn in range(4):
            expected = dict(names)  # what was committed before this read
            assert (await names_now(engine, server_keyring)).items() >= expected.items()
            for organisation in (list(seeded.organisation_keys)[turn], None):
                owner = organisation or await make_organisation(engine)
                name = f"{tag} {turn} {organisation is None}"
                async with write_transaction(engine) as connection:
                    contact = await add_contact(connection, registry, owner, name, clock())
                names[contact] = name  # once committed: the other server reads it from then

    # When the rotation runs in batches of one alongside them
    await asyncio.gather(
        rotate(engine, newer, clock, batch_size=1), serve(newer, "new"), serve(added, "old")
    )
    # Then every contact, old or written meanwhile, reads the same; a second run (for what
    # was written under an old generation or KEK version meanwhile) finishes the job
    await rotate(engine, newer, clock)
    assert await kek_versions_in_use(engine) == {2}
    assert all(len(found) == 1 for found in (await generations(engine)).values())
    assert await names_now(engine, newer) == names
    assert await platform_key_now(engine, newer) == seeded.platform_key


async def test_a_contact_written_under_the_old_generation_keeps_it(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a rotation that made generation 2 and moved the contacts, not yet deleting 1
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), organisations=1, contacts=1)
    ((organisation, old_key),) = seeded.organisation_keys.items()
    newer = promoted(keyring)
    done = await rotate(engine, newer, clock, max_batches=2)
    assert (done.made, done.contacts, done.deleted) == (1, 1, 0)
    # When a server that read generation 1 as current just before 2 existed writes under it
    contact, data_key = new_id(), new_data_key()
    wrapped = encrypt(old_key, contact_key_id(1), data_key, contact_key_aad(contact, organisation))
    async with write_transaction(engine) as connection:
        await insert_contact(connection, contact, organisation, wrapped, data_key, "Late", clock())
    # ... and the rotation comes to delete generation 1
    async with engine.connect() as connection:
        older = await older_generations(connection, None, 10)
    done = await delete_unused(engine, older, clock())
    # Then generation 1 stays for that contact, which reads back
    assert (done.deleted, done.kept) == (0, 1)
    assert await generations(engine) == {organisation: [(1, 1), (2, 2)]}
    assert await names_now(engine, newer) == {**seeded.names, contact: "Late"}
    # And the next run moves it, deletes generation 1 and retires version 1
    done = await rotate(engine, newer, clock)
    assert (done.contacts, done.deleted, done.kept, done.retired) == (1, 1, 0, [1])
    assert await generations(engine) == {organisation: [(2, 2)]}
    assert await names_now(engine, newer) == {**seeded.names, contact: "Late"}


async def test_a_server_holding_the_old_generation_keeps_it_from_deletion(
    backend: str, engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite's write transactions run one at a time: the two cannot overlap")
    # Given an organisation with a contact under generation 1, and version 2 promoted
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), organisations=1, contacts=1)
    (organisation,) = seeded.organisation_keys
    newer = promoted(keyring)
    await open_platform_keys(engine, newer)
    server = RegistryKeys(newer, KeyCache())
    # When a server took generation 1 for a new contact, and has not committed yet
    contact = new_id()
    async with write_transaction(engine) as connection:
        data_key, wrapped = await server.new_contact_key(connection, contact, organisation, clock())
        assert contact_key_generation(wrapped) == 1
        # ... while the rotation makes generation 2, moves the contact there is, and comes
        # to delete generation 1: it waits for the server
        rotation = asyncio.create_task(rotate(engine, newer, clock))
        await blocked_on_a_lock(engine, "the rotation")
        await insert_contact(connection, contact, organisation, wrapped, data_key, "New", clock())
    done = await rotation
    # Then it sees the new contact and keeps generation 1 (and version 1) for it
    assert (done.made, done.contacts, done.deleted, done.kept) == (1, 1, 0, 1)
    assert (done.unfinished, done.retired) == (True, [])
    assert await names_now(engine, newer) == {**seeded.names, contact: "New"}
    # And the next run finishes
    done = await rotate(engine, newer, clock)
    assert (done.contacts, done.deleted, done.unfinished, done.retired) == (1, 1, False, [1])
    assert await generations(engine) == {organisation: [(2, 2)]}
    assert await names_now(engine, newer) == {**seeded.names, contact: "New"}


async def test_an_erasure_during_rotation_is_not_undone(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given two contacts read for moving to generation 2
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), organisations=1, contacts=2)
    newer = promoted(keyring)
    await rotate(engine, newer, clock, max_batches=1)
    async with engine.connect() as connection:
        (newest,) = await newest_generations(connection)
        batch = await contacts_to_move(connection, newest, None, 10)
    # When one is erased before the move is written
    erased, kept = batch[0].id, batch[1].id
    async with write_transaction(engine) as connection:
        await erase(connection, erased, clock())
    done = await move_contacts(engine, newer, newest, batch, clock())
    # Then it stays erased, and the other moved
    assert (done.contacts, done.erased, done.conflicts) == (1, 1, 0)
    assert await _tombstone(engine, erased)
    assert await names_now(engine, newer) == {kept: seeded.names[kept]}
    # And the rotation finishes: generation 1 is deleted, version 1 retired
    done = await rotate(engine, newer, clock)
    assert (done.contacts, done.deleted, done.retired) == (0, 1, [1])
    assert await _tombstone(engine, erased)


async def test_an_erasure_racing_the_move_wins(
    backend: str, engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite's write transactions run one at a time: the two cannot overlap")
    # Given a contact read for moving to generation 2
    keyring = load_keyring(keys_file)
    await seed(engine, keyring, clock(), organisations=1, contacts=1)
    newer = promoted(keyring)
    await rotate(engine, newer, clock, max_batches=1)
    async with engine.connect() as connection:
        (newest,) = await newest_generations(connection)
        batch = await contacts_to_move(connection, newest, None, 10)
    # When it is being erased, and the move is written while the erasure holds the row
    async with write_transaction(engine) as connection:
        await erase(connection, batch[0].id, clock())
        moving = asyncio.create_task(move_contacts(engine, newer, newest, batch, clock()))
        await blocked_on_a_lock(engine, "the move")
    done = await moving
    # Then the move finds it erased and writes nothing back
    assert (done.contacts, done.erased, done.conflicts) == (0, 1, 0)
    assert await _tombstone(engine, batch[0].id)


async def _tombstone(engine: AsyncEngine, contact: uuid.UUID) -> bool:
    row = (await contact_rows(engine))[contact]
    return row.erased_at is not None and row.wrapped_data_key is None


async def test_a_platform_key_changed_during_rotation_is_not_overwritten(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given the platform key read for re-wrapping
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), organisations=0)
    newer = promoted(keyring)
    await open_platform_keys(engine, newer)
    async with engine.connect() as connection:
        (stored,) = await pending_batch(connection, 2, None, 10)
    # When another writer changes its row between the read and the write
    async with write_transaction(engine) as connection:
        await connection.execute(
            update(PlatformKey).where(_platform.id == stored.id).values(version=stored.version + 1)
        )
    done = await rewrap_batch(engine, newer, [stored], clock())
    # Then the row keeps what the other writer left
    assert (done.platform_keys, done.conflicts, done.unfinished) == (0, 1, True)
    assert await kek_versions_in_use(engine) == {1}
    # And the next run picks it up
    done = await rotate(engine, newer, clock)
    assert done.platform_keys == 1
    assert await platform_key_now(engine, newer) == seeded.platform_key
    assert await kek_versions_in_use(engine) == {2}
