"""/healthz and /readyz: readiness follows the database down and back, no restart."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from server.app import create_app
from server.settings import Settings
from tests.graphql import error_codes, without_cost
from tests.tcp_proxy import TcpProxy


async def _serve(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
            yield client


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
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
        assert (await client.get("/readyz")).status_code == 503
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
