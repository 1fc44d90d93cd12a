"""`upright demo`: load the demo dataset into an empty database, in one transaction."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import Select, exists, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from schema.db import Base, utcnow
from schema.tables.followup import Activity, Assessment, Engagement, FundingPledge
from schema.tables.organisations import Coalition, Organisation
from schema.tables.recommendations import Recommendation
from security.passwords import Passwords
from server.database import create_engine, write_transaction
from server.demo import dataset
from server.demo.activities import build_activities
from server.demo.contacts import add_contacts
from server.demo.followup import build_followup
from server.demo.network import build_network
from server.demo.other_mechanisms import build_other_mechanisms
from server.demo.recommendations import build_reviews
from server.demo.rows import Rows
from server.demo.users import DEMO_PASSWORD, add_users
from server.keys import load_keys, open_platform_keys
from server.settings import Settings


class DemoRefused(Exception):
    """The database holds data of its own: the demo never mixes with real data."""


def build(rows: Rows) -> str:
    """Every demo row, the same on every run (only timestamps and ids differ); returns
    the summary of what was made."""
    # Not for secrets: a fixed seed (the year of the project the demo retraces) makes
    # every load the same.
    rng = random.Random(2015)  # noqa: S311
    network = build_network(rows)
    reviews = build_reviews(rows, rng)
    others = build_other_mechanisms(rows, reviews)
    build_followup(rows, rng, network, reviews)
    build_activities(rows, rng, network, reviews)
    counts = [
        f"{len(reviews)} reviews",
        f"{rows.count(Recommendation)} recommendations ({others} of other mechanisms)",
        f"{rows.count(Organisation)} organisations",
        f"{rows.count(Coalition)} coalitions",
        f"{rows.count(Engagement)} engagements",
        f"{rows.count(Assessment)} assessments",
        f"{rows.count(Activity)} activities",
        f"{rows.count(FundingPledge)} funding pledges",
    ]
    return "demo loaded: " + ", ".join(counts)


async def load_demo(settings: Settings) -> str:
    """Load the demo, or do nothing if it is already there; refuse a database that holds
    anything else."""
    if not settings.development:
        raise DemoRefused(
            "the demo loads in development only (UPRIGHT_ENV=development): it creates accounts "
            "with a published password"
        )
    engine = create_engine(settings)
    try:
        keys = await open_platform_keys(engine, load_keys(settings))
        async with write_transaction(engine) as connection:
            marker = select(Organisation.id).where(Organisation.name == dataset.MARKER)
            if await _exists(connection, marker):
                return "demo data already loaded"
            if await _exists(connection, select(Organisation.id)) or await _exists(
                connection, select(Recommendation.id)
            ):
                raise DemoRefused(
                    "the database already holds data that is not the demo's; "
                    "the demo loads only into an empty database"
                )
            now = utcnow()
            rows = Rows(now)
            summary = build(rows)
            for table in Base.metadata.sorted_tables:
                if table_rows := rows.of(table):
                    await connection.execute(insert(table), table_rows)
            users = await add_users(connection, keys, Passwords(), now)
            contacts = await add_contacts(connection, keys, now)
            return f"{summary}, {users} users (password {DEMO_PASSWORD!r}), {contacts} contacts"
    finally:
        await engine.dispose()


async def _exists(connection: AsyncConnection, query: Select[Any]) -> bool:
    return bool(await connection.scalar(select(exists(query))))
