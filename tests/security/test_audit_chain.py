"""The audit hash chain: RFC 8785 canonical events, and every kind of break found."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from collections.abc import Mapping

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.audit_chain import GENESIS, canonical, chain_lock_key, entry_hash, verify_chain

Entry = tuple[bytes, Mapping[str, object], bytes]


def _chain(count: int) -> list[Entry]:
    entries: list[Entry] = []
    previous = GENESIS
    for number in range(count):
        event = {"action": "reveal", "at": f"2025-01-0{number + 1}T10:00:00Z", "n": number}
        current = entry_hash(previous, event)
        entries.append((previous, event, current))
        previous = current
    return entries


def test_keys_are_sorted_and_whitespace_removed() -> None:
    assert canonical({"b": 1, "a": {"d": [True, None], "c": "x"}}) == (
        b'{"a":{"c":"x","d":[true,null]},"b":1}'
    )


def test_rfc_8785_sorting_example() -> None:
    # RFC 8785 section 3.2.3: keys sort by UTF-16 code units, so the emoji precedes U+FB33.
    event = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonical(event) == expected.encode("utf-8")


def test_rfc_8785_serialisation_example() -> None:
    # RFC 8785 section 3.2.2: numbers in their shortest form, strings minimally escaped.
    event = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical(event) == expected.encode("utf-8")


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC),
        datetime.date(2025, 1, 1),
        [datetime.time(10, 0)],
    ],
)
def test_timestamps_must_already_be_text(value: object) -> None:
    with pytest.raises(TypeError, match="ISO 8601 text"):
        canonical({"at": value})


def test_uuids_become_their_text_form() -> None:
    organisation = uuid.UUID("1d2c3b4a-5f6e-4d7c-8b9a-0a1b2c3d4e5f")
    assert canonical({"org": organisation, "ids": (organisation,)}) == canonical(
        {"org": str(organisation), "ids": [str(organisation)]}
    )


def test_entry_hash_is_sha256_of_previous_and_canonical_event() -> None:
    event = {"b": 2, "a": 1}
    expected = hashlib.sha256(GENESIS + b'{"a":1,"b":2}').digest()
    assert entry_hash(GENESIS, event) == expected
    assert entry_hash(expected, event) != expected


def test_entry_hash_refuses_a_previous_hash_of_the_wrong_size() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        entry_hash(b"", {})


def test_an_intact_chain_verifies() -> None:
    assert verify_chain(_chain(5)) is None
    assert verify_chain([]) is None
    assert verify_chain(iter(_chain(3))) is None


def test_an_edited_event_is_found() -> None:
    # Given a chain whose third event was edited in place
    entries = _chain(5)
    previous, event, stored = entries[2]
    entries[2] = (previous, {**event, "action": "search"}, stored)
    # Then verification names that entry.
    assert verify_chain(entries) == 2


def test_a_rewritten_entry_breaks_the_next_link() -> None:
    # Given an edit whose entry hash was recomputed to hide it; then the next link breaks.
    entries = _chain(5)
    previous, event, _ = entries[2]
    edited = {**event, "action": "search"}
    entries[2] = (previous, edited, entry_hash(previous, edited))
    assert verify_chain(entries) == 3


def test_a_deleted_entry_is_found() -> None:
    entries = _chain(5)
    del entries[2]
    assert verify_chain(entries) == 2


def test_reordered_entries_are_found() -> None:
    entries = _chain(5)
    entries[1], entries[2] = entries[2], entries[1]
    assert verify_chain(entries) == 1


def test_a_chain_not_starting_at_genesis_is_found() -> None:
    assert verify_chain(_chain(5)[1:]) == 0


def test_a_forged_entry_hash_is_found() -> None:
    entries = _chain(5)
    previous, event, _ = entries[4]
    entries[4] = (previous, event, bytes(32))
    assert verify_chain(entries) == 4


def test_an_event_that_cannot_be_canonicalised_breaks_the_chain() -> None:
    entries = _chain(3)
    previous, _, stored = entries[1]
    entries[1] = (previous, {"at": datetime.date(2025, 1, 1)}, stored)
    assert verify_chain(entries) == 1


def test_cutting_the_tail_is_not_visible_in_the_chain_alone() -> None:
    # Documented limit: signed checkpoints of the chain head catch truncation.
    assert verify_chain(_chain(5)[:3]) is None


def test_chain_lock_key_is_stable_and_distinct() -> None:
    assert chain_lock_key("platform") == -3272713067283577465
    assert chain_lock_key("platform") != chain_lock_key(f"org:{uuid.UUID(int=0)}")


@given(st.text())
def test_chain_lock_key_is_a_signed_64_bit_integer(chain: str) -> None:
    assert -(2**63) <= chain_lock_key(chain) < 2**63
