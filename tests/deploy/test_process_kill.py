"""One of two server processes killed outright (SIGKILL) in the middle of a load of
writes: every write it acknowledged is in the database, and the other one serves on."""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from schema.tables.followup import Activity
from security.keyring import load_keyring
from server.database import create_engine
from server.settings import Settings
from tests.deploy.deployment import (
    DEADLINE,
    audit_actions,
    audit_problems,
    key_of,
    make_member,
    post,
    require_postgres,
    sign_in,
)
from tests.servers import server_process

CREATE = """
mutation($input: ActivityInput!) {
  createActivity(input: $input) { userErrors { code } activity { id title } }
}
"""
WRITERS = 4  # per process, each writing one activity after another
BEFORE, AFTER = 20, 20  # acknowledged writes through the doomed one, then the survivor


class Load:
    """Writers creating activities, each with a title of its own, and what was
    acknowledged: HTTP 200 with the activity and no error at all."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.token = token
        self.acknowledged: dict[str, dict[str, str]] = {}  # base -> activity id -> title
        self.failures: dict[str, int] = {}
        self.stopping = False

    async def write(self, base: str) -> None:
        """Write until told to stop, or until this process stops answering."""
        acknowledged = self.acknowledged.setdefault(base, {})
        while not self.stopping:
            title = f"Workshop {uuid.uuid4().hex}"
            variables = {
                "input": {
                    "kind": "CSO_STRATEGY_WORKSHOP",
                    "title": title,
                    "startsOn": "2027-03-10",
                    "visibility": "ORGANISATION",
                }
            }
            try:
                response = await post(self.client, base, CREATE, variables, self.token)
            except httpx.TransportError:
                self.failures[base] = self.failures.get(base, 0) + 1
                return
            body: dict[str, Any] = response.json()
            payload = (body.get("data") or {}).get("createActivity") or {}
            if response.status_code == 200 and "errors" not in body and not payload["userErrors"]:
                acknowledged[payload["activity"]["id"]] = title

    async def until(self, base: str, count: int) -> None:
        """Wait (with a deadline) until `base` has acknowledged `count` writes in all."""
        deadline = time.monotonic() + DEADLINE
        while len(self.acknowledged.get(base, {})) < count:
            assert time.monotonic() < deadline, f"{base} acknowledged too few writes"
            await asyncio.sleep(0.05)  # a poll on a condition, not a timing


async def test_acknowledged_writes_survive_a_killed_process(
    backend: str, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    require_postgres(backend)
    member = await make_member(database_url, keys_file)
    limits = httpx.Limits(max_connections=4 * WRITERS)
    with (
        server_process(database_url, keys_file, tmp_path / "doomed.log") as doomed,
        server_process(database_url, keys_file, tmp_path / "survivor.log") as survivor,
    ):
        async with httpx.AsyncClient(timeout=DEADLINE, limits=limits) as client:
            load = Load(client, await sign_in(client, doomed.base, member.email))
            writers = [
                asyncio.create_task(load.write(base))
                for base in (doomed.base, survivor.base)
                for _ in range(WRITERS)
            ]
            try:
                # Given both processes acknowledging writes
                await load.until(doomed.base, BEFORE)
                await load.until(survivor.base, 1)
                # When one is killed with its writers' requests in flight
                doomed.kill()
                after_kill = len(load.acknowledged[survivor.base])
                # Then the other keeps acknowledging writes
                await load.until(survivor.base, after_kill + AFTER)
            finally:
                load.stopping = True
                await asyncio.gather(*writers)
    # The killed process answers nothing more: its writers all stopped on an error
    assert load.failures[doomed.base] == WRITERS
    assert survivor.base not in load.failures
    # And every acknowledged write, through either process, is in the database as written
    acknowledged = {**load.acknowledged[doomed.base], **load.acknowledged[survivor.base]}
    engine = create_engine(Settings(database_url=database_url))
    try:
        activities = Activity.__table__.c
        async with engine.connect() as connection:
            rows = await connection.execute(
                select(activities.id, activities.title).where(
                    activities.owner_organisation_id == member.organisation
                )
            )
            stored = {row.id: row.title for row in rows}
        assert {key_of(id_): title for id_, title in acknowledged.items()}.items() <= (
            stored.items()
        )
        # A write cut short left no half of itself: each activity stored has its audit
        # entry (one transaction), and every chain still links up
        actions = await audit_actions(engine, f"org:{member.organisation}")
        assert actions == ["activity.created"] * len(stored)
        assert await audit_problems(engine, load_keyring(keys_file)) == []
    finally:
        await engine.dispose()
