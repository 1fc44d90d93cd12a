"""Writing to the audit log as someone with write access to the database could, despite
the triggers that keep it append-only: what tamper-evidence must catch."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


@contextlib.asynccontextmanager
async def tampering(engine: AsyncEngine, backend: str) -> AsyncIterator[AsyncConnection]:
    async with engine.begin() as connection:
        if backend == "postgresql":
            # Triggers do not fire for this transaction (the test user is a superuser).
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            await connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            await connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        yield connection
