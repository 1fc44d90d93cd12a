"""Declarative base, naming convention and the column types every table shares."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, MetaData
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so migrations can address them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp that is always timezone-aware UTC, also on SQLite.

    SQLite has no time zones: values are stored as UTC text and come back naive,
    so they are re-tagged as UTC; a naive value on the way in is a bug and refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: upright stores UTC timestamps only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class _Uuid7Clock:
    """Strictly increasing UUIDv7 values within one process (RFC 9562, section 6.2,
    method 2: within one millisecond the 74 random bits act as a counter)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._millis = 0
        self._counter = 0

    def next(self) -> uuid.UUID:
        with self._lock:
            millis = time.time_ns() // 1_000_000
            counter = int.from_bytes(os.urandom(10)) >> 6
            if millis <= self._millis:
                millis, counter = self._millis, self._counter + 1
                if counter >> 74:
                    millis, counter = millis + 1, 0
            self._millis, self._counter = millis, counter
        rand_a, rand_b = counter >> 62, counter & ((1 << 62) - 1)
        return uuid.UUID(int=millis << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b)


_uuid7_clock = _Uuid7Clock()


def new_id() -> uuid.UUID:
    """A UUIDv7: time-ordered, so the primary key index is also creation order.

    Ids are made by the application, so a row's id exists before its insert
    (ciphertexts bind to it).
    """
    return _uuid7_clock.next()


class Versioned:
    """Creation and update times, and a version for optimistic concurrency.

    The ORM checks the version on every UPDATE (`version_id_col`): an update made
    from a stale read matches no row and fails instead of overwriting.
    """

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    @classmethod
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def insert_for(connection: AsyncConnection) -> Callable[[Any], Any]:
    """The dialect's INSERT, for `on_conflict_do_nothing` (the same on both databases)."""
    return pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
