"""Seeding the reference tables: complete, and a no-op the second time."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.reference.seed import seed_reference_data
from schema.tables.reference import State, Theme


async def test_seeded_database_holds_the_reference_data(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        members = await connection.scalar(
            select(func.count()).select_from(State).where(State.un_member.is_(True))
        )
        themes = await connection.scalar(select(func.count()).select_from(Theme))
    assert (members, themes) == (193, 54)


async def test_seeding_again_changes_nothing_and_repairs_drift(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        assert sum((await seed_reference_data(connection)).values()) == 0
        await connection.execute(update(State).where(State.code == "KEN").values(name="Kenia"))
    async with engine.begin() as connection:
        changed = await seed_reference_data(connection)
        name = await connection.scalar(select(State.name).where(State.code == "KEN"))
    assert changed["states"] == 1
    assert name == "Kenya"
