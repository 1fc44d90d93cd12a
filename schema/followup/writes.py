"""What every write to a follow-up row shares: finding the author's own row, changing
it only at the version the client read, and the owner's audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from sqlalchemy import Row, Select, Table, delete, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.audit import organisation_chain, record
from schema.context import Context
from schema.db import new_id
from schema.errors import NotFound
from schema.followup.common import author
from schema.node import uuid_key
from schema.payloads import conflict
from schema.relay import expect_global_id
from security.policy import NotAllowed, visible
from security.roles import Scope

STALE = "It changed since you read it: read it again."


async def own_row(
    context: Context, table: Table, type_name: str, global_id: strawberry.ID, owner: uuid.UUID
) -> Row[Any]:
    """The row, if `owner` recorded it. Another organisation's row is NOT_FOUND when the
    viewer may not see it (exactly like an id that never existed), FORBIDDEN when it may."""
    key = uuid_key(expect_global_id(global_id, type_name))
    c = table.c
    rows = await context.fetch_all(
        select(table).where(
            c.id == key, or_(c.owner_organisation_id == owner, visible(c, context.viewer))
        )
    )
    noun = type_name.lower()
    if not rows:
        raise NotFound(f"No such {noun}.")
    if rows[0].owner_organisation_id != owner:
        raise NotAllowed(f"Only the organisation that recorded this {noun} may change it.")
    return rows[0]


async def update_own(
    connection: AsyncConnection,
    table: Table,
    key: uuid.UUID,
    owner: uuid.UUID,
    version: int,
    values: dict[str, Any],
) -> None:
    """Set `values` on the row if it is still at `version`; CONFLICT otherwise, and the
    caller's transaction rolls back with nothing written."""
    c = table.c
    result = await connection.execute(
        update(table)
        .where(c.id == key, c.owner_organisation_id == owner, c.version == version)
        .values(**values, version=version + 1)
    )
    if result.rowcount != 1:
        raise conflict(STALE)


async def delete_own(
    connection: AsyncConnection, table: Table, key: uuid.UUID, owner: uuid.UUID, version: int
) -> None:
    """Delete the row if it is still at `version`; CONFLICT otherwise."""
    c = table.c
    result = await connection.execute(
        delete(table).where(c.id == key, c.owner_organisation_id == owner, c.version == version)
    )
    if result.rowcount != 1:
        raise conflict(STALE)


async def audit(
    context: Context,
    connection: AsyncConnection,
    owner: uuid.UUID,
    action: str,
    subject: tuple[str, uuid.UUID],
    details: dict[str, Any],
) -> None:
    """An entry in the owner's chain: who (user, or API token), what, on which row.
    `details` holds ids and enum values only, never the free text of the row."""
    principal = context.principal
    if principal.token_id is not None:
        details = {**details, "apiToken": str(principal.token_id)}
    await record(
        connection,
        organisation_chain(owner),
        action,
        context.now(),
        actor_user_id=principal.user_id,
        actor_organisation_id=owner,
        subject_type=subject[0],
        subject_id=subject[1],
        details=details,
    )


def audit_details(
    recommendation: uuid.UUID, fields: dict[str, object], **names: str
) -> dict[str, str]:
    """An audit entry's details for a follow-up row: the recommendation, the columns
    `names` maps each detail to (ids and enum values, never free text), and the
    coalition when the row is shared with one."""
    details = {"recommendation": str(recommendation)}
    details.update({name: str(fields[column]) for name, column in names.items()})
    if fields["coalition_id"] is not None:
        details["coalition"] = str(fields["coalition_id"])
    return details


@dataclass(frozen=True)
class OwnRows:
    """A follow-up table as its authors change it: each organisation its own rows only,
    at the version it read, every change audited in its chain in the same transaction."""

    table: Table
    type_name: str
    scope: Scope
    read: Callable[[], Select[Any]]

    async def find(self, context: Context, global_id: strawberry.ID) -> tuple[uuid.UUID, Row[Any]]:
        """The writing organisation and its row (see `own_row`)."""
        owner = author(context, self.scope)
        return owner, await own_row(context, self.table, self.type_name, global_id, owner)

    async def written(self, context: Context, key: uuid.UUID, owner: uuid.UUID) -> Row[Any] | None:
        """The row as written: the author's own, read as the author."""
        c = self.table.c
        rows = await context.fetch_all(
            self.read().where(c.id == key, c.owner_organisation_id == owner)
        )
        return rows[0] if rows else None

    async def create(
        self,
        context: Context,
        connection: AsyncConnection,
        owner: uuid.UUID,
        values: dict[str, Any],
        action: str,
        details: dict[str, Any],
    ) -> uuid.UUID:
        """Insert the author's new row (at version 1) on the caller's transaction; its key."""
        key, now = new_id(), context.now()
        await connection.execute(
            insert(self.table).values(
                id=key,
                owner_organisation_id=owner,
                created_at=now,
                updated_at=now,
                version=1,
                **values,
            )
        )
        await audit(context, connection, owner, action, (self.type_name, key), details)
        return key

    async def update(
        self,
        context: Context,
        owner: uuid.UUID,
        row: Row[Any],
        version: int,
        values: dict[str, Any],
        action: str,
        details: dict[str, Any],
    ) -> None:
        """`update_own` with its audit entry, in one transaction of its own."""
        async with context.write() as connection:
            changed = {**values, "updated_at": context.now()}
            await update_own(connection, self.table, row.id, owner, version, changed)
            await audit(context, connection, owner, action, (self.type_name, row.id), details)

    async def delete(
        self,
        context: Context,
        owner: uuid.UUID,
        row: Row[Any],
        version: int,
        action: str,
        details: dict[str, Any],
    ) -> None:
        """`delete_own` with its audit entry, in one transaction of its own."""
        async with context.write() as connection:
            await delete_own(connection, self.table, row.id, owner, version)
            await audit(context, connection, owner, action, (self.type_name, row.id), details)
