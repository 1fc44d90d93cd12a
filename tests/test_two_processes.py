"""Two real server processes on one PostgreSQL and one Redis share what must be shared:
here, each viewer's hourly cost budget."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from security.keyring import load_keyring
from server.database import create_engine
from server.keys import open_platform_keys
from server.settings import Settings
from tests.accounts import PASSWORD, make_user
from tests.conftest import run_sync
from tests.factories import make_organisation
from tests.servers import running_server

REDIS_URL = os.environ.get("UPRIGHT_TEST_REDIS_URL")
PAGE = "{ recommendations(first: 10) { nodes { text themes { name } } } }"  # costs 21


async def _member(database_url: str, keys_file: Path, email: str) -> None:
    engine = create_engine(Settings(database_url=database_url))
    try:
        keys = await open_platform_keys(engine, load_keyring(keys_file))
        organisation = await make_organisation(engine)
        await make_user(engine, keys, organisation, email=email)
    finally:
        await engine.dispose()


def test_two_processes_spend_one_budget(
    backend: str, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("scale-out runs on PostgreSQL (SQLite is one process's database)")
    if REDIS_URL is None:
        pytest.skip("UPRIGHT_TEST_REDIS_URL is not set: Redis tests skipped (.ci/run sets it)")
    email = f"budget-{uuid.uuid4().hex[:8]}@example.org"  # a new viewer: a budget of its own
    run_sync(_member(database_url, keys_file, email))
    shared = {"UPRIGHT_REDIS_URL": REDIS_URL, "UPRIGHT_HOURLY_COST_BUDGET": "50"}
    with (
        running_server(database_url, keys_file, tmp_path / "one.log", **shared) as one,
        running_server(database_url, keys_file, tmp_path / "two.log", **shared) as two,
    ):
        login = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }"
        token = httpx.post(
            f"{one}/graphql",
            json={"query": login, "variables": {"e": email, "p": PASSWORD}},
            timeout=10,
        ).json()["data"]["login"]["token"]
        headers = {"Authorization": f"Bearer {token}"}

        def page(base: str) -> dict[str, Any]:
            response = httpx.post(
                f"{base}/graphql", json={"query": PAGE}, headers=headers, timeout=10
            )
            body: dict[str, Any] = response.json()
            return body

        first, second, third = page(one), page(two), page(one)
    assert first["extensions"]["cost"]["remaining"] == 50 - 21
    assert second["extensions"]["cost"]["remaining"] == 50 - 42
    assert "errors" not in first
    assert "errors" not in second
    # One process alone would still have 29 points for this viewer; together, 8 are left.
    assert third["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
