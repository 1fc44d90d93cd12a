"""Signed checkpoints of audit chain heads, kept outside the database.

A hash chain shows edits, deletions and reordering, but not a tail cut off, nor a chain
rebuilt from scratch with valid hashes by someone who can write the database. A
checkpoint, signed with a key from the key file and stored on another system, pins
what the head of a chain was when it was taken: the rebuilt chain no longer matches it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from security.audit_chain import GENESIS, canonical

__all__ = ["FORMAT", "Checkpoint", "from_json_line", "sign", "to_json_line", "verify_signature"]

# Part of what is signed, so a MAC made for anything else never passes as a checkpoint.
FORMAT = "upright-audit-checkpoint/1"
_SIGNATURE_BYTES = hashlib.sha256().digest_size
_FIELDS = {"format", "chain", "sequence", "entry_hash", "taken_at", "key_version", "signature"}


@dataclass(frozen=True)
class Checkpoint:
    """The head of one chain (`entry_hash` of entry `sequence`) at `taken_at`."""

    chain: str
    sequence: int
    entry_hash: bytes
    taken_at: str  # ISO 8601, UTC
    key_version: int
    signature: bytes

    def __post_init__(self) -> None:
        # Printable ASCII: a chain name from a file is printed, and must not drive a terminal.
        if not (isinstance(self.chain, str) and self.chain.isascii() and self.chain.isprintable()):
            raise ValueError("a checkpoint's chain is a name in printable ASCII")
        if not self.chain:
            raise ValueError("a checkpoint names its chain")
        if type(self.sequence) is not int or self.sequence < 1:
            raise ValueError("a checkpoint's sequence is a positive integer")
        if not isinstance(self.entry_hash, bytes) or len(self.entry_hash) != len(GENESIS):
            raise ValueError("a checkpoint's entry hash is 32 bytes")
        _check_utc(self.taken_at)
        if type(self.key_version) is not int or self.key_version < 1:
            raise ValueError("a checkpoint's key version is a positive integer")
        if not isinstance(self.signature, bytes) or len(self.signature) != _SIGNATURE_BYTES:
            raise ValueError("a checkpoint's signature is 32 bytes")


def _check_utc(taken_at: object) -> None:
    if not isinstance(taken_at, str):
        raise ValueError("a checkpoint's time is ISO 8601 text")
    try:
        moment = dt.datetime.fromisoformat(taken_at)
    except ValueError:
        raise ValueError("a checkpoint's time is not ISO 8601") from None
    if moment.utcoffset() != dt.timedelta(0):
        raise ValueError("a checkpoint's time is in UTC")


def _signed_content(
    chain: str, sequence: int, entry_hash: bytes, taken_at: str, key_version: int
) -> bytes:
    return canonical(
        {
            "format": FORMAT,
            "chain": chain,
            "sequence": sequence,
            "entry_hash": entry_hash.hex(),
            "taken_at": taken_at,
            "key_version": key_version,
        }
    )


def sign(
    key: bytes, key_version: int, chain: str, sequence: int, entry_hash: bytes, taken_at: str
) -> Checkpoint:
    """HMAC-SHA256 over the RFC 8785 canonical JSON of everything but the signature."""
    _check_utc(taken_at)  # before signing: never sign a time that cannot be read back
    content = _signed_content(chain, sequence, entry_hash, taken_at, key_version)
    signature = hmac.new(key, content, hashlib.sha256).digest()
    return Checkpoint(chain, sequence, entry_hash, taken_at, key_version, signature)


def verify_signature(key_for: Callable[[int], bytes], checkpoint: Checkpoint) -> bool:
    """Whether the checkpoint was signed with `key_for(checkpoint.key_version)`.

    An unknown key version is the caller's to report: `key_for`'s error propagates.
    """
    content = _signed_content(
        checkpoint.chain,
        checkpoint.sequence,
        checkpoint.entry_hash,
        checkpoint.taken_at,
        checkpoint.key_version,
    )
    expected = hmac.new(key_for(checkpoint.key_version), content, hashlib.sha256).digest()
    return hmac.compare_digest(expected, checkpoint.signature)


def to_json_line(checkpoint: Checkpoint) -> str:
    """One line of JSON (no newline): checkpoint files are appended to, a line at a time."""
    return json.dumps(
        {
            "format": FORMAT,
            "chain": checkpoint.chain,
            "sequence": checkpoint.sequence,
            "entry_hash": checkpoint.entry_hash.hex(),
            "taken_at": checkpoint.taken_at,
            "key_version": checkpoint.key_version,
            "signature": checkpoint.signature.hex(),
        },
        sort_keys=True,
        separators=(",", ":"),
    )


def from_json_line(line: str) -> Checkpoint:
    """The checkpoint on one line; ValueError when it is not one (the signature is not
    checked here: see `verify_signature`)."""
    try:
        data = json.loads(line, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError:
        data = None  # refused below, without the JSON error's copy of the line
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if set(data) != _FIELDS:
        raise ValueError(f"a checkpoint holds exactly {', '.join(sorted(_FIELDS))}")
    if data["format"] != FORMAT:
        raise ValueError(f"the checkpoint format is not {FORMAT}")
    return Checkpoint(
        chain=data["chain"],
        sequence=data["sequence"],
        entry_hash=_hex(data["entry_hash"], "entry hash"),
        taken_at=data["taken_at"],
        key_version=data["key_version"],
        signature=_hex(data["signature"], "signature"),
    )


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two values for one field: which one a reader takes would be up to the reader.
    if len({name for name, _ in pairs}) != len(pairs):
        raise ValueError("a checkpoint repeats a field")
    return dict(pairs)


def _hex(value: object, name: str) -> bytes:
    # One spelling only (bytes.fromhex would also take upper case and spaces).
    if not isinstance(value, str) or not re.fullmatch(r"(?:[0-9a-f]{2})+", value):
        raise ValueError(f"a checkpoint's {name} is lowercase hex")
    return bytes.fromhex(value)
