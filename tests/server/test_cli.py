"""The `upright` command: clear one-line failures, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from server.cli import app
from server.database import create_engine
from server.migrate import head_revision
from server.settings import Settings
from tests.conftest import run_sync

runner = CliRunner()


def _invoke(monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> tuple[int, str]:
    for variable in ("UPRIGHT_DATABASE_URL", "UPRIGHT_PORT", "UPRIGHT_ENV"):
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
