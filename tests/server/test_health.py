"""/healthz and /readyz: readiness follows the database down and back, no restart."""

from __future__ import annotations

import base64
import shutil
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from security.keyring import Keyring, load_keyring, replace_keyring
from server.app import create_app
from server.settings import Settings
from tests.graphql import error_codes, without_cost
from tests.tcp_proxy import TcpProxy


async def _serve(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
            yield client


def _one_version_each() -> dict[str, dict[str, object]]:
    return {
        root: {"versions": [1], "primary": 1}
        for root in ("kek", "blind_index", "pseudonym", "audit")
    }


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ready", "database": "up", "keys": _one_version_each()},
    )


def _secrets_of(keyring: Keyring) -> list[str]:
    """Every way a key or check value could be spelled in a response."""
    keys = [key for root in keyring.roots.values() for key in root.versions.values()]
    checks = [value for root in keyring.check_values().values() for value in root.values()]
    return [base64.b64encode(key).decode() for key in keys] + [key.hex() for key in keys] + checks


async def test_readyz_lists_the_key_versions_each_replica_holds(
    make_app: Callable[..., Starlette], key_path: Path
) -> None:
    # Given a replica on a key file with one version of each root
    async for client in _serve(make_app(keys_file=key_path)):
        assert (await client.get("/readyz")).json()["keys"]["kek"] == {
            "versions": [1],
            "primary": 1,
        }
    # When KEK version 2 is added to its key file and the replica restarts
    added = load_keyring(key_path).with_new_version("kek")
    replace_keyring(key_path, added)
    async for client in _serve(make_app(keys_file=key_path)):
        ready = await client.get("/readyz")
        # Then it holds both, version 1 still primary: safe to promote once all say so
        assert ready.status_code == 200
        assert ready.json()["keys"] == {
            **_one_version_each(),
            "kek": {"versions": [1, 2], "primary": 1},
        }
        assert not any(secret in ready.text for secret in _secrets_of(added))
    # And once promoted, the primary it writes under is 2
    replace_keyring(key_path, added.promoted("kek", 2))
    async for client in _serve(make_app(keys_file=key_path)):
        keys = (await client.get("/readyz")).json()["keys"]
        assert keys["kek"] == {"versions": [1, 2], "primary": 2}


async def test_readyz_lists_key_versions_to_the_operator_only(
    make_app: Callable[..., Starlette], key_path: Path
) -> None:
    # Given a replica, asked from an address outside UPRIGHT_METRICS_ALLOW (loopback)
    app = make_app(keys_file=key_path)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
            ready = await client.get("/readyz")
    # Then it says whether it is ready, and nothing of its keys
    assert (ready.status_code, ready.json()) == (200, {"status": "ready", "database": "up"})


async def test_sqlite_readiness_follows_the_database_file(
    backend: str, template: str, tmp_path: Path, keys_file: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("a SQLite file")
    # Given a server whose database file does not exist yet
    path = tmp_path / "upright.db"
    settings = Settings(database_url=f"sqlite+aiosqlite:///{path}", keys_file=keys_file)
    app = create_app(settings, tune_gc=False)
    async for client in _serve(app):
        down = await client.get("/readyz")
        assert down.status_code == 503
        # The key file is held whatever the database: its versions are listed all the same
        assert down.json() == {
            "status": "unavailable",
            "database": "down",
            "keys": _one_version_each(),
        }
        assert (await client.get("/healthz")).status_code == 200
        # The probe never creates an empty database in its place
        assert not path.exists()
        # When the migrated database appears, then the same process becomes ready
        shutil.copyfile(template, path)
        assert (await client.get("/readyz")).status_code == 200


@pytest.fixture
async def proxy(backend: str) -> AsyncIterator[TcpProxy]:
    if backend != "postgresql":
        pytest.skip("cuts a PostgreSQL connection")
    proxy = TcpProxy("127.0.0.1", 5432)
    await proxy.start()
    yield proxy
    await proxy.stop()


async def test_postgres_down_and_back_without_restart(
    proxy: TcpProxy, database_url: str, keys_file: Path
) -> None:
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port)
    settings = Settings(database_url=url.render_as_string(hide_password=False), keys_file=keys_file)
    app = create_app(settings, tune_gc=False)
    query = {"query": "{ reviews(first: 1) { totalCount } }"}
    async for client in _serve(app):
        assert (await client.get("/readyz")).status_code == 200
        assert without_cost((await client.post("/graphql", json=query)).json()) == {
            "data": {"reviews": {"totalCount": 0}}
        }
        # When the database goes away: not ready, and queries fail with a code, not a 500
        await proxy.stop()
        assert (await client.get("/readyz")).status_code == 503
        down = await client.post("/graphql", json=query)
        assert down.status_code == 200
        assert error_codes(down.json()) == ["SERVICE_UNAVAILABLE"]
        # When it is back: ready again, and the pooled connections were replaced
        await proxy.start()
        assert (await client.get("/readyz")).status_code == 200
        assert without_cost((await client.post("/graphql", json=query)).json()) == {
            "data": {"reviews": {"totalCount": 0}}
        }
