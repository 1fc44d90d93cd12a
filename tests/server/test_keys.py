"""The key file at start-up: missing, wrong or (in production) demo keys stop the start."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncEngine

from security.keyring import Keyring, write_keyring
from server.keys import KeysRefused, load_keys, open_platform_keys
from server.settings import Environment, Settings


def test_a_missing_key_file_is_refused_with_the_way_out(tmp_path: Path) -> None:
    settings = Settings(keys_file=tmp_path / "absent.json")
    with pytest.raises(KeysRefused, match=r"no key file at .*absent\.json: create one with"):
        load_keys(settings)


def test_demo_keys_only_in_development(tmp_path: Path) -> None:
    path = tmp_path / "demo.json"
    write_keyring(path, Keyring.generate(demo=True))
    with pytest.raises(KeysRefused, match="demo keys are refused in production"):
        load_keys(Settings(keys_file=path))
    assert load_keys(Settings(keys_file=path, env=Environment.DEVELOPMENT)).demo


def test_keys_may_come_from_the_environment(tmp_path: Path) -> None:
    keyring = Keyring.generate(demo=False)
    settings = Settings(keys=SecretStr(keyring.to_json()), keys_file=tmp_path / "unused.json")
    assert load_keys(settings).check_values() == keyring.check_values()


async def test_the_platform_key_is_made_once_and_found_again(engine: AsyncEngine) -> None:
    keyring = Keyring.generate(demo=False)
    first = await open_platform_keys(engine, keyring)
    again = await open_platform_keys(engine, keyring)
    assert first.data_keys == again.data_keys
    assert first.generation == 1
    row, owner = uuid.uuid4(), uuid.uuid4()
    sealed = first.seal("Jane", "users", "name", row, owner)
    assert again.open(sealed, "users", "name", row, owner) == "Jane"


async def test_a_wrong_key_file_is_refused(engine: AsyncEngine) -> None:
    # Given a database bound to one key file; when another key file is used; then refused
    await open_platform_keys(engine, Keyring.generate(demo=False))
    with pytest.raises(KeysRefused, match=r"does not match this database \(kek version 1\)"):
        await open_platform_keys(engine, Keyring.generate(demo=False))


async def test_a_key_file_missing_a_version_in_use_is_refused(engine: AsyncEngine) -> None:
    # Given a database that has used version 2 of the blind-index root
    keyring = Keyring.generate(demo=False)
    newer = keyring.with_new_version("blind_index")
    await open_platform_keys(engine, newer)
    # When a key file without that version is used; then the start is refused
    with pytest.raises(KeysRefused, match="lacks blind_index version 2"):
        await open_platform_keys(engine, keyring)
