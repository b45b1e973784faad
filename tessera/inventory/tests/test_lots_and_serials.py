"""Lots and serial numbers: tracking none, lot or serial; expiry dates; a serial is one unit, used once."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.core.errors import InvalidInput
from tessera.inventory.models import Lot, Quant, TransferKind
from tessera.inventory.services import DoneQuantity, MoveDraft, transfer_confirm, transfer_return, transfer_validate

from .conftest import make_product
from .stockbook import deliver, on_hand, receive, row_counts, transfer


@pytest.fixture
def phone(company, category):
    return make_product(company, category, "Phone", cost="300", tracking="serial")


@pytest.fixture
def flour(company, category):
    return make_product(company, category, "Flour", cost="2", tracking="lot", use_expiry=True)


def serials(*names):
    return [DoneQuantity(D(1), lot=name) for name in names]


def test_an_untracked_product_ignores_lots(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 3, 40, lots=[DoneQuantity(D(3), lot="IGNORED")])
    assert list(Quant.objects.filter(product=chair).values_list("lot", "quantity")) == [(None, D(3))]
    assert not Lot.objects.exists()


def test_lots_are_created_on_receipt_with_their_expiry_and_kept_apart(company, warehouse, stock, keeper, flour):
    receive(company, warehouse, keeper, flour, 8, 2, lots=[
        DoneQuantity(D(5), lot="F-1", expiry_date=datetime.date(2026, 5, 1)),
        DoneQuantity(D(3), lot=" F-2 ", expiry_date=datetime.date(2026, 4, 1)),
    ])  # fmt: skip
    assert sorted(Lot.objects.filter(product=flour).values_list("name", "expiry_date")) == [
        ("F-1", datetime.date(2026, 5, 1)),
        ("F-2", datetime.date(2026, 4, 1)),
    ]
    assert sorted(Quant.objects.filter(product=flour).values_list("lot__name", "quantity")) == [("F-1", D(5)), ("F-2", D(3))]
    # More of an existing lot adds to its quant.
    receive(company, warehouse, keeper, flour, 2, 2, lots=[DoneQuantity(D(2), lot="F-1")])
    assert on_hand(flour, stock, Lot.objects.get(name="F-1")) == D(7)
    assert Lot.objects.filter(product=flour).count() == 2


def test_a_tracked_receipt_needs_its_lots(company, warehouse, keeper, flour):
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(flour, D(4), unit_cost=D(2)))
    transfer_confirm(receipt, by=keeper)
    before = row_counts()
    with pytest.raises(InvalidInput, match="is tracked: give the lot or serial number") as error:
        transfer_validate(receipt, by=keeper)
    assert error.value.code == "lot_required"
    with pytest.raises(InvalidInput, match="is tracked: give the lot or serial number"):
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: [DoneQuantity(D(4))]})
    assert row_counts() == before


def test_serials_are_received_one_unit_each_and_delivered_by_number(company, warehouse, stock, keeper, phone):
    receive(company, warehouse, keeper, phone, 3, 300, lots=serials("SN1", "SN2", "SN3"))
    assert sorted(Quant.objects.filter(product=phone).values_list("lot__name", "quantity")) == [
        ("SN1", D(1)), ("SN2", D(1)), ("SN3", D(1)),
    ]  # fmt: skip
    delivery = deliver(company, warehouse, keeper, phone, 1)
    move = delivery.moves.get()
    transfer_validate(delivery, by=keeper, done={move.pk: serials("SN3")}, force=True)
    assert sorted(Quant.objects.filter(product=phone, quantity__gt=0).values_list("lot__name", flat=True)) == ["SN1", "SN2"]
    assert list(move.lines.values_list("lot__name", "quantity")) == [("SN3", D(1))]


def test_a_serial_used_twice_in_one_validation_is_refused(company, warehouse, keeper, phone):
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(phone, D(2), unit_cost=D(300)))
    transfer_confirm(receipt, by=keeper)
    before = row_counts()
    with pytest.raises(InvalidInput, match="Serial number SN1 is used twice") as error:
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: serials("SN1", "SN1")})
    assert error.value.code == "serial_twice"
    with pytest.raises(InvalidInput, match=r"Serial number SN1 of .*Phone is one unit, not 2"):
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: [DoneQuantity(D(2), lot="SN1")]})
    assert row_counts() == before


def test_a_serial_received_again_while_in_stock_is_refused(company, warehouse, stock, keeper, phone):
    receive(company, warehouse, keeper, phone, 1, 300, lots=serials("SN1"))
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(phone, D(1), unit_cost=D(300)))
    transfer_confirm(receipt, by=keeper)
    before = row_counts()
    with pytest.raises(InvalidInput, match=rf"Serial number SN1 of .*Phone is already in stock at {stock.full_name}"):
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: serials("SN1")})
    assert row_counts() == before


def test_a_serial_delivered_can_come_back_on_a_return(company, warehouse, stock, keeper, phone):
    receive(company, warehouse, keeper, phone, 2, 300, lots=serials("SN1", "SN2"))
    delivery = deliver(company, warehouse, keeper, phone, 2)
    transfer_validate(delivery, by=keeper)
    assert on_hand(phone, stock) == D(0)
    move = delivery.moves.get()
    back = transfer_return(delivery, by=keeper, quantities={move.pk: D(1)})
    transfer_validate(back, by=keeper)
    second = transfer_return(delivery, by=keeper)
    transfer_validate(second, by=keeper)
    # Each return brought back another serial: the lots that left, less those already back.
    assert sorted(Quant.objects.filter(product=phone, quantity__gt=0).values_list("lot__name", "quantity")) == [
        ("SN1", D(1)), ("SN2", D(1)),
    ]  # fmt: skip


def test_delivering_an_unknown_lot_is_refused(company, warehouse, keeper, flour):
    receive(company, warehouse, keeper, flour, 2, 2, lots=[DoneQuantity(D(2), lot="F-1")])
    delivery = deliver(company, warehouse, keeper, flour, 2)
    before = row_counts()
    with pytest.raises(InvalidInput, match="has no lot or serial number F-9"):
        transfer_validate(delivery, by=keeper, done={delivery.moves.get().pk: [DoneQuantity(D(2), lot="F-9")]})
    assert row_counts() == before
