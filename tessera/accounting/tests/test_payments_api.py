"""Payments, reconciliation and the receivable reports through the API."""

import pytest

from tessera.accounting.models import Invoice, Journal, Matching
from tessera.core.tests.factories import PartnerFactory

INVOICES = "/api/v1/accounting/invoices/"


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Atelier Gent BV", country="BE")


@pytest.fixture
def invoice_id(api, customer):
    body = {"kind": "out_invoice", "partner": customer.pk, "date": "2026-03-10",
            "lines": [{"description": "Shelving", "quantity": "1", "price_unit": "1000.00"}]}  # fmt: skip
    created = api.post(INVOICES, body, format="json").json()
    api.post(f"{INVOICES}{created['id']}/post/", format="json")
    return created["id"]


@pytest.fixture
def bank(company):
    return Journal.objects.get(company=company, code="BNK1").pk


def test_register_a_payment_and_read_the_reports(api, invoice_id, bank, customer):
    paid = api.post(f"{INVOICES}{invoice_id}/register-payment/", {"amount": "400.00", "date": "2026-04-20", "journal": bank},
                    format="json")  # fmt: skip
    assert paid.status_code == 201, paid.content
    assert (paid.json()["direction"], paid.json()["amount"]) == ("inbound", "400.0000")
    invoice = api.get(f"{INVOICES}{invoice_id}/").json()
    assert (invoice["payment_state"], invoice["amount_residual"]) == ("partial", "810.0000")
    aged = api.get("/api/v1/accounting/reports/aged-receivables/", {"as_of": "2026-05-15"}).json()
    expected = {"partner": customer.pk, "name": "Atelier Gent BV", "current": "0.0000", "days_1_30": "0.0000",
                "days_31_60": "0.0000", "days_61_90": "810.0000", "days_over_90": "0.0000", "total": "810.0000"}  # fmt: skip
    assert aged["rows"] == [expected]
    ledger = api.get("/api/v1/accounting/reports/partner-ledger/",
                     {"partner": customer.pk, "date_from": "2026-01-01", "date_to": "2026-12-31"}).json()  # fmt: skip
    assert [line["running"] for line in ledger["lines"]] == ["1210.0000", "810.0000"]
    pnl = api.get("/api/v1/accounting/reports/profit-and-loss/", {"date_from": "2026-01-01", "date_to": "2026-12-31"}).json()
    assert (pnl["income"]["total"], pnl["result"]) == ("1000.0000", "1000.0000")
    sheet = api.get("/api/v1/accounting/reports/balance-sheet/", {"as_of": "2026-12-31"}).json()
    assert (sheet["assets"]["total"], sheet["liabilities"]["total"], sheet["equity"]["total"]) == (
        "1210.0000",
        "210.0000",
        "1000.0000",
    )


def test_an_over_payment_without_a_decision_is_refused(api, invoice_id, bank):
    response = api.post(f"{INVOICES}{invoice_id}/register-payment/", {"amount": "1300.00", "date": "2026-04-20", "journal": bank},
                        format="json")  # fmt: skip
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["difference"]
    assert Invoice.objects.get(pk=invoice_id).payment_state == "not_paid"
    body = {"amount": "1300.00", "date": "2026-04-20", "journal": bank, "difference": "keep_open"}
    kept = api.post(f"{INVOICES}{invoice_id}/register-payment/", body, format="json")
    assert kept.status_code == 201
    assert Invoice.objects.get(pk=invoice_id).payment_state == "paid"


def test_an_advance_is_reconciled_later_and_can_be_undone(api, invoice_id, bank, customer, company):
    from tessera.accounting.services import account_for_role

    advance = api.post("/api/v1/accounting/payments/", {"direction": "inbound", "partner": customer.pk, "journal": bank,
                                                       "date": "2026-03-01", "amount": "1210.00"}, format="json")  # fmt: skip
    assert advance.status_code == 201, advance.content
    receivable = account_for_role(company, "receivable").pk
    items = api.get("/api/v1/accounting/journal-items/", {"partner": customer.pk, "account": receivable}).json()["results"]
    assert [(item["debit"], item["credit"]) for item in items] == [("0.0000", "1210.0000"), ("1210.0000", "0.0000")]
    everything = api.get("/api/v1/accounting/journal-items/", {"partner": customer.pk}).json()["results"]
    mixed = api.post("/api/v1/accounting/reconciliations/", {"lines": [item["id"] for item in everything]}, format="json")
    assert mixed.status_code == 400 and "one account" in mixed.json()["detail"]
    done = api.post("/api/v1/accounting/reconciliations/", {"lines": [item["id"] for item in items]}, format="json")
    assert done.status_code == 201 and done.json() == {"matchings": 1}
    assert Invoice.objects.get(pk=invoice_id).payment_state == "paid"
    undone = api.post(f"/api/v1/accounting/journal-items/{items[0]['id']}/unreconcile/", format="json")
    assert undone.status_code == 204
    assert Invoice.objects.get(pk=invoice_id).payment_state == "not_paid" and not Matching.objects.exists()


def test_a_payment_registered_in_the_back_office(client, accountant, invoice_id, bank):
    client.force_login(accountant)
    page = client.get(f"/admin/accounting/invoice/{invoice_id}/change/").content.decode()
    assert f"/admin/accounting/invoice/{invoice_id}/register-payment/" in page
    form = client.get(f"/admin/accounting/invoice/{invoice_id}/register-payment/")
    assert form.status_code == 200 and 'value="1210.0000"' in form.content.decode()
    refused = client.post(f"/admin/accounting/invoice/{invoice_id}/register-payment/",
                          {"amount": "1500", "date": "2026-04-01", "journal": bank, "difference": ""})  # fmt: skip
    assert "larger than what is due" in refused.content.decode()
    done = client.post(f"/admin/accounting/invoice/{invoice_id}/register-payment/",
                       {"amount": "1210", "date": "2026-04-01", "journal": bank, "difference": ""}, follow=True)  # fmt: skip
    assert "The payment is registered." in done.content.decode()
    assert Invoice.objects.get(pk=invoice_id).payment_state == "paid"
    assert client.get("/admin/accounting/payment/").status_code == 200
