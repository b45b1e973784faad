"""Goods returned to the supplier after being billed: the order's received quantity drops, the
return is linked to the order, and billing it drafts a vendor refund that the match records."""

from decimal import Decimal as D

from tessera.accounting.models import InvoiceKind
from tessera.accounting.services import invoice_post
from tessera.inventory.models import TransferKind
from tessera.inventory.services import transfer_return, transfer_validate
from tessera.purchasing.models import BillMatch, PurchaseOrder
from tessera.purchasing.services import (
    PurchaseLineDraft,
    purchase_order_bill,
    purchase_order_confirm,
    purchase_order_receive,
    purchase_order_save,
)
from tessera.purchasing.states import BillStatus, MatchState, ReceiptStatus


def test_a_return_after_billing_is_refunded(company, manager, supplier, steel):
    lines = [PurchaseLineDraft(steel, D(20), price_unit=D(10))]
    order = purchase_order_save(PurchaseOrder(company=company, partner=supplier), lines, by=manager)
    order = purchase_order_confirm(order, by=manager)
    [receipt] = purchase_order_receive(order, by=manager)
    invoice_post(purchase_order_bill(order, by=manager, ref="F-1"), by=manager)

    back = transfer_return(receipt, by=manager, quantities={receipt.moves.get().pk: D(5)})
    transfer_validate(back, by=manager)
    order.refresh_from_db()
    line = order.lines.get()
    assert (back.kind, line.qty_received, line.qty_billed) == (TransferKind.DELIVERY, D(15), D(20))
    assert (order.receipt_status, order.bill_status) == (ReceiptStatus.PARTIAL, BillStatus.TO_BILL)
    assert set(order.transfers.all()) == {receipt, back}

    refund = purchase_order_bill(order, by=manager)
    assert (refund.kind, [(li.quantity, li.price_unit) for li in refund.lines.all()]) == (
        InvoiceKind.VENDOR_REFUND,
        [(D(5), D(10))],
    )
    refund = invoice_post(refund, by=manager)
    refund.refresh_from_db()
    assert (refund.amount_untaxed, refund.amount_total) == (D("50.00"), D("60.50"))
    match = BillMatch.objects.get(invoice=refund)
    assert (match.state, [(ml.quantity, ml.price_unit) for ml in match.lines.all()]) == (MatchState.MATCHED, [(D(-5), D(10))])
    line.refresh_from_db()
    order.refresh_from_db()
    assert (line.qty_billed, order.bill_status) == (D(15), BillStatus.NOTHING)
