"""KEK rotation replaces organisation keys (SECURITY.md property 5), not only re-wraps them.

A backup taken before an erasure holds the erased contact's data key, wrapped by its
organisation's key. Were that organisation key only re-wrapped under the new KEK
version, the live database and the current key file would still give it up, and the
backup would decrypt after the old version is destroyed. So the rotation:

1. gives each organisation whose newest key generation is under an older KEK version
   (or was re-wrapped in place by an earlier release) a new generation: a fresh key,
   wrapped under the primary (servers write new contacts under the newest from then on);
2. moves every live contact's data key to its organisation's newest generation, in
   batches, each row only if its wrapped key is still the one read (an erasure or any
   other write meanwhile wins). The data key stays the same: no contact ciphertext
   changes, cached data keys stay valid, and the row's `version` and `updated_at` are
   left alone: an edit in progress does not conflict with the rotation;
3. deletes each older generation once no contact uses it. A server that read it as
   current just before the new one existed may be about to write a contact under it:
   on PostgreSQL it holds the generation FOR SHARE (`RegistryKeys.organisation_key`),
   and the deletion takes it FOR UPDATE and only then, in a new statement, checks for
   contacts; SQLite's write transactions run one at a time.

A generation still in use (a contact that changed meanwhile, could not be read, or was
just written under it) stays, and with it its KEK version: the next run finishes.
Backups then keep old generations wrapped under old KEK versions only, which
`upright keys destroy` makes useless.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.audit import PLATFORM_CHAIN, record
from schema.db import insert_for, new_id
from schema.registry.keys import (
    contact_key_generation,
    organisation_key_purpose,
    rewrap_contact_key,
)
from schema.tables.accounts import OrganisationKey
from schema.tables.registry import Contact
from security.crypto import DecryptionError, new_data_key, unwrap_key, wrap_key
from security.keyring import Keyring, KeyringError
from server.database import write_transaction
from server.key_generations import (
    GenerationKey,
    StoredContactKey,
    contacts_to_move,
    newest_generations,
    older_generations,
    under_generation,
)

_keys = OrganisationKey.__table__.c
_contacts = Contact.__table__.c


@dataclass
class Renewal:
    """What replacing organisation keys did. Whatever could not move stays where it was,
    and keeps its generation (and that generation's KEK version) alive: run again."""

    made: int = 0  # new organisation key generations, under the primary KEK version
    contacts: int = 0  # contact data keys moved to their organisation's newest generation
    erased: int = 0  # contacts erased meanwhile: nothing left to move
    deleted: int = 0  # older generations deleted once no contact used them
    kept: int = 0  # older generations still used by a contact
    conflicts: int = 0  # keys that changed meanwhile: left as they are
    unreadable: int = 0  # keys that could not be unwrapped: left as they are
    moved_from: set[int] = field(default_factory=set)  # KEK versions keys left

    def add(self, other: Renewal) -> None:
        self.made += other.made
        self.contacts += other.contacts
        self.erased += other.erased
        self.deleted += other.deleted
        self.kept += other.kept
        self.conflicts += other.conflicts
        self.unreadable += other.unreadable
        self.moved_from |= other.moved_from


@dataclass
class Batches:
    """How a run is cut into transactions, how far it may go, and whom it tells."""

    size: int
    limit: int | None = None
    on_batch: Callable[[int], None] | None = None
    done: int = 0

    def more(self) -> bool:
        return self.limit is None or self.done < self.limit

    def finished(self, count: int) -> None:
        self.done += 1
        if self.on_batch is not None:
            self.on_batch(count)


async def make_generations(
    engine: AsyncEngine, keyring: Keyring, batch: Sequence[GenerationKey], now: dt.datetime
) -> Renewal:
    """A new generation under the primary for each organisation in the batch whose
    newest is still the one read (another run may have made it meanwhile)."""
    done = Renewal()
    primary, kek = keyring.kek.primary_key()
    replacing = set()
    async with write_transaction(engine) as connection:
        dialect_insert = insert_for(connection)
        for old in batch:
            newest = await connection.scalar(
                select(func.max(_keys.generation)).where(
                    _keys.organisation_id == old.organisation_id
                )
            )
            if newest != old.generation:
                continue  # made meanwhile by another run
            generation = old.generation + 1
            purpose = organisation_key_purpose(old.organisation_id, generation)
            result = await connection.execute(
                dialect_insert(OrganisationKey)
                .values(
                    id=new_id(),
                    organisation_id=old.organisation_id,
                    generation=generation,
                    wrapped_key=wrap_key(kek, primary, new_data_key(), purpose),
                    kek_version=primary,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
                .on_conflict_do_nothing(index_elements=["organisation_id", "generation"])
            )
            if result.rowcount == 1:
                done.made += 1
                replacing.add(old.kek_version)
        if done.made:
            details = {
                "root": "kek",
                "kek_version": primary,
                "organisation_keys": done.made,
                "replacing_kek_versions": sorted(replacing),
            }
            await record(
                connection, PLATFORM_CHAIN, "keys.organisation-keys-made", now, details=details
            )
    return done


async def _organisation_keys(
    engine: AsyncEngine, keyring: Keyring, organisation: uuid.UUID, generations: set[int]
) -> dict[int, bytes]:
    """The unwrapped keys of these generations that exist and unwrap."""
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(_keys.generation, _keys.wrapped_key).where(
                _keys.organisation_id == organisation, _keys.generation.in_(generations)
            )
        )
        found = rows.all()
    keys = {}
    for generation, wrapped in found:
        try:
            purpose = organisation_key_purpose(organisation, generation)
            keys[generation] = unwrap_key(keyring.kek.key, wrapped, purpose)
        except (DecryptionError, KeyringError):
            continue
    return keys


async def move_contacts(
    engine: AsyncEngine,
    keyring: Keyring,
    newest: GenerationKey,
    batch: Sequence[StoredContactKey],
    now: dt.datetime,
) -> Renewal:
    """Re-wraps the batch's data keys under the newest generation in one transaction
    with its audit entry, each row only if its wrapped key is still the one read."""
    done = Renewal()
    generations = {newest.generation}
    for stored in batch:
        try:
            generations.add(contact_key_generation(stored.wrapped))
        except DecryptionError:
            continue
    keys = await _organisation_keys(engine, keyring, newest.organisation_id, generations)
    moved = []
    for stored in batch:
        try:
            old = keys[contact_key_generation(stored.wrapped)]
            new = keys[newest.generation]
            moved.append(
                (
                    stored,
                    rewrap_contact_key(
                        old,
                        new,
                        newest.generation,
                        stored.id,
                        stored.organisation_id,
                        stored.wrapped,
                    ),
                )
            )
        except (KeyError, DecryptionError):
            done.unreadable += 1
    async with write_transaction(engine) as connection:
        for stored, wrapped in moved:
            result = await connection.execute(
                update(Contact)
                .where(
                    _contacts.id == stored.id,
                    _contacts.wrapped_data_key == stored.wrapped,
                    _contacts.erased_at.is_(None),
                )
                # Not an edit: `updated_at` (else set on update) and `version` stay.
                .values(wrapped_data_key=wrapped, updated_at=_contacts.updated_at)
            )
            if result.rowcount == 1:
                done.contacts += 1
            elif await _erased(connection, stored.id):
                done.erased += 1  # nothing left to move
            else:
                done.conflicts += 1
        if batch:
            details = {
                "root": "kek",
                "contact_keys": done.contacts,
                "erased": done.erased,
                "conflicts": done.conflicts,
                "unreadable": done.unreadable,
            }
            await record(
                connection, PLATFORM_CHAIN, "keys.contact-keys-rewrapped", now, details=details
            )
    return done


async def _erased(connection: AsyncConnection, contact_id: uuid.UUID) -> bool:
    wrapped = await connection.scalar(
        select(_contacts.wrapped_data_key).where(_contacts.id == contact_id)
    )
    return wrapped is None


async def delete_unused(
    engine: AsyncEngine, batch: Sequence[GenerationKey], now: dt.datetime
) -> Renewal:
    """Deletes each older generation of the batch that no contact uses, in one
    transaction with its audit entry."""
    done = Renewal()
    deleted_from = set()
    async with write_transaction(engine) as connection:
        for old in batch:
            if not await _lock_for_deletion(connection, old):
                continue  # gone already (another run)
            # A new statement: on PostgreSQL it sees every contact committed by a writer
            # that held the generation before the lock above was granted.
            used = await connection.scalar(
                select(_contacts.id)
                .where(
                    _contacts.owner_organisation_id == old.organisation_id,
                    under_generation(old.generation),
                )
                .limit(1)
            )
            if used is not None:
                done.kept += 1
                continue
            await connection.execute(delete(OrganisationKey).where(_keys.id == old.id))
            done.deleted += 1
            deleted_from.add(old.kek_version)
        done.moved_from = deleted_from
        if done.deleted or done.kept:
            details = {
                "root": "kek",
                "organisation_keys": done.deleted,
                "kek_versions": sorted(deleted_from),
                "kept": done.kept,
            }
            await record(
                connection, PLATFORM_CHAIN, "keys.organisation-keys-deleted", now, details=details
            )
    return done


async def _lock_for_deletion(connection: AsyncConnection, old: GenerationKey) -> bool:
    """On PostgreSQL, waits for every writer holding the generation (FOR SHARE) to
    finish, and keeps new ones out; False if the row is gone."""
    query = select(_keys.id).where(_keys.id == old.id)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return (await connection.execute(query)).first() is not None


async def renew_organisation_keys(
    engine: AsyncEngine,
    keyring: Keyring,
    clock: Callable[[], dt.datetime],
    batches: Batches,
) -> Renewal:
    """The three steps, each in batches committed on their own: an interrupted run leaves
    every contact readable, and the next run does only what is left."""
    total = Renewal()
    async with engine.connect() as connection:
        stale = await newest_generations(connection, stale_under=keyring.kek.primary)
    for start in range(0, len(stale), batches.size):
        if not batches.more():
            return total
        batch = stale[start : start + batches.size]
        total.add(await make_generations(engine, keyring, batch, clock()))
        batches.finished(len(batch))
    async with engine.connect() as connection:
        newest = await newest_generations(connection)
    for organisation in newest:
        after = None
        while True:
            if not batches.more():
                return total
            async with engine.connect() as connection:
                contacts = await contacts_to_move(connection, organisation, after, batches.size)
            if not contacts:
                break
            total.add(await move_contacts(engine, keyring, organisation, contacts, clock()))
            batches.finished(len(contacts))
            after = contacts[-1].id
    after = None
    while batches.more():
        async with engine.connect() as connection:
            older = await older_generations(connection, after, batches.size)
        if not older:
            break
        total.add(await delete_unused(engine, older, clock()))
        batches.finished(0)
        after = older[-1].id
    return total
