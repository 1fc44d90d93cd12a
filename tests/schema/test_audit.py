"""Audit appends: hash chains that verify, and that never fork under concurrent appends."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.audit import event_body, organisation_chain, record
from schema.tables.audit import AuditEvent
from security.audit_chain import GENESIS, verify_chain
from server.database import write_transaction

WHEN = dt.datetime(2026, 11, 28, 9, 0, tzinfo=dt.UTC)


async def _append(engine: AsyncEngine, chain: str, action: str) -> None:
    async with write_transaction(engine) as connection:
        await record(connection, chain, action, WHEN, details={"n": action})


async def _entries(engine: AsyncEngine, chain: str) -> list[tuple[bytes, dict[str, object], bytes]]:
    table = AuditEvent.__table__.c
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(AuditEvent.__table__).where(table.chain == chain).order_by(table.sequence)
        )
        return [
            (
                row.previous_hash,
                event_body(
                    chain=row.chain,
                    sequence=row.sequence,
                    occurred_at=row.occurred_at,
                    actor_user_id=row.actor_user_id,
                    actor_organisation_id=row.actor_organisation_id,
                    action=row.action,
                    subject_type=row.subject_type,
                    subject_id=row.subject_id,
                    details=row.details,
                    sealed_details=row.sealed_details,
                ),
                row.entry_hash,
            )
            for row in rows
        ]


async def test_appends_form_a_verifiable_chain_per_organisation(engine: AsyncEngine) -> None:
    one, two = organisation_chain(uuid.uuid4()), organisation_chain(uuid.uuid4())
    for chain, action in [(one, "a"), (two, "x"), (one, "b"), (one, "c")]:
        await _append(engine, chain, action)
    entries = await _entries(engine, one)
    assert [entry[1]["sequence"] for entry in entries] == [1, 2, 3]
    assert entries[0][0] == GENESIS
    assert verify_chain(entries) is None
    assert [entry[1]["sequence"] for entry in await _entries(engine, two)] == [1]


async def test_concurrent_appends_never_fork(engine: AsyncEngine) -> None:
    # Given many writers appending to one chain at once (each its own connection)
    chain = organisation_chain(uuid.uuid4())
    await asyncio.gather(*(_append(engine, chain, f"event-{i}") for i in range(12)))
    # Then one unbroken chain holds every entry, each linked to exactly one predecessor
    entries = await _entries(engine, chain)
    assert [entry[1]["sequence"] for entry in entries] == list(range(1, 13))
    assert len({entry[0] for entry in entries}) == 12
    assert verify_chain(entries) is None
