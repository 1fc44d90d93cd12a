"""Schema migrations (Alembic) and the reference data seeded after them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.reference.seed import seed_reference_data

MIGRATIONS = Path(__file__).parent / "migrations"

# Objects that autogenerate cannot see (full-text tables, triggers) are kept out of
# its comparison; a test of their own checks them. SQLite's FTS5 index of recommendation
# text is a virtual table with shadow tables; PostgreSQL's is an expression GIN index,
# which autogenerate cannot compare alike on both databases.
UNMANAGED_TABLES: frozenset[str] = frozenset(
    f"recommendation_search{suffix}" for suffix in ("", "_data", "_idx", "_docsize", "_config")
)
UNMANAGED_INDEXES: frozenset[str] = frozenset({"ix_recommendations_search"})


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    return not (
        (type_ == "table" and name in UNMANAGED_TABLES)
        or (type_ == "index" and name in UNMANAGED_INDEXES)
    )


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations found in {MIGRATIONS}")
    return head


def upgrade(url: str) -> None:
    """Migrate to the latest revision. Runs its own event loop: call it from sync code."""
    command.upgrade(alembic_config(url), "head")


def _current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current_revision)


async def seed(engine: AsyncEngine) -> dict[str, int]:
    async with engine.begin() as connection:
        return await seed_reference_data(connection)
