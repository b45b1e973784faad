"""A storekeeper's week: goods received at two prices, a customer order reserved and delivered in two
parts, a return, a count and a scrap; quantities and values checked at each step."""

from decimal import Decimal as D

from tessera.accounting.models import Account, JournalLine
from tessera.inventory.models import Move, Quant, Transfer, TransferKind, ValuationLayer
from tessera.inventory.services import (
    Counted,
    DoneQuantity,
    MoveDraft,
    count_create,
    count_record,
    count_start,
    count_validate,
    transfer_confirm,
    transfer_return,
    transfer_save,
    transfer_validate,
)
from tessera.inventory.states import MoveState, TransferState


def on_hand(product, location):
    return sum((q.quantity for q in Quant.objects.filter(product=product, location=location)), D(0))


def balance(company, code):
    lines = JournalLine.objects.filter(account=Account.objects.get(company=company, code=code), posted=True)
    return sum((line.debit - line.credit for line in lines), D(0))


def receive(company, warehouse, keeper, product, quantity, cost, partner=None):
    receipt = transfer_save(
        Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse, partner=partner),
        [MoveDraft(product, D(quantity), unit_cost=D(cost))],
        by=keeper,
    )
    transfer_confirm(receipt, by=keeper)
    transfer_validate(receipt, by=keeper)
    return receipt


def test_receive_deliver_in_parts_return_and_count(company, warehouse, stock, keeper, chair, customer, supplier):
    receive(company, warehouse, keeper, chair, "10", "40", supplier)
    receive(company, warehouse, keeper, chair, "10", "50", supplier)
    assert on_hand(chair, stock) == D(20)
    assert balance(company, "340000") == D("900.00")  # 10 × 40 + 10 × 50
    assert balance(company, "609400") == D("-900.00")

    order = transfer_save(
        Transfer(company=company, kind=TransferKind.DELIVERY, warehouse=warehouse, partner=customer),
        [MoveDraft(chair, D(15))],
        by=keeper,
    )
    transfer_confirm(order, by=keeper)
    order.refresh_from_db()
    assert order.state == TransferState.READY
    assert Quant.objects.get(product=chair, location=stock).reserved_quantity == D(15)

    move = order.moves.get()
    result = transfer_validate(order, by=keeper, done={move.pk: [DoneQuantity(D(12))]})
    backorder = result.backorder
    assert backorder is not None and backorder.backorder_of_id == order.pk
    assert backorder.state == TransferState.READY
    assert backorder.moves.get().product_quantity == D(3)
    quant = Quant.objects.get(product=chair, location=stock)
    assert (quant.quantity, quant.reserved_quantity) == (D(8), D(3))
    # FIFO: 10 at 40 and 2 at 50 leave.
    assert ValuationLayer.objects.get(move=move).value == D("-500.00")
    assert balance(company, "340000") == D("400.00")

    back = transfer_return(order, by=keeper, quantities={move.pk: D(2)})
    assert back.kind == TransferKind.RECEIPT and back.state == TransferState.READY
    transfer_validate(back, by=keeper)
    # Returned at the cost it left with: 500 / 12 per chair.
    assert ValuationLayer.objects.get(move__transfer=back).value == D("83.33")
    assert on_hand(chair, stock) == D(10)

    count = count_create(stock, by=keeper)
    count_start(count, by=keeper)
    count_record(count, [Counted(chair, D(9))], by=keeper)
    [adjustment] = count_validate(count, by=keeper)
    assert adjustment.state == MoveState.DONE and adjustment.product_quantity == D(1)
    assert on_hand(chair, stock) == D(9)
    layers = ValuationLayer.objects.filter(product=chair)
    assert balance(company, "340000") == sum((layer.value for layer in layers), D(0))
    assert Move.objects.filter(product=chair, state=MoveState.DONE).count() == 5
