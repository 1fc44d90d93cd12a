"""The `upright` command: clear one-line failures, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from security.keyring import Keyring, load_keyring, write_keyring
from server.cli import app
from server.database import create_engine
from server.keys import open_platform_keys
from server.migrate import head_revision
from server.settings import Settings
from tests.conftest import run_sync

runner = CliRunner()


def _invoke(monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> tuple[int, str]:
    for variable in (
        "UPRIGHT_DATABASE_URL",
        "UPRIGHT_PORT",
        "UPRIGHT_ENV",
        "UPRIGHT_KEYS_FILE",
        "UPRIGHT_ADMIN_PASSWORD",
    ):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.mark.parametrize("command", [["db", "upgrade"], ["serve"], ["demo"], ["db", "current"]])
def test_unreachable_database_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    url = "postgresql+asyncpg://upright:s3cret@127.0.0.1:9/upright"  # port 9: nothing listens
    code, output = _invoke(monkeypatch, *command, UPRIGHT_DATABASE_URL=url)
    assert code == 1
    assert output.startswith(
        "error: cannot reach the database at postgresql+asyncpg://upright:***@127.0.0.1:9/upright: "
    )
    assert "s3cret" not in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_unusable_sqlite_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    code, output = _invoke(
        monkeypatch,
        "db",
        "upgrade",
        UPRIGHT_DATABASE_URL=f"sqlite:///{tmp_path}/missing/dir/upright.db",
    )
    assert code == 1
    assert "cannot reach the database at sqlite+aiosqlite:///" in output
    assert "unable to open database file" in output


@pytest.mark.parametrize(
    ("variable", "value"), [("UPRIGHT_PORT", "99999"), ("UPRIGHT_DATABASE_URL", "mysql://db/x")]
)
def test_invalid_settings_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    code, output = _invoke(monkeypatch, "serve", **{variable: value})
    assert code == 2
    assert output.startswith(f"error: invalid setting {variable}: ")


def test_upgrade_then_serve_checks(
    monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    # Serving an unmigrated database is refused with the way out.
    code, output = _invoke(monkeypatch, "serve", UPRIGHT_DATABASE_URL=empty_database_url)
    assert code == 1
    assert "`upright db upgrade`" in output
    # Upgrading migrates and seeds; running it again is harmless.
    for _ in range(2):
        code, output = _invoke(
            monkeypatch, "db", "upgrade", UPRIGHT_DATABASE_URL=empty_database_url
        )
        assert code == 0, output
        assert f"at revision {head_revision()}" in output
    code, output = _invoke(monkeypatch, "db", "current", UPRIGHT_DATABASE_URL=empty_database_url)
    assert output.split() == ["current:", head_revision(), "latest:", head_revision()]


async def _create_conflicting_table(url: str) -> None:
    engine = create_engine(Settings(database_url=url))
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE states (code TEXT)"))
    await engine.dispose()


def test_failed_upgrade_is_one_line(
    monkeypatch: pytest.MonkeyPatch, empty_database_url: str
) -> None:
    # Given a database that already has a table of the same name, made by someone else
    run_sync(_create_conflicting_table(empty_database_url))
    code, output = _invoke(monkeypatch, "db", "upgrade", UPRIGHT_DATABASE_URL=empty_database_url)
    assert code == 1
    assert output.startswith("error: upgrade of ")
    assert "states" in output
    assert "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_keys_init_keeps_an_existing_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    code, output = _invoke(monkeypatch, "keys", "init", UPRIGHT_KEYS_FILE=str(path))
    assert code == 0
    assert "demo keys" in output
    written = path.read_text()
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    code, output = _invoke(monkeypatch, "keys", "init", UPRIGHT_KEYS_FILE=str(path))
    assert (code, path.read_text()) == (0, written)


def test_keys_generate_never_overwrites(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    path = tmp_path / "production.json"
    assert _invoke(monkeypatch, "keys", "generate", "--output", str(path))[0] == 0
    assert '"demo":false' in path.read_text().replace(" ", "")
    code, output = _invoke(monkeypatch, "keys", "generate", "--output", str(path))
    assert code == 1
    assert "already exists" in output


def test_serve_refuses_a_wrong_key_file(
    monkeypatch: pytest.MonkeyPatch, database_url: str, keys_file: Path, tmp_path: Path
) -> None:
    # Given a database bound to the test key file (first use), then another key file
    run_sync(_bind_keys(database_url, keys_file))
    other = tmp_path / "other.json"
    write_keyring(other, Keyring.generate(demo=False))
    code, output = _invoke(
        monkeypatch, "serve", UPRIGHT_DATABASE_URL=database_url, UPRIGHT_KEYS_FILE=str(other)
    )
    assert code == 1
    assert "does not match this database" in output
    assert len(output.strip().splitlines()) == 1


async def _bind_keys(url: str, keys_file: Path) -> None:
    engine = create_engine(Settings(database_url=url))
    try:
        await open_platform_keys(engine, load_keyring(keys_file))
    finally:
        await engine.dispose()


def test_admin_create_takes_the_password_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, database_url: str, keys_file: Path
) -> None:
    env = {
        "UPRIGHT_DATABASE_URL": database_url,
        "UPRIGHT_KEYS_FILE": str(keys_file),
        "UPRIGHT_ADMIN_PASSWORD": "a long and unusual passphrase",
    }
    args = ["admin", "create", "--email", "root@example.org", "--name", "Root"]
    code, output = _invoke(monkeypatch, *args, **env)
    assert code == 0, output
    assert "platform administrator root@example.org created" in output
    # The same email twice is refused; a weak password is refused before anything is written.
    assert "exists already" in _invoke(monkeypatch, *args, **env)[1]
    weak = {**env, "UPRIGHT_ADMIN_PASSWORD": "password1234"}
    code, output = _invoke(
        monkeypatch, "admin", "create", "--email", "b@example.org", "--name", "B", **weak
    )
    assert code == 1
    assert "common" in output.lower()


def test_demo_totp_is_development_only(monkeypatch: pytest.MonkeyPatch) -> None:
    code, output = _invoke(monkeypatch, "demo", "totp", "admin@gufn.example.org")
    assert code == 1
    assert "development only" in output
