"""Unit of measure conversion. Pure: works on any object with the attributes below, no ORM."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils import formats
from django.utils.translation import gettext as _

from .errors import UomConversionError


class UnitLike(Protocol):
    category_id: int
    ratio: Decimal  # how many reference units of its category one of this unit is
    rounding: Decimal  # the smallest quantity this unit counts, such as 1 or 0.001

    def __str__(self) -> str: ...


def convert_quantity(quantity: Decimal, from_unit: UnitLike, to_unit: UnitLike, *, rounded: bool = True) -> Decimal:
    """Express a quantity of `from_unit` in `to_unit`; units of different categories do not convert."""
    if from_unit.category_id != to_unit.category_id:
        raise UomConversionError(
            _("Cannot convert %(from)s to %(to)s: they measure different things.") % {"from": from_unit, "to": to_unit}
        )
    if from_unit is to_unit or from_unit.ratio == to_unit.ratio:
        result = Decimal(quantity)
    else:
        result = Decimal(quantity) * from_unit.ratio / to_unit.ratio
    if rounded:
        return round_quantity(result, to_unit)
    return result


def round_quantity(quantity: Decimal, unit: UnitLike) -> Decimal:
    """Round to the unit's rounding step, half up (0.5 unit becomes 1 unit)."""
    steps = (quantity / unit.rounding).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return steps * unit.rounding


def quantity_text(quantity: Decimal) -> str:
    """A quantity as a person reads it in a message: no trailing zeros, no exponent (40, not 4E+1)."""
    return formats.number_format(Decimal(f"{Decimal(quantity).normalize():f}"))


def convert_exact(quantity: Decimal, from_unit: UnitLike, to_unit: UnitLike) -> Decimal:
    """Express a quantity in another unit to the 6 places quantity columns keep, not to the unit's
    rounding step: 150 units bought by the box of 100 are 1.5 boxes, not 2."""
    return convert_quantity(quantity, from_unit, to_unit, rounded=False).quantize(Decimal("0.000001"))
