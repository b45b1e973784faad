"""Goods recorded after they moved: a validation, a count or a scrap dated in the past dates its
moves, layers and stock entry that day; never in the future, never on or before the lock date."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import AccountingSettings, JournalEntry
from tessera.core.errors import BusinessError, InvalidInput
from tessera.inventory.models import Scrap, ValuationLayer
from tessera.inventory.services import count_create, count_record, count_start, count_validate, scrap_validate, transfer_validate
from tessera.inventory.services.adjustments import Counted

from .stockbook import deliver, on_hand, receive, reserved, row_counts

LAST_MONTH = timezone.now() - datetime.timedelta(days=31)


def test_a_delivery_recorded_later_is_dated_when_it_left(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 4)
    result = transfer_validate(delivery, by=keeper, when=LAST_MONTH)
    move = result.moves_done[0]
    move.refresh_from_db()
    layer = ValuationLayer.objects.get(move=move)
    entry = JournalEntry.objects.get(pk=layer.entry_id)
    assert (move.date, layer.date, entry.date) == (LAST_MONTH, LAST_MONTH, timezone.localdate(LAST_MONTH))
    assert result.transfer.date_done == LAST_MONTH
    assert on_hand(chair, stock) == D(6)


def test_a_count_and_a_scrap_recorded_later(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    count = count_create(stock, by=keeper)
    count_start(count, by=keeper)
    count_record(count, [Counted(chair, D(9))], by=keeper)
    [adjustment] = count_validate(count, by=keeper, when=LAST_MONTH)
    scrap = scrap_validate(Scrap(company=company, product=chair, quantity=D(1), uom=chair.uom, location=stock, reason="Broken"),
                           by=keeper, when=LAST_MONTH)  # fmt: skip
    assert (adjustment.date, scrap.date, scrap.move.date) == (LAST_MONTH, LAST_MONTH, LAST_MONTH)
    assert on_hand(chair, stock) == D(8)


def test_goods_cannot_move_in_the_future(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 4)
    before = row_counts()
    with pytest.raises(InvalidInput, match="in the future") as error:
        transfer_validate(delivery, by=keeper, when=timezone.now() + datetime.timedelta(hours=1))
    assert error.value.code == "future_date"
    assert row_counts() == before
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(10), D(4))


def test_nothing_moves_on_or_before_the_lock_date(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 4)
    AccountingSettings.objects.filter(company=company).update(lock_date=timezone.localdate(LAST_MONTH))
    before = row_counts()
    with pytest.raises(BusinessError, match="locked") as error:
        transfer_validate(delivery, by=keeper, when=LAST_MONTH)
    assert error.value.code == "period_locked"
    assert row_counts() == before
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(10), D(4))
    delivery.refresh_from_db()
    assert delivery.state == "ready"


def test_the_api_takes_the_moment_the_goods_moved(api, company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 4)
    url = f"/api/v1/inventory/transfers/{delivery.pk}/validate/"
    future = api.post(url, {"date": (timezone.now() + datetime.timedelta(days=1)).isoformat()}, format="json")
    assert (future.status_code, future.json()["code"]) == (400, "future_date")
    done = api.post(url, {"date": LAST_MONTH.isoformat()}, format="json")
    assert done.status_code == 200, done.json()
    assert datetime.datetime.fromisoformat(done.json()["transfer"]["date_done"]) == LAST_MONTH
    assert on_hand(chair, stock) == D(6)
