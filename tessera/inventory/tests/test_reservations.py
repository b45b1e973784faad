"""Reservations: confirming a delivery reserves free stock, oldest first (FIFO by location and date
received, FEFO for lots that expire); reserved stock is nobody else's; unreserve gives it back."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.core.errors import BusinessError
from tessera.inventory.models import Location, MoveLine, Quant
from tessera.inventory.services import (
    DoneQuantity,
    MoveDraft,
    available_quants,
    location_save,
    transfer_confirm,
    transfer_reserve,
    transfer_unreserve,
    transfer_validate,
)
from tessera.inventory.states import MoveState, TransferState

from .conftest import make_product
from .stockbook import deliver, on_hand, receive, reserved, row_counts, transfer


@pytest.fixture
def bins(company, stock, keeper):
    return [location_save(Location(company=company, name=name, parent=stock), by=keeper) for name in ("A", "B")]


def reserved_lines(transfer):
    return list(
        MoveLine.objects.filter(move__transfer=transfer, done=False)
        .order_by("id")
        .values_list("source_location__name", "lot__name", "reserved_quantity")
    )


def test_fifo_takes_the_stock_received_first_whatever_its_bin(company, warehouse, stock, keeper, chair, bins):
    bin_a, bin_b = bins
    receive(company, warehouse, keeper, chair, 3, 40, lots=[DoneQuantity(D(3), location=bin_b)])
    receive(company, warehouse, keeper, chair, 5, 40, lots=[DoneQuantity(D(5), location=bin_a)])
    assert [quant.location_id for quant in available_quants(chair.pk, stock)] == [bin_b.pk, bin_a.pk]

    delivery = deliver(company, warehouse, keeper, chair, 4)
    assert reserved_lines(delivery) == [("B", None, D(3)), ("A", None, D(1))]
    assert (reserved(chair, bin_a), reserved(chair, bin_b)) == (D(1), D(3))
    transfer_validate(delivery, by=keeper)
    assert (on_hand(chair, bin_a), on_hand(chair, bin_b)) == (D(4), D(0))


def test_fefo_takes_the_lot_expiring_first(company, warehouse, stock, keeper, category):
    milk = make_product(company, category, "Milk", cost="1", tracking="lot", use_expiry=True)
    receive(
        company, warehouse, keeper, milk, 10, 1, lots=[DoneQuantity(D(10), lot="L-LATE", expiry_date=datetime.date(2026, 9, 1))]
    )
    receive(
        company, warehouse, keeper, milk, 10, 1, lots=[DoneQuantity(D(10), lot="L-SOON", expiry_date=datetime.date(2026, 7, 1))]
    )
    receive(company, warehouse, keeper, milk, 4, 1, lots=[DoneQuantity(D(4), lot="L-NEVER")])
    delivery = deliver(company, warehouse, keeper, milk, 22)
    assert reserved_lines(delivery) == [
        (stock.name, "L-SOON", D(10)),
        (stock.name, "L-LATE", D(10)),
        (stock.name, "L-NEVER", D(2)),
    ]
    transfer_validate(delivery, by=keeper)
    assert sorted(Quant.objects.filter(product=milk).values_list("lot__name", "quantity", "reserved_quantity")) == [
        ("L-LATE", D(0), D(0)),
        ("L-NEVER", D(2), D(0)),
        ("L-SOON", D(0), D(0)),
    ]


def test_lots_without_expiry_go_first_in_first_out(company, warehouse, stock, keeper, category):
    screws = make_product(company, category, "Screws", cost="1", tracking="lot")
    receive(company, warehouse, keeper, screws, 5, 1, lots=[DoneQuantity(D(5), lot="OLD")])
    receive(company, warehouse, keeper, screws, 5, 1, lots=[DoneQuantity(D(5), lot="NEW")])
    delivery = deliver(company, warehouse, keeper, screws, 7)
    assert reserved_lines(delivery) == [(stock.name, "OLD", D(5)), (stock.name, "NEW", D(2))]


def test_reserved_stock_is_not_available_to_anyone_else(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 5, 40)
    first = deliver(company, warehouse, keeper, chair, 4)
    second = deliver(company, warehouse, keeper, chair, 4)
    assert first.state == TransferState.READY and second.state == TransferState.WAITING
    assert second.moves.get().reserved_quantity == D(1)
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(5), D(5))
    assert available_quants(chair.pk, stock) == []

    # Even forced, a delivery does not take what the other one reserved.
    move = second.moves.get()
    before = row_counts()
    with pytest.raises(BusinessError, match="not reserved for other transfers") as error:
        transfer_validate(second, by=keeper, done={move.pk: [DoneQuantity(D(4))]}, force=True)
    assert error.value.code == "reserved_elsewhere"
    assert row_counts() == before
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(5), D(5))


def test_unreserve_gives_the_stock_to_another_and_reserve_takes_it_back(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 5, 40)
    first = deliver(company, warehouse, keeper, chair, 5)
    second = deliver(company, warehouse, keeper, chair, 3)
    transfer_unreserve(first, by=keeper)
    first.refresh_from_db()
    move = first.moves.get()
    assert first.state == TransferState.WAITING
    assert (move.state, move.reserved_quantity) == (MoveState.WAITING, D(0))
    assert not MoveLine.objects.filter(move=move).exists()
    assert reserved(chair, stock) == D(0)

    transfer_reserve(second, by=keeper)
    second.refresh_from_db()
    assert second.state == TransferState.READY and reserved(chair, stock) == D(3)
    transfer_reserve(first, by=keeper)
    first.refresh_from_db()
    move.refresh_from_db()
    assert first.state == TransferState.WAITING
    assert (move.state, move.reserved_quantity) == (MoveState.PARTIAL, D(2))
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(5), D(5))

    transfer_unreserve(second, by=keeper)
    transfer_reserve(first, by=keeper)
    first.refresh_from_db()
    assert first.state == TransferState.READY
    assert reserved_lines(first) == [(stock.name, None, D(5))]  # one line per quant, topped up
    assert reserved(chair, stock) == D(5)


def test_reserving_again_a_fully_reserved_transfer_changes_nothing(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 9, 40)
    delivery = deliver(company, warehouse, keeper, chair, 4)
    transfer_reserve(delivery, by=keeper)
    assert delivery.moves.get().reserved_quantity == D(4)
    assert reserved(chair, stock) == D(4)


def test_a_reservation_is_in_the_product_unit(company, warehouse, stock, keeper, chair):
    from tessera.core.tests.factories import unit

    receive(company, warehouse, keeper, chair, 30, 40)
    delivery = transfer(company, warehouse, keeper, "delivery", MoveDraft(chair, D(2), uom=unit("Dozen")))
    transfer_confirm(delivery, by=keeper)
    move = delivery.moves.get()
    assert (move.quantity, move.product_quantity, move.reserved_quantity) == (D(2), D(24), D(24))
    transfer_validate(delivery, by=keeper)
    assert on_hand(chair, stock) == D(6)
