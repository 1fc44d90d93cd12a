"""The key hierarchy's storage: organisation keys made once, whoever asks first; new
contacts under the newest generation, and old rows still opening after a rotation."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.db import new_id
from schema.registry.keys import (
    KeyCache,
    RegistryKeys,
    contact_key_generation,
    contact_key_id,
    contact_key_prefix,
    organisation_key_purpose,
)
from schema.tables.accounts import OrganisationKey
from security.crypto import DecryptionError, encrypt, new_data_key, wrap_key
from security.keyring import load_keyring
from server.database import write_transaction
from server.rotation import rotate
from tests.clock import Clock
from tests.factories import make_organisation
from tests.server.rotation_helpers import (
    blocked_on_a_lock,
    contact_rows,
    erase,
    promoted,
    seed,
)

_keys = OrganisationKey.__table__.c


async def test_two_first_uses_at_once_make_one_organisation_key(
    backend: str, engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite takes the write lock at BEGIN IMMEDIATE: the two cannot overlap")
    # Given an organisation without a key, and two servers with empty caches
    organisation = await make_organisation(engine)
    keyring = load_keyring(keys_file)
    first, second = RegistryKeys(keyring, KeyCache()), RegistryKeys(keyring, KeyCache())

    async def second_request() -> tuple[int, bytes]:
        async with write_transaction(engine) as connection:
            return await second.organisation_key(connection, organisation, clock())

    # When the second asks while the first has made the key but not yet committed
    async with write_transaction(engine) as connection:
        made = await first.organisation_key(connection, organisation, clock())
        racing = asyncio.create_task(second_request())
        await blocked_on_a_lock(engine, "the second request")
    # Then the second gets the first's key instead of failing, and there is one row
    assert await racing == made
    async with engine.connect() as connection:
        rows = await connection.scalar(
            select(func.count()).where(OrganisationKey.__table__.c.organisation_id == organisation)
        )
    assert rows == 1


async def test_an_organisation_keeps_its_key(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    organisation = await make_organisation(engine)
    keyring = load_keyring(keys_file)
    async with write_transaction(engine) as connection:
        made = await RegistryKeys(keyring, KeyCache()).organisation_key(
            connection, organisation, clock()
        )
    async with write_transaction(engine) as connection:
        again = await RegistryKeys(keyring, KeyCache()).organisation_key(
            connection, organisation, clock()
        )
    assert again == made


async def test_a_row_read_before_the_rotation_still_opens_after_it(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given contacts read by a server (their data keys wrapped by generation 1)
    keyring = load_keyring(keys_file)
    await seed(engine, keyring, clock(), organisations=1, contacts=2)
    (first, second) = (await contact_rows(engine)).values()
    server = RegistryKeys(keyring, KeyCache())
    async with engine.connect() as connection:
        expected = await server.contact_key(
            connection, first.id, first.owner_organisation_id, first.wrapped_data_key
        )
    # When the rotation replaces generation 1 before another server opens what it read
    newer = promoted(keyring)
    await rotate(engine, newer, clock)
    late = RegistryKeys(newer, KeyCache())
    # Then it reads the row again and gets the same data key
    async with engine.connect() as connection:
        assert (
            await late.contact_key(
                connection, first.id, first.owner_organisation_id, first.wrapped_data_key
            )
            == expected
        )
    # And a row erased meanwhile opens no more
    async with write_transaction(engine) as connection:
        await erase(connection, second.id, clock())
    async with engine.connect() as connection:
        with pytest.raises(DecryptionError):
            await late.contact_key(
                connection, second.id, second.owner_organisation_id, second.wrapped_data_key
            )


async def test_a_new_contact_waiting_on_a_deleted_generation_takes_the_newest(
    backend: str, engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite's write transactions run one at a time: the two cannot overlap")
    # Given an organisation with generation 1, and a server with an empty cache
    keyring = load_keyring(keys_file)
    organisation = await make_organisation(engine)
    server = RegistryKeys(keyring, KeyCache())
    async with write_transaction(engine) as connection:
        await server.organisation_key(connection, organisation, clock())
    server = RegistryKeys(keyring, KeyCache())

    async def new_contact() -> tuple[int, bytes]:
        async with write_transaction(engine) as connection:
            return await server.organisation_key(connection, organisation, clock())

    # When the rotation has made generation 2 and deleted 1, not yet committed, and the
    # server, which still sees 1 as the newest, takes it for a new contact
    version, kek = keyring.kek.primary_key()
    second = new_data_key()
    async with write_transaction(engine) as connection:
        await connection.execute(
            insert(OrganisationKey).values(
                id=new_id(),
                organisation_id=organisation,
                generation=2,
                wrapped_key=wrap_key(
                    kek, version, second, organisation_key_purpose(organisation, 2)
                ),
                kek_version=version,
                created_at=clock(),
                updated_at=clock(),
                version=1,
            )
        )
        await connection.execute(
            delete(OrganisationKey).where(
                _keys.organisation_id == organisation, _keys.generation == 1
            )
        )
        taking = asyncio.create_task(new_contact())
        await blocked_on_a_lock(engine, "the new contact")
    # Then, once the rotation commits, the server takes generation 2
    assert await taking == (2, second)


def test_a_generation_prefix_matches_its_wrapped_keys_only() -> None:
    # Given data keys wrapped under generations 1 and 12 (the same first digit)
    blobs = {
        generation: encrypt(new_data_key(), contact_key_id(generation), new_data_key(), b"place")
        for generation in (1, 12)
    }
    # Then each begins with its own generation's prefix, never with the other's
    for generation, blob in blobs.items():
        assert contact_key_generation(blob) == generation
        assert [g for g in blobs if blob.startswith(contact_key_prefix(g))] == [generation]


class Ticks:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_key_cache_is_bounded_and_forgets_after_its_ttl() -> None:
    ticks = Ticks()
    cache = KeyCache(size=2, ttl=300, clock=ticks)
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    # Bounded: the least recently used goes first
    cache.put("contact", first, b"1")
    cache.put("contact", second, b"2")
    assert cache.get("contact", first) == b"1"
    cache.put("contact", third, b"3")
    assert (cache.get("contact", second), len(cache)) == (None, 2)
    # Dropped on erase, whatever its generation
    cache.put("org", first, b"g1", 1)
    cache.drop("org", first)
    assert cache.get("org", first, 1) is None
    # And expired after the TTL, however often it was read (another process's erase)
    cache.put("contact", first, b"1")
    ticks.now = 299.0
    assert cache.get("contact", first) == b"1"
    ticks.now = 300.0
    assert cache.get("contact", first) is None
