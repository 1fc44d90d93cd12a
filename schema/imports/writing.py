"""Writing parsed recommendations in the caller's transaction, idempotently.

Every insert is ON CONFLICT DO NOTHING: a natural key already present adds nothing
but the tags it did not have, so re-running an import adds nothing at all. Batching,
transactions and the audit record are the caller's (`server.importing` for the CLI,
`schema.imports.mutations` for the API).

On PostgreSQL each table's rows go in one statement whatever their number, as
arrays unnested server-side (`INSERT ... SELECT unnest(...)`): one prepared statement
per table instead of a round of executemany, which is what made an import
round-trip-bound. SQLite, in process, takes the plain executemany.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.db import insert_for, new_id, utcnow
from schema.imports.parsed import ParsedRecommendation
from schema.recommendations.search import search_document
from schema.reference import calendar
from schema.tables.recommendations import (
    Recommendation,
    recommendation_affected_persons,
    recommendation_sdg_goals,
    recommendation_sdg_targets,
    recommendation_source_themes,
    recommendation_themes,
    recommending_states,
)
from schema.tables.reviews import Review

__all__ = ["Reviews", "WriteCounts", "search_documents", "write_batch"]

# (state, session) -> review id: what the batches of one import have found or created.
Reviews = dict[tuple[str, int], uuid.UUID]

_recommendations = cast(Table, Recommendation.__table__)
_reviews_table = cast(Table, Review.__table__)
_SESSION_MONTHS = calendar.sessions()
# IN lists at most this long: far under SQLite's bound-parameter limit, whatever the
# size of the batch a caller passes.
_LOOKUP_CHUNK = 1000


@dataclass(slots=True)
class WriteCounts:
    new: int = 0
    already_present: int = 0


def _is_postgresql(connection: AsyncConnection) -> bool:
    return connection.dialect.name == "postgresql"


async def _insert(
    connection: AsyncConnection,
    table: Table,
    rows: Sequence[Mapping[str, Any]],
    constants: Mapping[str, Any] | None = None,
    returning: ColumnElement[Any] | None = None,
) -> list[Any]:
    """INSERT ... ON CONFLICT DO NOTHING of `rows` (each with the same keys) plus
    `constants` (the same for every row); the `returning` values of rows inserted."""
    if not rows:
        return []
    constants = dict(constants or {})
    if _is_postgresql(connection):
        names = list(rows[0])
        values = [
            func.unnest(
                bindparam(f"{name}_values", [row[name] for row in rows], ARRAY(table.c[name].type))
            )
            for name in names
        ] + [
            bindparam(f"{name}_constant", value, table.c[name].type)
            for name, value in constants.items()
        ]
        statement = (
            pg_insert(table)
            .from_select([*names, *constants], select(*values))
            .on_conflict_do_nothing()
        )
        if returning is not None:
            return list((await connection.execute(statement.returning(returning))).scalars())
        await connection.execute(statement)
        return []
    statement = insert_for(connection)(table).on_conflict_do_nothing()
    parameters = [{**row, **constants} for row in rows]
    if returning is not None:
        result = await connection.execute(statement.returning(returning), parameters)
        return list(result.scalars())
    await connection.execute(statement, parameters)
    return []


async def _ids(connection: AsyncConnection, keys: Sequence[str]) -> dict[str, uuid.UUID]:
    """The ids of the natural keys already present."""
    column = _recommendations.c
    if _is_postgresql(connection):
        # One array parameter: the statement is the same whatever the number of keys.
        matching = column.natural_key == any_(
            bindparam("keys", list(keys), ARRAY(column.natural_key.type))
        )
        rows = await connection.execute(select(column.natural_key, column.id).where(matching))
        return {row.natural_key: row.id for row in rows}
    found: dict[str, uuid.UUID] = {}
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        chunk = keys[start : start + _LOOKUP_CHUNK]
        rows = await connection.execute(
            select(column.natural_key, column.id).where(column.natural_key.in_(chunk))
        )
        found.update({row.natural_key: row.id for row in rows})
    return found


async def _reviews(
    connection: AsyncConnection, batch: Iterable[ParsedRecommendation], known: Reviews
) -> Reviews:
    """The review of every (state, session) of the batch's UPR recommendations, created
    when missing with the session's month as its date (an imported review's exact date
    is unknown); `known` ones are not asked for again, and the found ones join it."""
    pairs = sorted(
        {(rec.state_code, rec.session) for rec in batch if rec.session is not None} - set(known)
    )
    if not pairs:
        return known
    table = _reviews_table
    now = utcnow()
    await _insert(
        connection,
        table,
        [
            {
                "id": new_id(),
                "state_code": state,
                "session_number": session,
                "review_date": _SESSION_MONTHS[session],
            }
            for state, session in pairs
        ],
        {"created_at": now, "updated_at": now, "version": 1},
    )
    for start in range(0, len(pairs), _LOOKUP_CHUNK):
        rows = await connection.execute(
            select(table.c.state_code, table.c.session_number, table.c.id).where(
                tuple_(table.c.state_code, table.c.session_number).in_(
                    pairs[start : start + _LOOKUP_CHUNK]
                )
            )
        )
        known.update({(row.state_code, row.session_number): row.id for row in rows})
    return known


def search_documents(batch: Iterable[ParsedRecommendation]) -> dict[str, str]:
    """Natural key -> `search_tokens`: the Python-heavy part of a batch, which a caller
    may compute ahead (in a thread, while the database writes the previous batch)."""
    return {rec.natural_key: search_document(rec.text) for rec in batch}


def _row(
    rec: ParsedRecommendation, reviews: Reviews, documents: Mapping[str, str]
) -> dict[str, Any]:
    document = documents.get(rec.natural_key)
    return {
        "id": new_id(),
        "mechanism": rec.mechanism,
        "state_code": rec.state_code,
        "review_id": None if rec.session is None else reviews[(rec.state_code, rec.session)],
        "document_symbol": rec.document_symbol,
        "recommending_body": rec.recommending_body,
        "text": rec.text,
        "search_tokens": search_document(rec.text) if document is None else document,
        "natural_key": rec.natural_key,
        "response": rec.response,
        "response_wording": rec.response_wording,
        "action_category": rec.action_category,
    }


_TAGS = (
    (recommending_states, "state_code", "recommending_states"),
    (recommendation_themes, "theme_code", "themes"),
    (recommendation_source_themes, "name", "source_themes"),
    (recommendation_affected_persons, "affected_person_code", "affected_persons"),
    (recommendation_sdg_goals, "goal_number", "sdg_goals"),
    (recommendation_sdg_targets, "target_code", "sdg_targets"),
)


async def write_batch(
    connection: AsyncConnection,
    batch: Sequence[ParsedRecommendation],
    *,
    reviews: Reviews | None = None,
    documents: Mapping[str, str] | None = None,
) -> WriteCounts:
    """One batch, in the caller's transaction; `reviews` carries the reviews found by
    earlier batches of a run whose batches are committed (never of a rolled-back one),
    `documents` search documents computed ahead (`search_documents`)."""
    present = await _ids(connection, [rec.natural_key for rec in batch])
    fresh = [rec for rec in batch if rec.natural_key not in present]
    found = await _reviews(connection, fresh, reviews if reviews is not None else {})
    rows = [_row(rec, found, documents or {}) for rec in fresh]
    now = utcnow()
    inserted = set(
        await _insert(
            connection,
            _recommendations,
            rows,
            {"created_at": now, "updated_at": now, "version": 1},
            returning=_recommendations.c.natural_key,
        )
    )
    ids = present | {
        row["natural_key"]: row["id"] for row in rows if row["natural_key"] in inserted
    }
    if len(ids) < len(batch):  # written meanwhile by another import: theirs is the one
        ids |= await _ids(
            connection, [rec.natural_key for rec in batch if rec.natural_key not in ids]
        )
    for table, column, attribute in _TAGS:
        await _insert(
            connection,
            table,
            [
                {"recommendation_id": ids[rec.natural_key], column: value}
                for rec in batch
                for value in sorted(getattr(rec, attribute))
            ],
        )
    return WriteCounts(new=len(inserted), already_present=len(present))
