"""Blind indexes: exact-match search over encrypted emails and phones, without plaintext.

Each (organisation, table, column, root version) gets its own key, derived with HKDF
from the blind-index root, so the same email held by two organisations gives unrelated
index values and nobody can join registries on them.

Contact indexes are truncated on purpose: with `bits` bits, a registry of N rows puts
about N / 2**bits rows behind every index value, so a value never singles a person out,
even for someone holding the index key and a guessed email. A search reads those
candidates, decrypts them and keeps the true matches (the false positives are filtered
after decryption). `bits_for` picks the width from the expected registry size. Users'
email index (login) uses the full 256 bits: it must find exactly one account, quickly.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Sequence

import phonenumbers
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"upright blind index/v1/"


_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def normalise_email(email: str) -> str:
    """One spelling per mailbox: case folded, international domains in their ASCII form."""
    local, at, domain = email.strip().rpartition("@")
    if (
        not at
        or not 0 < len(local) <= 64  # RFC 5321 limits
        or ("@" in local and not (local.startswith('"') and local.endswith('"')))
        or any(ch.isspace() or not ch.isprintable() for ch in local)
    ):
        raise ValueError("not an email address")
    try:
        ascii_domain = domain.lower().encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("not an email address") from None
    labels = ascii_domain.split(".")
    if len(labels) < 2 or len(ascii_domain) > 253 or not all(map(_HOST_LABEL.fullmatch, labels)):
        raise ValueError("not an email address")
    # NFC: the same accented local part typed on two keyboards gives one index value
    return f"{unicodedata.normalize('NFC', local).lower()}@{ascii_domain}"


def normalise_phone(phone: str, region: str | None = None) -> str:
    """One spelling per number, E.164, before indexing: "+254 712 345678" and "0712 345678"
    typed in Kenya (region "KE") index alike.

    `region` is the ISO 3166-1 alpha-2 code that numbers without a + are read in (the
    registry stores alpha-3 countries; the caller converts). An extension is dropped.
    """
    try:
        number = phonenumbers.parse(phone, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def index_key(root_key: bytes, root_version: int, scope: Sequence[str]) -> bytes:
    """The key for one scope, e.g. (str(org_id), "contacts", "email")."""
    if not scope or any(not part or "/" in part for part in scope):
        raise ValueError("scope parts are non-empty and hold no '/'")
    info = _INFO + "/".join(scope).encode("utf-8") + f"/{root_version}".encode("ascii")
    return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(root_key)


def blind_index(key: bytes, normalised_value: str, bits: int) -> bytes:
    if bits % 8 or not 8 <= bits <= 256:
        raise ValueError("bits is a multiple of 8 from 8 to 256")
    mac = hmac.new(key, normalised_value.encode("utf-8"), hashlib.sha256).digest()
    return mac[: bits // 8]


def bits_for(expected_rows: int) -> int:
    """The widest multiple of 8 with 2**bits <= expected rows (at least 8): there are no
    more index values than rows, so most rows share their value with another."""
    return max(8, 8 * ((max(expected_rows, 1).bit_length() - 1) // 8))
