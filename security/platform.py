"""The platform's own keys in use: its data key (user fields, TOTP secrets, invited
emails) and the blind index that finds a user by email without storing it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from security.blind_index import blind_index, index_key, normalise_email
from security.crypto import decrypt, encrypt, field_aad
from security.keyring import Keyring

# Users' email index is not truncated: a login must find exactly one account.
USER_EMAIL_INDEX_BITS = 256


@dataclass(frozen=True, slots=True)
class PlatformKeys:
    keyring: Keyring
    data_keys: Mapping[int, bytes]  # generation -> unwrapped platform data key
    generation: int  # the one new ciphertexts use

    def seal(
        self, value: str, table: str, column: str, row_id: uuid.UUID, owner: uuid.UUID | None
    ) -> bytes:
        """Encrypt a field, bound to its place: another row or column cannot open it."""
        key_id = f"platform:{self.generation}"
        aad = field_aad(table, column, row_id, owner)
        return encrypt(self.data_keys[self.generation], key_id, value.encode(), aad)

    def open(
        self, blob: bytes, table: str, column: str, row_id: uuid.UUID, owner: uuid.UUID | None
    ) -> str:
        return decrypt(self._key, blob, field_aad(table, column, row_id, owner)).decode()

    def email_index(self, email: str) -> bytes:
        """The blind index of a normalised email (raises ValueError if it is not one)."""
        version, root = self.keyring.blind_index.primary_key()
        key = index_key(root, version, ("platform", "users", "email"))
        return blind_index(key, normalise_email(email), USER_EMAIL_INDEX_BITS)

    def email_lookup(self, email: str) -> list[bytes]:
        """The index of an email under every blind-index version the key file holds:
        after a new version is promoted, accounts indexed under the old one are found."""
        normalised = normalise_email(email)
        root = self.keyring.blind_index
        return [
            blind_index(
                index_key(root.key(version), version, ("platform", "users", "email")),
                normalised,
                USER_EMAIL_INDEX_BITS,
            )
            for version in sorted(root.versions)
        ]

    def keyed_digest(self, purpose: str, value: str) -> str:
        """A keyed, one-way name for a value kept only to count things (throttling):
        without the key, a table of digests cannot be matched to emails or addresses."""
        version, root = self.keyring.blind_index.primary_key()
        key = index_key(root, version, ("platform", "digest", purpose))
        return blind_index(key, value, 160).hex()

    def _key(self, key_id: str) -> bytes:
        prefix, _, generation = key_id.partition(":")
        if prefix != "platform" or not generation.isdigit():
            raise KeyError(key_id)
        return self.data_keys[int(generation)]
