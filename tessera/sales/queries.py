"""Sales analysis: revenue, cost of goods delivered and margin; open orders; backlog; on-time delivery.

Every function reads one company's records and never writes. Amounts are in the company currency,
exact Decimals; groups come back sorted by their label.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Case, DateField, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, When
from django.db.models.functions import Cast, Substr, TruncMonth

from tessera.accounting.models import InvoiceKind, InvoiceLine
from tessera.accounting.states import InvoiceState
from tessera.core.models import Company, Partner, Product, ProductType
from tessera.core.money import round_amount, round_to
from tessera.inventory.models import ValuationLayer
from tessera.inventory.queries import day_end, day_start
from tessera.inventory.states import MoveState

from .models import SaleOrder, SaleOrderLine
from .states import OrderState

ZERO = Decimal(0)
LINE_KEY = "sales.saleorderline:"
GROUPS = ("product", "customer", "salesperson", "month")


@dataclass(frozen=True)
class Scope:
    """The filters every analysis takes: a period (inclusive days) and optionally one customer, product or salesperson."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    customer: Partner | None = None
    product: Product | None = None
    salesperson: object | None = None


@dataclass(frozen=True)
class MarginRow:
    key: object  # the product's, customer's or salesperson's id (None: without one); the month's first day
    label: str
    revenue: Decimal
    cost: Decimal
    margin: Decimal
    margin_percent: Decimal | None  # None where there is no revenue


AMOUNT = DecimalField(max_digits=20, decimal_places=4)


def _invoice_seller() -> Subquery:
    """The salesperson of the (first) sales order an invoice line's invoice was made from."""
    orders = SaleOrder.invoices.through.objects.filter(invoice_id=OuterRef("invoice_id")).order_by("saleorder_id")
    return Subquery(orders.values("saleorder__salesperson_id")[:1])


REVENUE_KEYS = {
    "product": lambda: F("product_id"),
    "customer": lambda: F("invoice__partner_id"),
    "salesperson": lambda: F("seller"),
    "month": lambda: TruncMonth("invoice__date", output_field=DateField()),
}


def _revenue(company: Company, scope: Scope, group: str) -> dict:
    """Per group key: the posted customer invoice lines less the credit note lines, in the company
    currency; for foreign currencies, each invoice's amount per product × its rate, rounded."""
    lines = InvoiceLine.objects.filter(
        company=company, invoice__state=InvoiceState.POSTED,
        invoice__kind__in=[InvoiceKind.CUSTOMER_INVOICE, InvoiceKind.CUSTOMER_CREDIT_NOTE],
    )  # fmt: skip
    if scope.date_from:
        lines = lines.filter(invoice__date__gte=scope.date_from)
    if scope.date_to:
        lines = lines.filter(invoice__date__lte=scope.date_to)
    if scope.customer is not None:
        lines = lines.filter(invoice__partner=scope.customer)
    if scope.product is not None:
        lines = lines.filter(product=scope.product)
    if group == "salesperson" or scope.salesperson is not None:
        lines = lines.annotate(seller=_invoice_seller())
    if scope.salesperson is not None:
        lines = lines.filter(seller=scope.salesperson.pk)
    lines = lines.annotate(key=REVENUE_KEYS[group]())
    credit = Q(invoice__kind=InvoiceKind.CUSTOMER_CREDIT_NOTE)
    # In the company currency (rate 1, amounts already rounded to it): summed by the database.
    own = Q(invoice__currency_id=company.currency_id, invoice__exchange_rate=1)
    signed = Case(When(credit, then=-F("subtotal")), default=F("subtotal"), output_field=AMOUNT)
    revenue: dict = defaultdict(lambda: ZERO)
    for row in lines.filter(own).values("key").annotate(amount=Sum(signed)).order_by():
        revenue[row["key"]] += row["amount"]
    # In another currency: summed per invoice and product by the database, converted and rounded here.
    foreign = lines.exclude(own).values("key", "invoice_id", "product_id", "invoice__exchange_rate", "invoice__kind")
    for row in foreign.annotate(amount=Sum("subtotal")).order_by():
        amount = round_amount(row["amount"] * row["invoice__exchange_rate"], company.currency)
        revenue[row["key"]] += -amount if row["invoice__kind"] == InvoiceKind.CUSTOMER_CREDIT_NOTE else amount
    return revenue


def _line_value(field: str) -> Subquery:
    return Subquery(SaleOrderLine.objects.filter(pk=OuterRef("line_id")).values(field)[:1])


COST_KEYS = {
    "product": lambda: _line_value("product_id"),
    "customer": lambda: _line_value("order__partner_id"),
    "salesperson": lambda: _line_value("order__salesperson_id"),
    "month": lambda: TruncMonth("date", output_field=DateField()),  # the layer's day in the current time zone
}


def _costs(company: Company, scope: Scope, group: str) -> dict:
    """Per group key: the value of the valuation layers of done moves serving order lines (the line
    is named by the move's origin key), with the line's product, customer and salesperson."""
    layers = ValuationLayer.objects.filter(company=company, move__state=MoveState.DONE, move__origin_key__startswith=LINE_KEY)
    if scope.date_from:
        layers = layers.filter(date__gte=day_start(scope.date_from))
    if scope.date_to:
        layers = layers.filter(date__lte=day_end(scope.date_to))
    if scope.product is not None:
        layers = layers.filter(product=scope.product)
    order_lines = SaleOrderLine.objects.filter(company=company)
    if scope.customer is not None:
        order_lines = order_lines.filter(order__partner=scope.customer)
    if scope.salesperson is not None:
        order_lines = order_lines.filter(order__salesperson=scope.salesperson)
    layers = layers.annotate(line_id=Cast(Substr("move__origin_key", len(LINE_KEY) + 1), IntegerField()))
    layers = layers.filter(line_id__in=order_lines.values("pk")).annotate(key=COST_KEYS[group]())
    return {row["key"]: -row["value"] for row in layers.values("key").annotate(value=Sum("value")).order_by()}


def _labels(group: str, keys: set) -> dict:
    ids = {key for key in keys if key is not None}
    if group == "product":
        return {p.pk: str(p) for p in Product.objects.filter(pk__in=ids)}
    if group == "customer":
        return {p.pk: p.name for p in Partner.objects.filter(pk__in=ids)}
    if group == "salesperson":
        return {u.pk: u.get_full_name() or u.get_username() for u in get_user_model().objects.filter(pk__in=ids)}
    return {key: key.strftime("%Y-%m") for key in ids}


def sales_margin(company: Company, scope: Scope, *, group: str = "product") -> list[MarginRow]:
    """Revenue, cost of goods delivered and margin per product, customer, salesperson or month.

    - Revenue: the untaxed amounts of the lines of posted customer invoices, less those of posted
      credit notes, in the company currency (line amount × the invoice's posted exchange rate,
      rounded per line), dated by the invoice date. The salesperson is the one of the (first) sales
      order the invoice was made from; invoices typed without an order have none.
    - Cost of goods delivered: the value of the valuation layers of done stock moves serving a sales
      order line (deliveries out: the cost leaving stock; returns from the customer bring it back),
      dated by the layer's day, grouped by the line's product and its order's customer and salesperson.
    - Margin = revenue − cost; margin % = margin / revenue × 100 (2 decimals), None without revenue.

    Revenue and cost are matched by group and period, not by document: an invoice in May for goods
    delivered in April shows the revenue in May and the cost in April.
    """
    if group not in GROUPS:
        raise ValueError(group)
    revenue, cost = _revenue(company, scope, group), _costs(company, scope, group)
    keys = set(revenue) | set(cost)
    labels = _labels(group, keys)
    rows = []
    for key in keys:
        sold, spent = round_amount(revenue.get(key, ZERO), company.currency), round_amount(cost.get(key, ZERO), company.currency)
        percent = round_to((sold - spent) * 100 / sold, 2) if sold else None
        label = labels.get(key, "") if key is not None else "—"
        rows.append(MarginRow(key, label, sold, spent, sold - spent, percent))
    return sorted(rows, key=lambda row: (row.key is None, str(row.key) if group == "month" else row.label, str(row.key)))


@dataclass(frozen=True)
class OpenOrderRow:
    order_id: int
    number: str
    date_order: datetime.date
    customer_id: int
    customer: str
    salesperson_id: int | None
    amount_untaxed: Decimal
    to_deliver: Decimal  # untaxed value of the quantities not yet delivered
    to_invoice: Decimal  # untaxed value of the quantities not yet invoiced


def _net(line: SaleOrderLine, quantity: Decimal) -> Decimal:
    return quantity * line.price_unit * (1 - line.discount / 100)


def _confirmed_lines(company: Company, scope: Scope) -> list[SaleOrderLine]:
    lines = SaleOrderLine.objects.filter(company=company, order__state=OrderState.SALE).select_related(
        "order__partner", "order__currency", "product"
    )
    if scope.date_from:
        lines = lines.filter(order__date_order__gte=scope.date_from)
    if scope.date_to:
        lines = lines.filter(order__date_order__lte=scope.date_to)
    if scope.customer is not None:
        lines = lines.filter(order__partner=scope.customer)
    if scope.salesperson is not None:
        lines = lines.filter(order__salesperson=scope.salesperson)
    if scope.product is not None:
        lines = lines.filter(order__lines__product=scope.product).distinct()
    return list(lines.order_by("order__date_order", "order_id", "position", "id"))


def open_orders(company: Company, scope: Scope) -> list[OpenOrderRow]:
    """Confirmed orders not fully delivered or not fully invoiced, with the untaxed value left to
    deliver ((quantity − delivered) × unit price × (1 − discount), goods only: services count as
    delivered once the order is confirmed) and left to invoice ((quantity − invoiced) × net price), in
    the order's currency rounded to it. Orders dated in the period; with a product: orders that sell it."""
    orders: dict[int, dict] = {}
    for line in _confirmed_lines(company, scope):
        order = line.order
        entry = orders.setdefault(order.pk, {"order": order, "deliver": ZERO, "invoice": ZERO})
        entry["deliver"] += _net(line, max(line.quantity - line.qty_delivered, ZERO))
        entry["invoice"] += _net(line, max(line.quantity - line.qty_invoiced, ZERO))
    rows = []
    for entry in orders.values():
        order = entry["order"]
        deliver, invoice = round_amount(entry["deliver"], order.currency), round_amount(entry["invoice"], order.currency)
        if not deliver and not invoice:
            continue
        rows.append(OpenOrderRow(order.pk, order.number, order.date_order, order.partner_id, order.partner.name,
                                 order.salesperson_id, order.amount_untaxed, deliver, invoice))  # fmt: skip
    return rows


@dataclass(frozen=True)
class BacklogRow:
    key: int
    label: str
    quantity: Decimal  # ordered but not delivered, in the lines' units
    value: Decimal


def backlog(company: Company, scope: Scope, *, group: str = "order") -> list[BacklogRow]:
    """Value of what confirmed orders still have to deliver: (quantity − delivered) × unit price ×
    (1 − discount), untaxed, per order or per customer (group "order" or "customer"), goods lines
    only, rounded per order to its currency. Orders dated in the period."""
    if group not in ("order", "customer"):
        raise ValueError(group)
    per_order: dict[int, list] = {}
    for line in _confirmed_lines(company, scope):
        if line.product.type == ProductType.SERVICE or (scope.product is not None and line.product_id != scope.product.pk):
            continue
        left = max(line.quantity - line.qty_delivered, ZERO)
        if not left:
            continue
        entry = per_order.setdefault(line.order_id, [line.order, ZERO, ZERO])
        entry[1] += left
        entry[2] += _net(line, left)
    grouped: dict[int, list] = {}
    for order, quantity, value in per_order.values():
        key, label = (order.pk, str(order)) if group == "order" else (order.partner_id, order.partner.name)
        entry = grouped.setdefault(key, [label, ZERO, ZERO])
        entry[1] += quantity
        entry[2] += round_amount(value, order.currency)
    return sorted((BacklogRow(key, label, quantity, value) for key, (label, quantity, value) in grouped.items()),
                  key=lambda row: (row.label, row.key))  # fmt: skip


@dataclass(frozen=True)
class OnTimeRow:
    key: int
    label: str
    lines: int  # lines fully delivered in the period with a promised date
    on_time: int
    rate: Decimal  # on_time / lines × 100, 2 decimals
    average_delay: Decimal  # days late on average, early deliveries counting 0
    average_difference: Decimal  # delivered − promised on average, early deliveries negative


def on_time_delivery(company: Company, scope: Scope, *, group: str = "customer") -> list[OnTimeRow]:
    """On-time delivery per customer or product, over the order lines fully delivered in the period
    (delivered_date within it) that had a promised date: a line is on time when delivered on or before
    its promised date. The average delay counts early deliveries as 0 days; the average difference
    keeps them negative. Both in days, 2 decimals."""
    if group not in ("customer", "product"):
        raise ValueError(group)
    lines = SaleOrderLine.objects.filter(company=company, delivered_date__isnull=False, promised_date__isnull=False).exclude(
        order__state=OrderState.CANCELLED
    )
    filters = Q()
    if scope.date_from:
        filters &= Q(delivered_date__gte=scope.date_from)
    if scope.date_to:
        filters &= Q(delivered_date__lte=scope.date_to)
    if scope.customer is not None:
        filters &= Q(order__partner=scope.customer)
    if scope.product is not None:
        filters &= Q(product=scope.product)
    if scope.salesperson is not None:
        filters &= Q(order__salesperson=scope.salesperson)
    found: dict[int, list] = {}
    for line in lines.filter(filters).select_related("product", "order__partner"):
        key, label = (
            (line.order.partner_id, line.order.partner.name) if group == "customer" else (line.product_id, str(line.product))
        )
        days = (line.delivered_date - line.promised_date).days
        entry = found.setdefault(key, [label, 0, 0, 0, 0])
        entry[1] += 1
        entry[2] += days <= 0
        entry[3] += max(days, 0)
        entry[4] += days
    rows = [
        OnTimeRow(key, label, count, on_time, round_to(Decimal(on_time * 100) / count, 2), round_to(Decimal(late) / count, 2),
                  round_to(Decimal(diff) / count, 2))
        for key, (label, count, on_time, late, diff) in found.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (row.label, row.key))
