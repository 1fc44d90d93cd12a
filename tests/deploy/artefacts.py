"""What the deployment tests share: where the artefacts are, and what a pinned image is."""

from __future__ import annotations

import re
from pathlib import Path

DEPLOY = Path(__file__).parents[2] / "deploy"
SECRET_WORDS = ("PASSWORD", "SECRET", "KEY", "TOKEN")
# user:password@ in a URL.
CREDENTIALS_IN_URL = re.compile(r"://[^/@\s]*:[^/@\s]+@")
_VERSION_TAG = re.compile(r"v?\d+(\.\d+)+[\w.\-]*")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def pinned(image: str) -> bool:
    """A version tag (1.2 or more precise), optionally with a digest; never `latest`."""
    name, _, digest = image.partition("@")
    repository, _, tag = name.rpartition(":")
    if not repository or "/" in tag or (digest and not _DIGEST.fullmatch(digest)):
        return False
    return bool(_VERSION_TAG.fullmatch(tag))
