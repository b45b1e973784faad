"""The purchasing demo: supplier prices for every product the demo buys, and a year of orders placed,
approved, received, billed, matched and paid through the services, the ledger still sound; loaded once."""

import datetime
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal as D
from functools import partial

import pytest
from django.db import transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from tessera.accounting.demo import load_accounting_demo
from tessera.accounting.models import Invoice, InvoiceKind, JournalEntry, JournalLine
from tessera.accounting.verification import verify_ledger
from tessera.core import hooks
from tessera.core.demo import load_demo
from tessera.core.models import AuditEntry, Company, Product, ProductType, User
from tessera.core.services import system_user
from tessera.inventory.models import Move, Transfer, ValuationLayer
from tessera.inventory.services import category_valuation
from tessera.purchasing.demo import AGREEMENT_QUANTITY, AGREEMENT_SKU, MARKER, load_purchasing_demo
from tessera.purchasing.models import BillMatch, LandedCost, PaymentRun, PurchaseOrder, PurchaseOrderLine, SupplierPrice
from tessera.purchasing.queries import Scope, late_receipts, spend, supplier_performance
from tessera.purchasing.services import payment_run_file, purchase_settings
from tessera.purchasing.states import LandedCostState, PaymentRunState

# The accounting demo as on this day a year ago: its year of activity ends more than a year before today,
# so the purchasing year always runs a whole year up to today, whatever the day the tests run.
A_YEAR_AGO = timezone.localdate() - datetime.timedelta(days=365)
pytestmark = pytest.mark.django_db
MODELS = (SupplierPrice, PurchaseOrder, PurchaseOrderLine, BillMatch, Transfer, Move, Invoice, JournalEntry, AuditEntry)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker) -> Iterator[Company]:
    """The demo loaded once for the module (it takes seconds), every module's part as `manage.py demo` loads
    it but the accounting part as a year ago, and rolled back after it."""
    dated = partial(load_accounting_demo, today=A_YEAR_AGO)
    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hooks, "_demo_loaders", [dated if f is load_accounting_demo else f for f in hooks._demo_loaders])
            load_demo(io.StringIO())
        yield Company.objects.get(name="Ferrano Metaalmeubelen NV")
        transaction.set_rollback(True)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_every_product_bought_has_supplier_prices(company):
    bought = Product.objects.filter(company=company, can_be_purchased=True, active=True).exclude(type=ProductType.SERVICE)
    prices = SupplierPrice.objects.filter(company=company)
    assert bought.count() > 100
    assert set(bought.values_list("pk", flat=True)) == set(prices.values_list("product_id", flat=True))
    assert set(prices.values_list("partner__is_supplier", flat=True)) == {True}
    suppliers = Counter(dict(prices.values("product").annotate(n=Count("partner", distinct=True)).values_list("product", "n")))
    assert {1, 2} <= set(suppliers.values())  # several suppliers for some products
    for brk in prices.filter(min_quantity__gt=0):  # quantity breaks: cheaper than the supplier's plain price
        assert brk.price < prices.get(product=brk.product, partner=brk.partner, min_quantity=0, committed_quantity=None).price


def test_a_framework_agreement_called_off(company):
    [agreement] = SupplierPrice.objects.filter(company=company, committed_quantity__isnull=False)
    assert (agreement.product.sku, agreement.committed_quantity, agreement.uom.name) == (AGREEMENT_SKU, AGREEMENT_QUANTITY, "t")
    plain = SupplierPrice.objects.get(product=agreement.product, partner=agreement.partner, committed_quantity=None)
    assert agreement.price < plain.price
    called = PurchaseOrderLine.objects.filter(supplier_price=agreement).exclude(order__state="cancelled")
    assert called.count() >= 4
    assert D(0) < called.aggregate(q=Sum("quantity"))["q"] <= agreement.committed_quantity
    assert {line.price_unit for line in called} == {agreement.price}


def test_orders_in_every_state_numbered_in_date_order(company):
    orders = PurchaseOrder.objects.filter(company=company)
    assert Counter(orders.values_list("state", flat=True)).keys() == {"draft", "sent", "purchase", "cancelled"}
    confirmed = orders.filter(state="purchase")
    assert {"nothing", "partial", "full"} <= set(confirmed.values_list("receipt_status", flat=True))
    assert {"nothing", "billed"} <= set(confirmed.values_list("bill_status", flat=True))
    today = timezone.localdate()
    days = list(orders.order_by("number").values_list("date_order", flat=True))
    assert days == sorted(days) and days[0] >= today - datetime.timedelta(days=365) and days[-1] <= today
    assert orders.order_by("number").first().partner_ref == MARKER
    buyer = User.objects.get(username="buyer")
    assert set(orders.values_list("buyer", flat=True)) == {buyer.pk}
    limit = purchase_settings(company).approval_amount
    above = orders.filter(confirmed_at__isnull=False, amount_untaxed__gt=limit)
    assert above.count() >= 5
    assert set(above.values_list("approved_by", flat=True)) == {buyer.pk}
    assert set(orders.filter(amount_untaxed__lte=limit).values_list("approved_by", flat=True)) == {None}


def test_received_on_their_day_some_late_some_in_two_parts(company):
    lines = PurchaseOrderLine.objects.filter(company=company, received_date__isnull=False)
    late, on_time = (
        lines.filter(received_date__gt=F("date_planned")).count(),
        lines.filter(received_date__lte=F("date_planned")).count(),
    )
    assert 0 < late < on_time
    for line in lines.select_related("order"):
        moves = Move.objects.filter(origin_key=line.origin_key, state="done", transfer__kind="receipt")
        assert timezone.localdate(max(moves.values_list("date", flat=True))) == line.received_date, line
    in_two = [order for order in PurchaseOrder.objects.filter(company=company, state="purchase") if order.transfers.count() >= 2]
    assert len(in_two) >= 3
    assert late_receipts(company, Scope())  # an order 45 days late is still expected


def test_bills_matched_one_blocked_one_accepted_most_paid(company):
    matches = BillMatch.objects.filter(company=company).select_related("invoice")
    assert Counter(matches.values_list("state", flat=True)).keys() == {"matched", "blocked", "accepted"}
    [blocked] = matches.filter(state="blocked")
    assert (blocked.invoice.payment_state, blocked.invoice.payment_hold) == ("not_paid", blocked.reason)
    assert "billed at" in blocked.reason
    [accepted] = matches.filter(state="accepted")
    assert (accepted.invoice.payment_state, accepted.invoice.payment_hold) == ("paid", "")
    bills = Invoice.objects.filter(purchase_orders__company=company, kind=InvoiceKind.VENDOR_BILL).distinct()
    states = Counter(bills.values_list("payment_state", flat=True))
    assert states["paid"] > 3 * (bills.count() - states["paid"])
    assert Invoice.objects.filter(purchase_orders__company=company, kind=InvoiceKind.VENDOR_REFUND, state="posted").exists()
    assert set(bills.values_list("state", flat=True)) == {"posted"}


def test_the_ledger_is_sound_and_the_stock_accounts_equal_the_valuation(company):
    report = verify_ledger(company)
    assert report.problems == []
    totals: dict[str, D] = defaultdict(D)
    for layer in ValuationLayer.objects.filter(company=company).select_related("product__category"):
        totals[category_valuation(layer.product.category).valuation_account.code] += layer.value
    lines = JournalLine.objects.filter(company=company, posted=True, account__code__in=list(totals))
    balances: dict[str, D] = defaultdict(D)
    for code, debit, credit in lines.values_list("account__code", "debit", "credit"):  # summed here: SQLite adds floats
        balances[code] += debit - credit
    assert dict(balances) == dict(totals)


def test_freight_on_the_last_receipt_and_a_payment_run_ready_for_the_bank(company):
    [freight] = LandedCost.objects.filter(company=company)
    last_receipt = Transfer.objects.filter(company=company, kind="receipt", state="done", purchase_orders__isnull=False).latest(
        "date_done", "id"
    )
    assert (freight.receipt, freight.amount, freight.state) == (last_receipt, D("185.00"), LandedCostState.POSTED)
    assert sum(freight.entry.lines.values_list("debit", flat=True), D(0)) == D("185.00")
    [run] = PaymentRun.objects.filter(company=company)
    bills = [line.invoice for line in run.lines.select_related("invoice")]
    assert run.state == PaymentRunState.DRAFT and bills
    assert run.amount_total == sum((bill.amount_residual for bill in bills), D(0))
    assert all(bill.kind == InvoiceKind.VENDOR_BILL and not bill.payment_hold for bill in bills)
    assert b"<NbOfTxs>%d</NbOfTxs>" % len(bills) in payment_run_file(run)


def test_the_analysis_of_the_year(company):
    year = Scope(date_from=timezone.localdate() - datetime.timedelta(days=365))
    bills = Invoice.objects.filter(
        company=company, state="posted", kind__in=("in_invoice", "in_refund"), date__gte=year.date_from
    )
    expected = sum((-b.amount_untaxed if b.kind == "in_refund" else b.amount_untaxed for b in bills), D(0))
    assert sum((row.spend for row in spend(company, year)), D(0)) == expected
    rows = supplier_performance(company, year)
    assert sum(row.lines_received for row in rows) == PurchaseOrderLine.objects.filter(received_date__isnull=False).count()
    assert any(row.price_variance > 0 for row in rows)


def test_a_second_load_creates_nothing(company):
    before = counts()
    load_purchasing_demo(company, system_user())
    assert counts() == before
