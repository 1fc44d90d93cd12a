"""Passwords: Argon2id hashes, and rules that refuse the passwords attackers try first.

Passwords are NFKC-normalised before hashing (NIST SP 800-63B), so the same password
typed on two keyboards that compose accents differently still verifies.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from argon2 import PasswordHasher, Type, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024
_MIN_CONTEXT_WORD = 4


@dataclass(frozen=True)
class Argon2Parameters:
    """Defaults are OWASP's minimum for Argon2id (m=19 MiB, t=2, p=1); nothing weaker."""

    memory_kib: int = 19456
    time_cost: int = 2
    parallelism: int = 1

    def __post_init__(self) -> None:
        if self.memory_kib < 19456 or self.time_cost < 2 or self.parallelism < 1:
            raise ValueError("Argon2 parameters below OWASP's minimum (m=19456 KiB, t=2, p=1)")


class Passwords:
    """Hashes and verifies, with one Argon2 verification on every path, so timing tells
    neither whether an account exists nor whether it has a password."""

    def __init__(self, parameters: Argon2Parameters = Argon2Parameters()) -> None:
        self.parameters = parameters
        self._hasher = PasswordHasher(
            time_cost=parameters.time_cost,
            memory_cost=parameters.memory_kib,
            parallelism=parameters.parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(32))
        self.verifications = 0

    def hash(self, password: str) -> str:
        return self._hasher.hash(_normalise(password))

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """False for an unknown user, a user without a password, a wrong password or a
        malformed hash; each of them still costs one full verification."""
        usable = stored_hash is not None and _well_formed(stored_hash)
        target = stored_hash if usable and stored_hash is not None else self._dummy_hash
        self.verifications += 1
        try:
            matched: bool = self._hasher.verify(target, _normalise(password))
        except (VerificationError, InvalidHashError):
            matched = False
        return matched and usable

    def needs_rehash(self, stored_hash: str) -> bool:
        """True when the hash was made with other parameters (rehash it at login)."""
        return not _well_formed(stored_hash) or self._hasher.check_needs_rehash(stored_hash)


def password_problem(password: str, context: Sequence[str] = ()) -> str | None:
    """Why a new password is refused, in words safe to show (never the password)."""
    folded = _normalise(password).casefold()
    if len(folded) < MIN_LENGTH:
        return f"use at least {MIN_LENGTH} characters"
    if len(folded) > MAX_LENGTH:
        return f"use at most {MAX_LENGTH} characters"
    if folded in _common_passwords():
        return "this password is one of the most common ones"
    if any(word in folded for word in _context_words(context)):
        return "this password contains your name, email or organisation"
    return None


def _normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def _well_formed(stored_hash: str) -> bool:
    # A hash argon2 cannot parse would fail at once: verify the dummy instead.
    try:
        extract_parameters(stored_hash)
    except InvalidHashError:
        return False
    return True


def _context_words(context: Sequence[str]) -> set[str]:
    words = set()
    for entry in context:
        folded = _normalise(entry).casefold().strip()
        words |= {folded, *re.split(r"[\W_]+", folded)}
    return {word for word in words if len(word) >= _MIN_CONTEXT_WORD}


@cache
def _common_passwords() -> frozenset[str]:
    text = resources.files("security").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())
