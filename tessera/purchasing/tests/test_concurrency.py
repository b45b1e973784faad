"""Under concurrency a bill goes in one payment run only: eight runs made at the same moment for the
same due bill give one run and seven refusals; and two receipts of the last goods of an order line at
once never take it beyond the tolerance."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from tessera.accounting.models import Journal
from tessera.core.errors import BusinessError
from tessera.core.models import PartnerBankAccount
from tessera.purchasing.models import PaymentRun, PaymentRunLine, PurchaseOrder
from tessera.purchasing.services import (
    PurchaseLineDraft,
    payment_run_create,
    purchase_order_confirm,
    purchase_order_receive,
    purchase_order_save,
)

from .conftest import posted_bill

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
THREADS = 8


def race(work, count: int) -> list[BaseException]:
    start = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            work()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_a_bill_goes_in_one_payment_run_however_many_are_made_at_once(company, manager, supplier):
    PartnerBankAccount.objects.create(company=company, partner=supplier, iban="BE71096123456769")
    bank = Journal.objects.get(company=company, code="BNK1")
    Journal.objects.filter(pk=bank.pk).update(bank_iban="BE68539007547034")
    bank.refresh_from_db()
    today = timezone.localdate()
    bill = posted_bill(company, supplier, "100.00", manager, due=today)

    errors = race(lambda: payment_run_create(company, [bill], journal=bank, execution_date=today, by=manager), THREADS)
    assert (PaymentRun.objects.count(), PaymentRunLine.objects.filter(invoice=bill).count()) == (1, 1)
    assert sorted(getattr(error, "code", repr(error)) for error in errors) == ["bill_in_run"] * (THREADS - 1)


def test_two_receipts_at_once_stay_within_the_tolerance(company, manager, supplier, steel):
    order = purchase_order_save(PurchaseOrder(company=company, partner=supplier),
                                [PurchaseLineDraft(steel, D(100), price_unit=D(10))], by=manager)  # fmt: skip
    order = purchase_order_confirm(order, by=manager)
    line = order.lines.get()
    purchase_order_receive(order, by=manager, quantities={line.pk: D(60)})  # 40 left in a backorder
    # two people each receive 45 at the same moment: one fits in the 5 % tolerance (105), both would not (150)
    errors = race(lambda: purchase_order_receive(order, by=manager, quantities={line.pk: D(45)}), 2)
    line.refresh_from_db()
    assert line.qty_received == D(105)
    assert len(errors) == 1 and isinstance(errors[0], BusinessError), errors
