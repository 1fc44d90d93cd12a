"""The registry's key hierarchy: KEK (key file) -> organisation key -> contact data key.

Organisation keys are made on first use and stored wrapped by the KEK; a contact's data
key is stored wrapped by its organisation's key, in the contact's row, under the key id
`org:<generation>`. KEK rotation (`server.key_renewal`) replaces an organisation's key
with a new generation, moves every contact's data key to it and deletes the old one:
new contacts take the newest generation, and a generation is deleted only once no
contact uses it (the lock taken here on PostgreSQL keeps one from being used meanwhile).
Unwrapped keys sit in a small bounded cache, and a contact's is dropped when it is
erased (its ciphertexts are deleted too, so a cached copy elsewhere decrypts nothing).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.db import insert_for, new_id
from schema.tables.accounts import OrganisationKey
from schema.tables.registry import Contact
from security.crypto import (
    FORMAT,
    DecryptionError,
    decrypt,
    encrypt,
    key_id_of,
    new_data_key,
    unwrap_key,
    wrap_key,
)
from security.keyring import Keyring

CACHE_SIZE = 4096
CACHE_TTL_SECONDS = 300.0


def organisation_key_purpose(organisation_id: uuid.UUID, generation: int) -> str:
    """What a wrapped organisation key is bound to: another row's blob does not unwrap."""
    return f"org-key:{organisation_id}:{generation}"


def contact_key_aad(contact_id: uuid.UUID, organisation_id: uuid.UUID) -> bytes:
    return f"contact-key:{contact_id}:{organisation_id}".encode()


def contact_key_id(generation: int) -> str:
    """The key id of a data key wrapped by an organisation key of this generation."""
    return f"org:{generation}"


def contact_key_prefix(generation: int) -> bytes:
    """How every data key wrapped under this generation begins (format byte, key id length,
    key id: see `security.crypto`). The length byte makes it exact: `org:1` is never a
    prefix of `org:12`. Finding a generation's contacts by this prefix needs no column
    that could disagree with the blob, and no migration."""
    key_id = contact_key_id(generation).encode("ascii")
    return FORMAT + bytes([len(key_id)]) + key_id


def contact_key_generation(wrapped: bytes) -> int:
    """The generation of the organisation key that wrapped a contact's data key."""
    prefix, _, generation = key_id_of(wrapped).partition(":")
    if prefix != "org" or not generation.isdigit():
        raise DecryptionError("ciphertext does not decrypt at this place")
    return int(generation)


def rewrap_contact_key(
    old_organisation_key: bytes,
    new_organisation_key: bytes,
    new_generation: int,
    contact_id: uuid.UUID,
    organisation_id: uuid.UUID,
    wrapped: bytes,
) -> bytes:
    """The same data key, wrapped by another generation of its organisation's key: the
    contact's ciphertexts and every cached copy of its data key stay valid."""
    aad = contact_key_aad(contact_id, organisation_id)
    key = decrypt(lambda _: old_organisation_key, wrapped, aad)
    return encrypt(new_organisation_key, contact_key_id(new_generation), key, aad)


class OrganisationKeyGone(DecryptionError):
    """The generation a contact's row named was deleted since the row was read: the
    rotation moved the contact to a newer one first, so the row read again names it."""


class KeyCache:
    """A bounded LRU of unwrapped keys, shared by the requests of one process.

    Entries also expire (`ttl` seconds): an erasure drops the contact's key here, but
    other server processes learn of it only by reading the row again, so a key never
    outlives its erasure by more than `ttl` in any process's memory."""

    def __init__(
        self,
        size: int = CACHE_SIZE,
        ttl: float = CACHE_TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._size = size
        self._ttl = ttl
        self._clock = clock
        self._keys: OrderedDict[tuple[str, uuid.UUID, int], tuple[bytes, float]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: str, key_id: uuid.UUID, generation: int = 0) -> bytes | None:
        entry = (kind, key_id, generation)
        with self._lock:
            found = self._keys.get(entry)
            if found is None:
                return None
            if found[1] <= self._clock():
                del self._keys[entry]
                return None
            self._keys.move_to_end(entry)
            return found[0]

    def put(self, kind: str, key_id: uuid.UUID, value: bytes, generation: int = 0) -> None:
        entry = (kind, key_id, generation)
        with self._lock:
            self._keys[entry] = (value, self._clock() + self._ttl)
            self._keys.move_to_end(entry)
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)

    def drop(self, kind: str, key_id: uuid.UUID) -> None:
        with self._lock:
            for cached in [k for k in self._keys if k[0] == kind and k[1] == key_id]:
                del self._keys[cached]

    def __len__(self) -> int:
        return len(self._keys)


class RegistryKeys:
    """Organisation and contact keys for the registry, on a caller's connection."""

    def __init__(self, keyring: Keyring, cache: KeyCache) -> None:
        self.keyring = keyring
        self.cache = cache

    async def organisation_key(
        self, connection: AsyncConnection, organisation_id: uuid.UUID, now: dt.datetime
    ) -> tuple[int, bytes]:
        """The organisation's current key (generation, key), made if it has none yet, for
        writing a new contact under; call it in the write transaction that inserts it.

        On PostgreSQL the generation is then locked FOR SHARE until that transaction ends:
        the rotation locks a generation FOR UPDATE before it checks that no contact uses
        it and deletes it, so either it sees this transaction's contact or this one sees
        the generation gone and takes the newest instead. (SQLite's write transactions
        already run one at a time.) Two first requests at once both try to make the key:
        the insert skips on conflict and both read the one row that won (PostgreSQL's
        next statement sees the commit)."""
        for _attempt in range(3):
            row = await self._current_organisation_key(connection, organisation_id)
            if row is None:
                await self._make_first_key(connection, organisation_id, now)
            elif await self._hold(connection, organisation_id, row.generation):
                return row.generation, await self._unwrap_organisation_key(
                    organisation_id, row.generation, row.wrapped_key
                )
        raise DecryptionError("the organisation key was replaced meanwhile")

    async def _make_first_key(
        self, connection: AsyncConnection, organisation_id: uuid.UUID, now: dt.datetime
    ) -> None:
        version, kek = self.keyring.kek.primary_key()
        wrapped = wrap_key(
            kek, version, new_data_key(), organisation_key_purpose(organisation_id, 1)
        )
        dialect_insert = insert_for(connection)
        await connection.execute(
            dialect_insert(OrganisationKey)
            .values(
                id=new_id(),
                organisation_id=organisation_id,
                generation=1,
                wrapped_key=wrapped,
                kek_version=version,
                created_at=now,
                updated_at=now,
                version=1,
            )
            .on_conflict_do_nothing(index_elements=["organisation_id", "generation"])
        )

    async def _current_organisation_key(
        self, connection: AsyncConnection, organisation_id: uuid.UUID
    ) -> Any:
        table = OrganisationKey.__table__.c
        return (
            await connection.execute(
                select(table.generation, table.wrapped_key)
                .where(table.organisation_id == organisation_id)
                .order_by(table.generation.desc())
                .limit(1)
            )
        ).first()

    @staticmethod
    async def _hold(
        connection: AsyncConnection, organisation_id: uuid.UUID, generation: int
    ) -> bool:
        """Locks a generation against deletion until the transaction ends; False if it was
        deleted meanwhile (a newer one then exists)."""
        if connection.dialect.name != "postgresql":
            return True
        table = OrganisationKey.__table__.c
        locked = await connection.execute(
            select(table.id)
            .where(table.organisation_id == organisation_id, table.generation == generation)
            .with_for_update(read=True)
        )
        return locked.first() is not None

    async def organisation_key_of(
        self, connection: AsyncConnection, organisation_id: uuid.UUID, generation: int
    ) -> bytes:
        cached = self.cache.get("org", organisation_id, generation)
        if cached is not None:
            return cached
        table = OrganisationKey.__table__.c
        wrapped = (
            await connection.execute(
                select(table.wrapped_key).where(
                    table.organisation_id == organisation_id, table.generation == generation
                )
            )
        ).scalar()
        if wrapped is None:
            raise OrganisationKeyGone("the organisation key of this ciphertext was replaced")
        return await self._unwrap_organisation_key(organisation_id, generation, wrapped)

    async def _unwrap_organisation_key(
        self, organisation_id: uuid.UUID, generation: int, wrapped: bytes
    ) -> bytes:
        cached = self.cache.get("org", organisation_id, generation)
        if cached is not None:
            return cached
        key = unwrap_key(
            self.keyring.kek.key, wrapped, organisation_key_purpose(organisation_id, generation)
        )
        self.cache.put("org", organisation_id, key, generation)
        return key

    async def new_contact_key(
        self,
        connection: AsyncConnection,
        contact_id: uuid.UUID,
        organisation_id: uuid.UUID,
        now: dt.datetime,
    ) -> tuple[bytes, bytes]:
        """A fresh data key for a contact: (the key, its wrapped form for the row)."""
        generation, organisation_key = await self.organisation_key(connection, organisation_id, now)
        key = new_data_key()
        wrapped = encrypt(
            organisation_key,
            contact_key_id(generation),
            key,
            contact_key_aad(contact_id, organisation_id),
        )
        self.cache.put("contact", contact_id, key)
        return key, wrapped

    async def contact_key(
        self,
        connection: AsyncConnection,
        contact_id: uuid.UUID,
        organisation_id: uuid.UUID,
        wrapped: bytes,
    ) -> bytes:
        """A contact's data key, from the wrapped form read with its row. If the rotation
        moved it to a newer generation and deleted the old one since, the row is read
        again: the data key is the same under either."""
        cached = self.cache.get("contact", contact_id)
        if cached is not None:
            return cached
        try:
            key = await self._unwrap_contact_key(connection, contact_id, organisation_id, wrapped)
        except OrganisationKeyGone:
            table = Contact.__table__.c
            again = await connection.scalar(
                select(table.wrapped_data_key).where(
                    table.id == contact_id, table.owner_organisation_id == organisation_id
                )
            )
            if again is None or again == wrapped:  # erased meanwhile, or really lost
                raise
            key = await self._unwrap_contact_key(connection, contact_id, organisation_id, again)
        self.cache.put("contact", contact_id, key)
        return key

    async def _unwrap_contact_key(
        self,
        connection: AsyncConnection,
        contact_id: uuid.UUID,
        organisation_id: uuid.UUID,
        wrapped: bytes,
    ) -> bytes:
        organisation_key = await self.organisation_key_of(
            connection, organisation_id, contact_key_generation(wrapped)
        )
        return decrypt(
            lambda _: organisation_key, wrapped, contact_key_aad(contact_id, organisation_id)
        )
