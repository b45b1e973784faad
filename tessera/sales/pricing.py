"""Price list arithmetic, without the database: which item applies to a product, a quantity and a day,
and the price it gives."""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class PriceRule:
    """A price list item as the computation sees it; a quantity in the product's unit."""

    product_id: int | None
    category_id: int | None
    min_quantity: Decimal
    fixed_price: Decimal | None
    percent_discount: Decimal | None
    date_start: datetime.date | None = None
    date_end: datetime.date | None = None


def _specificity(rule: PriceRule, product_id: int, categories: Sequence[int]) -> int | None:
    """Lower is more specific: the product, then its category and each parent up the tree, then all
    products; None when the rule does not concern the product."""
    if rule.product_id is not None:
        return 0 if rule.product_id == product_id else None
    if rule.category_id is not None:
        return 1 + categories.index(rule.category_id) if rule.category_id in categories else None
    return 1 + len(categories)


def applicable_rule(
    rules: Iterable[PriceRule], *, product_id: int, categories: Sequence[int], quantity: Decimal, on: datetime.date
) -> PriceRule | None:
    """The most specific rule valid on the day, and among those the one with the highest quantity
    break reached; `categories` is the product's category then its parents, nearest first."""
    best, best_key = None, None
    for rule in rules:
        level = _specificity(rule, product_id, categories)
        if level is None or rule.min_quantity > quantity:
            continue
        if (rule.date_start and on < rule.date_start) or (rule.date_end and on > rule.date_end):
            continue
        key = (level, -rule.min_quantity)
        if best_key is None or key < best_key:
            best, best_key = rule, key
    return best


def rule_price(rule: PriceRule, sale_price: Decimal) -> Decimal:
    """The unit price a rule gives, in the price list's currency, from the product's sale price."""
    if rule.fixed_price is not None:
        return rule.fixed_price
    return sale_price * (HUNDRED - rule.percent_discount) / HUNDRED
