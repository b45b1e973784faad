"""Under concurrency no order over-reserves: 16 quotations for 3 chairs each, confirmed at the same
time against 20 chairs on hand, reserve exactly the 20 chairs between them, never more."""

import threading
from collections import Counter
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Q, Sum

from tessera.inventory.models import Move, MoveLine, Quant, Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.inventory.states import MoveState, TransferState
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_save
from tessera.sales.states import OrderState

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
THREADS = 16
ON_HAND = D(20)


def test_sixteen_orders_confirmed_at_once_for_scarce_chairs_never_over_reserve(company, warehouse, seller, customer, chair):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(chair, ON_HAND, unit_cost=D(30))], by=seller)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=seller), by=seller)
    # 48 chairs wanted, 20 on hand.
    orders = [sale_order_save(SaleOrder(company=company, partner=customer), [OrderLineDraft(chair, D(3))], by=seller)
              for _n in range(THREADS)]  # fmt: skip
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def race(order: SaleOrder) -> None:
        try:
            start.wait()
            sale_order_confirm(order, by=seller)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(order,)) for order in orders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    assert Counter(SaleOrder.objects.values_list("state", flat=True)) == {OrderState.SALE: THREADS}
    stock = warehouse.stock_location
    quant = Quant.objects.get(product=chair, location=stock)
    assert (quant.quantity, quant.reserved_quantity) == (ON_HAND, ON_HAND)
    moves = Move.objects.filter(product=chair, source_location=stock)
    assert moves.count() == THREADS
    # Served in turn: six orders get their 3 chairs, one gets the last 2, nine get nothing yet.
    assert sorted(moves.values_list("reserved_quantity", flat=True)) == [D(0)] * 9 + [D(2)] + [D(3)] * 6
    assert moves.aggregate(q=Sum("reserved_quantity"))["q"] == ON_HAND
    assert MoveLine.objects.filter(move__in=moves, done=False).aggregate(q=Sum("reserved_quantity"))["q"] == ON_HAND
    assert Counter(moves.values_list("state", flat=True)) == {MoveState.READY: 6, MoveState.PARTIAL: 1, MoveState.WAITING: 9}
    deliveries = Transfer.objects.filter(kind=TransferKind.DELIVERY, sale_orders__in=orders)
    assert Counter(deliveries.values_list("state", flat=True)) == {TransferState.READY: 6, TransferState.WAITING: 10}
    assert not Quant.objects.filter(Q(quantity__lt=0) | Q(reserved_quantity__lt=0)).exists()
    assert not Move.objects.filter(reserved_quantity__lt=0).exists()
