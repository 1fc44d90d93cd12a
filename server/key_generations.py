"""Reading what a rotation has to do with organisation keys (`server.key_renewal`): each
organisation's newest generation, the older ones, the contacts not yet under the newest.

A contact's generation is read from its wrapped data key's header (`contact_key_prefix`),
not from a column of its own: the blob is the one truth (a column could disagree with it
after a failed write), no migration or backfill is needed, and the only queries by
generation are the rotation's, each within one organisation's contacts (indexed by
owner), which a batch job can afford to scan.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import LargeBinary, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from schema.registry.keys import contact_key_prefix
from schema.tables.accounts import OrganisationKey
from schema.tables.registry import Contact

_keys = OrganisationKey.__table__.c
_contacts = Contact.__table__.c


@dataclass(frozen=True)
class GenerationKey:
    """One organisation key row, as read (the newest of its organisation, or an older one)."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    generation: int
    kek_version: int


@dataclass(frozen=True)
class StoredContactKey:
    """A live contact's wrapped data key, as read before moving it."""

    id: uuid.UUID
    organisation_id: uuid.UUID
    wrapped: bytes = field(repr=False)


def _newest() -> ColumnElement[bool]:
    """The row is its organisation's newest generation (none newer exists)."""
    newer = OrganisationKey.__table__.alias("newer")
    return ~(
        select(newer.c.id)
        .where(
            newer.c.organisation_id == _keys.organisation_id,
            newer.c.generation > _keys.generation,
        )
        .exists()
    )


def _rows(rows: Iterable[Any]) -> list[GenerationKey]:
    return [
        GenerationKey(row.id, row.organisation_id, row.generation, row.kek_version) for row in rows
    ]


_GENERATION_COLUMNS = (_keys.id, _keys.organisation_id, _keys.generation, _keys.kek_version)


def rewrapped_in_place() -> ColumnElement[bool]:
    """An organisation key an earlier release re-wrapped instead of replacing (it alone
    updated these rows): the key itself dates from an older KEK version, and backups of
    that time hold contacts' data keys wrapped by it."""
    return _keys.version > 1


async def newest_generations(
    connection: AsyncConnection, *, stale_under: int | None = None
) -> list[GenerationKey]:
    """Each organisation's newest generation; with `stale_under` (the primary KEK
    version), only those to replace: under another version, or re-wrapped in place."""
    query = select(*_GENERATION_COLUMNS).where(_newest())
    if stale_under is not None:
        query = query.where(or_(_keys.kek_version != stale_under, rewrapped_in_place()))
    return _rows((await connection.execute(query.order_by(_keys.organisation_id))).all())


async def older_generations(
    connection: AsyncConnection, after: uuid.UUID | None, size: int
) -> list[GenerationKey]:
    """The next generations (by row id, after `after`) that are not their organisation's
    newest: each is deleted once no contact uses it."""
    query = select(*_GENERATION_COLUMNS).where(~_newest())
    if after is not None:
        query = query.where(_keys.id > after)
    return _rows((await connection.execute(query.order_by(_keys.id).limit(size))).all())


def under_generation(generation: int) -> ColumnElement[bool]:
    """The contact's data key is wrapped by this generation of its organisation's key."""
    prefix = contact_key_prefix(generation)
    return func.substr(_contacts.wrapped_data_key, 1, len(prefix), type_=LargeBinary) == prefix


async def contacts_to_move(
    connection: AsyncConnection, newest: GenerationKey, after: uuid.UUID | None, size: int
) -> list[StoredContactKey]:
    """The organisation's next live contacts (by id, after `after`) whose data key is
    not under its newest generation."""
    query = select(_contacts.id, _contacts.wrapped_data_key).where(
        _contacts.owner_organisation_id == newest.organisation_id,
        _contacts.wrapped_data_key.is_not(None),
        ~under_generation(newest.generation),
    )
    if after is not None:
        query = query.where(_contacts.id > after)
    rows = await connection.execute(query.order_by(_contacts.id).limit(size))
    return [StoredContactKey(row.id, newest.organisation_id, row.wrapped_data_key) for row in rows]


async def pending_units(connection: AsyncConnection, primary: int) -> int:
    """What a run would do, for a progress bar: new generations to make and contact
    keys to move (all of an organisation's, once its key is to be replaced)."""
    stale = {key.id for key in await newest_generations(connection, stale_under=primary)}
    units = len(stale)
    for newest in await newest_generations(connection):
        live = select(func.count()).where(
            _contacts.owner_organisation_id == newest.organisation_id,
            _contacts.wrapped_data_key.is_not(None),
        )
        if newest.id not in stale:
            live = live.where(~under_generation(newest.generation))
        units += await connection.scalar(live) or 0
    return units
