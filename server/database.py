"""The database engine: one pool per process, owned by the app's lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError, InvalidatePoolError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

from server.settings import Settings


def create_engine(settings: Settings, clock: Callable[[], float] = time.monotonic) -> AsyncEngine:
    url = settings.database
    # hide_parameters: SQL errors are logged without the values bound to them.
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    engine = create_async_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_recycle=1800,
        connect_args={
            "timeout": 10,  # seconds to establish a connection
            # asyncpg prepares every statement; after five runs PostgreSQL may switch to
            # a generic plan, blind to the values. For search and state filters over
            # skewed data that plan was 40x slower (bench/README.md): plan each run.
            "server_settings": {"plan_cache_mode": "force_custom_plan"},
        },
        hide_parameters=True,
    )
    ping = IdlePing(clock)
    event.listen(engine.sync_engine.pool, "checkin", ping.checkin)
    event.listen(engine.sync_engine.pool, "checkout", ping.checkout)
    return engine


class IdlePing:
    """Ping a pooled connection before use when it has been idle a while.

    SQLAlchemy's `pool_pre_ping` pings on every checkout, and on asyncpg a ping is
    three round trips (BEGIN, an empty query, ROLLBACK): on every request, where a page
    of recommendations needs four statements. A connection in steady use was working a
    moment ago; one that sat idle may have been cut (a database restart, a proxy's idle
    timeout), so that one is checked, and replaced with the rest of the pool if the ping
    fails (any failure: a connection that cannot answer a ping is not worth keeping).

    The price: after a restart, a request on a connection that was in use within the
    last few seconds fails with SERVICE_UNAVAILABLE where a ping would have caught it.
    The first such error replaces the whole pool, so it is the requests running or
    starting at that moment, once, not every connection in turn.
    """

    IDLE_SECONDS = 5.0

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock

    def checkin(self, _dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[self] = self.clock()

    def checkout(self, dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
        returned = record.info.get(self)
        if returned is None or self.clock() - returned < self.IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            dbapi_connection.ping()
        except Exception as error:
            raise InvalidatePoolError("the pooled connection did not answer a ping") from error


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
    # Write transactions take the write lock at once: a deferred one that reads first
    # cannot upgrade once another writer committed, and would fail instead of waiting.
    write = connection.get_execution_options().get("upright_write", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def safe_url(url: URL | str) -> str:
    """The URL with its password hidden, fit for messages and logs."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# What a database that is down, unreachable or not there raises.
UNAVAILABLE = (DBAPIError, OSError, TimeoutError, sqlite3.Error)


async def check_connection(engine: AsyncEngine, create: bool = False) -> None:
    """Raise one of UNAVAILABLE if the database cannot answer a trivial query.

    A SQLite file that does not exist is unavailable, unless `create` (migrations
    create it): otherwise a probe would make an empty, unmigrated database.
    """
    if engine.dialect.name == "sqlite":
        # Also, aiosqlite stops the thread of a connection that failed to open without
        # waiting for it, and that thread may then report to a closed event loop:
        # try the file with the plain driver first.
        await asyncio.to_thread(_open_sqlite, engine.url.database or ":memory:", create)
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


def _open_sqlite(path: str, create: bool) -> None:
    if path == ":memory:" or create:
        sqlite3.connect(path).close()
    elif not Path(path).exists():
        raise FileNotFoundError("no database file there yet (`upright db upgrade` creates it)")
    else:
        sqlite3.connect(f"{Path(path).absolute().as_uri()}?mode=rw", uri=True).close()


def first_line(error: BaseException) -> str:
    """An error in one line: SQLAlchemy appends the SQL and a link on lines of their own."""
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class DatabaseUnavailable(Exception):
    """The database could not be reached; the message names the URL, never its password."""

    def __init__(self, url: URL | str, cause: BaseException) -> None:
        super().__init__(f"cannot reach the database at {safe_url(url)}: {first_line(cause)}")


@contextlib.asynccontextmanager
async def write_transaction(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A transaction that writes: on SQLite it takes the write lock at once (see
    `_sqlite_begin`), so two processes writing at once wait for each other."""
    async with engine.connect() as connection:
        await connection.execution_options(upright_write=True)
        async with connection.begin():
            yield connection
