"""The invoice PDF and the export of posted entries for another accounting package."""

import csv
import io
from decimal import Decimal as D

import pytest

from tessera.accounting.documents import invoice_pdf
from tessera.accounting.export import COLUMNS, posted_entries
from tessera.accounting.models import Journal
from tessera.accounting.services import invoice_post, invoice_save
from tessera.core.tests.factories import PartnerFactory

from .test_invoices import DAY, invoice


@pytest.fixture
def posted_invoice(company, accountant):
    customer = PartnerFactory(company=company, name="Atelier Gent BV", ref="C0042", vat="BE0477472701", language="nl",
                              street="Veldstraat 1", zip="9000", city="Gent")  # fmt: skip
    Journal.objects.filter(company=company, code="BNK1").update(bank_iban="BE68539007547034")
    document, drafts = invoice(company, customer, lines=[("Workbench", "sales", "2", "450.00", ["S21"])])
    return invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)


def test_the_invoice_pdf_is_a_pdf_with_its_figures(posted_invoice):
    pdf = invoice_pdf(posted_invoice)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 5000
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")
    for expected in ("INV/2026/00001", "Atelier Gent BV", "1.089,00", posted_invoice.payment_reference, "BE68539007547034"):
        assert expected in text, expected


def test_the_pdf_through_the_api_and_the_back_office(api, client, accountant, posted_invoice):
    response = api.get(f"/api/v1/accounting/invoices/{posted_invoice.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    client.force_login(accountant)
    assert client.get(f"/admin/accounting/invoice/{posted_invoice.pk}/pdf/").content.startswith(b"%PDF-")


def test_posted_entries_export_with_stable_ids(api, company, posted_invoice):
    rows = posted_entries(company, DAY, DAY)
    assert [(row["account"], row["debit"], row["credit"], row["vat_grids"], row["partner_ref"]) for row in rows] == [
        ("700000", "0.00", "900.00", "03", "C0042"),
        ("451000", "0.00", "189.00", "54", "C0042"),
        ("400000", "1089.00", "0.00", "", "C0042"),
    ]
    assert {row["entry_number"] for row in rows} == {"INV/2026/00001"}
    assert posted_entries(company, DAY, DAY) == rows  # a re-export gives the same rows
    response = api.get("/api/v1/accounting/exports/entries/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200 and response.json()["rows"] == rows
    exported = api.get(
        "/api/v1/accounting/exports/entries/", {"date_from": "2026-03-01", "date_to": "2026-03-31", "output": "csv"}
    )
    table = list(csv.reader(io.StringIO(exported.content.decode())))
    assert tuple(table[0]) == COLUMNS
    assert [row[COLUMNS.index("line_id")] for row in table[1:]] == [str(row["line_id"]) for row in rows]
    assert sum(D(row["debit"]) for row in rows) == sum(D(row["credit"]) for row in rows)
