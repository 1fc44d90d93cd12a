"""The engine: SQLite pragmas, and URLs that never show a password."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from server.database import DatabaseUnavailable, safe_url


def test_safe_url_hides_the_password() -> None:
    assert (
        safe_url("postgresql+asyncpg://app:s3cret@db/upright")
        == "postgresql+asyncpg://app:***@db/upright"
    )


def test_unavailable_names_the_url_without_password() -> None:
    error = DatabaseUnavailable(
        "postgresql+asyncpg://app:s3cret@db/upright", OSError("Connection refused")
    )
    expected = "postgresql+asyncpg://app:***@db/upright: Connection refused"
    assert str(error) == f"cannot reach the database at {expected}"


async def test_sqlite_overwrites_deleted_data_and_enforces_foreign_keys(
    backend: str, engine: AsyncEngine
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    async with engine.connect() as connection:
        secure_delete = await connection.scalar(text("PRAGMA secure_delete"))
        foreign_keys = await connection.scalar(text("PRAGMA foreign_keys"))
        journal = await connection.scalar(text("PRAGMA journal_mode"))
    assert (secure_delete, foreign_keys, journal) == (1, 1, "wal")


async def test_sql_errors_never_carry_the_bound_values(engine: AsyncEngine) -> None:
    # A failing statement's error (which may reach a log) names no parameter value.
    statement = text("SELECT * FROM no_such_table WHERE name = :name")
    async with engine.connect() as connection:
        with pytest.raises(DBAPIError) as caught:
            await connection.execute(statement, {"name": "Jane Defender"})
    assert "Jane Defender" not in str(caught.value)
    assert "hidden" in str(caught.value)


async def test_postgresql_plans_every_execution(engine: AsyncEngine, backend: str) -> None:
    """A prepared statement is planned with its values each time, never a generic plan
    (which made a filtered search 40 times slower after its fifth run)."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL setting")
    async with engine.connect() as connection:
        mode = await connection.scalar(text("SHOW plan_cache_mode"))
    assert mode == "force_custom_plan"
