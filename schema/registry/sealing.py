"""A contact's fields under its own data key, each bound to its place (table, column,
row, owner): a ciphertext copied to another row or column does not decrypt."""

from __future__ import annotations

import uuid

import orjson

from security.crypto import FieldCipher, place_aad

KEY_ID = "contact"


class ContactFields:
    def __init__(self, key: bytes, contact_id: uuid.UUID, owner: uuid.UUID) -> None:
        self._cipher = FieldCipher(key, KEY_ID) if key else None
        self._row = str(contact_id)
        self._owner = str(owner)

    def _aad(self, table: str, column: str) -> bytes:
        return place_aad(table, column, self._row, self._owner)

    def _sealer(self) -> FieldCipher:
        if self._cipher is None:
            raise ValueError("no data key")
        return self._cipher

    def seal(self, column: str, value: str | None) -> bytes | None:
        if value is None:
            return None
        return self._sealer().seal(value.encode(), self._aad("contacts", column))

    def open(self, column: str, blob: bytes | None) -> str | None:
        if blob is None:
            return None
        return self._sealer().open(blob, self._aad("contacts", column)).decode()

    def seal_links(self, links: list[tuple[str, uuid.UUID]]) -> bytes:
        """Links to recommendations and activities live inside the ciphertext: nothing
        outside it tells which people work on what."""
        text = orjson.dumps([[kind, str(key)] for kind, key in links])
        return self._sealer().seal(text, self._aad("contacts", "links"))

    def open_links(self, blob: bytes | None) -> list[tuple[str, uuid.UUID]]:
        text = self.open("links", blob)
        return [(kind, uuid.UUID(key)) for kind, key in orjson.loads(text)] if text else []

    def seal_audit(self, event_id: uuid.UUID, text: str) -> bytes:
        """Free text about the contact (a purpose, a reason) for the audit entry `event_id`:
        it dies with the data key when the contact is erased, and decrypts in that entry
        only (not in another entry about the same contact, nor in a share)."""
        return self._seal_at("audit_events", "sealed_details", event_id, text)

    def open_audit(self, event_id: uuid.UUID, blob: bytes) -> str:
        return self._open_at("audit_events", "sealed_details", event_id, blob)

    def seal_share_purpose(self, share_id: uuid.UUID, text: str) -> bytes:
        """The purpose stated for the share `share_id`, bound to that row of
        contact_shares."""
        return self._seal_at("contact_shares", "purpose_ciphertext", share_id, text)

    def open_share_purpose(self, share_id: uuid.UUID, blob: bytes) -> str:
        return self._open_at("contact_shares", "purpose_ciphertext", share_id, blob)

    def _seal_at(self, table: str, column: str, row: uuid.UUID, text: str) -> bytes:
        """Text about the contact held in another table's row: under the contact's key,
        bound to that table, column and row (and the owner)."""
        return self._sealer().seal(text.encode(), place_aad(table, column, str(row), self._owner))

    def _open_at(self, table: str, column: str, row: uuid.UUID, blob: bytes) -> str:
        aad = place_aad(table, column, str(row), self._owner)
        return self._sealer().open(blob, aad).decode()


class Unreadable(ContactFields):
    """A contact whose data key did not unwrap: each field asked for fails on its own."""

    def __init__(self, error: Exception, contact_id: uuid.UUID, owner: uuid.UUID) -> None:
        super().__init__(b"", contact_id, owner)
        self._error = error

    def open(self, column: str, blob: bytes | None) -> str | None:
        raise self._error

    def open_links(self, blob: bytes | None) -> list[tuple[str, uuid.UUID]]:
        raise self._error

    def _open_at(self, table: str, column: str, row: uuid.UUID, blob: bytes) -> str:
        raise self._error
