"""Order to cash: a quotation becomes an order, the stock is reserved, half is delivered with a
backorder for the rest, what was delivered is invoiced, paid and reconciled; stock, entries,
receivable and margin checked exactly at each step."""

import datetime
from decimal import Decimal as D

from django.utils import timezone

from tessera.accounting.models import Account, JournalLine
from tessera.accounting.services import invoice_post, payment_register
from tessera.inventory.models import Quant, Transfer, TransferKind, ValuationLayer
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_reserve, transfer_save, transfer_validate
from tessera.inventory.states import TransferState
from tessera.sales.models import InvoicePolicy, SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_invoice, sale_order_save
from tessera.sales.states import DeliveryStatus, InvoiceStatus, OrderState


def balance(company, code):
    lines = JournalLine.objects.filter(account=Account.objects.get(company=company, code=code), posted=True)
    return sum((line.debit - line.credit for line in lines), D(0))


def stock_of(product, location):
    return sum(Quant.objects.filter(product=product, location=location).values_list("quantity", flat=True), D(0))


def receive(company, warehouse, by, product, quantity, cost):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(quantity), unit_cost=D(cost))], by=by)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=by), by=by)


def test_a_quotation_delivered_in_two_parts_invoiced_and_paid(company, warehouse, seller, customer, bank, desk, chair, assembly):
    stock = warehouse.stock_location
    receive(company, warehouse, seller, desk, 2, 100)
    receive(company, warehouse, seller, chair, 20, 30)

    order = sale_order_save(
        SaleOrder(company=company, partner=customer, invoice_policy=InvoicePolicy.DELIVERED),
        [OrderLineDraft(desk, D(3)), OrderLineDraft(chair, D(10), discount=D(10)), OrderLineDraft(assembly, D(1))],
        by=seller,
    )
    assert (order.number, order.state) == (f"SO/{timezone.localdate().year}/00001", OrderState.DRAFT)
    # 3 × 250 + 10 × 80 × 90 % + 45 = 1,515.00 untaxed; 21 % VAT.
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("1515.00"), D("318.15"), D("1833.15"))

    order = sale_order_confirm(order, by=seller)
    assert order.state == OrderState.SALE
    [delivery] = order.transfers.all()
    assert (delivery.kind, delivery.state, delivery.origin) == (TransferKind.DELIVERY, TransferState.WAITING, order.number)
    reserved = {q.product_id: q.reserved_quantity for q in Quant.objects.filter(location=stock)}
    assert reserved == {desk.pk: D(2), chair.pk: D(10)}
    today = timezone.localdate()
    promised = {line.product_id: line.promised_date for line in order.lines.all()}
    assert promised == {desk.pk: today + datetime.timedelta(days=10), chair.pk: today, assembly.pk: None}

    result = transfer_validate(delivery, by=seller)  # what is reserved leaves: 2 desks, 10 chairs
    order.refresh_from_db()
    assert order.delivery_status == DeliveryStatus.PARTIAL
    assert result.backorder is not None and set(order.transfers.all()) == {delivery, result.backorder}
    delivered = {line.product_id: line.qty_delivered for line in order.lines.all()}
    assert delivered == {desk.pk: D(2), chair.pk: D(10), assembly.pk: D(1)}
    assert (stock_of(desk, stock), stock_of(chair, stock)) == (D(0), D(10))
    # Cost of the goods that left: 2 × 100 + 10 × 30, out of stock into the stock variation account.
    assert sum(ValuationLayer.objects.filter(quantity__lt=0).values_list("value", flat=True), D(0)) == D("-500.00")
    assert (balance(company, "340000"), balance(company, "609400")) == (D("300.00"), D("-300.00"))

    invoice = sale_order_invoice(order, by=seller)
    assert [(line.product_id, line.quantity) for line in invoice.lines.order_by("position")] == [
        (desk.pk, D(2)), (chair.pk, D(10)), (assembly.pk, D(1)),
    ]  # fmt: skip
    invoice = invoice_post(invoice, by=seller)
    # 2 × 250 + 720 + 45 = 1,265.00 untaxed, 265.65 VAT.
    assert (invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total) == (D("1265.00"), D("265.65"), D("1530.65"))
    assert (balance(company, "400000"), balance(company, "700000"), balance(company, "451000")) == (
        D("1530.65"), D("-1265.00"), D("-265.65"),
    )  # fmt: skip
    order.refresh_from_db()
    assert order.invoice_status == InvoiceStatus.NOTHING  # all that was delivered is invoiced; the desk still to come

    payment_register([invoice], amount=D("1530.65"), on=timezone.localdate(), journal=bank, by=seller)
    invoice.refresh_from_db()
    assert (invoice.payment_state, invoice.amount_residual) == ("paid", D("0.00"))
    assert balance(company, "400000") == D("0.00")
    # Margin on the goods delivered: 1,220.00 of sales less 500.00 of their cost.
    assert -balance(company, "700000") - D(45) - D(500) == D("720.00")

    receive(company, warehouse, seller, desk, 1, 110)
    backorder = transfer_reserve(result.backorder, by=seller)
    assert backorder.state == TransferState.READY
    transfer_validate(backorder, by=seller)
    order.refresh_from_db()
    assert (order.delivery_status, order.invoice_status) == (DeliveryStatus.FULL, InvoiceStatus.TO_INVOICE)
    rest = invoice_post(sale_order_invoice(order, by=seller), by=seller)
    assert [(line.product_id, line.quantity) for line in rest.lines.all()] == [(desk.pk, D(1))]
    assert rest.amount_total == D("302.50")
    order.refresh_from_db()
    assert order.invoice_status == InvoiceStatus.INVOICED
    assert set(order.invoices.all()) == {invoice, rest}
