"""Pseudonyms and contact ids: pairwise per viewer, keyed on a random seed, stable."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import uuid

import pytest
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from security.keyring import Keyring, KeyRoot
from security.pseudonyms import PREFIX, contact_from_token, contact_token, pseudonym

FORMAT = re.compile(r"^HRD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")
ROOT = KeyRoot("pseudonym", {1: bytes(32)}, 1)
ORG = uuid.UUID("1d2c3b4a-5f6e-4d7c-8b9a-0a1b2c3d4e5f")
OTHER_ORG = uuid.UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f1a2b3c4d")
CONTACT = uuid.UUID("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0")
SEED = bytes(range(32))
VIEWER = f"viewer:{ORG}"
OTHER_VIEWER = f"viewer:{OTHER_ORG}"

seeds = st.binary(min_size=32, max_size=32)
domains = st.text(min_size=1, max_size=80)


def test_pseudonym_is_pinned() -> None:
    # Pseudonyms are shown to partners and printed in exports: changing the derivation
    # silently renames every person in every conversation held about them.
    assert pseudonym(ROOT, VIEWER, SEED) == "HRD-NX75-BGN0"


def test_pseudonym_is_the_crockford_rendering_of_the_first_40_bits() -> None:
    # Given the documented derivation, computed independently
    info = b"upright pseudonym/v1/" + VIEWER.encode() + b"/1"
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(bytes(32))
    head = hmac.new(key, SEED, hashlib.sha256).digest()[:5]
    rfc4648 = base64.b32encode(head).decode()
    expected = rfc4648.translate(
        str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", "0123456789ABCDEFGHJKMNPQRSTVWXYZ")
    )
    # Then the pseudonym is exactly those 8 characters, grouped
    assert pseudonym(ROOT, VIEWER, SEED) == f"{PREFIX}-{expected[:4]}-{expected[4:]}"


@given(domain=domains, seed=seeds)
def test_pseudonyms_have_the_published_format_and_are_deterministic(
    domain: str, seed: bytes
) -> None:
    # When the same contact is shown twice in one domain
    first = pseudonym(ROOT, domain, seed)
    # Then it reads as HRD-XXXX-XXXX without I, L, O, U, and the same both times
    assert FORMAT.match(first)
    assert pseudonym(ROOT, domain, seed) == first


def test_two_viewing_organisations_see_unrelated_pseudonyms() -> None:
    # Given one contact seen by two organisations, and exported to one recipient
    seen = {pseudonym(ROOT, domain, SEED) for domain in (VIEWER, OTHER_VIEWER, "export:un")}
    # Then no two of them can be joined on the pseudonym
    assert len(seen) == 3


@given(seed=seeds, position=st.integers(0, 31), flip=st.integers(1, 255))
def test_seeds_differing_in_one_byte_give_different_pseudonyms(
    seed: bytes, position: int, flip: int
) -> None:
    other = bytearray(seed)
    other[position] ^= flip
    assert pseudonym(ROOT, VIEWER, bytes(other)) != pseudonym(ROOT, VIEWER, seed)


@pytest.mark.parametrize("seed", [b"", b"Jane Doe", bytes(16), bytes(33)])
def test_anything_but_a_32_byte_seed_is_refused(seed: bytes) -> None:
    # A name or a 16-byte row id passed by mistake would make the pseudonym guessable.
    with pytest.raises(ValueError, match="32 random bytes"):
        pseudonym(ROOT, VIEWER, seed)


def test_an_empty_domain_is_refused() -> None:
    with pytest.raises(ValueError, match="domain"):
        pseudonym(ROOT, "", SEED)


def test_adding_a_version_changes_no_pseudonym_and_promoting_it_changes_them() -> None:
    # Given a key file, and the same key file with a new version not yet primary
    keyring = Keyring.generate(demo=False)
    added = keyring.with_new_version("pseudonym")
    seed = secrets.token_bytes(32)
    before = pseudonym(keyring.pseudonym, VIEWER, seed)
    # Then every replica still shows the same pseudonym while the version spreads
    assert pseudonym(added.pseudonym, VIEWER, seed) == before
    # When the new version is promoted
    promoted = added.promoted("pseudonym", 2)
    # Then pseudonyms follow the new primary version
    assert pseudonym(promoted.pseudonym, VIEWER, seed) != before


def test_pseudonyms_depend_on_the_root_key() -> None:
    other_root = KeyRoot("pseudonym", {1: bytes(range(32))}, 1)
    assert pseudonym(other_root, VIEWER, SEED) != pseudonym(ROOT, VIEWER, SEED)


def test_contact_token_is_pinned() -> None:
    # Clients keep contact ids in bookmarks and caches: the derivation must not drift.
    assert contact_token(ROOT, ORG, CONTACT) == "ASSLygPUs8EaSzNCQt3YBOH2cEgYPyo6et4e5yBcJ1Od"
    assert contact_token(ROOT, None, CONTACT) == "AeqXNiq-5J-o60s7rTdssWCVdApd2eUXTu0XLSWN7URO"


@given(viewer=st.none() | st.uuids(), contact=st.uuids())
def test_tokens_round_trip_for_their_viewer(viewer: uuid.UUID | None, contact: uuid.UUID) -> None:
    # When a viewer is given a contact's id twice
    token = contact_token(ROOT, viewer, contact)
    # Then it is the same URL-safe id both times, and it leads back to the contact
    assert contact_token(ROOT, viewer, contact) == token
    assert re.fullmatch(r"[A-Za-z0-9_-]+", token)
    assert contact_from_token(ROOT, viewer, token) == contact


@pytest.mark.parametrize(
    ("viewer", "other"), [(ORG, OTHER_ORG), (ORG, None), (None, ORG), (OTHER_ORG, ORG)]
)
def test_a_token_is_meaningless_to_another_viewer(
    viewer: uuid.UUID | None, other: uuid.UUID | None
) -> None:
    # Given the id one viewer was shown
    token = contact_token(ROOT, viewer, CONTACT)
    # Then another viewer sees a different id, and cannot use the first one
    assert contact_token(ROOT, other, CONTACT) != token
    assert contact_from_token(ROOT, other, token) is None


def test_different_contacts_get_different_tokens() -> None:
    assert contact_token(ROOT, ORG, CONTACT) != contact_token(ROOT, ORG, uuid.uuid4())


@given(position=st.integers(0, 32), flip=st.integers(1, 255))
def test_tampered_tokens_are_refused(position: int, flip: int) -> None:
    # Given a token with one byte changed, the version byte included
    raw = bytearray(base64.urlsafe_b64decode(contact_token(ROOT, ORG, CONTACT)))
    raw[position] ^= flip
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()
    # Then it leads nowhere
    assert contact_from_token(ROOT, ORG, tampered) is None


GOOD = contact_token(ROOT, ORG, CONTACT)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "not a token",
        GOOD[:-1],
        GOOD[:-4],
        GOOD + "A",
        GOOD + "AAAA",
        GOOD + "=",
        GOOD + "\n",
        " " + GOOD,
        GOOD[:-1] + "é",
        "A" * 44,
        "=" * 44,
        CONTACT.hex,
        str(CONTACT),
    ],
)
def test_malformed_tokens_are_refused_without_an_error(token: str) -> None:
    assert contact_from_token(ROOT, ORG, token) is None


def test_only_the_url_safe_spelling_of_a_token_is_accepted() -> None:
    # Given a token holding "-", and the same bytes in standard base64 ("+" for "-")
    token = contact_token(ROOT, None, CONTACT)
    assert "-" in token
    standard = token.replace("-", "+").replace("_", "/")
    # Then only the spelling the viewer was given leads to the contact: one id, one string
    assert contact_from_token(ROOT, None, token) == CONTACT
    assert contact_from_token(ROOT, None, standard) is None


def test_an_unknown_version_is_refused() -> None:
    # Given a token that names key version 9, which the key file does not hold
    raw = base64.urlsafe_b64decode(GOOD)
    token = base64.urlsafe_b64encode(bytes([9]) + raw[1:]).decode()
    # Then it is refused rather than tried under another version
    assert contact_from_token(ROOT, ORG, token) is None


def test_tokens_survive_promotion_until_their_version_is_retired() -> None:
    # Given a token made under version 1, and version 2 promoted since
    keyring = Keyring.generate(demo=False)
    old = contact_token(keyring.pseudonym, ORG, CONTACT)
    added = keyring.with_new_version("pseudonym")
    assert contact_token(added.pseudonym, ORG, CONTACT) == old
    promoted = added.promoted("pseudonym", 2).pseudonym
    # Then new tokens use version 2, and the old one still leads to the contact
    new = contact_token(promoted, ORG, CONTACT)
    assert new != old
    assert base64.urlsafe_b64decode(new)[0] == 2
    assert contact_from_token(promoted, ORG, old) == CONTACT
    assert contact_from_token(promoted, ORG, new) == CONTACT
    # When version 1 is retired
    retired = KeyRoot("pseudonym", {2: promoted.key(2)}, 2)
    # Then the old token leads nowhere
    assert contact_from_token(retired, ORG, old) is None
    assert contact_from_token(retired, ORG, new) == CONTACT


def test_a_version_that_does_not_fit_in_one_byte_is_refused() -> None:
    root = KeyRoot("pseudonym", {256: bytes(32)}, 256)
    with pytest.raises(ValueError, match="one byte"):
        contact_token(root, ORG, CONTACT)
