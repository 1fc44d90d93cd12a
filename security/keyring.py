"""The key file: versioned, independent key roots that never enter the database.

Pseudonym and blind-index roots are random, not derived from the KEK, so rotating the
KEK changes no pseudonym and no index. Every key version has a check value, so a wrong
key file is refused at start instead of silently writing under the wrong keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

FORMAT = "upright-keys/1"
ROOTS = ("kek", "blind_index", "pseudonym", "audit")
KEY_BYTES = 32
_CHECK_MESSAGE = b"upright key check value"


class KeyringError(Exception):
    """A key file or key request that cannot be used; the message never holds key material."""


class UnknownKeyVersion(KeyringError):
    def __init__(self, root: str, version: int) -> None:
        super().__init__(f"key version {version} of {root} is not in the key file")
        self.root = root
        self.version = version


@dataclass(frozen=True)
class KeyRoot:
    """The versions of one root; `primary` is the version new data is written under."""

    name: str
    versions: Mapping[int, bytes] = field(repr=False)  # repr would print the keys
    primary: int

    def __post_init__(self) -> None:
        if type(self.primary) is not int:
            raise KeyringError(f"key root {self.name} has a primary version that is not an integer")
        for version, key in self.versions.items():
            if type(version) is not int or version < 1:
                raise KeyringError(f"key root {self.name} has a version that is not positive")
            if len(key) != KEY_BYTES:
                raise KeyringError(f"key root {self.name} version {version} is not a 32-byte key")
        if self.primary not in self.versions:
            raise KeyringError(f"key root {self.name} names a primary version it does not hold")
        object.__setattr__(self, "versions", MappingProxyType(dict(self.versions)))

    def key(self, version: int) -> bytes:
        try:
            return self.versions[version]
        except KeyError:
            raise UnknownKeyVersion(self.name, version) from None

    def primary_key(self) -> tuple[int, bytes]:
        return self.primary, self.versions[self.primary]

    def check_values(self) -> dict[int, str]:
        """Per version, a value that proves the key without revealing it."""
        return {
            version: hmac.new(key, _CHECK_MESSAGE, hashlib.sha256).digest()[:16].hex()
            for version, key in sorted(self.versions.items())
        }


@dataclass(frozen=True)
class Keyring:
    roots: Mapping[str, KeyRoot]
    demo: bool

    def __post_init__(self) -> None:
        for name in ROOTS:
            if name not in self.roots:
                raise KeyringError(f"the key file lacks the root {name}")
        for name, root in self.roots.items():
            if name not in ROOTS or root.name != name:
                raise KeyringError("the key file holds an unknown root")
        object.__setattr__(self, "roots", MappingProxyType(dict(self.roots)))

    @property
    def kek(self) -> KeyRoot:
        return self.roots["kek"]

    @property
    def blind_index(self) -> KeyRoot:
        return self.roots["blind_index"]

    @property
    def pseudonym(self) -> KeyRoot:
        return self.roots["pseudonym"]

    @property
    def audit(self) -> KeyRoot:
        return self.roots["audit"]

    @classmethod
    def generate(cls, demo: bool) -> Keyring:
        return cls(
            {name: KeyRoot(name, {1: secrets.token_bytes(KEY_BYTES)}, 1) for name in ROOTS}, demo
        )

    def to_json(self) -> str:
        roots = {
            name: {
                "primary": root.primary,
                "versions": {
                    str(version): base64.b64encode(key).decode("ascii")
                    for version, key in sorted(root.versions.items())
                },
            }
            for name, root in self.roots.items()
        }
        return json.dumps({"format": FORMAT, "demo": self.demo, "roots": roots}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        try:
            data = json.loads(text, object_pairs_hook=_refuse_duplicates)
        except ValueError:
            data = None  # raised outside: the JSON error keeps the whole document in `.doc`
        if not isinstance(data, dict):
            raise KeyringError("the key file is not a JSON object")
        if data.get("format") != FORMAT:
            raise KeyringError(f"the key file format is not {FORMAT}")
        if set(data) != {"format", "demo", "roots"} or not isinstance(data["demo"], bool):
            raise KeyringError("the key file must hold exactly format, demo (true/false) and roots")
        roots = data["roots"]
        if not isinstance(roots, dict):
            raise KeyringError("the key file roots are not a JSON object")
        return cls(
            {name: _root_from_json(name, value) for name, value in roots.items()}, data["demo"]
        )

    def check_values(self) -> dict[str, dict[int, str]]:
        return {name: root.check_values() for name, root in self.roots.items()}

    def with_new_version(self, root: str) -> Keyring:
        """Adds a fresh version, not yet primary: every replica learns it before any uses it."""
        current = self._root(root)
        versions = {**current.versions, max(current.versions) + 1: secrets.token_bytes(KEY_BYTES)}
        return self._with(replace(current, versions=versions))

    def promoted(self, root: str, version: int) -> Keyring:
        current = self._root(root)
        current.key(version)
        return self._with(replace(current, primary=version))

    def without_version(self, root: str, version: int) -> Keyring:
        """Drops a version (destroying a KEK version); the primary is still in use."""
        current = self._root(root)
        current.key(version)
        if version == current.primary:
            raise KeyringError(f"version {version} of {root} is the primary: promote another first")
        versions = {v: key for v, key in current.versions.items() if v != version}
        return self._with(replace(current, versions=versions))

    def _root(self, name: str) -> KeyRoot:
        if name not in self.roots:
            raise KeyringError(f"unknown key root {name!r}")
        return self.roots[name]

    def _with(self, root: KeyRoot) -> Keyring:
        return replace(self, roots={**self.roots, root.name: root})


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    if len({name for name, _ in pairs}) != len(pairs):
        raise KeyringError("the key file repeats a name")
    return dict(pairs)


def _root_from_json(name: str, value: object) -> KeyRoot:
    # Messages never echo the file's values: a misplaced field could print a key.
    if name not in ROOTS:
        raise KeyringError("the key file holds an unknown root")
    if not (isinstance(value, dict) and set(value) == {"primary", "versions"}):
        raise KeyringError(f"key root {name} must hold exactly primary and versions")
    if not isinstance(value["versions"], dict):
        raise KeyringError(f"key root {name} versions are not a JSON object")
    versions = {}
    for label, text in value["versions"].items():
        if not (label.isascii() and label.isdigit() and label[0] != "0"):
            raise KeyringError(f"key root {name} has a version that is not a positive integer")
        versions[int(label)] = _base64(text)
    return KeyRoot(name, versions, value["primary"])


def _base64(text: object) -> bytes:
    """The decoded key, or b"" (refused as not 32 bytes) when it is not base64."""
    try:
        return base64.b64decode(text, validate=True) if isinstance(text, str) else b""
    except ValueError:
        return b""


def load_keyring(path: Path) -> Keyring:
    """Reads a key file only other users cannot touch (0600, 0400; 0440 or 0640 for a
    Kubernetes Secret mounted for the process's group)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # non-blocking: a FIFO is refused below
    except FileNotFoundError:
        raise KeyringError(f"key file {path} does not exist") from None
    except OSError as error:
        raise KeyringError(f"key file {path} cannot be opened: {error.strerror}") from None
    try:
        _check_file(path, os.fstat(fd))  # the inode we read, not what the path names later
        with os.fdopen(fd, "rb", closefd=False) as file:
            data = file.read()
    finally:
        os.close(fd)
    try:
        # replaced bytes fail validation later; a decode error would carry the file along
        return Keyring.from_json(data.decode("utf-8", errors="replace"))
    except KeyringError as error:
        raise KeyringError(f"key file {path}: {error}") from None


def _check_file(path: Path, info: os.stat_result) -> None:
    mode = stat.S_IMODE(info.st_mode)
    if not stat.S_ISREG(info.st_mode):
        raise KeyringError(f"key file {path} is not a regular file")
    if mode & 0o007:
        raise KeyringError(f"key file {path} is open to other users (mode {mode:04o}); chmod 600")
    if mode & 0o020:
        raise KeyringError(f"key file {path} is writable by its group (mode {mode:04o})")
    in_group = info.st_gid == os.getegid() or info.st_gid in os.getgroups()
    if info.st_uid != os.geteuid() and not in_group:
        raise KeyringError(
            f"key file {path} belongs to another user and group: "
            "this process cannot be expected to read it"
        )


def write_keyring(path: Path, keyring: Keyring) -> None:
    """Writes a new key file (0600) atomically, never replacing one: that would lose keys."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # whatever the umask
            file.write(keyring.to_json().encode("utf-8"))
            file.flush()
            os.fsync(file.fileno())
        # link, unlike rename, fails when the target exists: no race can clobber a key file
        os.link(temporary, path)
    except FileExistsError:
        raise KeyringError(f"key file {path} already exists") from None
    finally:
        temporary.unlink(missing_ok=True)
    _sync_directory(path.parent)


# Modes `load_keyring` accepts; a replaced file keeps its own, anything else becomes 0600.
_KEPT_MODES = (0o400, 0o440, 0o600, 0o640)


def replace_keyring(path: Path, keyring: Keyring) -> None:
    """Atomically replaces an existing key file (new versions, promotion, destruction):
    readers see the old file or the new one, never a torn one. A symbolic link is
    followed, so the file it names is replaced; owner, group and mode are kept."""
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        raise KeyringError(f"key file {path} does not exist") from None
    if not stat.S_ISREG(info.st_mode):
        raise KeyringError(f"key file {path} is not a regular file")
    mode = stat.S_IMODE(info.st_mode)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as file:
            os.fchmod(file.fileno(), 0o600)  # whatever the umask, until written
            file.write(keyring.to_json().encode("utf-8"))
            file.flush()
            if (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
                _keep_owner(file.fileno(), path, info)
            os.fchmod(file.fileno(), mode if mode in _KEPT_MODES else 0o600)
            os.fsync(file.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    _sync_directory(target.parent)


def _sync_directory(directory: Path) -> None:
    """A new or renamed file survives a crash only once its directory entry is on disk."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _keep_owner(fd: int, path: Path, info: os.stat_result) -> None:
    # A file the server cannot read would stop its next start: refuse before replacing.
    try:
        os.fchown(fd, info.st_uid, info.st_gid)
    except PermissionError:
        raise KeyringError(
            f"key file {path} belongs to another user or group, which its replacement "
            "could not keep: run this as the file's owner"
        ) from None


def keyring_from_env(value: str) -> Keyring:
    """Reads `UPRIGHT_KEYS`, which holds the key file's JSON."""
    return Keyring.from_json(value)
