"""Writing parsed recommendations: batched, idempotent, audited.

Each batch of recommendations is one transaction holding the recommendations, their
reviews (found or created), recommending states and themes, so no recommendation is
ever half-written. Every insert is ON CONFLICT DO NOTHING: a natural key already
present adds nothing but the recommending states and themes it did not have, and
re-running an import adds nothing at all. A dry run does the same work and rolls
each batch back, so its counts are exactly what an import would do.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from schema.audit import PLATFORM_CHAIN, record
from schema.db import insert_for, new_id, utcnow
from schema.imports.upr_info import ParsedRecommendation
from schema.recommendations.search import search_document
from schema.reference import calendar
from schema.tables.recommendations import (
    Mechanism,
    Recommendation,
    recommendation_themes,
    recommending_states,
)
from schema.tables.reviews import Review

BATCH_SIZE = 1000
_SESSION_MONTHS = calendar.sessions()


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    already_present: int = 0


async def _reviews(
    connection: AsyncConnection, batch: Sequence[ParsedRecommendation]
) -> dict[tuple[str, int], uuid.UUID]:
    """The review of every (state, session) of the batch, created when missing with
    the session's month as its date (an imported review's exact date is unknown)."""
    table = Review.__table__
    pairs = sorted({(rec.state_code, rec.session) for rec in batch})
    now = utcnow()
    await connection.execute(
        insert_for(connection)(table).on_conflict_do_nothing(
            index_elements=["state_code", "session_number"]
        ),
        [
            {
                "id": new_id(),
                "state_code": state,
                "session_number": session,
                "review_date": _SESSION_MONTHS[session],
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
            for state, session in pairs
        ],
    )
    rows = await connection.execute(
        select(table.c.state_code, table.c.session_number, table.c.id).where(
            tuple_(table.c.state_code, table.c.session_number).in_(pairs)
        )
    )
    return {(row.state_code, row.session_number): row.id for row in rows}


async def _ids(connection: AsyncConnection, keys: list[str]) -> dict[str, uuid.UUID]:
    table = Recommendation.__table__
    rows = await connection.execute(
        select(table.c.natural_key, table.c.id).where(table.c.natural_key.in_(keys))
    )
    return {row.natural_key: row.id for row in rows}


async def write_batch(
    connection: AsyncConnection, batch: Sequence[ParsedRecommendation]
) -> WriteCounts:
    """One batch, in the caller's transaction."""
    keys = [rec.natural_key for rec in batch]
    present = await _ids(connection, keys)
    reviews = await _reviews(connection, batch)
    now = utcnow()
    fresh = [rec for rec in batch if rec.natural_key not in present]
    insert = insert_for(connection)
    if fresh:
        await connection.execute(
            insert(Recommendation.__table__).on_conflict_do_nothing(index_elements=["natural_key"]),
            [_row(rec, reviews[(rec.state_code, rec.session)], now) for rec in fresh],
        )
    ids = await _ids(connection, keys)
    states = [
        {"recommendation_id": ids[rec.natural_key], "state_code": state}
        for rec in batch
        for state in sorted(rec.recommending_states)
    ]
    themes = [
        {"recommendation_id": ids[rec.natural_key], "theme_code": theme}
        for rec in batch
        for theme in sorted(rec.themes)
    ]
    for table, rows in ((recommending_states, states), (recommendation_themes, themes)):
        if rows:
            await connection.execute(insert(table).on_conflict_do_nothing(), rows)
    return WriteCounts(new=len(fresh), already_present=len(present))


def _row(rec: ParsedRecommendation, review_id: uuid.UUID, now: dt.datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "mechanism": Mechanism.UPR,
        "state_code": rec.state_code,
        "review_id": review_id,
        "text": rec.text,
        "search_tokens": search_document(rec.text),
        "natural_key": rec.natural_key,
        "response": rec.response,
        "response_wording": rec.response_wording,
        "action_category": rec.action_category,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


async def write_recommendations(
    engine: AsyncEngine,
    recommendations: Sequence[ParsedRecommendation],
    *,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    counts: WriteCounts | None = None,
) -> WriteCounts:
    """All recommendations, one transaction per batch; `progress` gets the source rows
    each batch stood for, `counts` (when given) what the committed batches did."""
    counts = counts if counts is not None else WriteCounts()
    async with engine.connect() as connection:
        for start in range(0, len(recommendations), batch_size):
            batch = recommendations[start : start + batch_size]
            transaction = await connection.begin()
            try:
                done = await write_batch(connection, batch)
            except BaseException:
                await transaction.rollback()
                raise
            if dry_run:
                await transaction.rollback()
            else:
                await transaction.commit()
            counts.new += done.new
            counts.already_present += done.already_present
            if progress:
                progress(sum(rec.rows for rec in batch))
    return counts


async def record_import(engine: AsyncEngine, action: str, details: dict[str, Any]) -> None:
    """The run in the platform audit chain: who, which files, counts; no row content."""
    async with engine.begin() as connection:
        await record(connection, PLATFORM_CHAIN, action, utcnow(), details=details)
