"""Bring the reference tables in line with the reference data shipped in the code.

Runs after every migration (`upright db upgrade`): inserts what is missing, updates
what changed, deletes nothing (rows may be referenced).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.db import Base
from schema.reference import calendar, states, vocabularies


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def reference_rows() -> list[tuple[Table, list[dict[str, Any]]]]:
    """Every reference table with its rows, parents before children."""
    return [
        (_table("states"), [asdict(record) for record in states.all_states()]),
        (_table("cycles"), [asdict(cycle) for cycle in calendar.CYCLES]),
        (
            _table("sessions"),
            [
                {"number": n, "cycle_number": calendar.cycle_of_session(n), "starts_on": day}
                for n, day in calendar.sessions().items()
            ],
        ),
        (_table("themes"), [{"code": c, "name": n} for c, n in vocabularies.themes().items()]),
        (
            _table("affected_persons"),
            [{"code": c, "name": n} for c, n in vocabularies.affected_persons().items()],
        ),
        (
            _table("sdg_goals"),
            [{"number": g, "name": n} for g, n in vocabularies.sdg_goals().items()],
        ),
        (
            _table("sdg_targets"),
            [{"code": c, "goal_number": g} for c, g in vocabularies.sdg_targets().items()],
        ),
    ]


async def seed_reference_data(connection: AsyncConnection) -> dict[str, int]:
    """Upsert every reference table; returns how many rows each one changed."""
    changed: dict[str, int] = {}
    for table, rows in reference_rows():
        changed[table.name] = await _upsert(connection, table, rows)
    return changed


async def _upsert(connection: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    (key,) = table.primary_key.columns
    existing = {row[key.name]: row for row in (await connection.execute(select(table))).mappings()}
    missing = [row for row in rows if row[key.name] not in existing]
    stale = [
        row for row in rows if row[key.name] in existing and dict(existing[row[key.name]]) != row
    ]
    if missing:
        await connection.execute(insert(table), missing)
    for row in stale:
        await connection.execute(update(table).where(key == row[key.name]).values(row))
    return len(missing) + len(stale)
