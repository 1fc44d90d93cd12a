"""Count the SQL statements an app sends, to prove they do not grow with page size."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_DATA = ("SELECT", "INSERT", "UPDATE", "DELETE", "WITH")


@contextmanager
def count_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Statements that read or write data (not BEGIN, pings or pragmas)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(_DATA) and statement.strip() != "SELECT 1":
            seen.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
