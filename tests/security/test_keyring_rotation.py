"""Rewriting a key file for rotation: removing a version, replacing the file atomically."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from security.keyring import (
    Keyring,
    KeyringError,
    UnknownKeyVersion,
    load_keyring,
    replace_keyring,
    write_keyring,
)


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate(demo=False)


@pytest.fixture
def key_file(tmp_path: Path, keyring: Keyring) -> Path:
    path = tmp_path / "keys.json"
    write_keyring(path, keyring)
    return path


def test_without_version_drops_only_that_version(keyring: Keyring) -> None:
    # Given a KEK with versions 1, 2 and 3, 3 primary
    rotated = keyring.with_new_version("kek").with_new_version("kek").promoted("kek", 3)
    # When version 1 is removed
    remaining = rotated.without_version("kek", 1)
    # Then versions 2 and 3 keep their keys, and no other root changed
    assert set(remaining.kek.versions) == {2, 3}
    assert remaining.kek.key(2) == rotated.kek.key(2)
    assert remaining.kek.primary == 3
    assert remaining.pseudonym == rotated.pseudonym
    assert set(rotated.kek.versions) == {1, 2, 3}  # the original is untouched


def test_without_version_refuses_the_primary_and_unknown_versions(keyring: Keyring) -> None:
    with pytest.raises(KeyringError, match="version 1 of kek is the primary"):
        keyring.without_version("kek", 1)
    with pytest.raises(UnknownKeyVersion, match="key version 7 of kek"):
        keyring.with_new_version("kek").without_version("kek", 7)
    with pytest.raises(KeyringError, match="unknown key root"):
        keyring.without_version("nope", 1)


def test_replace_writes_the_new_keys(key_file: Path, keyring: Keyring) -> None:
    # Given a key file; when it is replaced by one with a new KEK version
    added = keyring.with_new_version("kek")
    replace_keyring(key_file, added)
    # Then the file holds both versions, and no temporary file is left behind
    assert load_keyring(key_file).check_values() == added.check_values()
    assert [path.name for path in key_file.parent.iterdir()] == ["keys.json"]


@pytest.mark.parametrize("mode", [0o400, 0o440, 0o600, 0o640])
def test_replace_keeps_an_accepted_mode(key_file: Path, keyring: Keyring, mode: int) -> None:
    # Given a key file with a mode the server accepts; when it is replaced; then it stays
    key_file.chmod(mode)
    replace_keyring(key_file, keyring.with_new_version("kek"))
    assert stat.S_IMODE(key_file.stat().st_mode) == mode


@pytest.mark.parametrize("mode", [0o644, 0o660, 0o700])
def test_replace_tightens_any_other_mode(key_file: Path, keyring: Keyring, mode: int) -> None:
    key_file.chmod(mode)
    replace_keyring(key_file, keyring.with_new_version("kek"))
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_replace_follows_a_symbolic_link(tmp_path: Path, key_file: Path, keyring: Keyring) -> None:
    # Given a link to the key file (as a deployment may mount it); when replaced through it
    link = tmp_path / "link.json"
    link.symlink_to(key_file)
    added = keyring.with_new_version("kek")
    replace_keyring(link, added)
    # Then the file it names holds the new keys and the link is still a link
    assert link.is_symlink()
    assert load_keyring(key_file).check_values() == added.check_values()


def test_replace_refuses_a_missing_file_or_a_directory(tmp_path: Path, keyring: Keyring) -> None:
    with pytest.raises(KeyringError, match="does not exist"):
        replace_keyring(tmp_path / "absent.json", keyring)
    with pytest.raises(KeyringError, match="not a regular file"):
        replace_keyring(tmp_path, keyring)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_replace_keeps_the_old_file(
    key_file: Path, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a disk that fails while the new file is synced
    def failing_fsync(_fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", failing_fsync)
    # When the file is replaced; then it fails, and the old file is intact and alone
    with pytest.raises(OSError, match="No space left"):
        replace_keyring(key_file, keyring.with_new_version("kek"))
    monkeypatch.undo()
    assert load_keyring(key_file).check_values() == keyring.check_values()
    assert [path.name for path in key_file.parent.iterdir()] == ["keys.json"]
