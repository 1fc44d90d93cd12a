"""Session, API and invitation secrets: 256 random bits, stored only as SHA-256.

The prefixes let secret scanners (GitHub, GitLab, pre-commit hooks) spot a leaked
token in code, logs or chat, and tell us which kind of secret it is.
"""

from __future__ import annotations

import hashlib
import re
import secrets

SESSION_PREFIX = "upr_s_"
API_TOKEN_PREFIX = "upr_t_"  # noqa: S105 a prefix, not a secret
INVITATION_PREFIX = "upr_i_"
PREFIXES = (SESSION_PREFIX, API_TOKEN_PREFIX, INVITATION_PREFIX)
_BODY = re.compile(r"[A-Za-z0-9_-]{43}")  # token_urlsafe(32): 32 bytes, unpadded base64url


def new_secret(prefix: str) -> str:
    if prefix not in PREFIXES:
        raise ValueError("unknown secret prefix")
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    """What the database stores: a stolen table gives no usable secret. A fast hash is
    enough for 256 random bits; passwords, being guessable, get Argon2 instead."""
    return hashlib.sha256(secret.encode("utf-8")).digest()


def kind_of(secret: str) -> str | None:
    """The secret's prefix when it looks like one of ours, else None."""
    for prefix in PREFIXES:
        if secret.startswith(prefix) and _BODY.fullmatch(secret, len(prefix)):
            return prefix
    return None
