"""The audit hash chain: each entry is SHA-256(previous hash ‖ RFC 8785 canonical JSON).

Editing, deleting or reordering an entry breaks every link after it. Cutting entries
off the end leaves a shorter chain that is still intact: the signed checkpoints of the
chain head, kept outside the database, catch that.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Iterable, Mapping

import rfc8785

GENESIS = bytes(32)


def canonical(event: Mapping[str, object]) -> bytes:
    """RFC 8785 canonical JSON: one byte string per event, whatever produced it.

    Timestamps must already be ISO 8601 text (an event hashed now must hash the same
    when read back from the database); UUIDs are turned into their text form here.
    """
    return rfc8785.dumps(_plain(event))  # type: ignore[arg-type]  # checked by rfc8785


def _plain(value: object) -> object:
    if isinstance(value, datetime.date | datetime.time):
        raise TypeError("timestamps go into the audit chain as ISO 8601 text")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def entry_hash(previous: bytes, event: Mapping[str, object]) -> bytes:
    if len(previous) != len(GENESIS):
        raise ValueError("a previous hash is 32 bytes")
    return hashlib.sha256(previous + canonical(event)).digest()


def verify_chain(entries: Iterable[tuple[bytes, Mapping[str, object], bytes]]) -> int | None:
    """The 0-based index of the first broken entry, or None when the chain is intact.

    Entries are (previous hash, event, entry hash) in sequence order from GENESIS; an
    event that cannot be canonicalised is not what was hashed, so it breaks the chain.
    """
    expected_previous = GENESIS
    for index, (previous, event, stored) in enumerate(entries):
        if previous != expected_previous:
            return index
        try:
            recomputed = entry_hash(previous, event)
        except (TypeError, ValueError):
            return index
        if recomputed != stored:
            return index
        expected_previous = stored
    return None


def chain_lock_key(chain: str) -> int:
    """A stable key for `pg_advisory_xact_lock`, so appends to one chain never fork."""
    return int.from_bytes(hashlib.sha256(chain.encode("utf-8")).digest()[:8], "big", signed=True)
