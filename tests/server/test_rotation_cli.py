"""`upright keys add-version | promote | rotate | status | destroy`, run as `upright` runs them."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from schema.tables.registry import Contact
from security.keyring import Keyring, load_keyring, replace_keyring
from server.cli import app
from server.database import create_engine
from server.settings import Settings
from tests.clock import Clock
from tests.conftest import run_sync
from tests.server.rotation_helpers import promoted, seed

runner = CliRunner()


def invoke(monkeypatch: pytest.MonkeyPatch, *args: str, **env: str) -> tuple[int, str]:
    for variable in ("UPRIGHT_DATABASE_URL", "UPRIGHT_ENV", "UPRIGHT_KEYS_FILE", "UPRIGHT_KEYS"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    result = runner.invoke(app, ["keys", *args])
    return result.exit_code, result.output


def test_the_commands_rotate_and_destroy_end_to_end(
    monkeypatch: pytest.MonkeyPatch, database_url: str, key_path: Path, clock: Clock
) -> None:
    # Given three organisations with a contact each under version 1, and the commands'
    # clock under the test's control
    monkeypatch.setattr("server.rotation_cli.utcnow", clock)
    env = {
        "UPRIGHT_DATABASE_URL": database_url,
        "UPRIGHT_KEYS_FILE": str(key_path),
        "COLUMNS": "160",  # the status tables on one line each
    }

    async def seed_keys() -> None:
        engine = create_engine(Settings(database_url=database_url))
        try:
            await seed(engine, load_keyring(key_path), clock(), contacts=1)
        finally:
            await engine.dispose()

    run_sync(seed_keys())
    # When a version is added; then the file holds it, not primary, and says what is next
    code, output = invoke(monkeypatch, "add-version", "--root", "kek", **env)
    assert code == 0, output
    assert "kek version 2 added" in output
    assert "upright keys promote --root kek --version 2" in output
    assert (load_keyring(key_path).kek.primary, set(load_keyring(key_path).kek.versions)) == (
        1,
        {1, 2},
    )
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600
    # When an unknown version is promoted; then refused
    code, output = invoke(monkeypatch, "promote", "--root", "kek", "--version", "3", **env)
    assert (code, output.strip()) == (
        1,
        f"error: kek version 3 is not in {key_path}: add it first",
    )
    # When version 2 is promoted and the keys rotated
    code, output = invoke(monkeypatch, "promote", "--root", "kek", "--version", "2", **env)
    assert code == 0, output
    assert load_keyring(key_path).kek.primary == 2
    code, output = invoke(monkeypatch, "rotate", **env)
    assert code == 0, output
    assert "rotating keys" in output
    assert "7/7" in output  # 3 new organisation keys, 3 contact keys, 1 platform key
    assert (
        "under kek version 2: 3 new organisation keys, 3 contact keys moved to them, "
        "3 old organisation keys deleted, 1 platform keys re-wrapped"
    ) in output
    assert "retired kek versions: 1" in output
    # Then the status shows it, and destroying too early is one line saying when
    code, output = invoke(monkeypatch, "status", **env)
    assert code == 0, output
    assert "kek versions" in output
    assert "primary" in output
    assert "after 2027-01-02 09:00" in output
    code, output = invoke(monkeypatch, "destroy", "--root", "kek", "--version", "1", **env)
    assert code == 1
    assert len(output.strip().splitlines()) == 1
    assert "may be destroyed after 2027-01-02 09:00 UTC" in output
    # When the retention has passed; then it is destroyed and gone from the file
    clock.advance(days=36)
    code, output = invoke(monkeypatch, "destroy", "--root", "kek", "--version", "1", **env)
    assert code == 0, output
    assert "kek version 1 destroyed" in output
    assert set(load_keyring(key_path).kek.versions) == {2}
    code, output = invoke(monkeypatch, "status", **env)
    assert code == 0, output
    assert "│ 1       │ no       │ 2026-11-28 │ 2026-11-28 │ 2027-01-03 │" in output


def test_rotate_refuses_a_demo_key_file_in_production(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "demo-keys.json"
    path.write_text(Keyring.generate(demo=True).to_json())
    path.chmod(0o600)
    for command in (["rotate"], ["add-version", "--root", "kek"]):
        code, output = invoke(monkeypatch, *command, UPRIGHT_KEYS_FILE=str(path))
        assert (code, output.strip()) == (
            1,
            "error: demo keys are refused in production: use `upright keys generate`",
        )


def test_file_commands_refuse_what_they_cannot_do(
    monkeypatch: pytest.MonkeyPatch, key_path: Path
) -> None:
    before = key_path.read_bytes()
    env = {"UPRIGHT_KEYS_FILE": str(key_path)}
    code, output = invoke(monkeypatch, "add-version", "--root", "nope", **env)
    assert (code, output.strip()) == (
        1,
        "error: unknown key root 'nope': one of kek, blind_index, pseudonym, audit",
    )
    code, output = invoke(monkeypatch, "destroy", "--root", "pseudonym", "--version", "1", **env)
    assert code == 1
    assert "only kek versions are destroyed" in output
    keys = Keyring.generate(demo=False).to_json()
    code, output = invoke(monkeypatch, "add-version", "--root", "kek", UPRIGHT_KEYS=keys, **env)
    assert (code, output.strip()) == (
        1,
        "error: the keys come from UPRIGHT_KEYS: these commands rewrite a key file",
    )
    assert key_path.read_bytes() == before


def test_promoting_another_root_says_nothing_is_rewrapped(
    monkeypatch: pytest.MonkeyPatch, key_path: Path
) -> None:
    env = {"UPRIGHT_KEYS_FILE": str(key_path)}
    assert invoke(monkeypatch, "add-version", "--root", "blind_index", **env)[0] == 0
    code, output = invoke(monkeypatch, "promote", "--root", "blind_index", "--version", "2", **env)
    assert code == 0, output
    assert "older blind_index versions stay in the file" in output
    assert load_keyring(key_path).blind_index.primary == 2
    assert load_keyring(key_path).kek.primary == 1


def test_a_rotation_that_leaves_keys_behind_says_to_run_it_again(
    monkeypatch: pytest.MonkeyPatch, database_url: str, key_path: Path, clock: Clock
) -> None:
    # Given a contact whose wrapped data key was damaged, and version 2 promoted
    monkeypatch.setattr("server.rotation_cli.utcnow", clock)
    env = {"UPRIGHT_DATABASE_URL": database_url, "UPRIGHT_KEYS_FILE": str(key_path)}

    async def seed_damaged() -> None:
        engine = create_engine(Settings(database_url=database_url))
        try:
            await seed(engine, load_keyring(key_path), clock(), organisations=1, contacts=1)
            async with engine.begin() as connection:
                wrapped = await connection.scalar(select(Contact.wrapped_data_key))
                damaged = wrapped[:-1] + bytes([wrapped[-1] ^ 1])
                await connection.execute(update(Contact).values(wrapped_data_key=damaged))
        finally:
            await engine.dispose()

    run_sync(seed_damaged())
    replace_keyring(key_path, promoted(load_keyring(key_path)))
    # When the keys are rotated
    code, output = invoke(monkeypatch, "rotate", **env)
    # Then the rest is done, and it says what stays behind and to run it again
    assert code == 1, output
    assert "1 new organisation keys, 0 contact keys moved to them, 0 old" in output
    assert "retired" not in output
    assert output.strip().splitlines()[-1] == (
        "error: 0 keys changed meanwhile, 1 could not be unwrapped and 1 old organisation "
        "keys are still used: they stay under their old version; run `upright keys rotate` again"
    )
