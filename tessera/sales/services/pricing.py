"""Which price list an order uses and the unit price it gives a line, in the order's currency."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, MissingExchangeRate
from tessera.core.models import Currency, Product, Uom
from tessera.core.queries import convert_amount
from tessera.core.uom import convert_quantity

from ..models import CustomerPricelist, Pricelist, SaleOrder
from ..pricing import PriceRule, applicable_rule, rule_price

PRICE_STEP = Decimal("0.000001")  # the precision of a stored unit price


def pricelist_for(order: SaleOrder) -> Pricelist | None:
    """The order's own price list, else its customer's, else the company's default (active ones only)."""
    if order.pricelist_id:
        return order.pricelist
    if order.partner_id:
        own = (CustomerPricelist.objects.filter(company_id=order.company_id, partner_id=order.partner_id,
                                                pricelist__active=True).select_related("pricelist").first())  # fmt: skip
        if own is not None:
            return own.pricelist
    return Pricelist.objects.filter(company_id=order.company_id, is_default=True, active=True).first()


def _categories(product: Product) -> list[int]:
    """The product's category and its parents, nearest first."""
    chain, category = [], product.category
    while category is not None and category.pk not in chain:
        chain.append(category.pk)
        category = category.parent
    return chain


def price_for(order: SaleOrder, product: Product, quantity: Decimal, uom: Uom) -> Decimal | None:
    """The unit price (per `uom`, in the order's currency) the order's price list gives, or None when
    no item applies. Refused when the price list's currency has no exchange rate on the order date."""
    pricelist = pricelist_for(order)
    if pricelist is None or quantity is None or uom.category_id != product.uom.category_id:
        return None
    per_product_unit = convert_quantity(Decimal(1), uom, product.uom, rounded=False)
    rules = [
        PriceRule(item.product_id, item.category_id, item.min_quantity, item.fixed_price, item.percent_discount,
                  item.date_start, item.date_end)
        for item in pricelist.items.all()
    ]  # fmt: skip
    rule = applicable_rule(rules, product_id=product.pk, categories=_categories(product),
                           quantity=quantity * per_product_unit, on=order.date_order)  # fmt: skip
    if rule is None:
        return None
    # A fixed price is in the price list's currency; a discount applies to the sale price, in the company's.
    currency = pricelist.currency if rule.fixed_price is not None else order.company.currency
    price = _converted(rule_price(rule, product.sale_price), currency, order, pricelist) * per_product_unit
    return price.quantize(PRICE_STEP, rounding=ROUND_HALF_UP)


def _converted(amount: Decimal, currency: Currency, order: SaleOrder, pricelist: Pricelist) -> Decimal:
    try:
        return convert_amount(amount, currency, order.currency, company=order.company, on=order.date_order, rounded=False)
    except MissingExchangeRate as exc:
        raise BusinessError(
            _("Price list %(pricelist)s cannot give prices in %(currency)s: %(reason)s Add the rate, or type the prices.")
            % {"pricelist": pricelist, "currency": order.currency.code, "reason": exc.message},
            code="missing_exchange_rate",
        ) from exc
