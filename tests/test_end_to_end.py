"""A real uvicorn process, started by `upright serve`, queried over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from security.keyring import load_keyring
from server.database import create_engine
from server.keys import open_platform_keys
from server.settings import Settings
from tests.accounts import make_user
from tests.conftest import run_sync
from tests.factories import make_organisation
from tests.graphql import without_cost
from tests.servers import running_server


@pytest.fixture
def server(database_url: str, keys_file: Path, tmp_path: Path) -> Iterator[str]:
    with running_server(database_url, keys_file, tmp_path / "server.log") as base:
        yield base


def test_graphql_over_http(server: str) -> None:
    query = '{ state(code: "MWI") { name regionalGroup } cycles { number } }'
    response = httpx.post(f"{server}/graphql", json={"query": query}, timeout=10)
    assert response.status_code == 200
    assert without_cost(response.json()) == {
        "data": {
            "state": {"name": "Malawi", "regionalGroup": "AFRICA"},
            "cycles": [{"number": n} for n in (1, 2, 3, 4)],
        }
    }
    # Production by default: no GraphiQL.
    assert (
        httpx.get(f"{server}/graphql", headers={"Accept": "text/html"}, timeout=10).status_code
        == 404
    )


def test_sign_in_over_http(server: str, database_url: str, keys_file: Path) -> None:
    # Given a member (made directly in the database the server uses)
    run_sync(_member(database_url, keys_file))
    login = (
        'mutation { login(email: "e2e@example.org", password: "correct horse battery staple")'
        " { token } }"
    )
    token = httpx.post(f"{server}/graphql", json={"query": login}, timeout=10).json()["data"][
        "login"
    ]["token"]
    # When the token is sent as a bearer; then the server knows who asks
    me = httpx.post(
        f"{server}/graphql",
        json={"query": "{ me { user { email } } }"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert without_cost(me.json()) == {"data": {"me": {"user": {"email": "e2e@example.org"}}}}
    # And a forged token is refused with 401, never served as anonymous
    forged = httpx.post(
        f"{server}/graphql",
        json={"query": "{ me { user { email } } }"},
        headers={"Authorization": "Bearer upr_s_" + "A" * 43},
        timeout=10,
    )
    assert forged.status_code == 401
    assert forged.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def _member(database_url: str, keys_file: Path) -> None:
    engine = create_engine(Settings(database_url=database_url))
    try:
        keys = await open_platform_keys(engine, load_keyring(keys_file))
        organisation = await make_organisation(engine)
        await make_user(engine, keys, organisation, email="e2e@example.org")
    finally:
        await engine.dispose()
