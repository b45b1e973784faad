"""Invoices through the API and the back office."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.accounting.models import Invoice, Journal, ProductTaxes, Tax
from tessera.accounting.services import account_for_role
from tessera.core.tests.factories import PartnerFactory, ProductFactory

INVOICES = "/api/v1/accounting/invoices/"


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Atelier Gent BV", country="BE")


@pytest.fixture
def workbench(company):
    product = ProductFactory(company=company, name="Workbench WB-1", sale_price=D("450"))
    taxes = ProductTaxes.objects.create(company=company, product=product)
    taxes.sale_taxes.set([Tax.objects.get(company=company, code="S21")])
    return product


def test_an_invoice_from_products_with_their_taxes(api, company, customer, workbench):
    body = {"kind": "out_invoice", "partner": customer.pk, "date": "2026-03-10",
            "lines": [{"product": workbench.pk, "quantity": "2", "price_unit": "450.00"},
                      {"description": "Delivery", "quantity": "1", "price_unit": "35.00", "taxes": []}]}  # fmt: skip
    created = api.post(INVOICES, body, format="json")
    assert created.status_code == 201, created.content
    invoice = created.json()
    assert (invoice["state"], invoice["amount_untaxed"], invoice["amount_tax"], invoice["amount_total"]) == (
        "draft", "935.0000", "189.0000", "1124.0000",
    )  # fmt: skip
    assert invoice["lines"][0]["description"] == str(workbench)
    assert invoice["lines"][0]["account"] == account_for_role(company, "sales").pk
    posted = api.post(f"{INVOICES}{invoice['id']}/post/", format="json")
    assert posted.status_code == 200, posted.content
    assert (posted.json()["number"], posted.json()["due_date"]) == ("INV/2026/00001", "2026-03-10")
    credit = api.post(f"{INVOICES}{invoice['id']}/credit-note/", {"date": "2026-03-12"}, format="json")
    assert credit.status_code == 201
    assert (credit.json()["kind"], credit.json()["origin"], credit.json()["amount_total"]) == (
        "out_refund",
        invoice["id"],
        "1124.0000",
    )


def test_bad_invoices_get_field_errors_and_write_nothing(api, company, customer):
    body = {"kind": "out_invoice", "partner": customer.pk, "date": "2026-03-10", "lines": [{"quantity": "1"}]}
    response = api.post(INVOICES, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"lines.0.description": ["Give a description or a product."]}
    purchase_tax = Tax.objects.get(company=company, code="P21-G")
    response = api.post(
        INVOICES,
        {"kind": "out_invoice", "partner": customer.pk, "date": "2026-03-10",
         "lines": [{"description": "x", "quantity": "1", "price_unit": "1", "taxes": [purchase_tax.pk]}]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and list(response.json()["errors"]) == ["lines.0.taxes"]
    assert not Invoice.objects.exists()


def test_the_vat_return_through_the_api(api, company, customer, accountant):
    body = {"kind": "out_invoice", "partner": customer.pk, "date": "2026-03-10",
            "lines": [{"description": "Shelving", "quantity": "1", "price_unit": "1000.00"}]}  # fmt: skip
    invoice = api.post(INVOICES, body, format="json").json()
    api.post(f"{INVOICES}{invoice['id']}/post/", format="json")
    response = api.get("/api/v1/accounting/reports/vat-return/", {"date_from": "2026-03-01", "date_to": "2026-03-31"})
    assert response.status_code == 200
    grids = {row["grid"]: row["amount"] for row in response.json()["grids"]}
    assert (grids["03"], grids["54"], grids["71"], grids["72"]) == ("1000.0000", "210.0000", "210.0000", "0.0000")


def test_an_invoice_typed_and_posted_in_the_back_office(client, accountant, company, customer, workbench):
    client.force_login(accountant)
    form = {
        "kind": "out_invoice", "partner": customer.pk, "journal": Journal.objects.get(company=company, code="INV").pk,
        "date": "2026-03-10", "currency": company.currency_id, "ref": "PO-7", "narration": "",
        "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-product": workbench.pk, "lines-0-quantity": "1", "lines-0-price_unit": "450", "lines-0-discount": "0",
        "lines-0-taxes": [Tax.objects.get(company=company, code="S21").pk],
        "lines-1-quantity": "1", "lines-1-price_unit": "0", "lines-1-discount": "0",
    }  # fmt: skip
    response = client.post("/admin/accounting/invoice/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    invoice = Invoice.objects.get(ref="PO-7")
    assert (invoice.amount_total, invoice.lines.count()) == (D("544.50"), 1)
    done = client.post(f"/admin/accounting/invoice/{invoice.pk}/do/post/", follow=True)
    assert "The invoice is posted." in done.content.decode()
    invoice.refresh_from_db()
    assert (invoice.state, invoice.number, invoice.due_date) == ("posted", "INV/2026/00001", datetime.date(2026, 3, 10))
    credited = client.post(f"/admin/accounting/invoice/{invoice.pk}/do/credit/", follow=True)
    assert "Here is a draft credit note" in credited.content.decode()
    assert Invoice.objects.get(origin=invoice).state == "draft"
