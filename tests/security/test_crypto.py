"""AES-256-GCM blobs: bound to their place, their key id and their format byte."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.crypto import (
    DecryptionError,
    FieldCipher,
    decrypt,
    encrypt,
    field_aad,
    key_id_of,
    new_data_key,
    place_aad,
    unwrap_key,
    wrap_key,
    wrapped_version,
)
from security.keyring import Keyring, UnknownKeyVersion

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
ROW = uuid.UUID("6f1c1a52-3d4e-4b8a-9c1e-2a7d1f0b9e11")
OTHER_ROW = uuid.UUID("0b9e1f6d-7a2c-4e1b-8d3f-5c6a7b8c9d0e")
ORG = uuid.UUID("1d2c3b4a-5f6e-4d7c-8b9a-0a1b2c3d4e5f")
OTHER_ORG = uuid.UUID("9a8b7c6d-5e4f-4a3b-9c2d-1e0f1a2b3c4d")
PLAINTEXT = b"Defender Name"
PLACE = field_aad("contacts", "name", ROW, ORG)


def _keys(key_id: str) -> bytes:
    return {"org:1": KEY, "org:2": OTHER_KEY}[key_id]


def test_a_field_decrypts_at_its_place() -> None:
    blob = encrypt(KEY, "org:1", PLAINTEXT, PLACE)
    assert decrypt(_keys, blob, PLACE) == PLAINTEXT


def test_blob_layout_names_format_and_key_id() -> None:
    blob = encrypt(KEY, "org:1", PLAINTEXT, PLACE)
    assert blob[:2] == b"\x01\x05"
    assert blob[2:7] == b"org:1"
    assert len(blob) == 2 + 5 + 12 + len(PLAINTEXT) + 16
    assert key_id_of(blob) == "org:1"


def test_same_plaintext_encrypts_differently_each_time() -> None:
    assert encrypt(KEY, "org:1", PLAINTEXT, PLACE) != encrypt(KEY, "org:1", PLAINTEXT, PLACE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        field_aad("contacts", "name", OTHER_ROW, ORG),
        field_aad("contacts", "email", ROW, ORG),
        field_aad("users", "name", ROW, ORG),
        field_aad("contacts", "name", ROW, OTHER_ORG),
        field_aad("contacts", "name", ROW, None),
        b"",
    ],
    ids=["other row", "other column", "other table", "other owner", "platform", "no place"],
)
def test_a_ciphertext_moved_elsewhere_does_not_decrypt(elsewhere: bytes) -> None:
    # Given a name encrypted for one contact; when it is copied to another place
    blob = encrypt(KEY, "org:1", PLAINTEXT, PLACE)
    # Then decryption fails, and the error reveals nothing of the plaintext.
    with pytest.raises(DecryptionError, match="does not decrypt at this place") as raised:
        decrypt(_keys, blob, elsewhere)
    assert "Defender" not in str(raised.value)


def test_field_aad_is_unambiguous() -> None:
    # Values that would collide under naive joining stay distinct.
    assert field_aad("a,b", "c", ROW, ORG) != field_aad("a", "b,c", ROW, ORG)
    assert field_aad('a", "b', "c", ROW, ORG) != field_aad("a", 'b", "c', ROW, ORG)
    assert field_aad("t", "c", ROW, None) != field_aad("t", "c", ROW, ORG)


@given(
    st.tuples(st.text(), st.text(), st.uuids(), st.none() | st.uuids()),
    st.tuples(st.text(), st.text(), st.uuids(), st.none() | st.uuids()),
)
def test_distinct_places_give_distinct_aad(
    one: tuple[str, str, uuid.UUID, uuid.UUID | None],
    two: tuple[str, str, uuid.UUID, uuid.UUID | None],
) -> None:
    assert (field_aad(*one) == field_aad(*two)) == (one == two)


def test_every_single_byte_change_is_refused() -> None:
    # Given a blob; when any one byte is altered; then it never decrypts.
    blob = encrypt(KEY, "org:1", PLAINTEXT, PLACE)
    for position in range(len(blob)):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(DecryptionError):
            decrypt(_keys, bytes(altered), PLACE)


@pytest.mark.parametrize("length", [0, 1, 2, 7, 7 + 12, 7 + 12 + 15])
def test_truncated_blobs_are_refused(length: int) -> None:
    blob = encrypt(KEY, "org:1", b"", PLACE)[:length]
    with pytest.raises(DecryptionError):
        decrypt(_keys, blob, PLACE)
    with pytest.raises(DecryptionError):
        key_id_of(blob)


def test_the_key_id_is_authenticated() -> None:
    # Given two key ids for the same key; when a blob is relabelled with the other id
    def same_key(key_id: str) -> bytes:
        return KEY

    blob = encrypt(KEY, "org:1", PLAINTEXT, PLACE)
    relabelled = blob.replace(b"org:1", b"org:9", 1)
    # Then it does not decrypt although the key is right.
    with pytest.raises(DecryptionError):
        decrypt(same_key, relabelled, PLACE)


def test_a_wrong_key_is_refused() -> None:
    blob = encrypt(OTHER_KEY, "org:1", PLAINTEXT, PLACE)
    with pytest.raises(DecryptionError, match="does not decrypt at this place"):
        decrypt(_keys, blob, PLACE)


def test_an_unknown_key_id_is_a_decryption_error() -> None:
    blob = encrypt(KEY, "org:7", PLAINTEXT, PLACE)
    with pytest.raises(DecryptionError, match="unknown key id 'org:7'"):
        decrypt(_keys, blob, PLACE)


def test_a_missing_key_version_propagates() -> None:
    # A key file without the version is an operator problem, not a bad ciphertext.
    keyring = Keyring.generate(demo=False)
    blob = encrypt(KEY, "kek:3", PLAINTEXT, PLACE)
    with pytest.raises(UnknownKeyVersion):
        decrypt(lambda key_id: keyring.kek.key(int(key_id.split(":")[1])), blob, PLACE)


@pytest.mark.parametrize("key_id", ["", "x" * 65, "clé:1", "org\n1"])
def test_invalid_key_ids_are_refused(key_id: str) -> None:
    with pytest.raises(ValueError, match="key id"):
        encrypt(KEY, key_id, PLAINTEXT, PLACE)


@pytest.mark.parametrize("key", [b"", bytes(16), bytes(31), bytes(33)])
def test_only_aes_256_keys_are_accepted(key: bytes) -> None:
    with pytest.raises(ValueError, match="32-byte key"):
        encrypt(key, "org:1", PLAINTEXT, PLACE)


@given(
    st.binary(),
    st.binary(),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=64),
)
def test_round_trip_for_any_plaintext_aad_and_key_id(
    plaintext: bytes, aad: bytes, key_id: str
) -> None:
    blob = encrypt(KEY, key_id, plaintext, aad)
    assert key_id_of(blob) == key_id
    assert decrypt(lambda _key_id: KEY, blob, aad) == plaintext


def test_wrapped_key_round_trip_records_the_kek_version() -> None:
    # Given a data key wrapped under KEK version 2
    data_key = new_data_key()
    wrapped = wrap_key(OTHER_KEY, 2, data_key, f"org-key:{ORG}")
    asked: list[int] = []

    def kek_for(version: int) -> bytes:
        asked.append(version)
        return {1: KEY, 2: OTHER_KEY}[version]

    # When it is unwrapped; then version 2 is looked up and the key comes back.
    assert wrapped_version(wrapped) == 2
    assert unwrap_key(kek_for, wrapped, f"org-key:{ORG}") == data_key
    assert asked == [2]


def test_a_wrapped_key_does_not_unwrap_for_another_purpose() -> None:
    wrapped = wrap_key(KEY, 1, new_data_key(), f"org-key:{ORG}")
    for purpose in (f"org-key:{OTHER_ORG}", "platform-data-key"):
        with pytest.raises(DecryptionError):
            unwrap_key(lambda _version: KEY, wrapped, purpose)


def test_a_wrapped_key_does_not_unwrap_under_another_kek() -> None:
    wrapped = wrap_key(KEY, 1, new_data_key(), "platform-data-key")
    with pytest.raises(DecryptionError):
        unwrap_key(lambda _version: OTHER_KEY, wrapped, "platform-data-key")


def test_unwrapping_under_a_retired_kek_version_names_it() -> None:
    keyring = Keyring.generate(demo=False)
    wrapped = wrap_key(KEY, 5, new_data_key(), "platform-data-key")
    with pytest.raises(UnknownKeyVersion, match="key version 5 of kek"):
        unwrap_key(keyring.kek.key, wrapped, "platform-data-key")


def test_a_field_blob_is_not_a_wrapped_key() -> None:
    blob = encrypt(KEY, "platform:1", new_data_key(), PLACE)
    with pytest.raises(DecryptionError, match="not a wrapped key"):
        wrapped_version(blob)


@pytest.mark.parametrize(("data_key", "version"), [(bytes(16), 1), (bytes(32), 0)])
def test_wrap_key_refuses_bad_input(data_key: bytes, version: int) -> None:
    with pytest.raises(ValueError, match=r"data key|KEK version"):
        wrap_key(KEY, version, data_key, "platform-data-key")


def test_new_data_keys_are_random_32_bytes() -> None:
    keys = {new_data_key() for _ in range(16)}
    assert len(keys) == 16
    assert {len(key) for key in keys} == {32}


def test_a_field_cipher_reads_and_writes_the_same_blobs() -> None:
    # Given the cipher a row's fields are opened with, and the place as text
    cipher = FieldCipher(KEY, "org:1")
    assert place_aad("contacts", "name", str(ROW), str(ORG)) == PLACE
    # Then what either side seals, the other opens, and only at its place
    assert cipher.open(encrypt(KEY, "org:1", PLAINTEXT, PLACE), PLACE) == PLAINTEXT
    assert decrypt(_keys, cipher.seal(PLAINTEXT, PLACE), PLACE) == PLAINTEXT
    elsewhere = field_aad("contacts", "name", OTHER_ROW, ORG)
    with pytest.raises(DecryptionError):
        cipher.open(cipher.seal(PLAINTEXT, PLACE), elsewhere)
    # And a blob under another key id is refused, even when the key is the same
    with pytest.raises(DecryptionError):
        cipher.open(encrypt(KEY, "org:2", PLAINTEXT, PLACE), PLACE)
