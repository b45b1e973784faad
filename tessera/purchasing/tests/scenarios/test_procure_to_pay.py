"""Procure to pay: a reordering rule raises a need, the buy route turns it into an RFQ at the best
supplier price, the order waits for a manager's approval, half is received with a backorder, the
first bill matches and is paid, the second is billed too dear and stays blocked until accepted, then
goes to the bank in a SEPA payment run file."""

import datetime
from decimal import Decimal as D

import pytest
import xmlschema
from django.utils import timezone

from tessera.accounting.models import Account, InvoiceKind, Journal, JournalLine
from tessera.accounting.services import invoice_post, payment_register
from tessera.accounting.states import InvoiceState, PaymentState
from tessera.core.errors import BusinessError
from tessera.core.models import PartnerBankAccount
from tessera.inventory.models import Quant, ReorderingRule, TransferKind
from tessera.inventory.services import DoneQuantity, replenishment_run, transfer_validate
from tessera.inventory.states import NeedState, TransferState
from tessera.purchasing.models import BillMatch
from tessera.purchasing.services import (
    bill_match_accept,
    bills_due,
    payment_run_create,
    payment_run_file,
    payment_run_mark_sent,
    purchase_order_approve,
    purchase_order_bill,
    purchase_order_confirm,
)
from tessera.purchasing.states import BillStatus, MatchState, OrderState, ReceiptStatus

from ..conftest import supplier_price
from ..test_payment_runs import XSD


def balance(company, code):
    lines = JournalLine.objects.filter(account=Account.objects.get(company=company, code=code), posted=True)
    return sum((line.debit - line.credit for line in lines), D(0))


def on_hand(product, location):
    return sum(Quant.objects.filter(product=product, location=location).values_list("quantity", flat=True), D(0))


def test_reorder_rule_to_paid_bills(company, warehouse, buyer, manager, supplier, other_supplier, bank, steel):
    today = timezone.localdate()
    supplier_price(company, steel, supplier, "12.50", lead_days=7)
    supplier_price(company, steel, supplier, "11.00", min_quantity="100", lead_days=7)  # the better price from 100
    supplier_price(company, steel, other_supplier, "11.80", lead_days=2)
    supplier_price(company, steel, other_supplier, "9.00", date_end=today - datetime.timedelta(days=1))  # expired
    ReorderingRule.objects.create(company=company, product=steel, warehouse=warehouse, location=warehouse.stock_location,
                                  min_quantity=D(20), max_quantity=D(120))  # fmt: skip

    [need] = replenishment_run(company, by=buyer)
    need.refresh_from_db()
    assert (need.route, need.quantity, need.state) == ("buy", D(120), NeedState.IN_PROGRESS)
    [order] = supplier.purchase_orders.all()
    [line] = order.lines.all()
    assert (order.state, order.buyer, need.fulfilled_by) == (OrderState.DRAFT, buyer, order.number)
    assert (line.quantity, line.price_unit, line.need, line.date_planned) == (
        D(120),
        D("11.00"),
        need,
        today + datetime.timedelta(days=7),
    )
    # 120 × 11.00 = 1,320.00 untaxed, 21 % VAT: above the 1,000.00 the company approves itself.
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("1320.00"), D("277.20"), D("1597.20"))

    order = purchase_order_confirm(order, by=buyer)
    assert (order.state, order.transfers.count()) == (OrderState.TO_APPROVE, 0)
    order = purchase_order_approve(order, by=manager)
    order.refresh_from_db()
    assert (order.state, order.approved_by, order.receipt_status, order.bill_status) == (
        OrderState.PURCHASE,
        manager,
        ReceiptStatus.NOTHING,
        BillStatus.NOTHING,
    )
    need.refresh_from_db()
    assert need.state == NeedState.DONE  # the receipt covers it now
    [receipt] = order.transfers.all()
    [move] = receipt.moves.all()
    assert (receipt.kind, receipt.origin, move.product_quantity, move.unit_cost) == (
        TransferKind.RECEIPT,
        order.number,
        D(120),
        D("11.00"),
    )

    # 50 come in; the rest waits in a backorder.
    result = transfer_validate(receipt, done={move.pk: [DoneQuantity(D(50))]}, by=buyer)
    order.refresh_from_db()
    [line] = order.lines.all()
    assert (line.qty_received, line.received_date, order.receipt_status, order.bill_status) == (
        D(50),
        None,
        ReceiptStatus.PARTIAL,
        BillStatus.TO_BILL,
    )
    assert set(order.transfers.all()) == {receipt, result.backorder}
    assert on_hand(steel, warehouse.stock_location) == D(50)
    assert balance(company, "340000") == D("550.00")  # 50 × 11.00 in stock

    first = purchase_order_bill(order, by=buyer, ref="F-2026-118")
    assert (first.kind, first.state, first.ref) == (InvoiceKind.VENDOR_BILL, InvoiceState.DRAFT, "F-2026-118")
    assert [(li.quantity, li.price_unit) for li in first.lines.all()] == [(D(50), D("11.00"))]
    first = invoice_post(first, by=manager)
    match = BillMatch.objects.get(invoice=first)
    order.refresh_from_db()
    [line] = order.lines.all()
    assert (match.state, match.reason, line.qty_billed, order.bill_status, first.payment_hold) == (
        MatchState.MATCHED,
        "",
        D(50),
        BillStatus.NOTHING,
        "",
    )
    assert (first.amount_untaxed, first.amount_total) == (D("550.00"), D("665.50"))
    payment_register([first], amount=D("665.50"), on=today, journal=bank, by=manager)
    first.refresh_from_db()
    assert (first.payment_state, first.amount_residual) == (PaymentState.PAID, D("0.00"))

    # The other 70 come in; the supplier bills them at 11.50, beyond the 2 % price tolerance.
    transfer_validate(result.backorder, by=buyer)
    order.refresh_from_db()
    [line] = order.lines.all()
    assert (line.qty_received, line.received_date, order.receipt_status) == (D(120), today, ReceiptStatus.FULL)
    second = purchase_order_bill(order, by=buyer, ref="F-2026-131")
    [bill_line] = second.lines.all()
    bill_line.price_unit = D("11.50")
    bill_line.save()
    second = invoice_post(second, by=manager)
    second.refresh_from_db()
    match = BillMatch.objects.get(invoice=second)
    reason = f"[STEEL PLATE] Steel plate ({order.number}): billed at 11.50, ordered at 11.00."
    assert (match.state, match.reason, second.payment_hold) == (MatchState.BLOCKED, reason, reason)
    order.refresh_from_db()
    assert order.bill_status == BillStatus.BILLED
    with pytest.raises(BusinessError, match="blocked for payment"):
        payment_register([second], amount=second.amount_total, on=today, journal=bank, by=manager)

    bill_match_accept(match, by=manager)
    match.refresh_from_db()
    second.refresh_from_db()
    assert (match.state, match.accepted_by, second.payment_hold) == (MatchState.ACCEPTED, manager, "")
    # 70 × 11.50 = 805.00 + 21 % = 974.05, paid by a SEPA payment run
    PartnerBankAccount.objects.create(company=company, partner=supplier, iban="BE71096123456769", bic="GKCCBEBB")
    Journal.objects.filter(pk=bank.pk).update(bank_iban="BE68539007547034")
    bank.refresh_from_db()
    assert list(bills_due(company, second.due_date)) == [second]
    run = payment_run_create(company, [second], journal=bank, execution_date=today, by=manager)
    content = payment_run_file(run)
    if XSD.is_file():
        xmlschema.XMLSchema(XSD).validate(content)
    assert b"<CtrlSum>974.05</CtrlSum>" in content and b"<Ustrd>F-2026-131</Ustrd>" in content
    payment_run_mark_sent(run, by=manager)
    assert balance(company, "340000") == D("1320.00")
    receipt.refresh_from_db()
    assert (receipt.state, result.backorder.origin) == (TransferState.DONE, order.number)
