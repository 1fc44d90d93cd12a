"""Secrets: prefixed so scanners spot them, 256 random bits, stored as SHA-256."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.tokens import (
    API_TOKEN_PREFIX,
    INVITATION_PREFIX,
    SESSION_PREFIX,
    digest,
    kind_of,
    new_secret,
)

PREFIXES = [SESSION_PREFIX, API_TOKEN_PREFIX, INVITATION_PREFIX]
BODY = "A" * 42 + "_"


def test_prefixes_are_the_documented_ones() -> None:
    assert PREFIXES == ["upr_s_", "upr_t_", "upr_i_"]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_new_secrets_carry_their_prefix_and_256_bits(prefix: str) -> None:
    # Given many fresh secrets of one kind
    secrets = [new_secret(prefix) for _ in range(64)]
    # Then each is the prefix and 43 base64url characters, recognised, and unique.
    assert all(secret.startswith(prefix) and len(secret) == len(prefix) + 43 for secret in secrets)
    assert {kind_of(secret) for secret in secrets} == {prefix}
    assert len(set(secrets)) == len(secrets)


def test_an_unknown_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown secret prefix"):
        new_secret("upr_x_")


def test_digest_is_sha256_of_the_whole_secret() -> None:
    # Known SHA-256 vectors (FIPS 180-2): "" and "abc".
    assert digest("").hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert digest("abc").hex() == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    secret = new_secret(SESSION_PREFIX)
    assert digest(secret) != digest(secret[len(SESSION_PREFIX) :])


@pytest.mark.parametrize(
    "text",
    [
        "",
        BODY,
        "upr_x_" + BODY,
        "UPR_S_" + BODY,
        "upr_s_" + BODY[:-1],
        "upr_s_" + BODY + "A",
        "upr_s_" + BODY[:-1] + "=",
        "upr_s_" + BODY[:-1] + "+",
        "upr_s_" + BODY[:-1] + "é",
        " upr_s_" + BODY,
        "upr_s_" + BODY + "\n",
    ],
)
def test_text_that_is_not_one_of_our_secrets_has_no_kind(text: str) -> None:
    assert kind_of(text) is None


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_well_formed_body_is_recognised(prefix: str) -> None:
    assert kind_of(prefix + BODY) == prefix


@given(st.text())
def test_kind_of_never_raises(text: str) -> None:
    assert kind_of(text) in {None, *PREFIXES}
