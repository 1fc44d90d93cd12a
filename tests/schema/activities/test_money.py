"""Money: exact decimal strings to integer minor units, by the ISO 4217 minor unit."""

from __future__ import annotations

import pytest

from schema.activities.money import MoneyInput, decimal_text, minor_unit, to_minor
from schema.payloads import Rejected


@pytest.mark.parametrize(
    ("amount", "currency", "minor", "shown"),
    [
        ("1500", "USD", 150_000, "1500.00"),
        ("1500.5", "usd", 150_050, "1500.50"),
        ("0.01", "EUR", 1, "0.01"),
        ("1500", "JPY", 1500, "1500"),
        ("250000", "UGX", 250_000, "250000"),
        ("1000", "XOF", 1000, "1000"),
        ("12.5", "KWD", 12_500, "12.500"),
        ("3.125", "BHD", 3125, "3.125"),
        ("0.0001", "CLF", 1, "0.0001"),
        (" 007 ", "KRW", 7, "7"),
    ],
)
def test_amounts_convert_exactly_by_the_minor_unit(
    amount: str, currency: str, minor: int, shown: str
) -> None:
    # Given an amount as a decimal string; when converted, then shown again
    converted = to_minor("budget", MoneyInput(amount=amount, currency=currency), positive=True)
    # Then it is exact in minor units, and shown with the currency's decimals
    assert converted == (minor, currency.strip().upper())
    assert decimal_text(minor, converted[1]) == shown


@pytest.mark.parametrize(
    ("amount", "currency", "field"),
    [
        ("1.5", "JPY", "budget.amount"),  # no minor unit
        ("1.2345", "KWD", "budget.amount"),  # three decimals
        ("1.005", "USD", "budget.amount"),
        ("-5", "USD", "budget.amount"),
        ("1e3", "USD", "budget.amount"),
        ("1,000", "USD", "budget.amount"),
        ("1.", "USD", "budget.amount"),
        (".5", "USD", "budget.amount"),
        ("NaN", "USD", "budget.amount"),
        ("", "USD", "budget.amount"),
        ("0", "USD", "budget.amount"),  # a pledge is more than nothing
        ("99999999999999", "USD", "budget.amount"),  # beyond any budget
        ("100", "ABC", "budget.currency"),
        ("100", "XAU", "budget.currency"),  # gold: no minor unit
        ("100", "XTS", "budget.currency"),  # the testing code
        ("100", "US", "budget.currency"),
    ],
)
def test_inexact_or_unknown_amounts_are_refused(amount: str, currency: str, field: str) -> None:
    with pytest.raises(Rejected) as refused:
        to_minor("budget", MoneyInput(amount=amount, currency=currency), positive=True)
    assert [error.field for error in refused.value.errors] == [field]


def test_a_budget_may_be_zero() -> None:
    assert to_minor("budget", MoneyInput(amount="0", currency="USD"), positive=False) == (0, "USD")


def test_minor_units_default_to_two() -> None:
    assert [minor_unit(code) for code in ("USD", "KES", "JPY", "TND", "UYW")] == [2, 2, 0, 3, 4]
