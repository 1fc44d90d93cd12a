"""The key hierarchy's storage: organisation keys made once, whoever asks first."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.registry.keys import KeyCache, RegistryKeys
from schema.tables.accounts import OrganisationKey
from security.keyring import load_keyring
from server.database import write_transaction
from tests.clock import Clock
from tests.factories import make_organisation

WAITING_ON_A_LOCK = text(
    "SELECT count(*) FROM pg_stat_activity "
    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
)


async def blocked_on_a_lock(engine: AsyncEngine) -> None:
    """Returns once another session of this database waits for a row lock (bounded)."""
    for _ in range(1000):
        async with engine.connect() as connection:
            if await connection.scalar(WAITING_ON_A_LOCK):
                return
        await asyncio.sleep(0.01)  # polling a condition, not timing an outcome
    pytest.fail("the second request never reached the insert")


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
        await blocked_on_a_lock(engine)
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
