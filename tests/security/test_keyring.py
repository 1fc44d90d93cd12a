"""The key file: its format, its validation, and the permissions it must have."""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from security.keyring import (
    ROOTS,
    Keyring,
    KeyringError,
    KeyRoot,
    UnknownKeyVersion,
    keyring_from_env,
    load_keyring,
    write_keyring,
)

Edit = Callable[[dict[str, Any]], None]


@pytest.fixture
def keyring() -> Keyring:
    return Keyring.generate(demo=False)


@pytest.fixture
def umask_zero() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def _key_texts(keyring: Keyring) -> list[str]:
    keys = [key for root in keyring.roots.values() for key in root.versions.values()]
    return [text for key in keys for text in (key.hex(), base64.b64encode(key).decode())]


def test_generate_makes_independent_roots_of_one_version(keyring: Keyring) -> None:
    # Given a generated keyring; then every root holds one fresh 32-byte primary key.
    assert set(keyring.roots) == set(ROOTS)
    keys = set()
    for root in (keyring.kek, keyring.blind_index, keyring.pseudonym, keyring.audit):
        version, key = root.primary_key()
        assert (version, len(key)) == (1, 32)
        keys.add(key)
    assert len(keys) == len(ROOTS)


def test_json_round_trip_keeps_every_key_and_the_demo_mark() -> None:
    # Given a demo keyring with a second KEK version; when written and read back as JSON
    original = Keyring.generate(demo=True).with_new_version("kek")
    restored = Keyring.from_json(original.to_json())
    # Then nothing is lost.
    assert restored == original
    assert restored.demo is True
    assert restored.check_values() == original.check_values()
    assert keyring_from_env(original.to_json()) == original


def test_json_has_the_documented_shape(keyring: Keyring) -> None:
    data = json.loads(keyring.to_json())
    assert data["format"] == "upright-keys/1"
    assert data["demo"] is False
    assert set(data["roots"]) == set(ROOTS)
    kek = data["roots"]["kek"]
    assert kek["primary"] == 1
    assert base64.b64decode(kek["versions"]["1"]) == keyring.kek.key(1)


def _set(path: str, value: object) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for name in parents:
            data = data[name]
        data[last] = value

    return edit


def _drop(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for name in parents:
            data = data[name]
        del data[last]

    return edit


def _rename_version(label: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        versions = data["roots"]["kek"]["versions"]
        versions[label] = versions.pop("1")

    return edit


MALFORMED = {
    "wrong format": (_set("format", "upright-keys/2"), "format is not upright-keys/1"),
    "demo not a boolean": (_set("demo", "no"), "exactly format, demo"),
    "extra field": (_set("comment", "x"), "exactly format, demo"),
    "roots not an object": (_set("roots", []), "roots are not a JSON object"),
    "missing root": (_drop("roots.audit"), "lacks the root audit"),
    "unknown root": (_set("roots.extra", {"primary": 1, "versions": {}}), "unknown root"),
    "root without primary": (_drop("roots.kek.primary"), "exactly primary and versions"),
    "versions not an object": (_set("roots.kek.versions", []), "versions are not a JSON"),
    "version zero": (_rename_version("0"), "not a positive integer"),
    "negative version": (_rename_version("-1"), "not a positive integer"),
    "version with a leading zero": (_rename_version("01"), "not a positive integer"),
    "version not a number": (_rename_version("one"), "not a positive integer"),
    "short key": (_set("roots.kek.versions.1", base64.b64encode(bytes(31)).decode()), "32-byte"),
    "long key": (_set("roots.kek.versions.1", base64.b64encode(bytes(33)).decode()), "32-byte"),
    "key not base64": (_set("roots.kek.versions.1", "not base64!" * 4), "32-byte"),
    "key not text": (_set("roots.kek.versions.1", 7), "32-byte"),
    "primary missing from versions": (_set("roots.kek.primary", 2), "primary version it does"),
    "primary as text": (_set("roots.kek.primary", "1"), "not an integer"),
    "primary as boolean": (_set("roots.kek.primary", True), "not an integer"),
}


@pytest.mark.parametrize(("edit", "message"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_key_files_are_refused(keyring: Keyring, edit: Edit, message: str) -> None:
    # Given a valid key file with one defect
    data = json.loads(keyring.to_json())
    edit(data)
    # When it is read; then it is refused with a message naming the defect, never a key.
    with pytest.raises(KeyringError, match=message) as raised:
        Keyring.from_json(json.dumps(data))
    assert not any(text in str(raised.value) for text in _key_texts(keyring))


@pytest.mark.parametrize("text", ["", "not json", "[]", '"upright-keys/1"', "{"])
def test_text_that_is_not_a_json_object_is_refused(text: str) -> None:
    with pytest.raises(KeyringError, match="not a JSON object") as raised:
        Keyring.from_json(text)
    assert raised.value.__context__ is None  # a JSON error would carry the document along


def test_a_repeated_name_is_refused(keyring: Keyring) -> None:
    # Given two "1" versions in one root: which one holds the key would be ambiguous.
    text = keyring.to_json().replace('"1": ', '"1": "x", "1": ', 1)
    with pytest.raises(KeyringError, match="repeats a name"):
        Keyring.from_json(text)


def test_repr_never_shows_keys(keyring: Keyring) -> None:
    assert not any(text in repr(keyring) for text in _key_texts(keyring))


def test_unknown_version_names_root_and_version(keyring: Keyring) -> None:
    with pytest.raises(UnknownKeyVersion, match="key version 3 of kek is not in the key file"):
        keyring.kek.key(3)


def test_check_values_are_stable_and_differ_per_key() -> None:
    # Given two known keys; then their check values are fixed forever (they are stored).
    root = KeyRoot("kek", {1: bytes(32), 2: bytes(range(32))}, 1)
    assert root.check_values() == {
        1: "a7100d91c10a7ac551d1110c285ee28a",
        2: "04cda93e903c066e5d0396c6e8221378",
    }


def test_check_values_cover_every_root_and_version(keyring: Keyring) -> None:
    values = keyring.with_new_version("audit").check_values()
    assert set(values) == set(ROOTS)
    assert set(values["audit"]) == {1, 2}
    flat = [value for versions in values.values() for value in versions.values()]
    assert len(set(flat)) == len(flat)


def test_rotation_adds_then_promotes_without_touching_other_roots(keyring: Keyring) -> None:
    # Given a new KEK version; then it is held but not yet used for new data
    added = keyring.with_new_version("kek")
    assert added.kek.primary == 1
    assert added.kek.key(1) == keyring.kek.key(1)
    assert added.kek.key(2) != keyring.kek.key(1)
    # When it is promoted; then it is primary and no other root changed.
    promoted = added.promoted("kek", 2)
    assert promoted.kek.primary_key() == (2, added.kek.key(2))
    assert promoted.pseudonym == keyring.pseudonym
    assert promoted.blind_index == keyring.blind_index


def test_promoting_an_unknown_version_or_root_is_refused(keyring: Keyring) -> None:
    with pytest.raises(UnknownKeyVersion):
        keyring.promoted("kek", 2)
    with pytest.raises(KeyringError, match="unknown key root"):
        keyring.with_new_version("nonsense")


def _key_file(tmp_path: Path, keyring: Keyring, mode: int) -> Path:
    path = tmp_path / "upright.keys"
    path.write_text(keyring.to_json())
    path.chmod(mode)
    return path


@pytest.mark.parametrize("mode", [0o600, 0o400, 0o440, 0o640])
def test_private_or_group_readable_key_files_are_read(
    tmp_path: Path, keyring: Keyring, mode: int
) -> None:
    assert load_keyring(_key_file(tmp_path, keyring, mode)) == keyring


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        (0o644, "open to other users \\(mode 0644\\)"),
        (0o666, "open to other users"),
        (0o604, "open to other users"),
        (0o601, "open to other users"),
        (0o620, "writable by its group \\(mode 0620\\)"),
        (0o660, "writable by its group"),
    ],
)
def test_key_files_others_can_touch_are_refused(
    tmp_path: Path, keyring: Keyring, mode: int, message: str
) -> None:
    path = _key_file(tmp_path, keyring, mode)
    with pytest.raises(KeyringError, match=message) as raised:
        load_keyring(path)
    assert str(path) in str(raised.value)


def test_missing_key_file_and_directory_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KeyringError, match="does not exist"):
        load_keyring(tmp_path / "absent.keys")
    with pytest.raises(KeyringError, match="not a regular file"):
        load_keyring(tmp_path)


def test_key_file_of_another_user_and_group_is_refused(
    tmp_path: Path, keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a process that neither owns the file nor is in its group
    path = _key_file(tmp_path, keyring, 0o640)
    info = path.stat()
    monkeypatch.setattr(os, "geteuid", lambda: info.st_uid + 1)
    monkeypatch.setattr(os, "getegid", lambda: info.st_gid + 1)
    monkeypatch.setattr(os, "getgroups", lambda: [info.st_gid + 2])
    with pytest.raises(KeyringError, match="cannot be expected to read it"):
        load_keyring(path)
    # When the process joins the file's group (a Kubernetes fsGroup); then it is read.
    monkeypatch.setattr(os, "getgroups", lambda: [info.st_gid])
    assert load_keyring(path) == keyring


def test_bad_content_is_refused_with_the_path(tmp_path: Path) -> None:
    path = tmp_path / "upright.keys"
    path.write_bytes(b'{"format": "upright-keys/1", "demo": \xff}')
    path.chmod(0o600)
    expected = re.escape(f"key file {path}: the key file is not a JSON object")
    with pytest.raises(KeyringError, match=expected):
        load_keyring(path)


@pytest.mark.usefixtures("umask_zero")
def test_write_keyring_writes_mode_0600_whatever_the_umask(
    tmp_path: Path, keyring: Keyring
) -> None:
    # Given a umask that would leave a new file world-writable; when the key file is written
    path = tmp_path / "upright.keys"
    write_keyring(path, keyring)
    # Then only the owner can read it, no temporary file is left, and it loads back.
    assert path.stat().st_mode & 0o777 == 0o600
    assert [entry.name for entry in tmp_path.iterdir()] == ["upright.keys"]
    assert load_keyring(path) == keyring


def test_write_keyring_never_replaces_a_key_file(tmp_path: Path, keyring: Keyring) -> None:
    # Given an existing key file; when another is written to its path
    path = tmp_path / "upright.keys"
    write_keyring(path, keyring)
    with pytest.raises(KeyringError, match="already exists"):
        write_keyring(path, Keyring.generate(demo=False))
    # Then the existing keys are untouched and nothing is left behind.
    assert load_keyring(path) == keyring
    assert [entry.name for entry in tmp_path.iterdir()] == ["upright.keys"]
