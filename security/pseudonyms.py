"""What a viewer sees instead of a person: pairwise pseudonyms and per-viewer contact ids.

Both are keyed on the pseudonym root and on the viewing domain, never on identity
fields, so two organisations (or two export recipients) shown the same person get
values they cannot join, and nobody without the key can link either back to a contact.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from security.keyring import KeyRoot

__all__ = ["PREFIX", "SEED_BYTES", "contact_from_token", "contact_token", "pseudonym"]

PREFIX = "HRD"
SEED_BYTES = 32
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_PSEUDONYM_INFO = b"upright pseudonym/v1/"
_TOKEN_INFO = b"upright contact id/v1/"
_TOKEN_AD = [b"contact-id"]
# 1 version byte + 16-byte SIV tag + 16 UUID bytes = 33 bytes: 44 base64 characters, no
# padding and no spare bits, so every accepted token has exactly one spelling.
_TOKEN = re.compile(r"[A-Za-z0-9_-]{44}")


def pseudonym(root: KeyRoot, domain: str, seed: bytes) -> str:
    """`HRD-XXXX-XXXX` for the contact with this random seed, as seen from `domain`
    (`viewer:<organisation uuid>`, `export:<recipient>`).

    40 bits (8 Crockford base32 characters): among n contacts in one domain, two share a
    pseudonym with probability about n²/2⁴¹, 0.005 % for 10,000 contacts and 0.5 % for
    100,000; collisions become likely only near the birthday bound of 2²⁰ ≈ 1M contacts
    per domain. A pseudonym is a label to tell people apart on screen and in exports;
    anything that must find a contact again uses `contact_token`.
    """
    if not domain:
        raise ValueError("a pseudonym needs a domain")
    if len(seed) != SEED_BYTES:
        # a short seed is most likely something other than the random seed, e.g. a name
        raise ValueError(f"a pseudonym seed is {SEED_BYTES} random bytes")
    version, root_key = root.primary_key()
    key = _pseudonym_key(root_key, version, domain)
    value = int.from_bytes(hmac.new(key, seed, hashlib.sha256).digest()[:5], "big")
    chars = "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{PREFIX}-{chars[:4]}-{chars[4:]}"


def contact_token(root: KeyRoot, viewer: uuid.UUID | None, contact_id: uuid.UUID) -> str:
    """The contact's id as `viewer` (an organisation, None for anonymous) sees it.

    AES-SIV is deterministic: the same viewer always gets the same token under one primary
    version, tokens of different viewers are unlinkable, and only the key reverses them.
    """
    version, root_key = root.primary_key()
    if version > 255:
        raise ValueError("a contact token holds the key version in one byte (1 to 255)")
    sealed = _token_cipher(root_key, version, viewer).encrypt(contact_id.bytes, _TOKEN_AD)
    return base64.urlsafe_b64encode(bytes([version]) + sealed).decode("ascii")


def contact_from_token(root: KeyRoot, viewer: uuid.UUID | None, token: str) -> uuid.UUID | None:
    """The contact behind a token made for `viewer`; None for anything else, never an error,
    so a forged, foreign or malformed id answers like one that does not exist."""
    if not _TOKEN.fullmatch(token):
        return None
    raw = base64.urlsafe_b64decode(token)
    version = raw[0]
    if version not in root.versions:
        return None
    try:
        plain = _token_cipher(root.key(version), version, viewer).decrypt(raw[1:], _TOKEN_AD)
    except InvalidTag:
        return None
    return uuid.UUID(bytes=plain)


# Derived keys depend only on (root key, version, domain or viewer): a page of 100
# contacts seen by one organisation derives them once, not 200 times. Bounded caches.
@functools.lru_cache(maxsize=1024)
def _pseudonym_key(root_key: bytes, version: int, domain: str) -> bytes:
    info = _PSEUDONYM_INFO + domain.encode("utf-8") + f"/{version}".encode("ascii")
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(root_key)


@functools.lru_cache(maxsize=1024)
def _token_cipher(root_key: bytes, version: int, viewer: uuid.UUID | None) -> AESSIV:
    who = "anonymous" if viewer is None else str(viewer)
    info = _TOKEN_INFO + who.encode("ascii") + f"/{version}".encode("ascii")
    return AESSIV(HKDF(algorithm=SHA256(), length=64, salt=None, info=info).derive(root_key))
