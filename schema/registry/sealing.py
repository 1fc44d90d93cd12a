"""A contact's fields under its own data key, each bound to its place (table, column,
row, owner): a ciphertext copied to another row or column does not decrypt."""

from __future__ import annotations

import uuid

import orjson

from security.crypto import decrypt, encrypt, field_aad

KEY_ID = "contact"


class ContactFields:
    def __init__(self, key: bytes, contact_id: uuid.UUID, owner: uuid.UUID) -> None:
        self._key = key
        self._contact_id = contact_id
        self._owner = owner

    def seal(self, column: str, value: str | None) -> bytes | None:
        if value is None:
            return None
        aad = field_aad("contacts", column, self._contact_id, self._owner)
        return encrypt(self._key, KEY_ID, value.encode(), aad)

    def open(self, column: str, blob: bytes | None) -> str | None:
        if blob is None:
            return None
        aad = field_aad("contacts", column, self._contact_id, self._owner)
        return decrypt(lambda _: self._key, blob, aad).decode()

    def seal_links(self, links: list[tuple[str, uuid.UUID]]) -> bytes:
        """Links to recommendations and activities live inside the ciphertext: nothing
        outside it tells which people work on what."""
        text = orjson.dumps([[kind, str(key)] for kind, key in links]).decode()
        aad = field_aad("contacts", "links", self._contact_id, self._owner)
        return encrypt(self._key, KEY_ID, text.encode(), aad)

    def open_links(self, blob: bytes | None) -> list[tuple[str, uuid.UUID]]:
        text = self.open("links", blob)
        return [(kind, uuid.UUID(key)) for kind, key in orjson.loads(text)] if text else []

    def seal_audit(self, text: str) -> bytes:
        """Free text about the contact (a purpose, a reason) for the audit: it dies with
        the data key when the contact is erased."""
        aad = field_aad("audit_events", "sealed_details", self._contact_id, self._owner)
        return encrypt(self._key, KEY_ID, text.encode(), aad)

    def open_audit(self, blob: bytes) -> str:
        aad = field_aad("audit_events", "sealed_details", self._contact_id, self._owner)
        return decrypt(lambda _: self._key, blob, aad).decode()


class Unreadable(ContactFields):
    """A contact whose data key did not unwrap: each field asked for fails on its own."""

    def __init__(self, error: Exception, contact_id: uuid.UUID, owner: uuid.UUID) -> None:
        super().__init__(b"", contact_id, owner)
        self._error = error

    def open(self, column: str, blob: bytes | None) -> str | None:
        raise self._error

    def open_links(self, blob: bytes | None) -> list[tuple[str, uuid.UUID]]:
        raise self._error
