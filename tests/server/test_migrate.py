"""Migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

import schema.tables  # noqa: F401  (registers every table)
from schema.db import Base
from server.database import create_engine
from server.migrate import alembic_config, current_revision, head_revision, include_object, upgrade
from server.settings import Settings


def _differences(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, Base.metadata))


async def test_models_and_migrations_agree(engine: AsyncEngine) -> None:
    # Given a database built by the migrations alone; then autogenerate finds nothing to do.
    async with engine.connect() as connection:
        assert await connection.run_sync(_differences) == []
        assert await current_revision(engine) == head_revision()


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_downgrade_to_nothing_and_back(empty_database_url: str) -> None:
    # The full round trip proves every migration's downgrade works too.
    # Alembic runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(upgrade, empty_database_url)
    await asyncio.to_thread(command.downgrade, alembic_config(empty_database_url), "base")
    engine = create_engine(Settings(database_url=empty_database_url))
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) == {"alembic_version"}
        await asyncio.to_thread(upgrade, empty_database_url)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) >= set(Base.metadata.tables)
    finally:
        await engine.dispose()


def _check_constraints(connection: Connection) -> set[tuple[str, str]]:
    inspector = inspect(connection)
    return {
        (table, check["name"])
        for table in inspector.get_table_names()
        for check in inspector.get_check_constraints(table)
    }


async def test_check_constraints_match_the_models(engine: AsyncEngine) -> None:
    # Autogenerate does not compare CHECK constraints: this does.
    expected = {
        (table.name, str(constraint.name))
        for table in Base.metadata.tables.values()
        for constraint in table.constraints
        if isinstance(constraint, CheckConstraint)
    }
    async with engine.connect() as connection:
        assert await connection.run_sync(_check_constraints) == expected
