"""The database restarted under load, on a cluster of the test's own: while it is down
every request fails with a clear code (never a 500) and /readyz says 503; once it is
back the same server process answers again, without a restart."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import migrate_and_seed
from tests.deploy.clusters import Cluster, throwaway_cluster
from tests.deploy.deployment import DEADLINE, codes, post
from tests.servers import running_server

QUERY = "{ reviews(first: 1) { totalCount } }"
CLIENTS = 4
UP = {"data": {"reviews": {"totalCount": 0}}}


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with throwaway_cluster() as cluster:
        yield cluster


class RestartMishandled(AssertionError):
    """A request failed because the database was going down or coming up, and its
    answer did not say so (SERVICE_UNAVAILABLE): a regression of a fixed product bug."""


class Load:
    """Clients querying without pause, tallying each answer: "ok", or its HTTP status
    and error codes."""

    def __init__(self, client: httpx.AsyncClient, base: str) -> None:
        self.client = client
        self.base = base
        self.answers: Counter[str] = Counter()
        self.traces: list[str] = []  # answers showing a stack trace
        self.stopping = False

    async def answered_more_than(self, count: int) -> bool:
        return self.answers["ok"] > count

    async def ready(self, expected: int) -> bool:
        return (await self.client.get(f"{self.base}/readyz")).status_code == expected

    async def query(self) -> None:
        while not self.stopping:
            try:
                response = await post(self.client, self.base, QUERY)
            except httpx.TransportError as error:  # the server dropped the connection
                self.answers[f"no answer ({type(error).__name__})"] += 1
                continue
            try:
                body = _without_cost(response)
            except ValueError:  # not JSON: Starlette's plain "Internal Server Error"
                body = {}
            if response.status_code == 200 and body == UP:
                self.answers["ok"] += 1
                continue
            self.answers[f"{response.status_code} {codes(body)}"] += 1
            if "Traceback" in response.text or 'File "' in response.text:
                self.traces.append(response.text[:500])


async def until(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `condition` until it holds, failing after the deadline."""
    deadline = time.monotonic() + DEADLINE
    while not await condition():
        assert time.monotonic() < deadline, f"never {what}"
        await asyncio.sleep(0.05)  # a poll on a condition, not a timing


async def test_a_database_restart_under_load_needs_no_server_restart(
    cluster: Cluster, keys_file: Path, tmp_path: Path
) -> None:
    # Given a server on a migrated database of the cluster, answering
    url = cluster.create_database("upright")
    await asyncio.to_thread(migrate_and_seed, url)  # Alembic runs its own event loop
    with running_server(url, keys_file, tmp_path / "server.log") as base:
        async with httpx.AsyncClient(timeout=DEADLINE) as client:
            load = Load(client, base)
            clients = [asyncio.create_task(load.query()) for _ in range(CLIENTS)]
            try:
                await until(lambda: load.answered_more_than(0), "answered before the restart")
                # When the database stops (fast: open connections are cut) under load
                await asyncio.to_thread(cluster.stop, "fast")
                # Then the server says it is not ready, and refuses with a code
                down = await client.get(f"{base}/readyz")
                assert (down.status_code, down.json()["database"]) == (503, "down")
                refused = await post(client, base, QUERY)
                assert refused.status_code in (200, 503)  # a GraphQL error, by any path
                assert codes(refused.json()) == ["SERVICE_UNAVAILABLE"]
                assert refused.json()["errors"][0]["message"] == (
                    "The database is unavailable; try again later."
                )
                # When it starts again, then the same process is ready and answers again
                await asyncio.to_thread(cluster.start)
                await until(lambda: load.ready(200), "ready again")
                before = load.answers["ok"]
                await until(lambda: load.answered_more_than(before), "answered after restart")
                # (every request now: the pool replaced the connections the restart cut)
                for _ in range(10):
                    again = await post(client, base, QUERY)
                    assert (again.status_code, _without_cost(again)) == (200, UP)
            finally:
                load.stopping = True
                await asyncio.gather(*clients)
    # And no client ever saw a stack trace (nor does the log hold one: it names frames)
    assert load.traces == [], load.traces
    assert "Traceback" not in (tmp_path / "server.log").read_text()
    # Nor anything but an answer or SERVICE_UNAVAILABLE: never an HTTP 500
    clean = {"ok", "200 ['SERVICE_UNAVAILABLE']", "503 ['SERVICE_UNAVAILABLE']"}
    if not set(load.answers) <= clean:
        raise RestartMishandled(dict(load.answers))


def _without_cost(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    body.pop("extensions", None)
    return body
