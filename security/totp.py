"""Second factor: TOTP as authenticator apps support it (SHA-1, 6 digits, 30 s), and
single-use recovery codes.

Each code is usable once: the caller stores the time step a code matched and passes it
back as `last_step`, so a code seen over a shoulder or in a proxy log cannot be replayed.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor import InvalidToken
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
STEP_SECONDS = 30
SECRET_BYTES = 20
# Crockford's base32, lower-cased: no i, l, o or u; 12 characters carry 60 bits.
RECOVERY_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_CODE = re.compile(r"[0-9]{6}")  # not \d: that would accept other scripts' digits
_CROCKFORD_READS = str.maketrans({"o": "0", "i": "1", "l": "1", "-": None, " ": None})


def new_totp_secret() -> bytes:
    return secrets.token_bytes(SECRET_BYTES)


def _totp(secret: bytes) -> TOTP:
    # SHA-1 is what authenticator apps implement; HMAC-SHA-1 remains sound for TOTP.
    return TOTP(secret, DIGITS, SHA1(), STEP_SECONDS)  # noqa: S303


def provisioning_uri(secret: bytes, account: str, issuer: str = "upright") -> str:
    """The otpauth:// URI an authenticator app reads from a QR code."""
    return _totp(secret).get_provisioning_uri(account, issuer)


def current_code(secret: bytes, now: float) -> str:
    return _totp(secret).generate(int(now)).decode("ascii")


def verify_code(secret: bytes, code: str, now: float, last_step: int | None) -> int | None:
    """The time step the code belongs to (now or one step either side, for clock drift),
    or None when it is wrong, malformed, or its step was already used."""
    if not _CODE.fullmatch(code):
        return None
    totp = _totp(secret)
    step = int(now // STEP_SECONDS)
    for candidate in (step - 1, step, step + 1):
        if candidate < 0 or (last_step is not None and candidate <= last_step):
            continue
        try:
            totp.verify(code.encode("ascii"), candidate * STEP_SECONDS)  # constant time
        except InvalidToken:
            continue
        return candidate
    return None


def new_recovery_codes(count: int = 10) -> list[str]:
    """Codes like "7k2m-q9xd-4hne": 60 random bits each, easy to read out and type."""
    codes = []
    for _ in range(count):
        text = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(12))
        codes.append(f"{text[:4]}-{text[4:8]}-{text[8:]}")
    return codes


def recovery_code_digest(code: str) -> bytes:
    """SHA-256 of the code as typed, forgiving case, hyphens, spaces, and the letters
    Crockford's base32 reads as digits (o as 0; i and l as 1)."""
    return hashlib.sha256(code.lower().translate(_CROCKFORD_READS).encode("utf-8")).digest()
