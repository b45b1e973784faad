"""RFQs and purchase orders through the services: prices from supplier prices and framework
agreements, approval, receipts by line and their tolerance, bills linked to orders; bad input
changes nothing."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import FiscalPositionKind, Invoice, InvoiceKind, InvoiceLine, Journal
from tessera.accounting.services import DraftLine, invoice_cancel, invoice_line_defaults, invoice_save
from tessera.core.errors import BusinessError, InvalidInput, NotAllowed
from tessera.core.tests.factories import PartnerFactory, unit
from tessera.inventory.models import Move, ProcurementNeed, Quant
from tessera.inventory.states import MoveState, NeedState
from tessera.purchasing.models import PurchaseOrder
from tessera.purchasing.services import (
    PurchaseLineDraft,
    purchase_bill_link,
    purchase_order_approve,
    purchase_order_bill,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_receive,
    purchase_order_save,
    supplier_price_for,
)
from tessera.purchasing.states import OrderState, ReceiptStatus

from .conftest import supplier_price


def rfq(company, supplier, by, *lines):
    return purchase_order_save(PurchaseOrder(company=company, partner=supplier), list(lines), by=by)


def test_a_line_without_a_supplier_price_needs_a_typed_price(company, buyer, supplier, steel, bolts):
    supplier_price(company, steel, supplier, "12.50")
    no_price = r"Line 2: Staal BV has no price for \[BOLT M8\] Bolt M8 in this quantity on .*: type the unit price\."
    with pytest.raises(InvalidInput, match=no_price) as refused:
        rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(10)), PurchaseLineDraft(bolts, D(500)))
    assert list(refused.value.errors) == ["lines.1.price_unit"]
    assert PurchaseOrder.objects.count() == 0
    order = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(10)), PurchaseLineDraft(bolts, D(500), price_unit=D("0.04")))
    assert [(line.price_unit, line.amount_untaxed) for line in order.lines.all()] == [
        (D("12.50"), D("125.00")),
        (D("0.04"), D("20.00")),
    ]


def test_the_best_valid_price_wins_and_a_framework_agreement_is_called_off(company, buyer, supplier, other_supplier, steel):
    today = timezone.localdate()
    agreement = supplier_price(company, steel, supplier, "10.00", committed_quantity=D(100))
    supplier_price(company, steel, other_supplier, "10.50")
    supplier_price(company, steel, other_supplier, "8.00", date_start=today + datetime.timedelta(days=1))  # not yet
    assert supplier_price_for(company, steel, D(60), today) == agreement
    order = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(60)))
    assert order.lines.get().supplier_price == agreement
    # 40 left on the agreement: 60 more go to the next best price
    assert supplier_price_for(company, steel, D(60), today).partner == other_supplier
    assert supplier_price_for(company, steel, D(40), today) == agreement
    purchase_order_cancel(order, by=buyer)
    assert supplier_price_for(company, steel, D(60), today) == agreement  # a cancelled order calls nothing off


def test_approval_above_the_company_amount(company, buyer, manager, supplier, steel):
    supplier_price(company, steel, supplier, "10.00")
    small = purchase_order_confirm(
        rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(100))), by=buyer
    )  # 1,000.00: not above
    assert (small.state, small.approved_by) == (OrderState.PURCHASE, None)
    large = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(101)))
    assert purchase_order_confirm(large, by=buyer).state == OrderState.TO_APPROVE
    with pytest.raises(NotAllowed):
        purchase_order_approve(large, by=buyer)
    large.refresh_from_db()
    assert (large.state, large.transfers.count()) == (OrderState.TO_APPROVE, 0)
    direct = purchase_order_confirm(rfq(company, supplier, manager, PurchaseLineDraft(steel, D(200))), by=manager)
    direct.refresh_from_db()
    assert (direct.state, direct.approved_by) == (OrderState.PURCHASE, manager)


def test_receiving_by_line_and_beyond_the_tolerance(company, buyer, supplier, warehouse, steel, bolts):
    order = rfq(
        company,
        supplier,
        buyer,
        PurchaseLineDraft(steel, D(40), price_unit=D(10)),
        PurchaseLineDraft(bolts, D(100), price_unit=D("0.05")),
    )
    order = purchase_order_confirm(order, by=buyer)
    steel_line, bolt_line = order.lines.order_by("position")
    stock = warehouse.stock_location
    beyond = r"Steel plate: 43 received for 40 ordered on PO/\d+/00001, more than the 5 % the company tolerates\. "
    beyond += "Receive at most 42"
    with pytest.raises(BusinessError, match=beyond) as refused:
        purchase_order_receive(order, by=buyer, quantities={steel_line.pk: D(43)})
    assert refused.value.code == "received_beyond_tolerance"
    assert Quant.objects.filter(location=stock).count() == 0
    assert set(Move.objects.filter(transfer__in=order.transfers.all()).values_list("state", flat=True)) == {MoveState.READY}

    purchase_order_receive(order, by=buyer, quantities={steel_line.pk: D(42), bolt_line.pk: D(60)})  # 5 % over is tolerated
    order.refresh_from_db()
    steel_line.refresh_from_db()
    bolt_line.refresh_from_db()
    assert (steel_line.qty_received, bolt_line.qty_received, order.receipt_status) == (D(42), D(60), ReceiptStatus.PARTIAL)
    assert steel_line.received_date == timezone.localdate()
    purchase_order_receive(order, by=buyer)  # the 40 bolts left
    order.refresh_from_db()
    assert order.receipt_status == ReceiptStatus.FULL
    with pytest.raises(InvalidInput, match="Nothing is expected"):
        purchase_order_receive(order, by=buyer)
    with pytest.raises(BusinessError, match="fully received"):
        purchase_order_cancel(order, by=buyer)


def test_a_bill_cannot_be_linked_to_a_cancelled_order(company, buyer, manager, supplier, steel):
    order = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(5), price_unit=D(10)))
    purchase_order_cancel(order, by=buyer)
    bill = Invoice(company=company, kind=InvoiceKind.VENDOR_BILL, partner=supplier, date=timezone.localdate(),
                   journal=Journal.objects.get(company=company, code="BILL"), currency=company.currency)  # fmt: skip
    account, _taxes = invoice_line_defaults(bill, steel)
    bill = invoice_save(bill, [DraftLine(InvoiceLine(product=steel, description="Steel", account=account, quantity=D(5),
                                                     price_unit=D(10)), [])], by=manager)  # fmt: skip
    with pytest.raises(InvalidInput, match="is cancelled: a bill cannot refer to it"):
        purchase_bill_link(bill, [order], by=manager)
    assert bill.purchase_orders.count() == 0


def test_cancelling_an_rfq_from_the_buy_route_cancels_its_need(company, buyer, supplier, warehouse, steel):
    need = ProcurementNeed.objects.create(company=company, product=steel, quantity=D(8), warehouse=warehouse,
                                          location=warehouse.stock_location, date_needed=timezone.localdate(),
                                          route="buy")  # fmt: skip
    order = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(8), price_unit=D(10), need=need))
    purchase_order_cancel(order, by=buyer)
    need.refresh_from_db()
    assert need.state == NeedState.CANCELLED


def test_a_second_bill_waits_for_the_draft_one(company, manager, supplier, steel):
    order = rfq(company, supplier, manager, PurchaseLineDraft(steel, D(5), price_unit=D(10)))
    order = purchase_order_confirm(order, by=manager)
    purchase_order_receive(order, by=manager)
    draft = purchase_order_bill(order, by=manager)
    with pytest.raises(BusinessError, match="A draft bill of this order is waiting") as refused:
        purchase_order_bill(order, by=manager)
    assert (refused.value.code, order.invoices.count()) == ("draft_bill_waiting", 1)
    invoice_cancel(draft, by=manager)
    assert purchase_order_bill(order, by=manager).lines.get().quantity == D(5)


def test_an_edited_rfq_keeps_its_need_and_agreement(company, buyer, supplier, warehouse, steel):
    agreement = supplier_price(company, steel, supplier, "10.00", committed_quantity=D(100))
    need = ProcurementNeed.objects.create(company=company, product=steel, quantity=D(30), warehouse=warehouse,
                                          location=warehouse.stock_location, date_needed=timezone.localdate(),
                                          route="buy", state=NeedState.IN_PROGRESS)  # fmt: skip
    order = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(30), need=need))
    order.note = "Deliver at gate 2"
    order = purchase_order_save(order, [PurchaseLineDraft(steel, D(30), price_unit=D("10.00"))], by=buyer)
    line = order.lines.get()
    assert (line.need, line.supplier_price) == (need, agreement)
    purchase_order_save(
        order, [PurchaseLineDraft(steel, D(30), price_unit=D("9.50"))], by=buyer
    )  # no longer the agreement's price
    assert order.lines.get().supplier_price is None
    purchase_order_save(order, [], by=buyer)
    need.refresh_from_db()
    assert need.state == NeedState.CANCELLED


def test_receiving_in_the_purchase_unit_after_a_backorder(company, manager, supplier, warehouse, bolts):
    """Bought in boxes of 100, counted in units: the backorder is in units, what is received in boxes."""
    boxes = unit("Box of 100")
    order = rfq(company, supplier, manager, PurchaseLineDraft(bolts, D(3), price_unit=D(4), uom=boxes))
    order = purchase_order_confirm(order, by=manager)
    line = order.lines.get()
    purchase_order_receive(order, by=manager, quantities={line.pk: D(1)})
    purchase_order_receive(order, by=manager, quantities={line.pk: D("1.5")})  # from the backorder of 200 units
    line.refresh_from_db()
    assert line.qty_received == D("2.5")
    stock = sum(Quant.objects.filter(product=bolts, location=warehouse.stock_location).values_list("quantity", flat=True), D(0))
    assert stock == D(250)
    moves = Move.objects.filter(transfer__in=order.transfers.all(), state=MoveState.DONE).order_by("id")
    assert [(m.product_quantity, m.unit_cost) for m in moves] == [(D(100), D("0.04")), (D(150), D("0.04"))]


def test_an_intra_eu_supplier_gets_the_fiscal_positions_taxes(company, buyer, steel):
    dutch = PartnerFactory(company=company, name="Staal Rotterdam BV", country="NL", vat="NL004495445B01", is_supplier=True)
    order = rfq(company, dutch, buyer, PurchaseLineDraft(steel, D(10), price_unit=D(10)))
    assert order.fiscal_position.kind == FiscalPositionKind.INTRA_EU
    assert [tax.name for tax in order.lines.get().taxes.all()] == [
        "Intra-Community acquisition 21% – goods for resale and raw materials"
    ]
    # reverse charge: the VAT is both due and deductible, so the order totals no VAT to pay the supplier
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("100.00"), D("0.00"), D("100.00"))
