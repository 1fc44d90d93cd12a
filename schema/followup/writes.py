"""What every change to an existing follow-up row shares: finding the author's own
row, changing it only at the version the client read, and the owner's audit entry."""

from __future__ import annotations

import uuid
from typing import Any

import strawberry
from sqlalchemy import Row, Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.audit import organisation_chain, record
from schema.context import Context
from schema.errors import NotFound
from schema.node import uuid_key
from schema.payloads import conflict
from schema.relay import expect_global_id
from security.policy import NotAllowed, visible

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
