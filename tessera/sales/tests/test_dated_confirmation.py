"""Confirming an order at a moment in the past (an order taken on paper, typed in later): confirmed at
that moment, in the audit trail too; the delivery scheduled and the lines promised counting from that
day; a moment in the future, without a time zone or before the order's date refused with nothing written."""

import datetime
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tessera.core.errors import InvalidInput
from tessera.core.models import AuditEntry
from tessera.inventory.models import Move, Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_save
from tessera.sales.states import OrderState

BRUSSELS = ZoneInfo("Europe/Brussels")
ORDER_DAY = datetime.date(2026, 3, 2)
CONFIRMED = datetime.datetime(2026, 3, 2, 10, 30, tzinfo=BRUSSELS)


def receive(company, warehouse, by, product, quantity, cost):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(quantity), unit_cost=D(cost))], by=by)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=by), by=by)


@pytest.fixture
def quotation(company, warehouse, seller, customer, desk, chair, assembly):
    """2 desks (1 in stock, 10 days' lead time), 5 chairs (10 in stock), an assembly; dated 2 March 2026."""
    receive(company, warehouse, seller, chair, 10, 30)
    receive(company, warehouse, seller, desk, 1, 100)
    order = SaleOrder(company=company, partner=customer, date_order=ORDER_DAY)
    lines = [OrderLineDraft(desk, D(2)), OrderLineDraft(chair, D(5)), OrderLineDraft(assembly, D(1))]
    return sale_order_save(order, lines, by=seller)


def promised(order):
    return [line.promised_date for line in order.lines.order_by("position")]


def written():
    return (AuditEntry.objects.count(), Transfer.objects.count(), Move.objects.count(),
            list(SaleOrder.objects.values_list("state", "confirmed_at")))  # fmt: skip


def test_confirmed_at_a_past_moment_dates_the_order_the_delivery_and_the_promises(quotation, seller):
    order = sale_order_confirm(quotation, by=seller, when=CONFIRMED)
    order.refresh_from_db()
    assert (order.state, order.confirmed_at) == (OrderState.SALE, CONFIRMED)
    [delivery] = order.transfers.all()
    assert delivery.scheduled_date == CONFIRMED
    assert set(delivery.moves.values_list("date", flat=True)) == {CONFIRMED}
    # The chairs are reserved: promised for that day; one desk is missing: 10 days' lead time from that day.
    assert promised(order) == [datetime.date(2026, 3, 12), datetime.date(2026, 3, 2), None]
    [entry] = AuditEntry.objects.filter(object_id=str(order.pk), object_repr=str(order), changes__has_key="confirmed_at")
    assert entry.changes == {
        "state": {"old": "draft", "new": "sale"},
        "confirmed_at": {"old": None, "new": CONFIRMED.isoformat()},
    }


def test_a_day_asked_counts_from_the_confirmation_day_too(quotation, seller):
    SaleOrder.objects.filter(pk=quotation.pk).update(commitment_date=datetime.date(2026, 3, 5))
    order = sale_order_confirm(quotation, by=seller, when=CONFIRMED)
    order.refresh_from_db()
    assert order.confirmed_at == CONFIRMED
    assert order.transfers.get().scheduled_date == datetime.datetime(2026, 3, 5, 9, tzinfo=BRUSSELS)
    assert promised(order) == [datetime.date(2026, 3, 12), datetime.date(2026, 3, 5), None]


def test_late_in_the_evening_utc_is_already_the_next_day_in_brussels(quotation, seller):
    when = datetime.datetime(2026, 3, 2, 23, 30, tzinfo=datetime.UTC)  # 00:30 on 3 March in Brussels
    order = sale_order_confirm(quotation, by=seller, when=when)
    order.refresh_from_db()
    assert order.confirmed_at == when
    assert promised(order) == [datetime.date(2026, 3, 13), datetime.date(2026, 3, 3), None]


def test_without_a_moment_it_is_now_and_today(quotation, seller):
    before = timezone.now()
    order = sale_order_confirm(quotation, by=seller)
    order.refresh_from_db()
    today = timezone.localdate()
    assert before <= order.confirmed_at <= timezone.now()
    assert promised(order) == [today + datetime.timedelta(days=10), today, None]


@pytest.mark.parametrize(
    ("when", "code", "message"),
    [
        (lambda: timezone.now() + datetime.timedelta(minutes=5), "future_date",
         "An order cannot be confirmed in the future: "),
        (lambda: datetime.datetime(2026, 3, 2, 10, 30), "naive_date", "Give the confirmation's moment with its time zone."),
        (lambda: datetime.datetime(2026, 3, 1, 23, 59, tzinfo=BRUSSELS), "before_order_date",
         "Order SO/2026/00001 is dated March 2, 2026: it cannot be confirmed before that day."),
    ],
)  # fmt: skip
def test_a_moment_in_the_future_without_a_zone_or_before_the_order_is_refused(quotation, seller, when, code, message):
    before = written()
    with pytest.raises(InvalidInput) as refused:
        sale_order_confirm(quotation, by=seller, when=when())
    assert (refused.value.code, refused.value.field) == (code, "when")
    assert str(refused.value).startswith(message)
    assert written() == before
    quotation.refresh_from_db()
    assert (quotation.state, quotation.confirmed_at, quotation.transfers.count()) == (OrderState.DRAFT, None, 0)
