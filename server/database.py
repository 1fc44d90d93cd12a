"""The database engine: one pool per process, owned by the app's lifespan."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from server.settings import Settings


def create_engine(settings: Settings) -> AsyncEngine:
    url = settings.database
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        # A connection broken by a database restart is replaced before use, so
        # requests fail only while the database is really down.
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    # secure_delete: deleted ciphertexts and keys are overwritten, not left in free pages.
    for pragma in ("foreign_keys=ON", "journal_mode=WAL", "secure_delete=ON", "busy_timeout=30000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
    # The driver's own transaction handling defers BEGIN and cannot roll back DDL;
    # SQLAlchemy's documented recipe hands transactions to SQLAlchemy instead.
    dbapi_connection.isolation_level = None


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def safe_url(url: URL | str) -> str:
    """The URL with its password hidden, fit for messages and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# What a database that is down, unreachable or not there raises.
UNAVAILABLE = (DBAPIError, OSError, TimeoutError, sqlite3.Error)


async def check_connection(engine: AsyncEngine) -> None:
    """Raise one of UNAVAILABLE if the database cannot answer a trivial query."""
    if engine.dialect.name == "sqlite":
        # aiosqlite stops the thread of a connection that failed to open without
        # waiting for it, and that thread may then report to a closed event loop:
        # try the file with the plain driver first.
        await asyncio.to_thread(_open_sqlite, engine.url.database or ":memory:")
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def _open_sqlite(path: str) -> None:
    sqlite3.connect(path).close()


class DatabaseUnavailable(Exception):
    """The database could not be reached; the message names the URL, never its password."""

    def __init__(self, url: URL | str, cause: BaseException) -> None:
        reason = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
        super().__init__(f"cannot reach the database at {safe_url(url)}: {reason}")
