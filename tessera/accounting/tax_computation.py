"""Tax computation of documents (invoices, bills, orders). Pure: no ORM.

Percentage taxes, computed on the line's base (never on another tax), price-excluded or
price-included, rounded per line or once per document. With prices that include tax, the customer
pays exactly the rounded price: per line, the tax is taken out of that price and the base is what
remains; per document, the tax is rounded once on the total and any cent of difference with the
prices is returned as `rounding`, for the caller to post to the rounding account.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from tessera.core.money import round_to

HUNDRED = Decimal(100)
ZERO = Decimal(0)


@dataclass(frozen=True)
class TaxRule:
    id: int
    rate: Decimal  # percent
    price_include: bool = False
    charged: Decimal = Decimal(1)  # the share the partner pays: 0 for VAT the buyer self-assesses


@dataclass(frozen=True)
class LineTaxes:
    base: Decimal  # rounded: the line's amount before tax
    base_unrounded: Decimal
    taxes: dict[int, Decimal]  # tax id -> amount rounded on the line
    taxes_unrounded: dict[int, Decimal]
    total: Decimal  # what the line costs the customer, tax included


@dataclass
class DocumentTaxes:
    untaxed: Decimal
    taxes: dict[int, Decimal]  # tax id -> amount
    rounding: Decimal  # to post to the rounding account so that untaxed + tax + rounding == total
    charged: dict[int, Decimal] = field(default_factory=dict)  # tax id -> share the partner pays (1 if absent)
    lines: list[LineTaxes] = field(default_factory=list)

    @property
    def tax(self) -> Decimal:
        """The tax the partner pays (self-assessed VAT is booked but not charged)."""
        return sum((amount * self.charged.get(tax_id, Decimal(1)) for tax_id, amount in self.taxes.items()), ZERO)

    @property
    def total(self) -> Decimal:
        return self.untaxed + self.tax + self.rounding


def gross_amount(price_unit: Decimal, quantity: Decimal, discount: Decimal) -> Decimal:
    """Price × quantity less the discount percentage, unrounded."""
    return price_unit * quantity * (HUNDRED - discount) / HUNDRED


def line_taxes(gross: Decimal, taxes: Sequence[TaxRule], decimals: int) -> LineTaxes:
    included = [tax for tax in taxes if tax.price_include]
    if included:
        price = round_to(gross, decimals)
        base_unrounded = price * HUNDRED / (HUNDRED + sum((tax.rate for tax in included), ZERO))
    else:
        price = None
        base_unrounded = gross
    unrounded = {tax.id: base_unrounded * tax.rate / HUNDRED for tax in taxes}
    rounded = {tax_id: round_to(amount, decimals) for tax_id, amount in unrounded.items()}
    if price is not None:
        base = price - sum((rounded[tax.id] for tax in included), ZERO)
        total = price + sum((rounded[tax.id] * tax.charged for tax in taxes if not tax.price_include), ZERO)
    else:
        base = round_to(base_unrounded, decimals)
        total = base + sum((rounded[tax.id] * tax.charged for tax in taxes), ZERO)
    return LineTaxes(base, base_unrounded, rounded, unrounded, total)


def document_taxes(lines: Sequence[tuple[Decimal, Sequence[TaxRule]]], decimals: int, *, per_line: bool) -> DocumentTaxes:
    """Totals of a document whose lines are (gross amount, taxes)."""
    computed = [line_taxes(gross, taxes, decimals) for gross, taxes in lines]
    charged = {tax.id: tax.charged for _gross, rules in lines for tax in rules}
    if per_line:
        totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in computed:
            for tax_id, amount in line.taxes.items():
                totals[tax_id] += amount
        return DocumentTaxes(sum((line.base for line in computed), ZERO), dict(totals), ZERO, charged, computed)
    unrounded: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for line in computed:
        for tax_id, amount in line.taxes_unrounded.items():
            unrounded[tax_id] += amount
    taxes = {tax_id: round_to(amount, decimals) for tax_id, amount in unrounded.items()}
    untaxed = sum((round_to(line.base_unrounded, decimals) for line in computed), ZERO)
    expected = sum((line.total for line in computed), ZERO)
    document = DocumentTaxes(untaxed, taxes, ZERO, charged, computed)
    if any(tax.price_include for _gross, line_rules in lines for tax in line_rules):
        document.rounding = expected - untaxed - document.tax
    return document
