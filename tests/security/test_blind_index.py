"""Blind indexes: normalised input, per-scope keys, deliberate truncation."""

from __future__ import annotations

import unicodedata
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.blind_index import bits_for, blind_index, index_key, normalise_email

ROOT = bytes(32)
ORG = str(uuid.UUID("1d2c3b4a-5f6e-4d7c-8b9a-0a1b2c3d4e5f"))
OTHER_ORG = str(uuid.UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f1a2b3c4d"))


@pytest.mark.parametrize(
    ("typed", "normalised"),
    [
        ("jane.doe@example.org", "jane.doe@example.org"),
        ("  Jane.Doe@Example.ORG \n", "jane.doe@example.org"),
        ("Jörg@Bücher.Example", "jörg@xn--bcher-kva.example"),
        ('"a@b"@example.org', '"a@b"@example.org'),
        ("x@mail.example.co.uk", "x@mail.example.co.uk"),
    ],
)
def test_emails_are_normalised(typed: str, normalised: str) -> None:
    assert normalise_email(typed) == normalised


def test_composed_and_decomposed_accents_normalise_alike() -> None:
    composed = unicodedata.normalize("NFC", "josé@example.org")
    decomposed = unicodedata.normalize("NFD", "josé@example.org")
    assert composed != decomposed
    assert normalise_email(composed) == normalise_email(decomposed)


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "jane",
        "@example.org",
        "jane@",
        "jane@localhost",
        "jane@exa..mple.org",
        "a@.org",
        "jane@@example.org",
        "ja ne@example.org",
        "jane@example.org.",
        "j\x00@example.org",
        "x" * 65 + "@example.org",
        "x@" + "a" * 250 + ".org",
    ],
)
def test_what_is_not_an_email_is_refused(typed: str) -> None:
    with pytest.raises(ValueError, match="not an email address"):
        normalise_email(typed)


def test_index_key_is_pinned() -> None:
    # Stored indexes depend on this derivation: changing it silently breaks every search.
    key = index_key(ROOT, 1, ("platform", "users", "email"))
    assert key.hex() == "9afe0dc1b6e487ac86b19436b4e3736c45b1c6a92f9056844c9abbacdd338bd3"
    assert blind_index(key, "jane@example.org", 256).hex() == (
        "f6f4a03fea57b1ad8c031355ac337777c059be1f69cf186a32713d8755cf7adf"
    )


def test_the_same_email_in_two_organisations_gives_unrelated_values() -> None:
    # Given one email held by two organisations
    email = normalise_email("Jane.Doe@example.org")
    one = blind_index(index_key(ROOT, 1, (ORG, "contacts", "email")), email, 256)
    two = blind_index(index_key(ROOT, 1, (OTHER_ORG, "contacts", "email")), email, 256)
    # Then the values share nothing an observer could join on.
    assert one != two
    assert sum(a == b for a, b in zip(one, two, strict=True)) < 8


@pytest.mark.parametrize(
    ("version", "scope"),
    [
        (2, (ORG, "contacts", "email")),
        (1, (ORG, "contacts", "phone")),
        (1, (ORG, "users", "email")),
        (1, (OTHER_ORG, "contacts", "email")),
    ],
)
def test_keys_differ_per_scope_and_version(version: int, scope: tuple[str, ...]) -> None:
    assert index_key(ROOT, version, scope) != index_key(ROOT, 1, (ORG, "contacts", "email"))


def test_keys_differ_per_root() -> None:
    scope = (ORG, "contacts", "email")
    assert index_key(ROOT, 1, scope) != index_key(bytes(range(32)), 1, scope)


@pytest.mark.parametrize("scope", [(), ("a/b", "c"), ("a", ""), (ORG, "contacts/email")])
def test_ambiguous_scopes_are_refused(scope: tuple[str, ...]) -> None:
    # ("a/b", "c") and ("a", "b/c") would otherwise derive the same key.
    with pytest.raises(ValueError, match="scope"):
        index_key(ROOT, 1, scope)


@pytest.mark.parametrize("bits", [8, 16, 24, 32, 128, 256])
def test_truncation_keeps_a_prefix_of_the_requested_width(bits: int) -> None:
    key = index_key(ROOT, 1, (ORG, "contacts", "email"))
    value = blind_index(key, "jane@example.org", bits)
    assert len(value) == bits // 8
    assert blind_index(key, "jane@example.org", 256).startswith(value)


@pytest.mark.parametrize("bits", [0, 4, 12, 264, -8])
def test_widths_that_are_not_whole_bytes_from_8_to_256_are_refused(bits: int) -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        blind_index(ROOT, "jane@example.org", bits)


@pytest.mark.parametrize(
    ("rows", "bits"),
    [(0, 8), (100, 8), (65_535, 8), (65_536, 16), (1_000_000, 16), (20_000_000, 24)],
)
def test_bits_follow_the_registry_size(rows: int, bits: int) -> None:
    assert bits_for(rows) == bits


@given(st.integers(min_value=0, max_value=2**40))
def test_bits_never_exceed_the_row_count(rows: int) -> None:
    bits = bits_for(rows)
    assert bits % 8 == 0
    assert bits == 8 or 2**bits <= rows
