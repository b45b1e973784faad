"""The RFQ / purchase order PDF and sending it by e-mail: the PDF's text read back with its exact
figures, the supplier's codes, expected dates and the delivery address; one e-mail with the PDF
attached, leaving after the commit, and the RFQ sent; a supplier without an e-mail address refused
with nothing changed."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core import mail
from pypdf import PdfReader

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import AuditEntry, Company
from tessera.core.tests.factories import PartnerFactory
from tessera.inventory.models import Warehouse
from tessera.purchasing.documents import order_pdf
from tessera.purchasing.models import PurchaseOrder
from tessera.purchasing.services import (
    PurchaseLineDraft,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_save,
    purchase_order_send,
)
from tessera.purchasing.states import OrderState

from .conftest import supplier_price

ORDER_DATE = datetime.date(2026, 3, 2)


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")


@pytest.fixture
def rfq(company, buyer, supplier, steel, bolts):
    """10 steel plates at the supplier's 12.50 (its code ST-4, 7 days) and 100 bolts at a typed 0.25."""
    Company.objects.filter(pk=company.pk).update(street="Kaai 5", zip="9000", city="Gent")
    company.refresh_from_db()
    supplier.email = "verkoop@staal.example"
    supplier.save()
    supplier_price(company, steel, supplier, "12.50", lead_days=7, supplier_code="ST-4")
    order = PurchaseOrder(company=company, partner=supplier, date_order=ORDER_DATE, partner_ref="OFF-77")
    # 10 × 12.50 + 100 × 0.25 = 150.00 untaxed; 21 % VAT 31.50; 181.50 in all.
    return purchase_order_save(
        order,
        [PurchaseLineDraft(steel, D(10)), PurchaseLineDraft(bolts, D(100), price_unit=D("0.25"), date_planned=ORDER_DATE)],
        by=buyer,
    )


def test_the_rfq_pdf_has_its_lines_codes_dates_totals_and_delivery_address(rfq):
    assert (rfq.amount_untaxed, rfq.amount_tax, rfq.amount_total) == (D("150.00"), D("31.50"), D("181.50"))
    text = pdf_text(order_pdf(rfq))
    for expected in (f"Request for quotation {rfq.number}", "Staal BV", "Haven 1", "2000 Antwerpen", "Your reference OFF-77",
                     "Steel plate Your code: ST-4 10 Unit 12.50 P21-G 03/09/2026 125.00",
                     "Bolt M8 100 Unit 0.25 P21-G 03/02/2026 25.00", "Untaxed 150.00 EUR",
                     "Deductible VAT 21% – goods for resale and raw materials on 150.00 31.50", "Total 181.50 EUR",
                     "Deliver to Aankoop NV Kaai 5 9000 Gent Belgium"):  # fmt: skip
        assert expected in text, text
    assert "Purchase order" not in text


def test_the_warehouse_address_is_the_delivery_address_and_a_placed_order_is_a_purchase_order(rfq, company, buyer):
    depot = PartnerFactory(company=company, name="Depot Zuid", street="Dok 9", zip="2030", city="Antwerpen", is_customer=False)
    Warehouse.objects.filter(company=company, code="WH").update(partner=depot)
    order = purchase_order_confirm(rfq, by=buyer)
    assert order.state == OrderState.PURCHASE
    text = pdf_text(order_pdf(PurchaseOrder.objects.get(pk=order.pk)))
    assert f"Purchase order {order.number}" in text and "Request for quotation" not in text
    assert "Deliver to Depot Zuid Dok 9 2030 Antwerpen Belgium" in text


def test_sending_mails_the_pdf_after_the_commit_and_marks_the_rfq_sent(rfq, buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sent = purchase_order_send(rfq, by=buyer)
    assert (len(callbacks), mail.outbox) == (1, [])  # nothing leaves before the commit
    callbacks[0]()
    [message] = mail.outbox
    assert message.to == ["verkoop@staal.example"]
    assert message.subject == f"Aankoop NV: Request for quotation {rfq.number}"
    assert "Please send us your prices and delivery dates." in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{rfq.number.replace('/', '-')}.pdf", "application/pdf")
    assert "Total 181.50 EUR" in pdf_text(content)
    assert sent.state == OrderState.SENT
    rfq.refresh_from_db()
    assert rfq.state == OrderState.SENT
    entry = AuditEntry.objects.filter(object_id=str(rfq.pk)).order_by("-id").first()
    assert entry.changes["state"] == {"old": "draft", "new": "sent"}

    # Sent again, to another address: one more e-mail, still sent.
    with django_capture_on_commit_callbacks(execute=True):
        purchase_order_send(rfq, by=buyer, to="inkoop@staal.example")
    assert [m.to for m in mail.outbox] == [["verkoop@staal.example"], ["inkoop@staal.example"]]
    rfq.refresh_from_db()
    assert rfq.state == OrderState.SENT


def test_a_placed_order_is_sent_as_a_purchase_order_and_stays_placed(rfq, buyer, django_capture_on_commit_callbacks):
    order = purchase_order_confirm(rfq, by=buyer)
    with django_capture_on_commit_callbacks(execute=True):
        sent = purchase_order_send(order, by=buyer)
    [message] = mail.outbox
    assert message.subject == f"Aankoop NV: Purchase order {order.number}"
    assert "for a total of 181.50 EUR" in message.body
    assert sent.state == OrderState.PURCHASE


def test_a_supplier_without_e_mail_is_refused_and_nothing_changes(company, buyer, supplier, bolts,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    assert supplier.email == ""
    order = purchase_order_save(PurchaseOrder(company=company, partner=supplier),
                                [PurchaseLineDraft(bolts, D(100), price_unit=D("0.25"))], by=buyer)  # fmt: skip
    audits = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        purchase_order_send(order, by=buyer)
    assert (refused.value.code, refused.value.field) == ("no_email", "to")
    assert str(refused.value) == "Staal BV has no e-mail address: add one to the supplier or give the address to send to."
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        purchase_order_send(order, by=buyer, to="not an address")
    assert refused.value.code == "invalid_email"
    order.refresh_from_db()
    assert (order.state, len(mail.outbox), AuditEntry.objects.count()) == (OrderState.DRAFT, 0, audits)

    # An address given by the sender does.
    with django_capture_on_commit_callbacks(execute=True):
        purchase_order_send(order, by=buyer, to="sales@staal.example")
    assert [m.to for m in mail.outbox] == [["sales@staal.example"]]
    order.refresh_from_db()
    assert order.state == OrderState.SENT


def test_a_cancelled_order_is_not_sent(rfq, buyer, django_capture_on_commit_callbacks):
    order = purchase_order_cancel(rfq, by=buyer)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BusinessError) as refused:
        purchase_order_send(order, by=buyer)
    assert refused.value.code == "order_cancelled" and mail.outbox == []
    text = pdf_text(order_pdf(order))
    assert "This order is cancelled." in text and f"Request for quotation {rfq.number}" in text
