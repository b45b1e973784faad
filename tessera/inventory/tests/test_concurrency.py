"""Under concurrency nothing is oversold: 32 deliveries confirmed (and validated) at the same time
against the same scarce stock reserve at most what is on hand and never drive a quantity below zero."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Q, Sum

from tessera.inventory.models import Move, MoveLine, Quant, TransferKind, ValuationLayer
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_validate
from tessera.inventory.states import MoveState

from .stockbook import balance, receive, transfer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
THREADS = 32
ON_HAND = D(20)


def test_thirty_two_deliveries_racing_for_scarce_stock_never_oversell(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, ON_HAND, 40)
    # 1, 2 or 3 chairs each: 64 wanted, 20 on hand.
    deliveries = [
        transfer(company, warehouse, keeper, TransferKind.DELIVERY, MoveDraft(chair, D(1 + n % 3))) for n in range(THREADS)
    ]
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    shipped: list[D] = []
    lock = threading.Lock()

    def race(delivery) -> None:
        try:
            start.wait()
            transfer_confirm(delivery, by=keeper)
            served = Move.objects.filter(transfer=delivery, reserved_quantity__gt=0).exists()
            if served and int(delivery.number.rsplit("/", 1)[1]) % 2:  # half of those served ship at once
                result = transfer_validate(delivery, by=keeper, backorder=False)
                with lock:
                    shipped.append(sum((move.product_quantity for move in result.moves_done), D(0)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(delivery,)) for delivery in deliveries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []

    quant = Quant.objects.get(product=chair, location=stock)
    gone = sum(shipped, D(0))
    assert quant.quantity == ON_HAND - gone >= 0
    open_moves = Move.objects.filter(product=chair, source_location=stock).exclude(
        state__in=(MoveState.DONE, MoveState.CANCELLED)
    )
    held = open_moves.aggregate(q=Sum("reserved_quantity"))["q"] or D(0)
    # Stock was scarce: everything on hand that did not ship is reserved, exactly once.
    assert quant.reserved_quantity == held == quant.quantity
    assert MoveLine.objects.filter(move__in=open_moves, done=False).aggregate(q=Sum("reserved_quantity"))["q"] == held
    assert Move.objects.filter(product=chair, state=MoveState.DONE, source_location=stock).aggregate(q=Sum("product_quantity"))[
        "q"
    ] in (None, gone)
    assert not Quant.objects.filter(Q(quantity__lt=0) | Q(reserved_quantity__lt=0)).exists()
    assert not Move.objects.filter(reserved_quantity__lt=0).exists()
    assert balance(company, "340000") == ValuationLayer.objects.aggregate(v=Sum("value"))["v"] == (ON_HAND - gone) * 40
