"""Whole order-to-cash flows run side by side for the same customer and products (PostgreSQL): none
fails (no deadlock: services lock only their own rows, never the company, partner or currency
they read with them), every one ends paid, and the ledger's chain and balances stay sound."""

import threading
from decimal import Decimal as D

import pytest
from django.db import connection
from django.utils import timezone

from tessera.accounting.models import Invoice, JournalEntry
from tessera.accounting.services import invoice_post, payment_register
from tessera.accounting.verification import verify_ledger
from tessera.inventory.models import Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_invoice, sale_order_save

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
THREADS, FLOWS = 4, 4


def test_order_to_cash_flows_side_by_side_all_end_paid(company, warehouse, seller, customer, bank, desk, chair):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(desk, D(100), unit_cost=D(100)), MoveDraft(chair, D(100), unit_cost=D(30))],
                            by=seller)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=seller), by=seller)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def flows() -> None:
        try:
            start.wait()
            for _n in range(FLOWS):
                order = sale_order_save(SaleOrder(company=company, partner=customer),
                                        [OrderLineDraft(desk, D(1)), OrderLineDraft(chair, D(2))], by=seller)  # fmt: skip
                order = sale_order_confirm(order, by=seller)
                transfer_validate(order.transfers.get(), by=seller)
                invoice = invoice_post(sale_order_invoice(order, by=seller), by=seller)
                payment_register([invoice], amount=invoice.amount_total, on=timezone.localdate(), journal=bank, by=seller)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=flows) for _n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    invoices = Invoice.objects.filter(company=company)
    assert sorted(invoices.values_list("payment_state", flat=True)) == ["paid"] * THREADS * FLOWS
    # 250 + 2 × 80 = 410.00 untaxed, 21 % VAT
    assert set(invoices.values_list("amount_total", flat=True)) == {D("496.10")}
    # the receipt's valuation, then per flow the delivery's valuation, the invoice and the payment
    assert JournalEntry.objects.filter(company=company, state="posted").count() == 1 + 3 * THREADS * FLOWS
    report = verify_ledger(company)
    assert (report.problems, report.entries) == ([], 1 + 3 * THREADS * FLOWS)
