"""Phone numbers are normalised to E.164 before they are indexed."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from security.blind_index import normalise_phone


@pytest.mark.parametrize(
    ("typed", "region", "normalised"),
    [
        ("+254712345678", None, "+254712345678"),
        ("+254 712 345678", None, "+254712345678"),
        ("+254-712-345-678", None, "+254712345678"),
        ("0712 345678", "KE", "+254712345678"),
        ("0712-345-678", "KE", "+254712345678"),
        ("(0712) 345678", "KE", "+254712345678"),
        ("0712 345678", "ke", "+254712345678"),
        ("+254 712 345678", "US", "+254712345678"),
        ("  +33 6 12 34 56 78 ", None, "+33612345678"),
        ("06 12 34 56 78", "FR", "+33612345678"),
        ("+1 (650) 253-0000", None, "+16502530000"),
        ("650 253 0000", "US", "+16502530000"),
    ],
)
def test_numbers_are_normalised_to_e164(typed: str, region: str | None, normalised: str) -> None:
    assert normalise_phone(typed, region) == normalised


def test_a_number_typed_locally_and_internationally_normalises_alike() -> None:
    # Given the same Kenyan number typed with its country code and as dialled in Kenya
    international = normalise_phone("+254 712 345678")
    local = normalise_phone("0712 345678", "KE")
    # Then both spellings give one value to index
    assert international == local


def test_the_region_decides_how_a_local_number_is_read() -> None:
    assert normalise_phone("0612345678", "FR") != normalise_phone("0612345678", "NL")


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("", None),
        ("   ", "KE"),
        ("not a number", "KE"),
        ("0712 345678", None),  # no + and no region: the country is unknown
        ("0712 345678", "ZZ"),
        ("0712 345678", "KEN"),  # alpha-3 must be converted by the caller
        ("+254 7", None),
        ("12", "KE"),
        ("+254 712 345678 901 234 567", None),
        ("+999 712 345678", None),
    ],
)
def test_what_is_not_a_phone_number_is_refused(typed: str, region: str | None) -> None:
    with pytest.raises(ValueError, match="not a phone number"):
        normalise_phone(typed, region)


@given(st.text(max_size=40))
def test_any_text_is_normalised_or_refused_with_a_value_error(text: str) -> None:
    # The caller turns ValueError into a validation error: nothing else may escape.
    outcome: str | ValueError
    try:
        outcome = normalise_phone(text, "KE")
    except ValueError as error:
        outcome = error
    if isinstance(outcome, ValueError):
        assert str(outcome) == "not a phone number"  # never echoes the input
    else:
        assert outcome.startswith("+")
        assert outcome[1:].isdigit()
        assert normalise_phone(outcome) == outcome
