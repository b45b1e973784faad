"""Transfers from draft to done or cancelled: states, backorders and returns, with exact quantities."""

from decimal import Decimal as D

import pytest

from tessera.core.errors import BusinessError, InvalidInput
from tessera.inventory.models import Location, Move, MoveLine, Quant, TransferKind, ValuationLayer
from tessera.inventory.services import (
    DoneQuantity,
    MoveDraft,
    location_save,
    transfer_cancel,
    transfer_confirm,
    transfer_reserve,
    transfer_return,
    transfer_save,
    transfer_unreserve,
    transfer_validate,
)
from tessera.inventory.states import MoveState, TransferState

from .stockbook import deliver, on_hand, receive, reserved, row_counts, transfer


def test_a_receipt_is_ready_at_once_and_done_when_validated(company, warehouse, stock, keeper, chair, supplier):
    receipt = transfer(
        company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(7), unit_cost=D(40)), partner=supplier
    )
    assert receipt.state == TransferState.DRAFT and receipt.number.startswith("IN/")
    assert receipt.moves.get().state == MoveState.DRAFT
    transfer_confirm(receipt, by=keeper)
    receipt.refresh_from_db()
    assert receipt.state == TransferState.READY
    assert receipt.moves.get().state == MoveState.READY
    assert on_hand(chair, stock) == D(0)

    result = transfer_validate(receipt, by=keeper)
    receipt.refresh_from_db()
    assert result.backorder is None
    assert receipt.state == TransferState.DONE and receipt.date_done is not None
    move = receipt.moves.get()
    assert (move.state, move.product_quantity, move.reserved_quantity) == (MoveState.DONE, D(7), D(0))
    assert list(move.lines.values_list("quantity", "done", "destination_location")) == [(D(7), True, stock.pk)]
    assert on_hand(chair, stock) == D(7)


def test_a_delivery_waits_for_stock_then_is_ready(company, warehouse, stock, keeper, chair, customer):
    receive(company, warehouse, keeper, chair, 4, 40)
    delivery = deliver(company, warehouse, keeper, chair, 6, partner=customer)
    move = delivery.moves.get()
    assert delivery.state == TransferState.WAITING
    assert (move.state, move.reserved_quantity) == (MoveState.PARTIAL, D(4))
    assert reserved(chair, stock) == D(4)

    receive(company, warehouse, keeper, chair, 5, 40)
    transfer_reserve(delivery, by=keeper)
    delivery.refresh_from_db()
    move.refresh_from_db()
    assert delivery.state == TransferState.READY
    assert (move.state, move.reserved_quantity) == (MoveState.READY, D(6))
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(9), D(6))

    transfer_validate(delivery, by=keeper)
    delivery.refresh_from_db()
    assert delivery.state == TransferState.DONE
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(3), D(0))


def test_cancelling_releases_the_reservation_and_a_done_transfer_cannot_be_cancelled(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 5, 40)
    delivery = deliver(company, warehouse, keeper, chair, 3)
    assert reserved(chair, stock) == D(3)
    transfer_cancel(delivery, by=keeper)
    delivery.refresh_from_db()
    assert delivery.state == TransferState.CANCELLED
    assert delivery.moves.get().state == MoveState.CANCELLED
    assert not MoveLine.objects.filter(move__transfer=delivery).exists()
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(5), D(0))
    with pytest.raises(BusinessError):
        transfer_validate(delivery, by=keeper)

    done = deliver(company, warehouse, keeper, chair, 2)
    transfer_validate(done, by=keeper)
    before = row_counts()
    with pytest.raises(BusinessError):
        transfer_cancel(done, by=keeper)
    with pytest.raises(BusinessError, match="Only a draft transfer can be changed"):
        transfer_save(done, [MoveDraft(chair, D(9))], by=keeper)
    with pytest.raises(BusinessError, match="confirm it first, or it is over"):
        transfer_validate(done, by=keeper)
    assert row_counts() == before
    move = done.moves.get()
    assert (move.state, move.product_quantity) == (MoveState.DONE, D(2))
    assert on_hand(chair, stock) == D(3)


def test_a_partial_delivery_leaves_a_backorder_with_the_rest_reserved(company, warehouse, stock, keeper, chair, table):
    receive(company, warehouse, keeper, chair, 10, 40)
    receive(company, warehouse, keeper, table, 2, 120)
    delivery = transfer(company, warehouse, keeper, TransferKind.DELIVERY, MoveDraft(chair, D(8)), MoveDraft(table, D(2)))
    transfer_confirm(delivery, by=keeper)
    chairs, tables = delivery.moves.order_by("id")
    result = transfer_validate(delivery, by=keeper, done={chairs.pk: [DoneQuantity(D(5))], tables.pk: [DoneQuantity(D(0))]})
    backorder = result.backorder
    delivery.refresh_from_db()
    assert delivery.state == TransferState.DONE
    assert [move.pk for move in result.moves_done] == [chairs.pk]
    chairs.refresh_from_db()
    assert (chairs.state, chairs.product_quantity, chairs.transfer_id) == (MoveState.DONE, D(5), delivery.pk)
    # The untouched table move moves whole, with its reservation, to the backorder.
    tables.refresh_from_db()
    assert (tables.transfer_id, tables.state, tables.reserved_quantity) == (backorder.pk, MoveState.READY, D(2))
    assert backorder.backorder_of_id == delivery.pk and backorder.state == TransferState.READY
    assert sorted(backorder.moves.values_list("product__name", "product_quantity", "reserved_quantity", "state")) == [
        ("Chair", D(3), D(3), MoveState.READY),
        ("Table", D(2), D(2), MoveState.READY),
    ]
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(5), D(3))
    assert (on_hand(table, stock), reserved(table, stock)) == (D(2), D(2))

    transfer_validate(backorder, by=keeper)
    assert (on_hand(chair, stock), reserved(chair, stock), on_hand(table, stock)) == (D(2), D(0), D(0))


def test_a_partial_delivery_without_backorder_cancels_the_rest(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 8)
    move = delivery.moves.get()
    result = transfer_validate(delivery, by=keeper, done={move.pk: [DoneQuantity(D(6))]}, backorder=False)
    assert result.backorder is None
    assert list(Move.objects.filter(product=chair, source_location=stock).values_list("state", "product_quantity")) == [
        (MoveState.DONE, D(6))
    ]
    assert (on_hand(chair, stock), reserved(chair, stock)) == (D(4), D(0))


def test_a_return_brings_goods_back_and_a_second_return_takes_only_what_is_left(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 6)
    transfer_validate(delivery, by=keeper)
    move = delivery.moves.get()

    first = transfer_return(delivery, by=keeper, quantities={move.pk: D(2)})
    assert (first.kind, first.state, first.return_of_id) == (TransferKind.RECEIPT, TransferState.READY, delivery.pk)
    assert first.source_location_id == delivery.destination_location_id and first.destination_location_id == stock.pk
    assert list(first.moves.values_list("returned_move", "product_quantity")) == [(move.pk, D(2))]
    transfer_validate(first, by=keeper)
    assert on_hand(chair, stock) == D(6)

    before = row_counts()
    with pytest.raises(InvalidInput, match=r"At most 4 of \[CHAIR\] Chair can still be returned"):
        transfer_return(delivery, by=keeper, quantities={move.pk: D(5)})
    assert row_counts() == before

    second = transfer_return(delivery, by=keeper)  # by default: all that is left
    assert list(second.moves.values_list("product_quantity", flat=True)) == [D(4)]
    transfer_validate(second, by=keeper)
    assert on_hand(chair, stock) == D(10)
    with pytest.raises(InvalidInput, match="Nothing is left to return"):
        transfer_return(delivery, by=keeper)


def test_a_cancelled_return_frees_the_quantity_again(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 3, 40)
    delivery = deliver(company, warehouse, keeper, chair, 3)
    transfer_validate(delivery, by=keeper)
    back = transfer_return(delivery, by=keeper)
    transfer_cancel(back, by=keeper)
    again = transfer_return(delivery, by=keeper)
    assert list(again.moves.values_list("product_quantity", flat=True)) == [D(3)]


def test_a_receipt_return_takes_goods_out_again(company, warehouse, stock, keeper, chair):
    receipt = receive(company, warehouse, keeper, chair, 5, 40)
    back = transfer_return(receipt, by=keeper, quantities={receipt.moves.get().pk: D(2)})
    assert back.kind == TransferKind.DELIVERY and back.state == TransferState.READY
    transfer_validate(back, by=keeper)
    assert on_hand(chair, stock) == D(3)
    assert ValuationLayer.objects.get(move__transfer=back).value == D("-80.00")


def test_an_undone_transfer_cannot_be_returned(company, warehouse, keeper, chair):
    receive(company, warehouse, keeper, chair, 3, 40)
    delivery = deliver(company, warehouse, keeper, chair, 2)
    with pytest.raises(BusinessError, match="Only a done transfer can be returned"):
        transfer_return(delivery, by=keeper)


def test_unreserving_a_receipt_keeps_it_ready(company, warehouse, keeper, chair):
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(2)))
    transfer_confirm(receipt, by=keeper)
    transfer_unreserve(receipt, by=keeper)
    receipt.refresh_from_db()
    assert receipt.state == TransferState.READY
    assert receipt.moves.get().state == MoveState.READY


def test_an_internal_transfer_moves_goods_between_bins_without_value(company, warehouse, stock, keeper, chair):
    bin_a = location_save(Location(company=company, name="A", parent=stock), by=keeper)
    bin_b = location_save(Location(company=company, name="B", parent=stock), by=keeper)
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(6), unit_cost=D(40)))
    transfer_confirm(receipt, by=keeper)
    transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: [DoneQuantity(D(6), location=bin_a)]})
    assert on_hand(chair, bin_a) == D(6)

    internal = transfer(company, warehouse, keeper, TransferKind.INTERNAL, MoveDraft(chair, D(4)),
                        source_location=bin_a, destination_location=bin_b)  # fmt: skip
    transfer_confirm(internal, by=keeper)
    internal.refresh_from_db()
    assert internal.state == TransferState.READY
    transfer_validate(internal, by=keeper)
    assert (on_hand(chair, bin_a), on_hand(chair, bin_b), on_hand(chair, stock)) == (D(2), D(4), D(0))
    assert not ValuationLayer.objects.filter(move__transfer=internal).exists()
    assert Quant.objects.filter(product=chair).count() == 2
