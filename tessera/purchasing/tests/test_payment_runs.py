"""Supplier payment runs: due bills go in a SEPA credit transfer file valid against the official
XSD, with the supplier's structured communication; what cannot be paid is refused, nothing written."""

import datetime
import xml.etree.ElementTree as ET
from decimal import Decimal as D
from pathlib import Path

import pytest
import xmlschema
from django.utils import timezone

from tessera.accounting.services import bank_statement_auto_reconcile, bank_statement_import, invoice_hold_payment
from tessera.accounting.tests.test_bank import camt
from tessera.core.errors import InvalidInput
from tessera.core.models import PartnerBankAccount
from tessera.purchasing.models import PaymentRun
from tessera.purchasing.services import bills_due, payment_run_cancel, payment_run_create, payment_run_file, payment_run_mark_sent
from tessera.purchasing.states import PaymentRunState

from .conftest import posted_bill

XSD = Path(__file__).resolve().parents[4] / "shared" / "data" / "xsd" / "iso20022" / "pain.001.001.03.xsd"
pytestmark = pytest.mark.skipif(
    not XSD.is_file(), reason=f"the pain.001.001.03 XSD is not at {XSD} (shared/ is expected beside the repository)"
)
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
STRUCTURED = "+++090/9337/55493+++"


@pytest.fixture
def supplier_account(company, supplier):
    return PartnerBankAccount.objects.create(company=company, partner=supplier, iban="BE71096123456769", bic="GKCCBEBB")


def test_due_bills_go_in_a_sepa_file_valid_against_the_xsd(company, manager, supplier, supplier_account, paying_bank):
    today = timezone.localdate()
    first = posted_bill(company, supplier, "1200.00", manager, due=today, reference=STRUCTURED)
    second = posted_bill(company, supplier, "34.57", manager, due=today - datetime.timedelta(days=3))
    posted_bill(company, supplier, "99.00", manager, due=today + datetime.timedelta(days=40))  # not due yet
    due = list(bills_due(company, today))
    assert due == [second, first]

    run = payment_run_create(company, due, journal=paying_bank, execution_date=today, by=manager)
    assert (run.state, run.amount_total, run.number) == (PaymentRunState.DRAFT, D("1234.57"), f"PAY-{today:%Y%m%d}-{run.pk}")
    assert list(bills_due(company, today)) == []  # they are on their way

    content = payment_run_file(run)
    xmlschema.XMLSchema(XSD).validate(content)
    root = ET.fromstring(content)
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    assert root.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=NS) == "1234.57"
    transfers = root.findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", NS)
    assert [t.findtext("p:Amt/p:InstdAmt", namespaces=NS) for t in transfers] == ["34.57", "1200.00"]
    assert [t.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) for t in transfers] == ["BE71096123456769"] * 2
    assert transfers[1].findtext("p:RmtInf/p:Strd/p:CdtrRefInf/p:Ref", namespaces=NS) == "090933755493"
    assert transfers[0].findtext("p:RmtInf/p:Ustrd", namespaces=NS) == "F-34.57"
    assert root.findtext("p:CstmrCdtTrfInitn/p:PmtInf/p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == "BE68539007547034"

    run = payment_run_mark_sent(run, by=manager)
    run.refresh_from_db()
    assert (run.state, run.sent_by) == (PaymentRunState.SENT, manager)
    first.refresh_from_db()
    assert (first.payment_state, first.amount_residual) == ("not_paid", D("1200.00"))  # the bank statement pays it


def test_a_supplier_without_iban_or_a_blocked_bill_is_refused(company, manager, supplier, other_supplier, supplier_account,
                                                               paying_bank):  # fmt: skip
    today = timezone.localdate()
    payable = posted_bill(company, supplier, "100.00", manager, due=today)
    no_iban = posted_bill(company, other_supplier, "50.00", manager, due=today)
    with pytest.raises(InvalidInput, match="Metaal SA has no bank account") as refused:
        payment_run_create(company, [payable, no_iban], journal=paying_bank, execution_date=today, by=manager)
    assert (refused.value.code, list(refused.value.errors)) == ("supplier_without_iban", ["bills.1"])
    assert PaymentRun.objects.count() == 0

    invoice_hold_payment(payable, "Price above the order", by=manager)
    with pytest.raises(InvalidInput, match="blocked for payment: Price above the order"):
        payment_run_create(company, [payable], journal=paying_bank, execution_date=today, by=manager)
    assert PaymentRun.objects.count() == 0


def test_a_cancelled_draft_run_frees_its_bills(company, manager, supplier, supplier_account, paying_bank):
    today = timezone.localdate()
    bill = posted_bill(company, supplier, "100.00", manager, due=today)
    run = payment_run_create(company, [bill], journal=paying_bank, execution_date=today, by=manager)
    with pytest.raises(InvalidInput, match="already in a payment run"):
        payment_run_create(company, [bill], journal=paying_bank, execution_date=today, by=manager)
    payment_run_cancel(run, by=manager)
    assert list(bills_due(company, today)) == [bill]


def test_the_bank_statement_pays_the_bills_of_a_sent_run(company, manager, supplier, supplier_account, paying_bank):
    today = timezone.localdate()
    bill = posted_bill(company, supplier, "1200.00", manager, due=today, reference=STRUCTURED)
    run = payment_run_mark_sent(payment_run_create(company, [bill], journal=paying_bank, execution_date=today, by=manager),
                                by=manager)  # fmt: skip
    statement = camt(
        [("-1200.00", "Staal BV", "BE71096123456769", "090933755493", "", "B-77")], iban="BE68539007547034", opening="5000.00"
    )
    result = bank_statement_import(paying_bank, statement, filename="statement.xml", by=manager)
    [imported] = result.statements
    assert bank_statement_auto_reconcile(imported, by=manager) == 1
    bill.refresh_from_db()
    assert (run.state, bill.payment_state, bill.amount_residual) == (PaymentRunState.SENT, "paid", D("0.00"))
    assert list(bills_due(company, today)) == []
