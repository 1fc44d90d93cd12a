"""Shared column types and ids."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from schema.db import new_id
from schema.tables.organisations import Organisation
from tests.factories import make_organisation


def test_ids_are_uuid7_and_strictly_increasing() -> None:
    ids = [new_id() for _ in range(10_000)]
    assert all(key.version == 7 and key.variant == uuid.RFC_4122 for key in ids)
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


async def test_timestamps_come_back_as_utc(engine: AsyncEngine) -> None:
    key = await make_organisation(engine)
    moment = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=3)))
    async with engine.begin() as connection:
        await connection.execute(
            update(Organisation).where(Organisation.id == key).values(updated_at=moment)
        )
        stored = await connection.scalar(
            select(Organisation.updated_at).where(Organisation.id == key)
        )
    assert stored == moment
    assert stored is not None
    assert stored.tzinfo == dt.UTC
    assert stored.hour == 9


async def test_naive_timestamps_are_refused(engine: AsyncEngine) -> None:
    key = await make_organisation(engine)
    async with engine.begin() as connection:
        with pytest.raises(StatementError, match="naive datetime"):
            await connection.execute(
                update(Organisation)
                .where(Organisation.id == key)
                .values(updated_at=dt.datetime(2026, 3, 1))
            )


async def test_stale_version_overwrites_nothing(engine: AsyncEngine) -> None:
    # Given two clients that read the same organisation (each read a finished transaction)
    key = await make_organisation(engine, name="Before")
    async with (
        AsyncSession(engine, expire_on_commit=False) as first,
        AsyncSession(engine, expire_on_commit=False) as second,
    ):
        mine = await first.get_one(Organisation, key)
        theirs = await second.get_one(Organisation, key)
        await second.commit()
        # When one saves, then the other saves from its stale read
        mine.name = "Mine"
        await first.commit()
        theirs.name = "Theirs"
        with pytest.raises(StaleDataError):
            await second.commit()
    # Then the first write stands and the version moved once
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                select(Organisation.name, Organisation.version).where(Organisation.id == key)
            )
        ).one()
    assert tuple(row) == ("Mine", 2)
