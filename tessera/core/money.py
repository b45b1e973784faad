"""Money arithmetic: Decimal only, rounded to the currency's minor unit with ROUND_HALF_UP."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol


class HasMinorUnit(Protocol):
    minor_unit: int


def quantum(decimals: int) -> Decimal:
    return Decimal(1).scaleb(-decimals)


def round_to(value: Decimal, decimals: int) -> Decimal:
    """Round half up to a number of decimals (never the builtin round(), which rounds half even)."""
    return value.quantize(quantum(decimals), rounding=ROUND_HALF_UP)


def round_amount(amount: Decimal, currency: HasMinorUnit) -> Decimal:
    """Round an amount where it becomes final (invoice lines, taxes, entries)."""
    if not isinstance(amount, Decimal):
        raise TypeError(f"amounts are Decimal, not {type(amount).__name__}")
    return round_to(amount, currency.minor_unit)
