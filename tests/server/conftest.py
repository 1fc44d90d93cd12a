"""Fixtures shared by the server tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


@pytest.fixture
def key_path(tmp_path: Path, keys_file: Path) -> Path:
    """A copy of the session's key file that this test may rewrite."""
    path = tmp_path / "keys" / "upright-keys.json"
    path.parent.mkdir()
    shutil.copyfile(keys_file, path)
    path.chmod(0o600)
    return path
