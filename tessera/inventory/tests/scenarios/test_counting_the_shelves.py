"""A year-end count of a warehouse with two shelves: expected quantities frozen, counted quantities
recorded (one shelf short, one with goods nobody booked), differences posted as adjustment moves and
valued; then a broken item scrapped with its reason."""

from decimal import Decimal as D

import pytest

from tessera.core.errors import BusinessError
from tessera.inventory.models import Location, LocationUsage, Move, Scrap, ValuationLayer
from tessera.inventory.services import (
    Counted,
    DoneQuantity,
    count_cancel,
    count_create,
    count_record,
    count_start,
    count_validate,
    location_save,
    scrap_validate,
    transfer_validate,
)
from tessera.inventory.states import CountState, MoveState

from ..stockbook import balance, deliver, layers_value, on_hand, receive


def test_count_two_shelves_and_scrap(company, warehouse, stock, keeper, chair, table):
    top = location_save(Location(company=company, name="Top", parent=stock), by=keeper)
    low = location_save(Location(company=company, name="Low", parent=stock), by=keeper)
    receive(company, warehouse, keeper, chair, 10, 40, lots=[DoneQuantity(D(6), location=top), DoneQuantity(D(4), location=low)])
    receive(company, warehouse, keeper, table, 2, 120, lots=[DoneQuantity(D(2), location=low)])
    assert balance(company, "340000") == D("640.00")

    count = count_create(stock, by=keeper)
    assert count.number.startswith("CNT/") and count.state == CountState.DRAFT
    count_start(count, by=keeper)
    count.refresh_from_db()
    assert count.state == CountState.IN_PROGRESS
    assert sorted(count.lines.values_list("product__name", "location__name", "expected_quantity", "counted_quantity")) == [
        ("Chair", "Low", D(4), None), ("Chair", "Top", D(6), None), ("Table", "Low", D(2), None),
    ]  # fmt: skip

    # One chair missing on the top shelf, a table nobody booked found there; the low shelf's table is not counted.
    count_record(count, [Counted(chair, D(5), location=top), Counted(chair, D(4), location=low),
                         Counted(table, D(1), location=top)], by=keeper)  # fmt: skip
    moves = count_validate(count, by=keeper)
    count.refresh_from_db()
    assert count.state == CountState.DONE
    adjustment = Location.objects.get(company=company, usage=LocationUsage.INVENTORY)
    assert sorted((m.product.name, m.source_location.name, m.destination_location.name, m.product_quantity, m.state)
                  for m in moves) == [
        ("Chair", "Top", adjustment.name, D(1), MoveState.DONE),
        ("Table", adjustment.name, "Top", D(1), MoveState.DONE),
    ]  # fmt: skip
    assert (on_hand(chair, top), on_hand(chair, low), on_hand(table, top), on_hand(table, low)) == (D(5), D(4), D(1), D(2))
    # The missing chair leaves at its FIFO cost, the found table comes in at the product's cost.
    assert sorted(ValuationLayer.objects.filter(move__in=moves).values_list("quantity", "value")) == [
        (D(-1), D("-40.00")), (D(1), D("120.00")),
    ]  # fmt: skip
    assert balance(company, "340000") == D("720.00") == layers_value()
    assert set(count.lines.exclude(move=None).values_list("move", flat=True)) == {move.pk for move in moves}

    with pytest.raises(BusinessError, match="Only a count in progress can be validated"):
        count_validate(count, by=keeper)
    with pytest.raises(BusinessError):
        count_cancel(count, by=keeper)

    scrap = scrap_validate(Scrap(company=company, product=chair, quantity=D(1), uom=chair.uom, location=low,
                                 reason="Leg broken in the lift"), by=keeper)  # fmt: skip
    assert scrap.number.startswith("SCRAP/") and scrap.move.state == MoveState.DONE
    assert scrap.move.destination_location.usage == LocationUsage.SCRAP
    assert Scrap.objects.get(pk=scrap.pk).reason == "Leg broken in the lift"
    assert on_hand(chair, low) == D(3)
    assert balance(company, "340000") == D("680.00") == layers_value()


def test_a_count_below_what_is_reserved_is_refused(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 5, 40)
    delivery = deliver(company, warehouse, keeper, chair, 4)
    count = count_create(stock, by=keeper)
    count_start(count, by=keeper)
    count_record(count, [Counted(chair, D(3))], by=keeper)
    moves_before = Move.objects.count()
    with pytest.raises(BusinessError, match=r"4 are reserved, more than the 3 counted\. Unreserve the transfers first") as error:
        count_validate(count, by=keeper)
    assert error.value.code == "count_below_reserved"
    assert Move.objects.count() == moves_before
    count.refresh_from_db()
    assert count.state == CountState.IN_PROGRESS
    transfer_validate(delivery, by=keeper)
    count_record(count, [Counted(chair, D(0))], by=keeper)
    [move] = count_validate(count, by=keeper)
    assert (move.product_quantity, on_hand(chair, stock)) == (D(1), D(0))
