"""AES-256-GCM for fields and for wrapped keys, each ciphertext bound to its place.

A blob is `0x01 ‖ len(key id) ‖ key id ‖ nonce ‖ ciphertext+tag`. The format byte and
key id are authenticated with the caller's associated data, so neither can be swapped.
Nonces are random (96 bits): safe for far more than the messages any one key sees here
(one data key per contact; the platform key encrypts a few fields per user).
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

FORMAT = b"\x01"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MAX_KEY_ID = 64
_FAILED = "ciphertext does not decrypt at this place"
_WRAPPED_KEY_ID = re.compile(r"kek:([1-9][0-9]{0,17})")


class DecryptionError(Exception):
    """A blob that cannot be decrypted here; the message never holds plaintext or keys."""


def field_aad(table: str, column: str, row_id: uuid.UUID, owner: uuid.UUID | None) -> bytes:
    """Names the place a field lives, so a ciphertext moved elsewhere fails to decrypt."""
    return place_aad(table, column, str(row_id), "platform" if owner is None else str(owner))


def place_aad(table: str, column: str, row: str, owner: str) -> bytes:
    """`field_aad` from the row's and owner's text, for callers that open many fields of
    one row."""
    return orjson.dumps(["upright field/v1", table, column, row, owner])


class FieldCipher:
    """One key's cipher, built once for the several fields of a row it opens."""

    def __init__(self, key: bytes, key_id: str) -> None:
        self._aead = _aead(key)
        self._header = _header(key_id)

    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return self._header + nonce + self._aead.encrypt(nonce, plaintext, self._header + aad)

    def open(self, blob: bytes, aad: bytes) -> bytes:
        header, _key_id, nonce, body = _parse(blob)
        if header != self._header:
            raise DecryptionError(_FAILED)
        try:
            return self._aead.decrypt(nonce, body, header + aad)
        except InvalidTag:
            raise DecryptionError(_FAILED) from None


def encrypt(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
    header = _header(key_id)
    nonce = secrets.token_bytes(NONCE_BYTES)
    return header + nonce + _aead(key).encrypt(nonce, plaintext, header + aad)


def key_id_of(blob: bytes) -> str:
    return _parse(blob)[1]


def decrypt(key_for: Callable[[str], bytes], blob: bytes, aad: bytes) -> bytes:
    """Decrypts with the key the blob names; `key_for` raising UnknownKeyVersion propagates
    (the key file lacks a version: an operator problem, not a bad ciphertext)."""
    header, key_id, nonce, body = _parse(blob)
    try:
        key = key_for(key_id)
    except KeyError:
        raise DecryptionError(f"unknown key id {key_id!r}") from None
    try:
        return _aead(key).decrypt(nonce, body, header + aad)
    except InvalidTag:
        raise DecryptionError(_FAILED) from None


def new_data_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def wrap_key(kek: bytes, kek_version: int, data_key: bytes, purpose: str) -> bytes:
    """Envelope encryption: the purpose (e.g. "org-key:<uuid>") binds the key to its owner."""
    if len(data_key) != KEY_BYTES:
        raise ValueError("a data key is 32 bytes")
    if type(kek_version) is not int or kek_version < 1:
        raise ValueError("a KEK version is a positive integer")
    return encrypt(kek, f"kek:{kek_version}", data_key, _wrap_aad(purpose))


def unwrap_key(kek_for: Callable[[int], bytes], wrapped: bytes, purpose: str) -> bytes:
    version = wrapped_version(wrapped)
    data_key = decrypt(lambda _key_id: kek_for(version), wrapped, _wrap_aad(purpose))
    if len(data_key) != KEY_BYTES:
        raise DecryptionError(_FAILED)
    return data_key


def wrapped_version(wrapped: bytes) -> int:
    """The KEK version a wrapped key was written under: what re-wrapping looks for."""
    match = _WRAPPED_KEY_ID.fullmatch(key_id_of(wrapped))
    if match is None:
        raise DecryptionError("not a wrapped key")
    return int(match.group(1))


def _wrap_aad(purpose: str) -> bytes:
    return orjson.dumps(["upright wrapped key/v1", purpose])


def _aead(key: bytes) -> AESGCM:
    if len(key) != KEY_BYTES:
        raise ValueError("AES-256-GCM needs a 32-byte key")
    return AESGCM(key)


def _valid_key_id(key_id: str) -> bool:
    return 0 < len(key_id) <= MAX_KEY_ID and key_id.isascii() and key_id.isprintable()


def _header(key_id: str) -> bytes:
    if not _valid_key_id(key_id):
        raise ValueError("a key id is 1 to 64 printable ASCII characters")
    return FORMAT + bytes([len(key_id)]) + key_id.encode("ascii")


def _parse(blob: bytes) -> tuple[bytes, str, bytes, bytes]:
    """Splits a blob into header, key id, nonce and body, refusing anything malformed."""
    if len(blob) < 2 or blob[:1] != FORMAT:
        raise DecryptionError(_FAILED)
    end = 2 + blob[1]
    key_id = blob[2:end].decode("ascii", errors="replace")
    if not _valid_key_id(key_id) or len(blob) < end + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(_FAILED)
    return blob[:end], key_id, blob[end : end + NONCE_BYTES], blob[end + NONCE_BYTES :]
