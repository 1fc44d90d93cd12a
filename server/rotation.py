"""KEK rotation (SECURITY.md properties 4 and 5): add a version to every replica's key
file, promote it, rotate, retire what nothing uses, destroy it once backups age out.

Rotating replaces each organisation key with a new generation under the new version and
moves the contacts' data keys to it (`server.key_renewal`): an old backup's organisation
keys are then wrapped only by versions that get destroyed. The platform key is
re-wrapped: the key stays, its wrapping changes. Servers keep serving throughout: every
replica's key file holds both versions, and each row is written only if it is still as
read (optimistic concurrency), so a concurrent change wins and an erased key is never
written back. The commands that drive it are in `server.rotation_cli`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.audit import PLATFORM_CHAIN, record
from schema.db import Base
from schema.tables.accounts import KeyCheck, OrganisationKey, PlatformKey
from security.crypto import DecryptionError, unwrap_key, wrap_key, wrapped_version
from security.keyring import ROOTS, Keyring, KeyringError, replace_keyring
from server.database import write_transaction
from server.key_generations import pending_units, rewrapped_in_place
from server.key_renewal import Batches, Renewal, renew_organisation_keys
from server.keys import PLATFORM_KEY_PURPOSE, open_platform_keys

BATCH_SIZE = 500
# The tables holding keys wrapped by the KEK.
_UNDER_KEK: dict[str, type[Base]] = {
    "organisation_keys": OrganisationKey,
    "platform_keys": PlatformKey,
}
_platform = PlatformKey.__table__.c
_checks = KeyCheck.__table__.c
_LOCK_WRAPPED = "LOCK TABLE organisation_keys, platform_keys IN SHARE MODE"


class RotationRefused(Exception):
    """A key operation that may not run now: one line saying why, never key material."""


@dataclass(frozen=True)
class StoredKey:
    """A platform key wrapped by a KEK version other than the primary, as read before
    re-wrapping."""

    id: uuid.UUID
    version: int  # the row's, for the conditional update
    wrapped_key: bytes = field(repr=False)


@dataclass
class Rotation(Renewal):
    """What a run did: organisation keys replaced (`Renewal`), platform keys re-wrapped,
    versions retired. What could not move stays under its old version; another run
    picks it up."""

    platform_keys: int = 0
    retired: list[int] = field(default_factory=list)

    @property
    def unfinished(self) -> bool:
        """Something stays under an old version: the run should be repeated."""
        return bool(self.conflicts or self.unreadable or self.kept)


async def pending_batch(
    connection: AsyncConnection, primary: int, after: uuid.UUID | None, size: int
) -> list[StoredKey]:
    """The next platform keys (by id, after `after`) not wrapped by the primary version."""
    query = select(PlatformKey.__table__).where(_platform.kek_version != primary)
    if after is not None:
        query = query.where(_platform.id > after)
    rows = await connection.execute(query.order_by(_platform.id).limit(size))
    return [StoredKey(row.id, row.version, row.wrapped_key) for row in rows]


async def pending_count(engine: AsyncEngine, primary: int) -> int:
    """What a rotation would do, for a progress bar: organisation keys to make, contact
    keys to move, platform keys to re-wrap."""
    async with engine.connect() as connection:
        platform = await connection.scalar(
            select(func.count()).where(_platform.kek_version != primary)
        )
        return await pending_units(connection, primary) + (platform or 0)


async def rewrap_batch(
    engine: AsyncEngine, keyring: Keyring, batch: Sequence[StoredKey], now: dt.datetime
) -> Rotation:
    """Re-wraps platform keys under the primary version in one transaction with its
    audit entry, each row only if its version is still the one read."""
    done = Rotation()
    primary, kek = keyring.kek.primary_key()
    fresh = []
    for stored in batch:
        try:
            key = unwrap_key(keyring.kek.key, stored.wrapped_key, PLATFORM_KEY_PURPOSE)
        except (DecryptionError, KeyringError):
            done.unreadable += 1
            continue
        fresh.append((stored, wrap_key(kek, primary, key, PLATFORM_KEY_PURPOSE)))
    async with write_transaction(engine) as connection:
        for stored, wrapped in fresh:
            result = await connection.execute(
                update(PlatformKey)
                .where(_platform.id == stored.id, _platform.version == stored.version)
                .values(
                    wrapped_key=wrapped,
                    kek_version=primary,
                    version=stored.version + 1,
                    updated_at=now,
                )
            )
            if result.rowcount == 1:
                done.platform_keys += 1
                done.moved_from.add(wrapped_version(stored.wrapped_key))
            else:
                done.conflicts += 1
        if done.platform_keys:
            details = {
                "root": "kek",
                "to_version": primary,
                "from_versions": sorted(done.moved_from),
                "platform_keys": done.platform_keys,
                "conflicts": done.conflicts,
            }
            await record(connection, PLATFORM_CHAIN, "keys.rewrapped", now, details=details)
    return done


async def rotate(
    engine: AsyncEngine,
    keyring: Keyring,
    clock: Callable[[], dt.datetime],
    *,
    batch_size: int = BATCH_SIZE,
    max_batches: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> Rotation:
    """Replaces every organisation key not under the primary KEK version, re-wraps the
    platform key, then retires the versions nothing uses. Each batch commits on its own:
    an interrupted run leaves every key readable, and the next run does only what is
    left. `on_batch` gets each batch's size in the units of `pending_count`."""
    # The file must match the database, and its new versions be recorded (so a replica
    # lacking them is refused), before anything is written under them.
    await open_platform_keys(engine, keyring)
    batches = Batches(batch_size, max_batches, on_batch)
    total = Rotation()
    total.add(await renew_organisation_keys(engine, keyring, clock, batches))
    after = None
    while batches.more():
        async with engine.connect() as connection:
            batch = await pending_batch(connection, keyring.kek.primary, after, batch_size)
        if not batch:
            break
        done = await rewrap_batch(engine, keyring, batch, clock())
        total.add(done)
        total.platform_keys += done.platform_keys
        batches.finished(len(batch))
        after = batch[-1].id
    total.retired = await retire_unused(engine, keyring, clock(), total.moved_from)
    return total


async def kek_usage(connection: AsyncConnection) -> dict[int, dict[str, int]]:
    """Per KEK version, how many keys of each table it wraps."""
    usage: dict[int, dict[str, int]] = {}
    for table, model in _UNDER_KEK.items():
        columns = model.__table__.c
        counted = select(columns.kek_version, func.count()).group_by(columns.kek_version)
        for version, count in await connection.execute(counted):
            usage.setdefault(version, dict.fromkeys(_UNDER_KEK, 0))[table] = count
    return usage


async def retire_unused(
    engine: AsyncEngine, keyring: Keyring, now: dt.datetime, moved_from: set[int]
) -> list[int]:
    """Marks older KEK versions that wrap nothing as retired. `retired_at` is when the
    last key left the version: backups made before it hold keys under it, so it is
    reset when this run moved keys off a version already retired (written meanwhile by
    a replica still on an old key file). Versions above the primary await promotion."""
    primary = keyring.kek.primary
    retired = []
    async with write_transaction(engine) as connection:
        usage = await kek_usage(connection)
        checks = await connection.execute(
            select(KeyCheck.__table__).where(_checks.root == "kek", _checks.destroyed_at.is_(None))
        )
        for check in checks.all():
            if any(usage.get(check.version, {}).values()) or check.version == primary:
                if check.retired_at is not None:  # in use again: not retired after all
                    await _set_retired(connection, check.id, None)
            elif check.version < primary and (
                check.retired_at is None or check.version in moved_from
            ):
                await _set_retired(connection, check.id, now)
                details = {"root": "kek", "version": check.version}
                await record(connection, PLATFORM_CHAIN, "keys.retired", now, details=details)
                retired.append(check.version)
    return retired


async def _set_retired(
    connection: AsyncConnection, check_id: uuid.UUID, when: dt.datetime | None
) -> None:
    await connection.execute(update(KeyCheck).where(_checks.id == check_id).values(retired_at=when))


@dataclass(frozen=True)
class VersionStatus:
    root: str
    version: int
    in_file: bool
    primary: bool
    matches: bool | None  # the file's check value against the recorded one
    created_at: dt.datetime | None  # None: not recorded (no server used this file yet)
    retired_at: dt.datetime | None
    destroyed_at: dt.datetime | None
    wraps: dict[str, int]  # KEK only: keys per table


async def key_status(connection: AsyncConnection, keyring: Keyring) -> list[VersionStatus]:
    """Every version in the key file or recorded in the database, by root."""
    recorded = {
        (row.root, row.version): row for row in await connection.execute(select(KeyCheck.__table__))
    }
    usage = await kek_usage(connection)
    checks = keyring.check_values()
    found = set(recorded) | {(root, version) for root in ROOTS for version in checks[root]}
    statuses = []
    for root, version in sorted(found, key=lambda pair: (ROOTS.index(pair[0]), pair[1])):
        row, check = recorded.get((root, version)), checks[root].get(version)
        statuses.append(
            VersionStatus(
                root=root,
                version=version,
                in_file=check is not None,
                primary=keyring.roots[root].primary == version,
                matches=None if row is None or check is None else row.check_value == check,
                created_at=row.created_at if row else None,
                retired_at=row.retired_at if row else None,
                destroyed_at=row.destroyed_at if row else None,
                wraps=usage.get(version, dict.fromkeys(_UNDER_KEK, 0)) if root == "kek" else {},
            )
        )
    return statuses


def destroy_refusal(status: VersionStatus, now: dt.datetime, retention: dt.timedelta) -> str | None:
    """Why this KEK version may not be destroyed now (one line), or None."""
    name = f"kek version {status.version}"
    refusal = _in_use(name, status)
    if refusal is not None or status.retired_at is None:
        return refusal or f"{name} is not retired: `upright keys rotate` retires unused versions"
    if now <= status.retired_at + retention:
        return (
            f"{name} was retired on {status.retired_at:%Y-%m-%d %H:%M} UTC and backups are "
            f"kept {retention / dt.timedelta(days=1):g} days: it may be destroyed after "
            f"{status.retired_at + retention:%Y-%m-%d %H:%M} UTC"
        )
    return None


def _in_use(name: str, status: VersionStatus) -> str | None:
    if status.destroyed_at is not None:
        return f"{name} was destroyed on {status.destroyed_at:%Y-%m-%d}"
    if status.created_at is None:
        return f"{name} is not recorded in this database: no server used this key file yet"
    if status.primary:
        return f"{name} is the primary: add and promote a new version, then rotate"
    if any(status.wraps.values()):
        return (
            f"{name} still wraps {status.wraps['organisation_keys']} organisation keys and "
            f"{status.wraps['platform_keys']} platform keys: run `upright keys rotate` first"
        )
    return None


async def _kept_in_place(connection: AsyncConnection) -> str | None:
    """Organisation keys an earlier release re-wrapped instead of replacing are older than
    their wrapping: backups of an older version's time would still decrypt with them."""
    count = await connection.scalar(select(func.count()).where(rewrapped_in_place()))
    if not count:
        return None
    return (
        f"{count} organisation keys were re-wrapped by an earlier release, not replaced: "
        "run `upright keys rotate` first"
    )


async def destroy_kek_version(
    engine: AsyncEngine,
    path: Path,
    keyring: Keyring,
    version: int,
    now: dt.datetime,
    retention: dt.timedelta,
) -> Keyring:
    """Removes a KEK version from the key file for good, returning the keyring left.

    Old backups hold organisation keys wrapped under the versions of their day, which
    the rotation replaced (the live database holds none of them), and the key file is
    never in a backup: once this version is gone, backups from its time decrypt
    nothing, so an erasure is complete in them too. Waiting until it was
    retired longer than backups are kept means every backup still kept stays restorable.
    """
    async with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            # No key may be written under it between the check and the commit (SQLite's
            # write transaction already holds the one write lock).
            await connection.execute(text(_LOCK_WRAPPED))
        statuses = await key_status(connection, keyring)
        if any(s.matches is False for s in statuses):
            raise RotationRefused("the key file does not match this database: wrong key file?")
        status = next((s for s in statuses if s.root == "kek" and s.version == version), None)
        if status is None:
            raise RotationRefused(f"kek version {version} is neither in the key file nor recorded")
        refusal = destroy_refusal(status, now, retention) or await _kept_in_place(connection)
        if refusal is not None:
            raise RotationRefused(refusal)
        await connection.execute(
            update(KeyCheck)
            .where(_checks.root == "kek", _checks.version == version)
            .values(destroyed_at=now)
        )
        await record(
            connection,
            PLATFORM_CHAIN,
            "keys.destroyed",
            now,
            details={"root": "kek", "version": version},
        )
        # Last, inside the transaction: a refusal or failure above changes neither. A file
        # already without it (a run that failed to commit) is only recorded now.
        remaining = keyring.without_version("kek", version) if status.in_file else keyring
        if status.in_file:
            replace_keyring(path, remaining)
    return remaining
