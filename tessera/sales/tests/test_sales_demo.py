"""The sales demo: a pipeline, and orders delivered from the inventory demo's stock and invoiced through
accounting early in the next year, the stock accounts still equal to the valuation; loaded once."""

import datetime
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone

from tessera.accounting.demo import load_accounting_demo
from tessera.accounting.models import Invoice, JournalEntry, JournalLine
from tessera.accounting.verification import verify_ledger
from tessera.core import hooks
from tessera.core.demo import load_demo
from tessera.core.models import AuditEntry, Company
from tessera.core.services import system_user
from tessera.inventory.demo import load_inventory_demo
from tessera.inventory.models import Move, Transfer, ValuationLayer
from tessera.inventory.services import category_valuation
from tessera.sales.demo import MARKER, load_sales_demo
from tessera.sales.models import Activity, Lead, LostReason, SaleOrder, SaleOrderLine

TODAY = datetime.date(2026, 3, 2)  # the accounting demo's year of activity, and so the opening day, as on any day of 2026
pytestmark = pytest.mark.django_db
LAST_TWO = ("SO/2026/00011", "SO/2026/00012")  # a down payment deducted; a return credited
MODELS = (Lead, Activity, LostReason, SaleOrder, SaleOrderLine, Transfer, Move, Invoice, JournalEntry, AuditEntry)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker) -> Iterator[Company]:
    """The demo loaded once for the module (it takes seconds), the accounting part as on TODAY, and
    rolled back after it."""

    def loaders(company: Company, by) -> None:
        load_accounting_demo(company, by, today=TODAY)
        load_inventory_demo(company, by)
        load_sales_demo(company, by)

    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hooks, "run_demo_loaders", loaders)
            load_demo(io.StringIO())
        yield Company.objects.get(name="Ferrano Metaalmeubelen NV")
        transaction.set_rollback(True)


def balance(company, code):
    """Summed here: SQLite adds NUMERIC columns as floating point."""
    lines = JournalLine.objects.filter(company=company, account__code=code, posted=True)
    return sum((line.debit - line.credit for line in lines), D(0))


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_a_pipeline_of_opportunities(company):
    leads = Lead.objects.filter(company=company)
    assert Counter(leads.values_list("kind", "state", "stage__name")) == {
        ("opportunity", "open", "New"): 3,
        ("opportunity", "open", "Qualified"): 3,
        ("opportunity", "open", "Proposition"): 2,
        ("opportunity", "won", "Won"): 2,
        ("opportunity", "lost", "Qualified"): 1,
        ("opportunity", "lost", "Proposition"): 1,
        ("lead", "open", None): 2,
    }
    opportunities = leads.filter(kind="opportunity")
    assert set(opportunities.values_list("partner__is_customer", flat=True)) == {True}
    assert set(opportunities.values_list("salesperson__username", flat=True)) == {"sales"}
    today = timezone.localdate()
    assert all(day > today for day in opportunities.filter(state="open").values_list("expected_closing", flat=True))
    assert sum(opportunities.filter(state="open").values_list("expected_revenue", flat=True), D(0)) == D(132550)
    lost = opportunities.filter(state="lost")
    assert sorted(lost.values_list("lost_reason__name", "probability")) == [("Chose a competitor", D(0)), ("Too expensive", D(0))]
    won = opportunities.filter(state="won").select_related("order")
    assert [(lead.probability, lead.order.state, lead.order.partner_id == lead.partner_id) for lead in won] == [
        (D(100), "draft", True)
    ] * 2


def test_activities_some_overdue(company):
    activities = Activity.objects.filter(company=company)
    today = timezone.localdate()
    assert activities.count() == 6
    assert activities.filter(done=True, done_on=today - datetime.timedelta(days=7)).count() == 1
    assert activities.filter(done=False, due_date__lt=today).count() == 2
    assert activities.filter(done=False, due_date__gt=today).count() == 3
    assert set(activities.values_list("lead__state", flat=True)) == {"open"}


def test_orders_by_state_delivery_and_invoice(company):
    orders = SaleOrder.objects.filter(company=company)
    assert Counter(orders.values_list("state", "delivery_status", "invoice_status")) == {
        ("sale", "full", "invoiced"): 9,  # eight, and the one with a down payment
        ("sale", "partial", "nothing"): 2,  # invoiced as delivered, the backorder waits; delivered less a return, credited
        ("sale", "nothing", "to_invoice"): 1,
        ("draft", "nothing", "nothing"): 2,  # the won opportunities' quotations
    }
    confirmed = orders.filter(state="sale").order_by("number")
    assert [order.number for order in confirmed] == [f"SO/2026/{n:05d}" for n in range(1, 13)]
    assert [order.date_order for order in confirmed] == [
        datetime.date(2026, 1, 5) + datetime.timedelta(days=4 * n) for n in range(12)
    ]
    assert confirmed.first().client_order_ref == MARKER
    assert set(confirmed.values_list("partner__is_customer", flat=True)) == {True}
    assert sum(confirmed.exclude(number__in=LAST_TWO).values_list("amount_total", flat=True), D(0)) == D("18419.62")
    partial = orders.exclude(number__in=LAST_TWO).get(delivery_status="partial")
    assert Counter(partial.transfers.values_list("state", flat=True)) == {"done": 1, "ready": 1}
    assert partial.transfers.get(state="ready").backorder_of.state == "done"
    waiting = orders.get(state="sale", delivery_status="nothing")
    assert (waiting.transfers.get().state, waiting.invoices.count()) == ("ready", 0)


def test_each_delivered_order_is_invoiced_for_its_total(company):
    delivered = SaleOrder.objects.filter(company=company, delivery_status="full").exclude(number__in=LAST_TWO)
    for order in delivered:
        [invoice] = order.invoices.all()
        [transfer] = order.transfers.all()
        assert (invoice.state, invoice.amount_total, invoice.date) == ("posted", order.amount_total, order.commitment_date)
        assert timezone.localdate(transfer.date_done) == order.commitment_date
    partial = SaleOrder.objects.exclude(number__in=LAST_TWO).get(company=company, delivery_status="partial")
    [invoice] = partial.invoices.all()
    assert (invoice.state, invoice.amount_total, partial.amount_total) == ("posted", D("1645.00"), D("2034.00"))
    assert {day.year for day in Invoice.objects.filter(sale_orders__company=company).values_list("date", flat=True)} == {2026}


def test_a_down_payment_deducted_and_a_return_credited(company):
    advanced = SaleOrder.objects.get(company=company, number="SO/2026/00011")
    down, final = advanced.invoices.order_by("id")
    assert advanced.amount_untaxed == D("1836.00")
    # 30 % in advance on the order's day; the final invoice on delivery deducts it (the advance account back to zero).
    assert (down.state, down.date, down.amount_untaxed) == ("posted", advanced.date_order, D("550.80"))
    assert (final.state, final.date, final.amount_untaxed) == ("posted", advanced.commitment_date, D("1285.20"))
    assert final.lines.get(quantity__lt=0).description == f"Down payment deducted: Down payment of 30% ({down.number})"
    assert balance(company, "460000") == D("0.00")
    returned = SaleOrder.objects.get(company=company, number="SO/2026/00012")
    invoice, credit = returned.invoices.order_by("id")
    assert (invoice.kind, invoice.state, invoice.amount_total) == ("out_invoice", "posted", D("1300.00"))
    assert (credit.kind, credit.state, credit.amount_total) == ("out_refund", "posted", D("370.00"))
    assert [(line.quantity, line.price_unit) for line in credit.lines.all()] == [(D(1), D(370))]
    first = returned.lines.order_by("position").first()
    assert (first.quantity - first.qty_delivered, first.qty_delivered) == (D(1), first.qty_invoiced)


def test_the_stock_accounts_still_equal_the_valuation(company):
    totals = defaultdict(D)
    for layer in ValuationLayer.objects.filter(company=company).select_related("product__category"):
        totals[category_valuation(layer.product.category).valuation_account.code] += layer.value
    assert {code: balance(company, code) for code in totals} == dict(totals)
    assert totals["330000"] < D("78929.60")  # the finished goods the orders delivered left the stock
    assert balance(company, "499000") == D("0.00")


def test_the_ledger_is_sound(company):
    report = verify_ledger(company)
    assert report.problems == []
    assert report.entries == JournalEntry.objects.filter(company=company).count()


def test_orders_are_confirmed_on_their_day_and_the_audit_trail_says_so(company):
    orders = SaleOrder.objects.filter(company=company, state="sale").prefetch_related("lines", "transfers")
    assert orders.count() == 12
    for order in orders:
        ten = timezone.make_aware(datetime.datetime.combine(order.date_order, datetime.time(10)))
        assert order.confirmed_at == ten, order
        assert {line.promised_date for line in order.lines.all()} == {order.commitment_date}, order
        first = min(order.transfers.all(), key=lambda transfer: transfer.pk)
        assert timezone.localdate(first.scheduled_date) == order.commitment_date, order
        [entry] = AuditEntry.objects.filter(object_id=str(order.pk), object_repr=str(order), changes__has_key="confirmed_at")
        assert entry.changes["confirmed_at"] == {"old": None, "new": ten.isoformat()}


def test_a_second_load_creates_nothing(company, monkeypatch):
    before = counts()
    load_sales_demo(company, system_user())

    def modules_up_to_sales(company: Company, by) -> None:  # the real date; modules above sales are not loaded here
        load_accounting_demo(company, by)
        load_inventory_demo(company, by)
        load_sales_demo(company, by)

    monkeypatch.setattr(hooks, "run_demo_loaders", modules_up_to_sales)
    load_demo(io.StringIO())  # as `manage.py demo` does
    assert counts() == before
