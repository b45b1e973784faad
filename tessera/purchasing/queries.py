"""Purchasing analysis: spend per supplier, product category or month; the lines confirmed orders still
expect, and those late; supplier performance (on-time receipts, lead time, price variance).

Every function reads one company's records and never writes. Amounts are in the company currency (or,
where said, the order's), exact Decimals rounded to it; groups come back sorted by their label.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    Count,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Concat, TruncMonth
from django.utils import timezone

from tessera.accounting.models import InvoiceKind, InvoiceLine
from tessera.accounting.states import InvoiceState
from tessera.core.models import Company, CurrencyRate, Partner, Product, ProductCategory
from tessera.core.money import round_amount, round_to
from tessera.inventory.models import LocationUsage, Move
from tessera.inventory.states import OPEN_MOVE_STATES

from .models import BillMatchLine, PurchaseOrderLine, SupplierPrice
from .services.orders import LINE_KEY
from .states import OrderState

ZERO = Decimal(0)
SPEND_GROUPS = ("supplier", "category", "month")
AMOUNT = DecimalField(max_digits=30, decimal_places=12)
VENDOR_KINDS = (InvoiceKind.VENDOR_BILL, InvoiceKind.VENDOR_REFUND)


@dataclass(frozen=True)
class Scope:
    """The filters the analyses take: a period (inclusive days) and optionally one supplier or product."""

    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    supplier: Partner | None = None
    product: Product | None = None


def _in_period(field: str, scope: Scope) -> Q:
    found = Q()
    if scope.date_from:
        found &= Q(**{f"{field}__gte": scope.date_from})
    if scope.date_to:
        found &= Q(**{f"{field}__lte": scope.date_to})
    return found


# --- spend ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SpendRow:
    key: object  # the supplier's or category's id (None: lines without a product); the month's first day
    label: str
    billed: Decimal  # untaxed, posted vendor bills
    refunded: Decimal  # untaxed, posted vendor refunds
    spend: Decimal  # billed − refunded


SPEND_KEYS = {
    "supplier": lambda: F("invoice__partner_id"),
    "category": lambda: F("product__category_id"),
    "month": lambda: TruncMonth("invoice__date", output_field=DateField()),
}


def spend(company: Company, scope: Scope, *, group: str = "supplier") -> list[SpendRow]:
    """Spend per supplier, product category or month: the untaxed amounts of the lines of posted vendor bills,
    less those of posted vendor refunds, dated by the bill's date, in the company currency as the bills'
    journal entries carry them: each line's amount, or in another currency each line's amount × the bill's
    posted rate rounded to the company currency (the entry's currency rounding, on the bill as a whole, is
    left out). Lines typed without a product have no category. Every vendor bill counts, with or without an
    order. Sorted by label; months in order."""
    if group not in SPEND_GROUPS:
        raise ValueError(group)
    lines = InvoiceLine.objects.filter(
        _in_period("invoice__date", scope), company=company, invoice__state=InvoiceState.POSTED, invoice__kind__in=VENDOR_KINDS
    )
    if scope.supplier is not None:
        lines = lines.filter(invoice__partner=scope.supplier)
    if scope.product is not None:
        lines = lines.filter(product=scope.product)
    lines = lines.annotate(key=SPEND_KEYS[group]())
    refund = Q(invoice__kind=InvoiceKind.VENDOR_REFUND)
    own = Q(invoice__currency_id=company.currency_id)
    totals: dict = defaultdict(lambda: [ZERO, ZERO])
    # In the company currency: summed by the database.
    for row in (
        lines.filter(own)
        .values("key")
        .annotate(billed=Sum("subtotal", filter=~refund, default=ZERO), refunded=Sum("subtotal", filter=refund, default=ZERO))
        .order_by()
    ):
        totals[row["key"]][0] += row["billed"]
        totals[row["key"]][1] += row["refunded"]
    # In another currency: each line converted at its bill's rate and rounded, as the journal entry does.
    for key, kind, subtotal, rate in lines.exclude(own).values_list("key", "invoice__kind", "subtotal", "invoice__exchange_rate"):
        column = 1 if kind == InvoiceKind.VENDOR_REFUND else 0
        totals[key][column] += round_amount(subtotal * rate, company.currency)
    labels = _spend_labels(group, set(totals))
    rows = [
        SpendRow(key, labels.get(key, "—"), round_amount(billed, company.currency), round_amount(refunded, company.currency),
                 round_amount(billed - refunded, company.currency))
        for key, (billed, refunded) in totals.items()
    ]  # fmt: skip
    return sorted(rows, key=lambda row: (row.key is None, str(row.key) if group == "month" else row.label, str(row.key)))


def _spend_labels(group: str, keys: set) -> dict:
    ids = {key for key in keys if key is not None}
    if group == "supplier":
        return dict(Partner.objects.filter(pk__in=ids).values_list("pk", "name"))
    if group == "category":
        return dict(ProductCategory.objects.filter(pk__in=ids).values_list("pk", "full_name"))
    return {key: key.strftime("%Y-%m") for key in ids}


# --- what orders still expect -----------------------------------------------------------------------


@dataclass(frozen=True)
class ExpectedLine:
    """A line of a confirmed order whose goods are still expected: ordered − received, in the line's unit."""

    line_id: int
    order_id: int
    number: str
    date_order: datetime.date
    supplier_id: int
    supplier: str
    product_id: int
    product: str
    uom: str
    ordered: Decimal
    received: Decimal
    expected: Decimal
    date_planned: datetime.date
    days_late: int  # days past the expected date on the day asked; 0 when not late
    value: Decimal  # expected × unit price, untaxed, in the order's currency, rounded to it
    currency: str


def _open_receipt() -> Exists:
    """Whether an open move from the supplier (a receipt or its backorder) still brings goods for the line."""
    key = Concat(Value(LINE_KEY), Cast(OuterRef("pk"), CharField()), output_field=CharField())
    return Exists(Move.objects.filter(origin_key=key, state__in=OPEN_MOVE_STATES, source_location__usage=LocationUsage.SUPPLIER))


def expected_lines(company: Company, scope: Scope, *, as_of: datetime.date | None = None) -> list[ExpectedLine]:
    """Open purchase orders line by line: the lines of confirmed orders (in the period by order date) that
    received less than ordered and whose receipt is still open, with what is still expected and its value.
    Lines whose remainder was cancelled, or whose goods went back to the supplier, are not expected any
    more. `days_late` counts from the expected date to `as_of` (today by default). In order of expected date."""
    as_of = as_of or timezone.localdate()
    confirmed = PurchaseOrderLine.objects.filter(_in_period("order__date_order", scope), company=company,
                                                 order__state=OrderState.PURCHASE)  # fmt: skip
    lines = confirmed.filter(quantity__gt=F("qty_received")).filter(_open_receipt())
    if scope.supplier is not None:
        lines = lines.filter(order__partner=scope.supplier)
    if scope.product is not None:
        lines = lines.filter(product=scope.product)
    rows = lines.select_related("order__partner", "order__currency", "product", "uom")
    return [_expected(line, as_of) for line in rows.order_by("date_planned", "order__number", "position", "id")]


def _expected(line: PurchaseOrderLine, as_of: datetime.date) -> ExpectedLine:
    order, expected = line.order, line.quantity - line.qty_received
    return ExpectedLine(
        line.pk, order.pk, order.number, order.date_order, order.partner_id, order.partner.name, line.product_id,
        str(line.product), line.uom.name, line.quantity, line.qty_received, expected, line.date_planned,
        max((as_of - line.date_planned).days, 0), round_amount(expected * line.price_unit, order.currency), order.currency.code,
    )  # fmt: skip


def late_receipts(company: Company, scope: Scope, *, as_of: datetime.date | None = None) -> list[ExpectedLine]:
    """The expected lines whose expected date is before `as_of` (today by default), the latest first."""
    as_of = as_of or timezone.localdate()
    late = [line for line in expected_lines(company, scope, as_of=as_of) if line.date_planned < as_of]
    return sorted(late, key=lambda line: (-line.days_late, line.number, line.line_id))


# --- supplier performance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PerformanceRow:
    key: int  # the supplier's id
    label: str
    lines_received: int  # order lines fully received in the period
    on_time: int  # of which on or before their expected date
    on_time_rate: Decimal | None  # on_time / lines_received × 100, 2 decimals; None without lines
    average_lead_days: Decimal | None  # days from order date to full receipt on average, 1 decimal
    ordered_value: Decimal  # what the bills of the period billed, at the ordered prices (company currency)
    billed_value: Decimal  # the same quantities at the billed prices
    price_variance: Decimal  # billed − ordered
    price_variance_percent: Decimal | None  # variance / ordered × 100, 2 decimals; None without ordered value


def _order_rate(company: Company) -> Case:
    """Company-currency amount of one unit of the order's currency on its bill's day: 1 in the company's
    currency; the bill's posted rate for a bill in the order's currency; else the latest rate on or before it."""
    latest = CurrencyRate.objects.filter(
        company=company, currency_id=OuterRef("order_line__order__currency_id"), date__lte=OuterRef("match__invoice__date")
    ).order_by("-date")
    return Case(
        When(order_line__order__currency_id=company.currency_id, then=Value(Decimal(1))),
        When(match__invoice__currency_id=F("order_line__order__currency_id"), then=F("match__invoice__exchange_rate")),
        default=Subquery(latest.values("rate")[:1]),
        output_field=AMOUNT,
    )


def supplier_performance(company: Company, scope: Scope) -> list[PerformanceRow]:
    """Per supplier, over the period:

    - on-time rate: of the order lines fully received in the period (by the day the last of the ordered
      quantity came in), those received on or before their expected date, in % (2 decimals);
    - average lead time: received day − order date, in days on average over those lines (1 decimal);
    - price variance: of what the posted bills and refunds of the period (by bill date) billed of order lines
      (their three-way match), quantity × (billed unit price − ordered unit price), in the company currency
      (at the bill's rate), rounded per supplier; in % of the same quantities at the ordered prices.

    Lines of cancelled orders count only for what was billed. With a product: its lines only."""
    received = PurchaseOrderLine.objects.filter(
        _in_period("received_date", scope), company=company, received_date__isnull=False
    ).exclude(order__state=OrderState.CANCELLED)
    billed = BillMatchLine.objects.filter(_in_period("match__invoice__date", scope), company=company,
                                          match__invoice__state=InvoiceState.POSTED)  # fmt: skip
    if scope.supplier is not None:
        received = received.filter(order__partner=scope.supplier)
        billed = billed.filter(order_line__order__partner=scope.supplier)
    if scope.product is not None:
        received = received.filter(product=scope.product)
        billed = billed.filter(order_line__product=scope.product)
    receipts = {
        row["order__partner_id"]: row
        for row in received.values("order__partner_id").annotate(
            lines=Count("id"), on_time=Count("id", filter=Q(received_date__lte=F("date_planned"))),
            lead=Sum(F("received_date") - F("order__date_order")),
        ).order_by()
    }  # fmt: skip
    rate = _order_rate(company)
    prices = {
        row["order_line__order__partner_id"]: row
        for row in billed.values("order_line__order__partner_id").annotate(
            ordered=Sum(F("quantity") * F("order_line__price_unit") * rate, output_field=AMOUNT),
            billed=Sum(F("quantity") * F("price_unit") * rate, output_field=AMOUNT),
        ).order_by()
    }  # fmt: skip
    names = dict(Partner.objects.filter(pk__in=set(receipts) | set(prices)).values_list("pk", "name"))
    currency = company.currency
    rows = []
    for supplier in set(receipts) | set(prices):
        lines, on_time, lead = (receipts[supplier]["lines"], receipts[supplier]["on_time"],
                                receipts[supplier]["lead"]) if supplier in receipts else (0, 0, None)  # fmt: skip
        ordered = round_amount(prices[supplier]["ordered"], currency) if supplier in prices else ZERO
        paid = round_amount(prices[supplier]["billed"], currency) if supplier in prices else ZERO
        rows.append(
            PerformanceRow(
                supplier, names.get(supplier, ""), lines, on_time,
                round_to(Decimal(on_time * 100) / lines, 2) if lines else None,
                round_to(Decimal(lead.days) / lines, 1) if lines else None,
                ordered, paid, paid - ordered, round_to((paid - ordered) * 100 / ordered, 2) if ordered else None,
            )
        )  # fmt: skip
    return sorted(rows, key=lambda row: (row.label, row.key))


def with_called_off(prices: QuerySet[SupplierPrice]) -> QuerySet[SupplierPrice]:
    """Supplier prices with `called_off`: what orders not cancelled took of each framework agreement,
    in the price's unit (None for a plain price), computed in one query with the list."""
    taken = (
        PurchaseOrderLine.objects.filter(supplier_price=OuterRef("pk"))
        .exclude(order__state=OrderState.CANCELLED)
        .values("supplier_price")
        .annotate(reference=Sum(F("quantity") * F("uom__ratio")))
        .values("reference")
    )
    quantity = DecimalField(max_digits=20, decimal_places=6)
    in_reference_units = Coalesce(Subquery(taken, output_field=quantity), Value(Decimal(0)), output_field=quantity)
    return prices.annotate(
        called_off=Case(
            When(committed_quantity__isnull=True, then=Value(None, output_field=quantity)),
            default=ExpressionWrapper(in_reference_units / F("uom__ratio"), output_field=quantity),
            output_field=quantity,
        )
    )
