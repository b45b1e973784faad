"""Supplier prices: the best price a supplier (or any supplier) offers for a quantity on a day, and
what framework agreements have left to call off."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from tessera.core.errors import MissingExchangeRate
from tessera.core.models import Company, Partner, Product, Uom
from tessera.core.queries import exchange_rate
from tessera.core.uom import convert_exact, convert_quantity

from ..models import PurchaseOrderLine, SupplierPrice
from ..states import OrderState

ZERO = Decimal(0)


@dataclass(frozen=True)
class Offer:
    """A supplier price that applies, with its unit price per unit of the product, in the company's currency."""

    price: SupplierPrice
    unit_price: Decimal  # per product unit, company currency: what offers are compared by


def valid_prices(
    company: Company, products: Iterable[Product], on: datetime.date, partner: Partner | None = None
) -> list[SupplierPrice]:
    """The supplier prices of the products valid on a day, of active suppliers (or of one)."""
    prices = SupplierPrice.objects.filter(
        Q(date_start__isnull=True) | Q(date_start__lte=on), Q(date_end__isnull=True) | Q(date_end__gte=on),
        company=company, product__in=list(products), partner__active=True,
    ).select_related("partner", "currency", "uom", "product__uom")  # fmt: skip
    if partner is not None:
        prices = prices.filter(partner=partner)
    return list(prices)


def called_off(prices: Iterable[SupplierPrice]) -> dict[int, Decimal]:
    """How much of each framework agreement orders not cancelled have called off, in the price's unit."""
    agreements = {price.pk: price for price in prices if price.committed_quantity is not None}
    if not agreements:
        return {}
    taken = dict.fromkeys(agreements, ZERO)
    lines = PurchaseOrderLine.objects.filter(supplier_price_id__in=agreements).exclude(order__state=OrderState.CANCELLED)
    rows = list(
        lines.values("supplier_price_id", "uom_id").annotate(q=Sum("quantity")).values_list("supplier_price_id", "uom_id", "q")
    )
    units = Uom.objects.in_bulk({uom_id for _price, uom_id, _q in rows})
    for price_id, uom_id, quantity in rows:
        price = agreements[price_id]
        taken[price_id] += convert_exact(quantity, units[uom_id], price.uom)
    return taken


def best_offer(
    company: Company,
    prices: Iterable[SupplierPrice],
    product: Product,
    quantity: Decimal,
    on: datetime.date,
    *,
    taken: dict[int, Decimal],
) -> Offer | None:
    """The cheapest price of `prices` for `quantity` of the product (in its own unit) on a day: from a
    minimum quantity the quantity reaches, in an agreement with enough left; ties go to the lower
    priority number, then the shorter lead time. Prices in a currency without a rate are left out."""
    offers = []
    for price in prices:
        if price.product_id != product.pk:
            continue
        wanted = convert_quantity(quantity, product.uom, price.uom, rounded=False)
        if wanted < price.min_quantity:
            continue
        if price.committed_quantity is not None and price.committed_quantity - taken.get(price.pk, ZERO) < wanted:
            continue
        try:
            rate = exchange_rate(company, price.currency, on)
        except MissingExchangeRate:
            continue
        per_product_unit = price.price * rate * product.uom.ratio / price.uom.ratio
        offers.append((per_product_unit, price.priority, price.lead_days, price.pk, price))
    if not offers:
        return None
    best = min(offers, key=lambda offer: offer[:4])
    return Offer(best[4], best[0])


def supplier_price_for(
    company: Company, product: Product, quantity: Decimal, on: datetime.date, partner: Partner | None = None
) -> SupplierPrice | None:
    """The best supplier price for a quantity of a product (in its unit) on a day, of one supplier or of any."""
    prices = valid_prices(company, [product], on, partner)
    offer = best_offer(company, prices, product, quantity, on, taken=called_off(prices))
    return offer.price if offer else None
