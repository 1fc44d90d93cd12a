"""Migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import CheckConstraint, delete, insert, inspect, select, text, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

import schema.tables  # noqa: F401  (registers every table)
from schema.db import Base, new_id, utcnow
from schema.tables.audit import AuditEvent
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


async def test_indexes_cover_what_the_models_say(backend: str, engine: AsyncEngine) -> None:
    # Autogenerate does not compare INCLUDE columns either: the index definitions must
    # carry every key and included column the models give.
    if backend != "postgresql":
        pytest.skip("INCLUDE is PostgreSQL's")
    expected = {
        index.name: index
        for table in Base.metadata.tables.values()
        for index in table.indexes
        if index.dialect_options["postgresql"]["include"]
    }
    assert "ix_assessments_latest" in expected
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(:names)"),
            {"names": list(expected)},
        )
        found = {str(name): str(definition) for name, definition in rows}
    for name, index in expected.items():
        keys = ", ".join(column.name for column in index.columns)
        included = ", ".join(index.dialect_options["postgresql"]["include"])
        assert found[name].endswith(f"({keys}) INCLUDE ({included})"), found[name]


async def test_the_audit_log_is_append_only(backend: str, engine: AsyncEngine) -> None:
    # Triggers, invisible to autogenerate, refuse any change to an audit row.
    row = {
        "id": new_id(),
        "chain": "platform",
        "sequence": 1,
        "occurred_at": utcnow(),
        "action": "test",
        "details": {},
        "previous_hash": bytes(32),
        "entry_hash": bytes(32),
    }
    async with engine.begin() as connection:
        await connection.execute(insert(AuditEvent.__table__).values(row))
    statements = [update(AuditEvent).values(action="forged"), delete(AuditEvent)]
    if backend == "postgresql":
        statements.append(text("TRUNCATE audit_events"))
    for statement in statements:
        with pytest.raises(DBAPIError, match="append-only"):
            async with engine.begin() as connection:
                await connection.execute(statement)
    async with engine.connect() as connection:
        assert await connection.scalar(select(AuditEvent.action)) == "test"
