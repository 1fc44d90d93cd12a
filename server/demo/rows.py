"""The rows of the demo, gathered per table before one transaction inserts them all."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Table

from schema.db import Base, new_id


class Rows:
    """Rows per table. Ids are made here (UUIDv7), so rows can reference each other
    before any of them is inserted; versioned rows are stamped as created `now`."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self._rows: dict[Table, list[dict[str, Any]]] = {}

    def add(self, model: type[Base], **values: Any) -> uuid.UUID:
        table = Base.metadata.tables[model.__tablename__]
        row_id = new_id()
        row = {"id": row_id, **values}
        if "version" in table.c:
            row |= {"created_at": self.now, "updated_at": self.now, "version": 1}
        self._append(table, row)
        return row_id

    def link(self, table: Table, **values: Any) -> None:
        """A row of an association table (no id, no timestamps)."""
        self._append(table, values)

    def _append(self, table: Table, row: dict[str, Any]) -> None:
        """One executemany INSERT takes its columns from the first row and would drop a
        later row's extra value silently: every row of a table names the same columns."""
        rows = self._rows.setdefault(table, [])
        if rows and rows[0].keys() != row.keys():
            raise ValueError(f"{table.name}: a row names other columns than the first one")
        rows.append(row)

    def of(self, table: Table) -> list[dict[str, Any]]:
        return self._rows.get(table, [])

    def count(self, model: type[Base]) -> int:
        return len(self.of(Base.metadata.tables[model.__tablename__]))
