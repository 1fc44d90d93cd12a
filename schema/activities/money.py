"""Money: exact amounts in ISO 4217 currencies, stored as integers of the minor unit.

Clients send and receive decimal strings ("1500.00"), never floats. The number of
decimals is the currency's minor unit, from ISO 4217 List One (the maintenance
agency's table, SIX Group, currency-iso.org, "Minor unit" column): 2 unless listed
below. pycountry knows the codes but not the minor units.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pycountry
import strawberry

from schema.payloads import invalid

_MINOR_UNITS = {
    0: "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF",
    3: "BHD IQD JOD KWD LYD OMR TND",
    4: "CLF UYW",
}
MINOR_UNITS = {code: digits for digits, codes in _MINOR_UNITS.items() for code in codes.split()}
# X codes that are currencies people pay with; the others are precious metals, bond
# market units, special drawing rights, test and "no currency" codes, which ISO 4217
# gives no minor unit (or which no activity is paid in).
_PAYABLE_X = frozenset({"XAF", "XCD", "XCG", "XOF", "XPF"})
# Far above any activity's budget, far below BIGINT: sums of many stay exact.
MAX_MINOR = 10**15
_DECIMAL = re.compile(r"(?P<whole>[0-9]{1,16})(?:\.(?P<fraction>[0-9]+))?")


@strawberry.type(description="An exact amount of money in an ISO 4217 currency.")
class Money:
    amount: str = strawberry.field(
        description='A decimal string with the currency\'s minor digits: "1500.00" USD, '
        '"1500" JPY, "1.500" KWD.'
    )
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD.")

    @classmethod
    def of(cls, minor: int, currency: str) -> Money:
        return cls(amount=decimal_text(minor, currency), currency=currency)


@strawberry.input(description="An amount of money: a decimal string and an ISO 4217 code.")
class MoneyInput:
    amount: str = strawberry.field(
        description='Digits with at most the currency\'s minor digits: "1500", "1500.5".'
    )
    currency: str = strawberry.field(description="ISO 4217 code, e.g. USD, JPY, KWD.")


def minor_unit(currency: str) -> int:
    return MINOR_UNITS.get(currency, 2)


def currency_code(field: str, value: str) -> str:
    """A current ISO 4217 code that an activity can be paid in."""
    code = value.strip().upper()
    known = len(code) == 3 and code.isalpha() and pycountry.currencies.get(alpha_3=code)
    if not known or (code.startswith("X") and code not in _PAYABLE_X):
        raise invalid(field, "Give an ISO 4217 currency code, e.g. USD.")
    return code


def to_minor(field: str, given: MoneyInput, *, positive: bool) -> tuple[int, str]:
    """(amount in minor units, currency) of an exact decimal: no sign, no exponent, no
    separators, and no more decimals than the currency has."""
    currency = currency_code(f"{field}.currency", given.currency)
    match = _DECIMAL.fullmatch(given.amount.strip())
    if match is None:
        raise invalid(f"{field}.amount", 'Give the amount as digits, e.g. "1500.50".')
    digits = minor_unit(currency)
    fraction = match["fraction"] or ""
    if len(fraction) > digits:
        raise invalid(f"{field}.amount", f"{currency} amounts have at most {digits} decimals.")
    minor = int(match["whole"]) * 10**digits + int(fraction.ljust(digits, "0") or 0)
    if minor > MAX_MINOR:
        raise invalid(f"{field}.amount", "The amount is too large.")
    if positive and minor == 0:
        raise invalid(f"{field}.amount", "The amount must be more than zero.")
    return minor, currency


def decimal_text(minor: int, currency: str) -> str:
    return str(Decimal(minor).scaleb(-minor_unit(currency)))
