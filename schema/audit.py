"""Appending to the audit hash chains: one per organisation and one for the platform.

Each entry hashes the one before it (`security.audit_chain`); appends to one chain are
serialised (a transaction-scoped advisory lock on PostgreSQL; SQLite has one writer
at a time), and (chain, sequence) is unique, so concurrent appends never fork a chain.
Entries are written in the caller's transaction: the audit commits with the change.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.db import new_id
from schema.tables.audit import AuditEvent
from security.audit_chain import GENESIS, chain_lock_key, entry_hash

PLATFORM_CHAIN = "platform"


def organisation_chain(organisation_id: uuid.UUID) -> str:
    return f"org:{organisation_id}"


async def record(
    connection: AsyncConnection,
    chain: str,
    action: str,
    occurred_at: dt.datetime,
    *,
    actor_user_id: uuid.UUID | None = None,
    actor_organisation_id: uuid.UUID | None = None,
    subject_type: str | None = None,
    subject_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
    seal: Callable[[uuid.UUID], bytes] | None = None,
) -> None:
    """Append one entry. `details` must hold metadata only: never a secret, a searched
    value or plaintext about a contact. Such text goes, encrypted, in `sealed_details`:
    `seal` is given the new entry's id (made here, before the insert) and returns the
    text sealed for that row, so a copy in another entry does not decrypt."""
    table = AuditEvent.__table__
    event_id = new_id()
    sealed_details = seal(event_id) if seal else None
    if connection.dialect.name == "postgresql":
        await connection.execute(select(func.pg_advisory_xact_lock(chain_lock_key(chain))))
    last = (
        await connection.execute(
            select(table.c.sequence, table.c.entry_hash)
            .where(table.c.chain == chain)
            .order_by(table.c.sequence.desc())
            .limit(1)
        )
    ).first()
    previous, sequence = (last.entry_hash, last.sequence + 1) if last else (GENESIS, 1)
    event = event_body(
        chain=chain,
        sequence=sequence,
        occurred_at=occurred_at,
        actor_user_id=actor_user_id,
        actor_organisation_id=actor_organisation_id,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details or {},
        sealed_details=sealed_details,
    )
    await connection.execute(
        insert(AuditEvent).values(
            id=event_id,
            chain=chain,
            sequence=sequence,
            occurred_at=occurred_at,
            actor_user_id=actor_user_id,
            actor_organisation_id=actor_organisation_id,
            action=action,
            subject_type=subject_type,
            subject_id=subject_id,
            details=details or {},
            sealed_details=sealed_details,
            previous_hash=previous,
            entry_hash=entry_hash(previous, event),
        )
    )


def event_body(
    *,
    chain: str,
    sequence: int,
    occurred_at: dt.datetime,
    actor_user_id: uuid.UUID | None,
    actor_organisation_id: uuid.UUID | None,
    action: str,
    subject_type: str | None,
    subject_id: uuid.UUID | None,
    details: dict[str, Any],
    sealed_details: bytes | None,
) -> dict[str, Any]:
    """What an entry's hash covers: every column but the hashes, timestamps as text."""
    return {
        "chain": chain,
        "sequence": sequence,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_user_id": str(actor_user_id) if actor_user_id else None,
        "actor_organisation_id": str(actor_organisation_id) if actor_organisation_id else None,
        "action": action,
        "subject_type": subject_type,
        "subject_id": str(subject_id) if subject_id else None,
        "details": details,
        "sealed_details": base64.b64encode(sealed_details).decode() if sealed_details else None,
    }
