"""Argon2id hashing, one verification on every login path, and the password rules."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import argon2
import pytest

from security.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    Argon2Parameters,
    Passwords,
    password_problem,
)

GOOD = "correct mule staple 1789"
COMMON_FILE = Path(__file__).parents[2] / "security" / "common_passwords.txt"


@pytest.fixture(scope="module")
def stored() -> str:
    return Passwords().hash(GOOD)


@pytest.fixture
def passwords() -> Passwords:
    return Passwords()


@pytest.fixture
def verified_hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every hash argon2 itself is asked to verify, whatever our own counter says."""
    seen: list[str] = []
    original = argon2.PasswordHasher.verify

    def spy(self: argon2.PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        seen.append(str(hash))
        return original(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy)
    return seen


def test_hashes_are_argon2id_with_owasp_minimum_parameters(stored: str) -> None:
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_right_password_verifies_and_wrong_one_does_not(passwords: Passwords, stored: str) -> None:
    assert passwords.verify(stored, GOOD) is True
    assert passwords.verify(stored, GOOD + "!") is False
    assert passwords.verify(stored, "") is False


@pytest.mark.parametrize(
    ("case", "password"),
    [("unknown user", GOOD), ("wrong password", "wrong password 1789"), ("right", GOOD)],
)
def test_every_login_path_runs_exactly_one_full_verification(
    passwords: Passwords, stored: str, verified_hashes: list[str], case: str, password: str
) -> None:
    # Given an unknown user (no hash), a wrong password, or the right one
    target = None if case == "unknown user" else stored
    # When it is checked
    passwords.verify(target, password)
    # Then argon2 verified exactly one hash, with the same cost as a real one.
    assert passwords.verifications == 1
    assert len(verified_hashes) == 1
    assert argon2.extract_parameters(verified_hashes[0]) == argon2.extract_parameters(stored)


@pytest.mark.parametrize("malformed", ["", "not a hash", "$argon2id$v=19$m=19456,t=2,p=1$abc"])
def test_a_malformed_hash_fails_after_a_full_verification(
    passwords: Passwords, stored: str, verified_hashes: list[str], malformed: str
) -> None:
    assert passwords.verify(malformed, GOOD) is False
    assert passwords.verifications == 1
    assert argon2.extract_parameters(verified_hashes[0]) == argon2.extract_parameters(stored)


def test_the_unknown_user_path_never_succeeds(passwords: Passwords) -> None:
    # Whatever is typed, a missing hash never verifies: the dummy's password is random.
    for password in ("", GOOD, "password"):
        assert passwords.verify(None, password) is False
    assert passwords.verifications == 3


def test_stronger_parameters_ask_for_a_rehash(stored: str) -> None:
    # Given a hash made with the minimum; when the platform raises the memory cost
    stronger = Passwords(Argon2Parameters(memory_kib=2 * 19456))
    # Then the old hash still verifies, but is due for a rehash at this login.
    assert stronger.verify(stored, GOOD) is True
    assert stronger.needs_rehash(stored) is True
    assert stronger.needs_rehash(stronger.hash(GOOD)) is False
    assert Passwords().needs_rehash(stored) is False


def test_a_malformed_hash_needs_a_rehash(passwords: Passwords) -> None:
    assert passwords.needs_rehash("not a hash") is True


@pytest.mark.parametrize(
    "parameters",
    [{"memory_kib": 19455}, {"time_cost": 1}, {"parallelism": 0}],
)
def test_parameters_below_owasp_minimum_are_refused(parameters: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="OWASP"):
        Argon2Parameters(**parameters)


def test_composed_and_decomposed_passwords_verify_alike(passwords: Passwords) -> None:
    composed = unicodedata.normalize("NFC", "café crème brûlée")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert passwords.verify(passwords.hash(composed), decomposed) is True


@pytest.mark.parametrize(
    ("password", "context", "problem"),
    [
        ("a" * (MIN_LENGTH - 1), (), "at least 12 characters"),
        ("x" * (MAX_LENGTH + 1), (), "at most 1024 characters"),
        ("password1234", (), "most common"),
        ("Password1234", (), "most common"),
        ("QWERTYUIOPAS", (), "most common"),
        ("administrator", (), "most common"),
        ("jane.doe is fine 1", ("jane.doe",), "your name, email or organisation"),
        ("I love DEFENDERS!!", ("Front Line Defenders",), "your name, email or organisation"),
        ("amnestyrocks2024", ("amnesty",), "your name, email or organisation"),
    ],
)
def test_weak_passwords_are_refused_with_a_safe_message(
    password: str, context: tuple[str, ...], problem: str
) -> None:
    message = password_problem(password, context)
    assert message is not None
    assert problem in message
    assert password.lower() not in message.lower()


@pytest.mark.parametrize(
    ("password", "context"),
    [
        (GOOD, ()),
        ("kilimanjaro!", ()),  # exactly MIN_LENGTH
        ("x" * MAX_LENGTH, ()),
        ("our joint statement 2024", ("ngo", "a.b", "Joe")),  # words under 4 characters
        ("kilimanjaro at dawn", ("jane.doe@example.org", "Front Line Defenders")),
    ],
)
def test_acceptable_passwords_have_no_problem(password: str, context: tuple[str, ...]) -> None:
    assert password_problem(password, context) is None


def test_common_password_list_is_lower_case_and_long_enough_to_matter() -> None:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    assert 200 <= len(lines) <= 600
    assert len(set(lines)) == len(lines)
    assert all(line == line.lower().strip() and len(line) >= MIN_LENGTH for line in lines)
    assert {"password1234", "123456789012", "iloveyou1234", "passwordpassword"} <= set(lines)
