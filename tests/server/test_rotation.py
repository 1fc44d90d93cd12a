"""KEK rotation (SECURITY.md properties 4 and 5): add, promote, re-wrap, retire, destroy."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.registry.keys import KeyCache, RegistryKeys, organisation_key_purpose
from schema.tables.accounts import KeyCheck, OrganisationKey, PlatformKey
from schema.tables.audit import AuditEvent
from security.crypto import unwrap_key, wrapped_version
from security.keyring import Keyring, UnknownKeyVersion, load_keyring, replace_keyring
from server.database import create_engine, write_transaction
from server.keys import PLATFORM_KEY_PURPOSE, KeysRefused, open_platform_keys
from server.rotation import (
    RotationRefused,
    destroy_kek_version,
    destroy_refusal,
    key_status,
    pending_batch,
    rewrap_batch,
    rotate,
)
from server.settings import Settings
from tests.clock import Clock
from tests.conftest import create_postgres_database, drop_postgres_database
from tests.factories import make_organisation

RETENTION = dt.timedelta(days=35)
_org_keys = OrganisationKey.__table__.c
_checks = KeyCheck.__table__.c
_audit = AuditEvent.__table__.c


async def make_keys(engine: AsyncEngine, keyring: Keyring, now: dt.datetime, count: int = 3) -> Any:
    """The platform key and `count` organisation keys, made as the server makes them.
    Returns (organisation id -> key, platform data key)."""
    platform = await open_platform_keys(engine, keyring)
    registry = RegistryKeys(keyring, KeyCache())
    keys = {}
    for _ in range(count):
        organisation = await make_organisation(engine)
        async with write_transaction(engine) as connection:
            _, keys[organisation] = await registry.organisation_key(connection, organisation, now)
    return keys, platform.data_keys[1]


async def organisation_rows(engine: AsyncEngine) -> dict[uuid.UUID, Any]:
    async with engine.connect() as connection:
        rows = await connection.execute(select(OrganisationKey.__table__))
        return {row.organisation_id: row for row in rows}


async def keys_now(engine: AsyncEngine, keyring: Keyring) -> tuple[dict[uuid.UUID, bytes], bytes]:
    """Every key as a server with `keyring` and an empty cache reads it."""
    registry = RegistryKeys(keyring, KeyCache())
    async with engine.connect() as connection:
        keys = {
            organisation: await registry.organisation_key_of(connection, organisation, 1)
            for organisation in await organisation_rows(engine)
        }
    return keys, (await open_platform_keys(engine, keyring)).data_keys[1]


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
            .where(_audit.chain == "platform", _audit.action.not_like("keys.version-%"))
            .order_by(_audit.sequence)
        )
        return [(row.action, row.details) for row in rows]


class Killed(Exception):
    """A rotation process dying between two batches."""


def promoted(keyring: Keyring) -> Keyring:
    return keyring.with_new_version("kek").promoted("kek", max(keyring.kek.versions) + 1)


async def test_add_promote_rotate_rewraps_every_key_to_the_same_key(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given three organisation keys and the platform key under KEK version 1
    keyring = load_keyring(keys_file)
    keys, platform_key = await make_keys(engine, keyring, clock())
    # When version 2 is added everywhere (servers start with it), nothing is re-wrapped yet
    added = keyring.with_new_version("kek")
    await open_platform_keys(engine, added)
    assert await kek_versions_in_use(engine) == {1}
    # ... and once promoted, the rotation re-wraps everything
    newer = added.promoted("kek", 2)
    done = await rotate(engine, newer, clock)
    # Then every key is under version 2 and still unwraps to the same bytes
    assert done.rewrapped == {"organisation_keys": 3, "platform_keys": 1}
    assert (done.conflicts, done.unreadable, done.retired) == (0, 0, [1])
    rows = await organisation_rows(engine)
    assert {wrapped_version(row.wrapped_key) for row in rows.values()} == {2}
    assert await kek_versions_in_use(engine) == {2}
    assert await keys_now(engine, newer) == (keys, platform_key)
    assert all(row.version == 2 for row in rows.values())
    # And the old version is retired now, and the audit says so without key material
    assert (await check_row(engine, 1)).retired_at == clock()
    moved = {"root": "kek", "to_version": 2, "from_versions": [1], "conflicts": 0}
    assert (await audit_actions(engine))[-3:] == [
        ("keys.rewrapped", {**moved, "organisation_keys": 3, "platform_keys": 0}),
        ("keys.rewrapped", {**moved, "organisation_keys": 0, "platform_keys": 1}),
        ("keys.retired", {"root": "kek", "version": 1}),
    ]


async def test_a_second_rotation_does_nothing(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a finished rotation
    newer = promoted(load_keyring(keys_file))
    await make_keys(engine, load_keyring(keys_file), clock())
    await rotate(engine, newer, clock)
    before, audit_before = await organisation_rows(engine), await audit_actions(engine)
    # When it runs again, later
    clock.advance(days=1)
    done = await rotate(engine, newer, clock)
    # Then no row, retirement or audit entry changed
    assert done.rewrapped == {"organisation_keys": 0, "platform_keys": 0}
    assert done.retired == []
    assert await organisation_rows(engine) == before
    assert await audit_actions(engine) == audit_before
    assert (await check_row(engine, 1)).retired_at == clock() - dt.timedelta(days=1)


async def test_an_interrupted_rotation_resumes(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given five organisation keys under version 1 and version 2 promoted
    keyring = load_keyring(keys_file)
    keys, platform_key = await make_keys(engine, keyring, clock(), count=5)
    newer = promoted(keyring)
    # When a run stops after one batch of two
    done = await rotate(engine, newer, clock, batch_size=2, max_batches=1)
    # Then those two are re-wrapped, the rest are not, and version 1 is not retired
    assert done.rewrapped["organisation_keys"] == 2
    assert sorted(row.kek_version for row in (await organisation_rows(engine)).values()) == [
        1,
        1,
        1,
        2,
        2,
    ]
    assert (await check_row(engine, 1)).retired_at is None

    # When the next run is killed after its first batch
    def crash(_count: int) -> None:
        raise Killed

    with pytest.raises(Killed):
        await rotate(engine, newer, clock, batch_size=2, on_batch=crash)
    # Then that batch stays committed, and every key is readable by a server meanwhile
    assert [row.kek_version for row in (await organisation_rows(engine)).values()].count(2) == 4
    assert await keys_now(engine, newer) == (keys, platform_key)
    # And a last run does only what is left
    done = await rotate(engine, newer, clock, batch_size=2)
    assert done.rewrapped == {"organisation_keys": 1, "platform_keys": 1}
    assert await kek_versions_in_use(engine) == {2}
    assert await keys_now(engine, newer) == (keys, platform_key)
    assert done.retired == [1]


async def test_servers_lose_nothing_while_the_rotation_runs(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given keys under version 1, and servers on the promoted file and on the added one
    keyring = load_keyring(keys_file)
    keys, platform_key = await make_keys(engine, keyring, clock(), count=6)
    added = keyring.with_new_version("kek")
    newer = added.promoted("kek", 2)
    await open_platform_keys(engine, added)

    async def serve(server_keyring: Keyring) -> None:
        """Reads every key with an empty cache and makes a new organisation's key."""
        for _ in range(4):
            expected = dict(keys)  # what was committed before this read
            assert (await keys_now(engine, server_keyring))[0].items() >= expected.items()
            organisation = await make_organisation(engine)
            registry = RegistryKeys(server_keyring, KeyCache())
            async with write_transaction(engine) as connection:
                _, key = await registry.organisation_key(connection, organisation, clock())
            keys[organisation] = key  # once committed: the other server reads it from then

    # When the rotation runs in batches of one alongside them
    await asyncio.gather(rotate(engine, newer, clock, batch_size=1), serve(newer), serve(added))
    # Then every key, old or made meanwhile, reads the same; a second run finishes the job
    await rotate(engine, newer, clock)
    assert await kek_versions_in_use(engine) == {2}
    assert await keys_now(engine, newer) == (keys, platform_key)


async def test_a_key_changed_during_rotation_is_not_overwritten(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a batch read for re-wrapping
    keyring = load_keyring(keys_file)
    keys, _ = await make_keys(engine, keyring, clock())
    newer = promoted(keyring)
    await open_platform_keys(engine, newer)
    async with engine.connect() as connection:
        batch = await pending_batch(connection, "organisation_keys", 2, None, 10)
    # When another writer changes one row between the read and the write
    changed = batch[0]
    async with write_transaction(engine) as connection:
        await connection.execute(
            update(OrganisationKey)
            .where(_org_keys.id == changed.id)
            .values(version=changed.version + 1)
        )
    done = await rewrap_batch(engine, newer, batch, clock())
    # Then that row keeps what the other writer left, the others are re-wrapped
    assert (done.rewrapped["organisation_keys"], done.conflicts) == (2, 1)
    rows = {row.id: row for row in (await organisation_rows(engine)).values()}
    assert rows[changed.id].kek_version == 1
    assert rows[changed.id].wrapped_key == changed.wrapped_key
    assert rows[changed.id].version == changed.version + 1
    # And the next run picks it up
    done = await rotate(engine, newer, clock)
    assert done.rewrapped == {"organisation_keys": 1, "platform_keys": 1}
    assert (await keys_now(engine, newer))[0] == keys
    assert await kek_versions_in_use(engine) == {2}


async def test_an_erased_key_is_never_written_back(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a batch read for re-wrapping
    keyring = load_keyring(keys_file)
    await make_keys(engine, keyring, clock())
    newer = promoted(keyring)
    await open_platform_keys(engine, newer)
    async with engine.connect() as connection:
        batch = await pending_batch(connection, "organisation_keys", 2, None, 10)
    # When one of its keys is erased before the write
    async with write_transaction(engine) as connection:
        await connection.execute(delete(OrganisationKey).where(_org_keys.id == batch[0].id))
    done = await rewrap_batch(engine, newer, batch, clock())
    # Then it stays erased
    assert done.conflicts == 1
    assert batch[0].id not in {row.id for row in (await organisation_rows(engine)).values()}
    assert len(await organisation_rows(engine)) == 2


async def test_retirement_spares_the_primary_and_versions_awaiting_promotion(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given version 2 added but not promoted
    keyring = load_keyring(keys_file)
    await make_keys(engine, keyring, clock())
    added = keyring.with_new_version("kek")
    # When a rotation runs; then nothing moves and nothing is retired
    done = await rotate(engine, added, clock)
    assert done.rewrapped == {"organisation_keys": 0, "platform_keys": 0}
    assert done.retired == []
    # When 2 is promoted and 3 added; then only 1 is retired
    later = added.promoted("kek", 2).with_new_version("kek")
    done = await rotate(engine, later, clock)
    assert done.retired == [1]
    assert (await check_row(engine, 2)).retired_at is None
    assert (await check_row(engine, 3)).retired_at is None


async def test_a_version_used_again_after_retirement_restarts_the_retention(
    engine: AsyncEngine, keys_file: Path, key_path: Path, clock: Clock
) -> None:
    # Given version 1 retired by a rotation
    keyring = load_keyring(keys_file)
    await make_keys(engine, keyring, clock())
    newer = promoted(keyring)
    await rotate(engine, newer, clock)
    # When, ten days later, a replica still on the old key file makes a key under it
    clock.advance(days=10)
    stale = RegistryKeys(keyring, KeyCache())
    organisation = await make_organisation(engine)
    async with write_transaction(engine) as connection:
        await stale.organisation_key(connection, organisation, clock())
    # Then version 1 cannot be destroyed while that key uses it
    replace_keyring(key_path, newer)
    clock.advance(days=40)
    with pytest.raises(RotationRefused, match="kek version 1 still wraps 1 organisation keys"):
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
    # And once re-wrapped, its retention counts from then: backups since hold that key
    await rotate(engine, newer, clock)
    assert (await check_row(engine, 1)).retired_at == clock()
    with pytest.raises(RotationRefused, match="may be destroyed after"):
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)


async def test_destroy_waits_for_no_use_and_the_backup_retention(
    engine: AsyncEngine, keys_file: Path, key_path: Path, clock: Clock
) -> None:
    # Given keys under version 1, and version 2 added and promoted in the key file
    keyring = load_keyring(keys_file)
    await make_keys(engine, keyring, clock())
    newer = promoted(keyring)
    replace_keyring(key_path, newer)
    await open_platform_keys(engine, newer)
    # When version 1 is destroyed while keys use it; then refused, saying why
    with pytest.raises(
        RotationRefused,
        match=r"^kek version 1 still wraps 3 organisation keys and 1 platform keys: run `upright",
    ):
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
    # When it is retired but backups from its time are still kept; then refused, saying when
    await rotate(engine, newer, clock)
    retired = clock()
    clock.advance(days=35)
    with pytest.raises(
        RotationRefused,
        match=r"retired on 2026-11-28 09:00 UTC and backups are kept 35 days: "
        r"it may be destroyed after 2027-01-02 09:00 UTC$",
    ):
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
    # When the retention has passed; then it is removed from the file and recorded
    clock.advance(seconds=1)
    remaining = await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
    assert set(remaining.kek.versions) == {2}
    assert load_keyring(key_path).check_values() == remaining.check_values()
    assert load_keyring(key_path).kek.primary == 2
    check = await check_row(engine, 1)
    assert (check.retired_at, check.destroyed_at) == (retired, clock())
    assert (await audit_actions(engine))[-1] == ("keys.destroyed", {"root": "kek", "version": 1})
    # And servers start with the new file, but not with one still holding version 1
    await open_platform_keys(engine, load_keyring(key_path))
    with pytest.raises(KeysRefused, match=r"still holds kek version 1, destroyed on 2027-01-02"):
        await open_platform_keys(engine, newer)
    # And neither it nor the primary can be destroyed (again)
    with pytest.raises(RotationRefused, match="kek version 1 was destroyed on 2027-01-02"):
        await destroy_kek_version(engine, key_path, remaining, 1, clock(), RETENTION)
    with pytest.raises(RotationRefused, match="kek version 2 is the primary"):
        await destroy_kek_version(engine, key_path, remaining, 2, clock(), RETENTION)


async def test_destroy_refuses_a_key_file_of_another_database(
    engine: AsyncEngine, keys_file: Path, key_path: Path, clock: Clock
) -> None:
    await make_keys(engine, load_keyring(keys_file), clock())
    other = promoted(Keyring.generate(demo=False))
    with pytest.raises(RotationRefused, match="does not match this database"):
        await destroy_kek_version(engine, key_path, other, 1, clock(), RETENTION)
    assert load_keyring(key_path).check_values() == load_keyring(keys_file).check_values()


async def test_a_completed_destroy_whose_commit_failed_is_recorded_on_retry(
    engine: AsyncEngine, keys_file: Path, key_path: Path, clock: Clock
) -> None:
    # Given version 1 retired long ago, and a key file already rewritten without it
    keyring = load_keyring(keys_file)
    await make_keys(engine, keyring, clock())
    newer = promoted(keyring)
    await rotate(engine, newer, clock)
    clock.advance(days=36)
    replace_keyring(key_path, newer.without_version("kek", 1))
    # When destroy runs again with that file; then it only records the destruction
    remaining = await destroy_kek_version(
        engine, key_path, load_keyring(key_path), 1, clock(), RETENTION
    )
    assert set(remaining.kek.versions) == {2}
    assert (await check_row(engine, 1)).destroyed_at == clock()
    await open_platform_keys(engine, remaining)


async def snapshot(engine: AsyncEngine, url: str, tmp_path: Path) -> str:
    """A copy of the database as a backup would hold it; returns its URL."""
    await engine.dispose()  # SQLite folds its write-ahead log back into the file
    database = make_url(url).database
    assert database is not None
    if engine.dialect.name == "sqlite":
        copy = tmp_path / "backup.db"
        shutil.copyfile(database, copy)
        return f"sqlite+aiosqlite:///{copy}"
    name = create_postgres_database(template=database)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def test_a_backup_from_before_the_rotation_decrypts_nothing_after_destroy(
    engine: AsyncEngine,
    keys_file: Path,
    key_path: Path,
    clock: Clock,
    database_url: str,
    tmp_path: Path,
) -> None:
    # Given a backup taken while every key was under version 1
    keyring = load_keyring(keys_file)
    keys, _ = await make_keys(engine, keyring, clock())
    backup_url = await snapshot(engine, database_url, tmp_path)
    backup = create_engine(Settings(database_url=backup_url))
    try:
        old_rows = await organisation_rows(backup)
        async with backup.connect() as connection:
            old_platform = (await connection.execute(select(PlatformKey.__table__))).one()
        # ... which the key file of its day opens (the test is not vacuous)
        assert (await keys_now(backup, keyring))[0] == keys
        # When the KEK is rotated and version 1 destroyed after the retention
        newer = promoted(keyring)
        replace_keyring(key_path, newer)
        await rotate(engine, newer, clock)
        clock.advance(days=36)
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
        current = load_keyring(key_path)
        # Then the backup, restored with the current key file, gives nothing back
        with pytest.raises(KeysRefused, match="lacks kek version 1"):
            await open_platform_keys(backup, current)
        for organisation, row in old_rows.items():
            purpose = organisation_key_purpose(organisation, row.generation)
            with pytest.raises(UnknownKeyVersion, match="key version 1 of kek"):
                unwrap_key(current.kek.key, row.wrapped_key, purpose)
        with pytest.raises(UnknownKeyVersion):
            unwrap_key(current.kek.key, old_platform.wrapped_key, PLATFORM_KEY_PURPOSE)
        with pytest.raises(UnknownKeyVersion):
            await keys_now(backup, current)
    finally:
        await backup.dispose()
        if backup.dialect.name == "postgresql":
            drop_postgres_database(str(make_url(backup_url).database))


async def test_status_shows_versions_use_and_when_destruction_is_allowed(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a finished rotation from version 1 to 2
    keyring = load_keyring(keys_file)
    await make_keys(engine, keyring, clock())
    newer = promoted(keyring)
    await rotate(engine, newer, clock)
    # When the status is read
    async with engine.connect() as connection:
        statuses = {(s.root, s.version): s for s in await key_status(connection, newer)}
    # Then each root's versions show, with use and retirement for the KEK
    assert set(statuses) == {
        ("kek", 1),
        ("kek", 2),
        ("blind_index", 1),
        ("pseudonym", 1),
        ("audit", 1),
    }
    old, new = statuses["kek", 1], statuses["kek", 2]
    assert (old.primary, old.in_file, old.matches, old.retired_at) == (False, True, True, clock())
    assert old.wraps == {"organisation_keys": 0, "platform_keys": 0}
    assert new.primary
    assert new.wraps == {"organisation_keys": 3, "platform_keys": 1}
    assert statuses["pseudonym", 1].wraps == {}
    assert destroy_refusal(old, clock(), RETENTION) == (
        "kek version 1 was retired on 2026-11-28 09:00 UTC and backups are kept 35 days: "
        "it may be destroyed after 2027-01-02 09:00 UTC"
    )
    assert destroy_refusal(old, clock() + dt.timedelta(days=36), RETENTION) is None
    assert "is the primary" in str(destroy_refusal(new, clock(), RETENTION))


async def test_rotation_refuses_a_key_file_of_another_database(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    await make_keys(engine, load_keyring(keys_file), clock())
    with pytest.raises(KeysRefused, match="does not match this database"):
        await rotate(engine, promoted(Keyring.generate(demo=False)), clock)
    assert await kek_versions_in_use(engine) == {1}
