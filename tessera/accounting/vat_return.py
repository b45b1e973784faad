"""The periodic VAT return from the grids journal lines carry. Pure: no ORM."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

ZERO = Decimal(0)
# Belgian return: XX = 54+55+56+57+61+63, YY = 59+62+64; 71 = XX − YY when positive, else 72 = YY − XX.
BE_DUE = ("54", "55", "56", "57", "61", "63")
BE_DEDUCTIBLE = ("59", "62", "64")


def grid_amounts(rows: Iterable[tuple[str, Decimal, Decimal]], signs: Mapping[str, int]) -> dict[str, Decimal]:
    """Sum (grids, debit, credit) rows into each grid: (debit − credit) × the grid's sign. A row
    counts in every grid it names (a self-assessed base is in 86 and 81)."""
    amounts: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for grids, debit, credit in rows:
        for grid in grids.split():
            amounts[grid] += (debit - credit) * signs.get(grid, 0)
    return dict(amounts)


def belgian_return(amounts: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """The grids of the Belgian periodic VAT return, with the computed totals XX, YY, 71 and 72."""
    result = dict(amounts)
    due = sum((amounts.get(grid, ZERO) for grid in BE_DUE), ZERO)
    deductible = sum((amounts.get(grid, ZERO) for grid in BE_DEDUCTIBLE), ZERO)
    result.update({"XX": due, "YY": deductible, "71": max(due - deductible, ZERO), "72": max(deductible - due, ZERO)})
    return result
