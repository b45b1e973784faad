"""Payment runs through the API: due bills, a run created from them, its SEPA file, sent; a supplier
without IBAN is a 400 naming the bill, and nothing is written."""

import xml.etree.ElementTree as ET

from django.utils import timezone

from tessera.core.models import PartnerBankAccount
from tessera.purchasing.models import PaymentRun

from .conftest import posted_bill
from .test_payment_runs import NS, STRUCTURED

URL = "/api/v1/purchasing/payment-runs/"


def test_a_run_through_the_api(api, company, manager, supplier, paying_bank):
    PartnerBankAccount.objects.create(company=company, partner=supplier, iban="BE71096123456769")
    today = timezone.localdate()
    bill = posted_bill(company, supplier, "250.00", manager, due=today, reference=STRUCTURED)

    due = api.get(f"{URL}due-bills/")
    assert due.status_code == 200
    assert [(row["id"], row["amount_residual"], row["payment_reference"]) for row in due.json()] == [
        (bill.pk, "250.0000", STRUCTURED)  # no tax on this bill
    ]
    created = api.post(URL, {"bills": [bill.pk], "journal": paying_bank.pk}, format="json")
    assert created.status_code == 201, created.content
    run = created.json()
    assert (run["state"], run["amount_total"], [line["communication"] for line in run["lines"]]) == (
        "draft",
        "250.0000",
        [STRUCTURED],
    )

    file = api.get(f"{URL}{run['id']}/file/")
    assert (file.status_code, file["Content-Type"]) == (200, "application/xml")
    root = ET.fromstring(file.content)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "250.00"

    sent = api.post(f"{URL}{run['id']}/mark-sent/")
    assert (sent.status_code, sent.json()["state"]) == (200, "sent")
    again = api.post(f"{URL}{run['id']}/cancel/")
    assert (again.status_code, again["Content-Type"]) == (409, "application/problem+json")
    assert api.get(f"{URL}due-bills/?until={today.isoformat()}").json() == []


def test_a_supplier_without_iban_is_refused(api, company, manager, supplier, paying_bank):
    bill = posted_bill(company, supplier, "80.00", manager, due=timezone.localdate())
    refused = api.post(URL, {"bills": [bill.pk], "journal": paying_bank.pk}, format="json")
    assert (refused.status_code, refused["Content-Type"]) == (400, "application/problem+json")
    body = refused.json()
    assert body["errors"]["bills.0"] == [f"Staal BV has no bank account: add their IBAN before paying {bill.number}."]
    assert PaymentRun.objects.count() == 0
    bad_date = api.get(f"{URL}due-bills/?until=yesterday")
    assert (bad_date.status_code, list(bad_date.json()["errors"])) == (400, ["until"])
