"""The quotation / order confirmation PDF and sending it by e-mail: the PDF's text read back with its
exact figures, in the customer's language; one e-mail with the PDF attached and the quotation sent;
a customer without an e-mail address refused with nothing changed; the same through the API and the
back office."""

import datetime
import io
from decimal import Decimal as D

import pytest
from django.core import mail
from pypdf import PdfReader

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import AuditEntry, PaymentTerm
from tessera.core.tests.factories import PartnerFactory
from tessera.sales.documents import order_pdf
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_cancel, sale_order_confirm, sale_order_save, sale_order_send
from tessera.sales.states import OrderState

ORDERS = "/api/v1/sales/orders/"
PROBLEM = "application/problem+json"


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", " ")


@pytest.fixture
def dutch_customer(company):
    return PartnerFactory(company=company, name="Atelier Gent BV", country="BE", street="Veldstraat 1", zip="9000", city="Gent",
                          vat="BE0477472701", language="nl", email="inkoop@atelier.example", is_customer=True)  # fmt: skip


@pytest.fixture
def quotation(company, seller, dutch_customer, desk, chair):
    term = PaymentTerm.objects.create(company=company, name="30 dagen", note="Betaling binnen 30 dagen.")
    order = SaleOrder(company=company, partner=dutch_customer, payment_term=term, date_order=datetime.date(2026, 3, 2),
                      validity_date=datetime.date(2026, 4, 1), client_order_ref="PO-778",
                      note="Levering aan de achterdeur.")  # fmt: skip
    # 4 × 250 + 10 × 80 × 90 % = 1,720.00 untaxed; 21 % VAT 361.20; 2,081.20 in all.
    return sale_order_save(order, [OrderLineDraft(desk, D(4)), OrderLineDraft(chair, D(10), discount=D(10))], by=seller)


def test_the_quotation_pdf_has_its_number_customer_lines_and_totals(quotation):
    assert (quotation.amount_untaxed, quotation.amount_tax, quotation.amount_total) == (D("1720.00"), D("361.20"), D("2081.20"))
    text = pdf_text(order_pdf(quotation))
    # Numbers and dates as in Dutch (the customer speaks Dutch; the labels wait for the Dutch catalogue).
    for expected in ("Quotation", quotation.number, "Atelier Gent BV", "Veldstraat 1", "9000 Gent", "PO-778",
                     "Order date 2-3-2026", "Valid until 1-4-2026", "Desk 4 Unit 250 S21 1.000,00",
                     "Chair 10 Unit 80 10% S21 720,00", "Untaxed 1.720,00 EUR", "VAT 21% on 1.720,00 361,20",
                     "Total 2.081,20 EUR", "30 dagen", "Betaling binnen 30 dagen.", "Levering aan de achterdeur."):  # fmt: skip
        assert expected in text, expected
    assert "Order confirmation" not in text


def test_once_confirmed_it_is_an_order_confirmation_with_promised_dates(quotation, seller, warehouse):
    order = sale_order_confirm(quotation, by=seller)
    [desk_line, _chair_line] = order.lines.order_by("position")
    assert desk_line.promised_date is not None
    text = pdf_text(order_pdf(order))
    assert "Order confirmation" in text and "Quotation" not in text
    promised = desk_line.promised_date
    assert "Promised for" in text and f"{promised.day}-{promised.month}-{promised.year}" in text
    assert "2.081,20 EUR" in text


def test_sending_mails_the_pdf_and_marks_the_quotation_sent(quotation, seller, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sale_order_send(quotation, by=seller)
    [message] = mail.outbox
    assert message.to == ["inkoop@atelier.example"]
    assert message.subject == f"Verkoop NV: Quotation {quotation.number}"
    assert "2.081,20 EUR" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert (filename, mimetype) == (f"{quotation.number.replace('/', '-')}.pdf", "application/pdf")
    assert "2.081,20 EUR" in pdf_text(content)
    quotation.refresh_from_db()
    assert quotation.state == OrderState.SENT
    entry = AuditEntry.objects.filter(object_id=str(quotation.pk)).order_by("-id").first()
    assert entry.changes["state"] == {"old": "draft", "new": "sent"}

    # Sent again, to another address: one more e-mail, still sent.
    with django_capture_on_commit_callbacks(execute=True):
        sale_order_send(quotation, by=seller, to="boss@atelier.example")
    assert [m.to for m in mail.outbox] == [["inkoop@atelier.example"], ["boss@atelier.example"]]
    quotation.refresh_from_db()
    assert quotation.state == OrderState.SENT


def test_a_confirmed_order_is_sent_as_a_confirmation_and_stays_an_order(quotation, seller, django_capture_on_commit_callbacks):
    order = sale_order_confirm(quotation, by=seller)
    with django_capture_on_commit_callbacks(execute=True):
        message = sale_order_send(order, by=seller)
    assert message.subject == f"Verkoop NV: Order confirmation {order.number}"
    order.refresh_from_db()
    assert order.state == OrderState.SALE


def test_a_customer_without_e_mail_is_refused_and_nothing_changes(company, seller, customer, desk,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    order = sale_order_save(SaleOrder(company=company, partner=customer), [OrderLineDraft(desk, D(1))], by=seller)
    audits = AuditEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        sale_order_send(order, by=seller)
    assert refused.value.code == "no_email" and refused.value.field == "to"
    assert "Klant BV has no e-mail address" in str(refused.value)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput) as refused:
        sale_order_send(order, by=seller, to="not an address")
    assert refused.value.code == "invalid_email"
    order.refresh_from_db()
    assert (order.state, len(mail.outbox), AuditEntry.objects.count()) == (OrderState.DRAFT, 0, audits)


def test_a_cancelled_order_is_not_sent(quotation, seller, django_capture_on_commit_callbacks):
    order = sale_order_cancel(quotation, by=seller)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(BusinessError) as refused:
        sale_order_send(order, by=seller)
    assert refused.value.code == "order_cancelled" and mail.outbox == []
    assert "This order is cancelled." in pdf_text(order_pdf(order))


def test_the_pdf_and_sending_through_the_api(api, quotation, django_capture_on_commit_callbacks):
    response = api.get(f"{ORDERS}{quotation.pk}/pdf/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"] == f'inline; filename="{quotation.number.replace("/", "-")}.pdf"'
    assert "Total 2.081,20 EUR" in pdf_text(response.content)

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{ORDERS}{quotation.pk}/send/", {"to": "boss@atelier.example"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["state"], [m.to for m in mail.outbox]) == ("sent", [["boss@atelier.example"]])


def test_the_api_refuses_a_bad_address_and_a_customer_without_one(api, company, seller, customer, desk, quotation,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    order = sale_order_save(SaleOrder(company=company, partner=customer), [OrderLineDraft(desk, D(1))], by=seller)
    with django_capture_on_commit_callbacks(execute=True):
        no_email = api.post(f"{ORDERS}{order.pk}/send/", {}, format="json")
        bad = api.post(f"{ORDERS}{quotation.pk}/send/", {"to": "nobody"}, format="json")
    assert (no_email.status_code, no_email["Content-Type"], no_email.json()["code"]) == (400, PROBLEM, "no_email")
    assert (bad.status_code, bad["Content-Type"]) == (400, PROBLEM)
    assert sorted(SaleOrder.objects.values_list("state", flat=True)) == ["draft", "draft"] and mail.outbox == []


def test_the_pdf_and_send_button_in_the_back_office(client, seller, quotation, django_capture_on_commit_callbacks):
    client.force_login(seller)
    change = client.get(f"/admin/sales/saleorder/{quotation.pk}/change/")
    assert f"/admin/sales/saleorder/{quotation.pk}/pdf/" in change.content.decode()
    assert f"/admin/sales/saleorder/{quotation.pk}/do/send/" in change.content.decode()
    response = client.get(f"/admin/sales/saleorder/{quotation.pk}/pdf/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/sales/saleorder/{quotation.pk}/do/send/")
    assert response.status_code == 302 and len(mail.outbox) == 1
    quotation.refresh_from_db()
    assert quotation.state == OrderState.SENT
