"""The engine: SQLite pragmas, pings of idle connections, and URLs that never show a
password."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from server.database import DatabaseUnavailable, IdlePing, create_engine, safe_url
from server.settings import Settings


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


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _pooled_connection_cut(engine: AsyncEngine) -> None:
    """Use the pool's one connection, then have PostgreSQL end it behind the pool's back
    (as a restart or a proxy's idle timeout does)."""
    async with engine.connect() as connection:
        pid = await connection.scalar(text("SELECT pg_backend_pid()"))
    admin = create_async_engine(engine.url, poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            await connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        await admin.dispose()


@pytest.mark.parametrize("idle", [True, False])
async def test_a_connection_is_pinged_only_after_sitting_idle(
    backend: str, database_url: str, idle: bool
) -> None:
    """A connection idle for `IDLE_SECONDS` is pinged before use, so one the database
    cut is replaced unseen. One back in use sooner is not pinged (three round trips on
    asyncpg, every request): if it was cut meanwhile, that one use fails, and the pool
    is replaced for the next."""
    if backend != "postgresql":
        pytest.skip("the pool pings PostgreSQL connections")
    clock = _Clock()
    engine = create_engine(Settings(database_url=database_url, db_pool_size=1), clock=clock)
    try:
        await _pooled_connection_cut(engine)
        clock.now += IdlePing.IDLE_SECONDS if idle else IdlePing.IDLE_SECONDS / 2
        if idle:
            async with engine.connect() as connection:
                assert await connection.scalar(text("SELECT 1")) == 1
        else:
            with pytest.raises(DBAPIError) as caught:
                async with engine.connect() as connection:
                    await connection.scalar(text("SELECT 1"))
            assert caught.value.connection_invalidated
            async with engine.connect() as connection:
                assert await connection.scalar(text("SELECT 1")) == 1
    finally:
        await engine.dispose()
