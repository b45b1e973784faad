"""Which price list an order uses and the unit price it gives a line, in the order's currency."""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from types import EllipsisType

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput, MissingExchangeRate
from tessera.core.models import Currency, Partner, Product, Uom, User
from tessera.core.queries import convert_amount
from tessera.core.services import record_save, require_company, require_permission
from tessera.core.transactions import operation, remembered
from tessera.core.uom import convert_quantity

from ..models import CustomerPricelist, Pricelist, SaleOrder
from ..models.pricelists import CustomerGroup
from ..pricing import PriceRule, applicable_rule, rule_price

PRICE_STEP = Decimal("0.000001")  # the precision of a stored unit price


def pricelist_for(order: SaleOrder) -> Pricelist | None:
    """The order's own price list, else its customer's own, else its customer group's, else the
    company's default (active ones only). One query for the customer, one for the default if needed."""
    if order.pricelist_id:
        return order.pricelist
    if order.partner_id:
        link = remembered(
            CustomerPricelist,
            (order.company_id, order.partner_id),
            lambda: CustomerPricelist.objects.filter(company_id=order.company_id, partner_id=order.partner_id)
            .select_related("pricelist", "group__pricelist").first(),
        )  # fmt: skip
        if link is not None:
            for candidate in (link.pricelist, link.group.pricelist if link.group else None):
                if candidate is not None and candidate.active:
                    return candidate
    return remembered(
        Pricelist,
        (order.company_id, "default"),
        lambda: Pricelist.objects.filter(company_id=order.company_id, is_default=True, active=True).first(),
    )


def _categories(product: Product) -> list[int]:
    """The product's category and its parents, nearest first."""
    chain, category = [], product.category
    while category is not None and category.pk not in chain:
        chain.append(category.pk)
        category = category.parent
    return chain


def price_for(
    order: SaleOrder, product: Product, quantity: Decimal, uom: Uom, *, pricelist: Pricelist | EllipsisType | None = ...
) -> Decimal | None:
    """The unit price (per `uom`, in the order's currency) the order's price list gives, or None when
    no item applies. Refused when the price list's currency has no exchange rate on the order date.

    `pricelist`: the list already resolved for the order (None: it has none), so that an order's lines
    do not resolve it again each; omitted, it is the order's `pricelist` if set (no query), else
    `pricelist_for(order)`. The list's items are read once and kept on the instance (prefetch cache)."""
    if pricelist is ...:
        pricelist = order.pricelist if order.pricelist_id else pricelist_for(order)
    if pricelist is None or quantity is None or uom.category_id != product.uom.category_id:
        return None
    if "items" not in getattr(pricelist, "_prefetched_objects_cache", {}):
        prefetch_related_objects([pricelist], "items")
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


def customer_group_assign(group: CustomerGroup, partners: Sequence[Partner], *, by: User) -> list[CustomerPricelist]:
    """Put customers into a customer group: their pricing record is created when they have none, and
    keeps its own price list (which still comes first) when they have one. All or nothing; audited."""
    require_permission(by, CustomerPricelist, "add")
    require_permission(by, CustomerPricelist, "change")
    require_company(by, group)
    if not partners:
        raise InvalidInput(_("Choose the customers to put in %(group)s.") % {"group": group}, field="partners")
    for partner in partners:
        if partner.company_id != group.company_id:
            raise InvalidInput(_("%(partner)s is not a partner of this company.") % {"partner": partner}, field="partners")
        if not partner.is_customer:
            raise InvalidInput(_("%(partner)s is not a customer; mark it as one first.") % {"partner": partner},
                               field="partners")  # fmt: skip
    with operation():
        links = {
            link.partner_id: link
            for link in CustomerPricelist.objects.select_for_update().filter(partner__in=[p.pk for p in partners])
        }
        saved = []
        for partner in partners:
            link = links.get(partner.pk) or CustomerPricelist(company_id=group.company_id, partner=partner)
            if link.group_id != group.pk:
                link.group = group
                link = record_save(link, by=by)
            saved.append(link)
    return saved
