"""TOTP with injected time: RFC 6238 vectors, drift window, replay, recovery codes."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from security.totp import (
    RECOVERY_ALPHABET,
    current_code,
    new_recovery_codes,
    new_totp_secret,
    provisioning_uri,
    recovery_code_digest,
    verify_code,
)

# RFC 6238 appendix B, SHA-1 seed; the 6-digit code is the 8-digit one mod 10**6.
RFC_SECRET = b"12345678901234567890"
RFC_VECTORS = [
    (59, "94287082"),
    (1111111109, "07081804"),
    (1111111111, "14050471"),
    (1234567890, "89005924"),
    (2000000000, "69279037"),
    (20000000000, "65353130"),
]
NOW = 1_700_000_015.0  # inside step 56_666_667
STEP = 56_666_667


@pytest.mark.parametrize(("now", "eight_digits"), RFC_VECTORS)
def test_codes_match_rfc_6238(now: int, eight_digits: str) -> None:
    assert current_code(RFC_SECRET, now) == eight_digits[-6:]
    assert verify_code(RFC_SECRET, eight_digits[-6:], now, None) == now // 30


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_one_step_of_clock_drift_either_way_is_accepted(offset: int) -> None:
    # Given the code of a neighbouring step; when checked now; then it matches that step.
    code = current_code(RFC_SECRET, NOW + 30 * offset)
    assert verify_code(RFC_SECRET, code, NOW, None) == STEP + offset


@pytest.mark.parametrize("offset", [-3, -2, 2, 3])
def test_codes_further_away_are_refused(offset: int) -> None:
    code = current_code(RFC_SECRET, NOW + 30 * offset)
    assert verify_code(RFC_SECRET, code, NOW, None) is None


def test_a_code_is_usable_once() -> None:
    # Given a code that just signed a user in
    code = current_code(RFC_SECRET, NOW)
    step = verify_code(RFC_SECRET, code, NOW, None)
    assert step == STEP
    # When it is replayed, even 20 seconds later; then it is refused
    assert verify_code(RFC_SECRET, code, NOW, step) is None
    assert verify_code(RFC_SECRET, code, NOW + 20, step) is None
    # But the next step's code still works.
    assert verify_code(RFC_SECRET, current_code(RFC_SECRET, NOW + 30), NOW + 30, step) == STEP + 1


def test_an_earlier_code_is_refused_after_a_later_one() -> None:
    # Given a code of the current step was used; then the previous step's code is stale.
    earlier = current_code(RFC_SECRET, NOW - 30)
    assert verify_code(RFC_SECRET, earlier, NOW, STEP) is None
    assert verify_code(RFC_SECRET, earlier, NOW, STEP - 2) == STEP - 1


def test_a_wrong_code_or_secret_is_refused() -> None:
    code = current_code(RFC_SECRET, NOW)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert verify_code(RFC_SECRET, wrong, NOW, None) is None
    assert verify_code(new_totp_secret(), code, NOW, None) is None


@pytest.mark.parametrize(
    "code", ["", "28708", "2870820", "28708a", " 287082", "287082 ", "２８７０８２", "-28708"]
)
def test_malformed_codes_are_refused(code: str) -> None:
    assert verify_code(RFC_SECRET, code, 59, None) is None


def test_the_first_step_has_no_earlier_neighbour() -> None:
    assert verify_code(RFC_SECRET, current_code(RFC_SECRET, 0), 5, None) == 0


def test_provisioning_uri_describes_what_apps_support() -> None:
    uri = urlsplit(provisioning_uri(RFC_SECRET, "jane@example.org"))
    query = parse_qs(uri.query)
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp")
    assert "upright" in uri.path
    assert "jane" in uri.path
    assert query["secret"] == [base64.b32encode(RFC_SECRET).decode()]
    assert query["issuer"] == ["upright"]
    assert query["digits"] == ["6"]
    assert query["algorithm"] == ["SHA1"]
    assert query["period"] == ["30"]


def test_totp_secrets_are_random_160_bits() -> None:
    secrets = {new_totp_secret() for _ in range(16)}
    assert len(secrets) == 16
    assert {len(secret) for secret in secrets} == {20}


def test_recovery_codes_are_readable_and_carry_60_bits() -> None:
    codes = new_recovery_codes()
    pattern = re.compile(f"[{RECOVERY_ALPHABET}]{{4}}(-[{RECOVERY_ALPHABET}]{{4}}){{2}}")
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(pattern.fullmatch(code) for code in codes)
    assert len(set(RECOVERY_ALPHABET)) ** 12 >= 2**60
    assert not set("ilou") & set(RECOVERY_ALPHABET)
    assert len(new_recovery_codes(3)) == 3


def test_recovery_code_digest_forgives_how_a_code_is_typed() -> None:
    # Given one code typed in several ways; then every spelling has the same digest
    spellings = [
        "7k2m-q9xd-4hn0",
        "7K2M-Q9XD-4HN0",
        "7k2m q9xd 4hn0",
        "7k2mq9xd4hn0",
        "7k2m-q9xd-4hno",
    ]
    assert len({recovery_code_digest(spelling) for spelling in spellings}) == 1
    # But another code has another digest.
    assert recovery_code_digest("7k2m-q9xd-4hn1") != recovery_code_digest(spellings[0])
    assert recovery_code_digest("7k2m-q9xd-4hnl") == recovery_code_digest("7k2m-q9xd-4hn1")
