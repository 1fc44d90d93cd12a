"""Fixtures: every database test runs on SQLite and on PostgreSQL, each test on a
fresh database cloned from a migrated, seeded template."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette

from security.keyring import Keyring, load_keyring, write_keyring
from security.platform import PlatformKeys
from server.app import create_app
from server.database import create_engine
from server.keys import open_platform_keys
from server.migrate import seed, upgrade
from server.settings import Settings
from tests.clock import Clock

POSTGRES_URL = os.environ.get("UPRIGHT_TEST_POSTGRES_URL")
NO_POSTGRES = "UPRIGHT_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (.ci/run sets it)"

T = TypeVar("T")


def run_sync(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even inside a running loop."""
    with ThreadPoolExecutor(1) as executor:
        return executor.submit(asyncio.run, coroutine).result()


def _asyncpg_dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_asyncpg_dsn(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def postgres_database_url(name: str) -> str:
    assert POSTGRES_URL is not None
    return (
        make_url(POSTGRES_URL)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )


def create_postgres_database(template: str | None = None) -> str:
    """A new, empty (or cloned) PostgreSQL database; returns its name."""
    assert POSTGRES_URL is not None
    name = f"upright_test_{uuid.uuid4().hex[:12]}"
    suffix = f' TEMPLATE "{template}"' if template else ""
    run_sync(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"{suffix}'))
    return name


def drop_postgres_database(name: str) -> None:
    assert POSTGRES_URL is not None
    run_sync(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def migrate_and_seed(url: str) -> None:
    """The template every test database is cloned from (keys are bound on first use)."""
    upgrade(url)

    async def seed_reference() -> None:
        engine = create_engine(Settings(database_url=url))
        try:
            await seed(engine)
        finally:
            await engine.dispose()

    run_sync(seed_reference())


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and POSTGRES_URL is None:
        pytest.skip(NO_POSTGRES)
    return str(request.param)


@pytest.fixture(scope="session")
def template(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database to clone: a file for SQLite, a database for PostgreSQL."""
    if backend == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        migrate_and_seed(f"sqlite+aiosqlite:///{path}")
        yield str(path)
        return
    name = create_postgres_database()
    try:
        migrate_and_seed(postgres_database_url(name))
        yield name
    finally:
        drop_postgres_database(name)


@pytest.fixture
def database_url(backend: str, template: str, tmp_path: Path) -> Iterator[str]:
    """A fresh database for one test, already migrated and seeded."""
    if backend == "sqlite":
        path = tmp_path / "upright.db"
        shutil.copyfile(template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    name = create_postgres_database(template=template)
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even the migrations."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
        return
    name = create_postgres_database()
    try:
        yield postgres_database_url(name)
    finally:
        drop_postgres_database(name)


@pytest.fixture(scope="session")
def keys_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A throwaway production-style key file (not marked demo), mode 0600."""
    path = tmp_path_factory.mktemp("keys") / "upright-keys.json"
    write_keyring(path, Keyring.generate(demo=False))
    return path


@pytest.fixture
def key_path(tmp_path: Path, keys_file: Path) -> Path:
    """A copy of the session's key file that this test may rewrite (rotate, destroy)."""
    path = tmp_path / "keys" / "upright-keys.json"
    path.parent.mkdir()
    shutil.copyfile(keys_file, path)
    path.chmod(0o600)
    return path


@pytest.fixture
def settings(database_url: str, keys_file: Path) -> Settings:
    return Settings(database_url=database_url, keys_file=keys_file)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
async def platform_keys(engine: AsyncEngine, keys_file: Path) -> PlatformKeys:
    """The platform keys of this test's database (made on first use, as the app does)."""
    return await open_platform_keys(engine, load_keyring(keys_file))


@pytest.fixture
def make_app(settings: Settings, clock: Clock) -> Callable[..., Starlette]:
    def make(**overrides: Any) -> Starlette:
        return create_app(settings.model_copy(update=overrides), clock=clock, tune_gc=False)

    return make


@pytest.fixture
async def app(make_app: Callable[..., Starlette]) -> AsyncIterator[Starlette]:
    app = make_app()
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://upright.test") as client:
        yield client
