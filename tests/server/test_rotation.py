"""KEK rotation (SECURITY.md properties 4 and 5): add, promote, replace organisation keys
and re-wrap the platform key, retire, destroy."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.registry.keys import (
    KeyCache,
    RegistryKeys,
    contact_key_generation,
    organisation_key_purpose,
)
from schema.tables.accounts import KeyCheck, OrganisationKey, PlatformKey
from security.crypto import unwrap_key, wrap_key
from security.keyring import Keyring, load_keyring, replace_keyring
from server.database import write_transaction
from server.keys import PLATFORM_KEY_PURPOSE, KeysRefused, open_platform_keys
from server.rotation import (
    RotationRefused,
    destroy_kek_version,
    destroy_refusal,
    key_status,
    rotate,
)
from tests.clock import Clock
from tests.factories import make_organisation
from tests.server.rotation_helpers import (
    RETENTION,
    Killed,
    add_contact,
    audit_actions,
    check_row,
    contact_rows,
    generations,
    kek_versions_in_use,
    make_keys,
    names_now,
    organisation_keys_now,
    organisation_rows,
    platform_key_now,
    promoted,
    seed,
)

_org_keys = OrganisationKey.__table__.c
_checks = KeyCheck.__table__.c


async def test_rotation_replaces_organisation_keys_and_keeps_every_contact(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given three organisations with two contacts each, and the platform key, under KEK 1
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), contacts=2)
    before = await contact_rows(engine)
    # When version 2 is added everywhere (servers start with it), nothing changes yet
    added = keyring.with_new_version("kek")
    await open_platform_keys(engine, added)
    assert await kek_versions_in_use(engine) == {1}
    # ... and once promoted, the rotation runs
    newer = added.promoted("kek", 2)
    clock.advance(hours=1)
    done = await rotate(engine, newer, clock)
    # Then each organisation has one key left: a new one, generation 2, under version 2
    assert (done.made, done.contacts, done.deleted, done.platform_keys) == (3, 6, 3, 1)
    assert (done.kept, done.conflicts, done.unreadable, done.erased) == (0, 0, 0, 0)
    assert (done.unfinished, done.retired) == (False, [1])
    assert await generations(engine) == {org: [(2, 2)] for org in seeded.organisation_keys}
    replaced = await organisation_keys_now(engine, newer)
    assert all(replaced[org] != key for org, key in seeded.organisation_keys.items())
    # And every contact still decrypts to its values with empty caches: its data key was
    # re-wrapped, its ciphertexts and version untouched
    assert await names_now(engine, newer) == seeded.names
    for contact, row in (await contact_rows(engine)).items():
        old = before[contact]
        assert contact_key_generation(row.wrapped_data_key) == 2
        assert (row.full_name_ciphertext, row.version, row.updated_at) == (
            old.full_name_ciphertext,
            old.version,
            old.updated_at,
        )
    # And the platform key is the same key, re-wrapped; version 1 wraps nothing, retired
    assert await platform_key_now(engine, newer) == seeded.platform_key
    assert await kek_versions_in_use(engine) == {2}
    assert (await check_row(engine, 1)).retired_at == clock()
    # And the audit says what happened, without key material
    moved = {"root": "kek", "contact_keys": 2, "erased": 0, "conflicts": 0, "unreadable": 0}
    assert await audit_actions(engine) == [
        (
            "keys.organisation-keys-made",
            {
                "root": "kek",
                "kek_version": 2,
                "organisation_keys": 3,
                "replacing_kek_versions": [1],
            },
        ),
        *[("keys.contact-keys-rewrapped", moved)] * 3,
        (
            "keys.organisation-keys-deleted",
            {"root": "kek", "organisation_keys": 3, "kek_versions": [1], "kept": 0},
        ),
        (
            "keys.rewrapped",
            {
                "root": "kek",
                "to_version": 2,
                "from_versions": [1],
                "platform_keys": 1,
                "conflicts": 0,
            },
        ),
        ("keys.retired", {"root": "kek", "version": 1}),
    ]


async def test_a_second_rotation_does_nothing(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a finished rotation
    newer = promoted(load_keyring(keys_file))
    await seed(engine, load_keyring(keys_file), clock(), contacts=1)
    await rotate(engine, newer, clock)
    keys, contacts = await organisation_rows(engine), await contact_rows(engine)
    audit_before = await audit_actions(engine)
    # When it runs again, later
    clock.advance(days=1)
    done = await rotate(engine, newer, clock)
    # Then no key, contact, retirement or audit entry changed
    assert (done.made, done.contacts, done.deleted, done.platform_keys) == (0, 0, 0, 0)
    assert done.retired == []
    assert await organisation_rows(engine) == keys
    assert await contact_rows(engine) == contacts
    assert await audit_actions(engine) == audit_before
    assert (await check_row(engine, 1)).retired_at == clock() - dt.timedelta(days=1)


async def test_an_interrupted_rotation_resumes(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given five organisations with a contact each under version 1, and version 2 promoted
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), organisations=5, contacts=1)
    newer = promoted(keyring)
    # When a run stops after one batch of two
    done = await rotate(engine, newer, clock, batch_size=2, max_batches=1)
    # Then two organisations have a second generation, nothing else moved, 1 is not retired
    assert (done.made, done.contacts, done.deleted, done.platform_keys) == (2, 0, 0, 0)
    assert sorted(len(found) for found in (await generations(engine)).values()) == [1, 1, 1, 2, 2]
    assert (await check_row(engine, 1)).retired_at is None

    # When the next run is killed after its third batch (two batches making the three
    # new generations left, then one moving the first organisation's contact)
    calls = []

    def crash_at_third(count: int) -> None:
        calls.append(count)
        if len(calls) == 3:
            raise Killed

    with pytest.raises(Killed):
        await rotate(engine, newer, clock, batch_size=2, on_batch=crash_at_third)
    # Then what was done stays, and every contact is readable by a server meanwhile
    assert all(len(found) == 2 for found in (await generations(engine)).values())
    moved = [
        contact_key_generation(row.wrapped_data_key)
        for row in (await contact_rows(engine)).values()
    ]
    assert sorted(moved) == [1, 1, 1, 1, 2]
    assert await names_now(engine, newer) == seeded.names
    # And a last run does only what is left
    done = await rotate(engine, newer, clock, batch_size=2)
    assert (done.made, done.contacts, done.deleted, done.platform_keys) == (0, 4, 5, 1)
    assert await kek_versions_in_use(engine) == {2}
    assert await names_now(engine, newer) == seeded.names
    assert done.retired == [1]


async def test_retirement_spares_the_primary_and_versions_awaiting_promotion(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given version 2 added but not promoted
    keyring = load_keyring(keys_file)
    await seed(engine, keyring, clock(), contacts=1)
    added = keyring.with_new_version("kek")
    # When a rotation runs; then nothing moves and nothing is retired
    done = await rotate(engine, added, clock)
    assert (done.made, done.contacts, done.platform_keys, done.retired) == (0, 0, 0, [])
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
    await seed(engine, keyring, clock(), contacts=1)
    newer = promoted(keyring)
    await rotate(engine, newer, clock)
    # When, ten days later, a replica still on the old key file makes a key under it
    clock.advance(days=10)
    stale = RegistryKeys(keyring, KeyCache())
    organisation = await make_organisation(engine)
    async with write_transaction(engine) as connection:
        await add_contact(connection, stale, organisation, "Written by a stale replica", clock())
    # Then version 1 cannot be destroyed while that key uses it
    replace_keyring(key_path, newer)
    clock.advance(days=40)
    with pytest.raises(RotationRefused, match="kek version 1 still wraps 1 organisation keys"):
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
    # And once replaced, its retention counts from then: backups since hold that key
    done = await rotate(engine, newer, clock)
    assert (done.made, done.contacts, done.deleted) == (1, 1, 1)
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


async def rewrap_in_place(engine: AsyncEngine, keyring: Keyring, now: dt.datetime) -> None:
    """What an earlier release's rotation did: each key re-wrapped under the primary in
    place (the same key), and the old version then marked retired."""
    primary, kek = keyring.kek.primary_key()
    async with write_transaction(engine) as connection:
        for table, purpose_of in (
            (OrganisationKey, lambda row: organisation_key_purpose(row.organisation_id, 1)),
            (PlatformKey, lambda _row: PLATFORM_KEY_PURPOSE),
        ):
            columns = table.__table__.c
            for row in (await connection.execute(select(table.__table__))).all():
                key = unwrap_key(keyring.kek.key, row.wrapped_key, purpose_of(row))
                await connection.execute(
                    update(table)
                    .where(columns.id == row.id)
                    .values(
                        wrapped_key=wrap_key(kek, primary, key, purpose_of(row)),
                        kek_version=primary,
                        version=row.version + 1,
                    )
                )
        await connection.execute(
            update(KeyCheck)
            .where(_checks.root == "kek", _checks.version < primary)
            .values(retired_at=now)
        )


async def test_keys_an_earlier_release_rewrapped_are_replaced_before_destroy(
    engine: AsyncEngine, keys_file: Path, key_path: Path, clock: Clock
) -> None:
    # Given a database an earlier release rotated to version 2 by re-wrapping each
    # organisation key in place: the same keys, so backups of version 1's time would
    # still open with them once version 1 is destroyed
    keyring = load_keyring(keys_file)
    seeded = await seed(engine, keyring, clock(), contacts=1)
    newer = promoted(keyring)
    replace_keyring(key_path, newer)
    await open_platform_keys(engine, newer)
    await rewrap_in_place(engine, newer, clock())
    clock.advance(days=40)
    # When version 1 is destroyed; then refused: those keys must be replaced first
    with pytest.raises(
        RotationRefused,
        match=r"^3 organisation keys were re-wrapped by an earlier release, not replaced: "
        r"run `upright keys rotate` first$",
    ):
        await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)
    # When the rotation runs (no new version needed); then they are replaced
    done = await rotate(engine, newer, clock)
    assert (done.made, done.contacts, done.deleted, done.platform_keys) == (3, 3, 3, 0)
    assert await names_now(engine, newer) == seeded.names
    replaced = await organisation_keys_now(engine, newer)
    assert all(replaced[org] != key for org, key in seeded.organisation_keys.items())
    # And version 1 may now be destroyed
    await destroy_kek_version(engine, key_path, newer, 1, clock(), RETENTION)


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


async def test_status_shows_versions_use_and_when_destruction_is_allowed(
    engine: AsyncEngine, keys_file: Path, clock: Clock
) -> None:
    # Given a finished rotation from version 1 to 2
    keyring = load_keyring(keys_file)
    await seed(engine, keyring, clock(), contacts=1)
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
