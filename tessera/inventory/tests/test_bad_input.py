"""Bad input gets a clear message and writes nothing: moves, lines, quants, layers and entries are
counted before and after each refusal."""

from decimal import Decimal as D

import pytest

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.tests.factories import unit
from tessera.inventory.models import Move, Scrap, Transfer, TransferKind
from tessera.inventory.services import (
    Counted,
    DoneQuantity,
    MoveDraft,
    check_move,
    count_create,
    count_record,
    count_start,
    scrap_validate,
    transfer_confirm,
    transfer_save,
    transfer_validate,
    virtual_location,
)

from .conftest import make_product
from .stockbook import deliver, on_hand, receive, row_counts, transfer


@pytest.fixture
def refused():
    """Assert that the block raises `error` matching `match` and that no ledger row was written."""

    def check(error, match, code=None):
        return _Refusal(error, match, code)

    return check


class _Refusal:
    def __init__(self, error, match, code):
        self.raises = pytest.raises(error, match=match)
        self.code = code

    def __enter__(self):
        self.before = row_counts()
        self.info = self.raises.__enter__()
        return self.info

    def __exit__(self, *exc):
        handled = self.raises.__exit__(*exc)
        if self.code is not None:
            assert self.info.value.code == self.code
        assert row_counts() == self.before
        return handled


def test_validating_more_than_reserved_needs_the_override(company, warehouse, stock, keeper, chair, refused):
    receive(company, warehouse, keeper, chair, 10, 40)
    delivery = deliver(company, warehouse, keeper, chair, 3)
    move = delivery.moves.get()
    with refused(BusinessError, r"Only 3 of .*Chair are reserved for this move: reserve more, or confirm the override",
                 "more_than_reserved"):  # fmt: skip
        transfer_validate(delivery, by=keeper, done={move.pk: [DoneQuantity(D(5))]})
    transfer_validate(delivery, by=keeper, done={move.pk: [DoneQuantity(D(5))]}, force=True)
    move.refresh_from_db()
    assert (move.product_quantity, move.state) == (D(5), "done")
    assert on_hand(chair, stock) == D(5)


def test_stock_goes_negative_only_with_the_override(company, warehouse, stock, keeper, chair, refused):
    receive(company, warehouse, keeper, chair, 2, 40)
    delivery = deliver(company, warehouse, keeper, chair, 6)
    move = delivery.moves.get()
    with refused(BusinessError, r"Only 2 of .*Chair are reserved", "more_than_reserved"):
        transfer_validate(delivery, by=keeper, done={move.pk: [DoneQuantity(D(6))]})
    transfer_validate(delivery, by=keeper, done={move.pk: [DoneQuantity(D(6))]}, force=True)
    assert on_hand(chair, stock) == D(-4)


def test_scrapping_or_counting_never_takes_more_than_is_free(company, warehouse, stock, keeper, chair, refused):
    receive(company, warehouse, keeper, chair, 2, 40)
    deliver(company, warehouse, keeper, chair, 1)
    scrap = Scrap(company=company, product=chair, quantity=D(2), uom=chair.uom, location=stock, reason="Water damage")
    with refused(BusinessError, r"Only 1 of .*Chair are free at WH/Stock", "not_enough_stock"):
        scrap_validate(scrap, by=keeper)
    with refused(InvalidInput, "Say why the goods are scrapped"):
        scrap_validate(Scrap(company=company, product=chair, quantity=D(1), uom=chair.uom, location=stock, reason=" "), by=keeper)


def test_a_serial_number_used_twice_is_refused(company, warehouse, keeper, category, refused):
    phone = make_product(company, category, "Phone", cost="300", tracking="serial")
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(phone, D(2), unit_cost=D(300)))
    transfer_confirm(receipt, by=keeper)
    twice = [DoneQuantity(D(1), lot="SN-7"), DoneQuantity(D(1), lot="SN-7")]
    with refused(InvalidInput, "Serial number SN-7 is used twice", "serial_twice"):
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: twice})


def test_a_move_between_two_virtual_locations_is_refused(company, warehouse, keeper, chair, refused):
    supplier, customer = virtual_location(company, "supplier"), virtual_location(company, "customer")
    with refused(InvalidInput, "A receipt brings goods into stock", "transfer_direction"):
        transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse, source_location=supplier,
                               destination_location=customer), [MoveDraft(chair, D(1))], by=keeper)  # fmt: skip
    move = Move(company=company, product=chair, quantity=D(1), uom=chair.uom, source_location=supplier,
                destination_location=customer)  # fmt: skip
    with refused(InvalidInput, "would not touch any stock: one side must be a stock location", "virtual_to_virtual"):
        check_move(move)


def test_a_quantity_in_a_unit_of_another_category_is_refused(company, warehouse, keeper, chair, refused):
    with refused(InvalidInput, r"Line 1: .*Chair is counted in Unit: kg measures something else", "uom_category") as error:
        transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(2), uom=unit("kg")))
    assert error.value.errors == {"lines.0.uom": [error.value.errors["lines.0.uom"][0]]}
    assert not Transfer.objects.exists()


def test_zero_and_negative_quantities_are_refused(company, warehouse, keeper, chair, refused):
    for quantity in (D(0), D(-3)):
        with refused(InvalidInput, "Line 1: The quantity must be more than zero"):
            transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, quantity))
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(2)))
    transfer_confirm(receipt, by=keeper)
    with refused(InvalidInput, "A done quantity cannot be negative"):
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: [DoneQuantity(D(-1))]})
    with refused(InvalidInput, "Nothing was moved: give the quantities done", "nothing_done"):
        transfer_validate(receipt, by=keeper, done={receipt.moves.get().pk: [DoneQuantity(D(0))]})
    with refused(InvalidInput, r"These moves are not open moves of this transfer: \[999999\]"):
        transfer_validate(receipt, by=keeper, done={999999: [DoneQuantity(D(1))]})


def test_a_negative_count_is_refused(company, stock, keeper, chair, refused):
    count = count_create(stock, by=keeper)
    count_start(count, by=keeper)
    with refused(InvalidInput, "Line 1: a counted quantity cannot be negative", "negative_count") as error:
        count_record(count, [Counted(chair, D(-2))], by=keeper)
    assert error.value.errors == {"lines.0.quantity": ["Count zero or more."]}
    assert not count.lines.exists()
