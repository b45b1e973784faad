"""Bank statements: import once, match transactions with invoices, reconcile them."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tessera.accounting.models import BankStatement, BankStatementLine, Journal
from tessera.accounting.services import (
    account_for_role,
    bank_line_post,
    bank_line_proposals,
    bank_line_reconcile,
    bank_statement_auto_reconcile,
    bank_statement_import,
)
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import PartnerBankAccount
from tessera.core.tests.factories import PartnerFactory

from .test_payments import posted

IBAN = "BE68539007547034"


def entry_xml(amount: str, name: str, iban: str, structured: str, text: str, ref: str) -> str:
    incoming = D(amount) > 0
    party, account = ("Dbtr", "DbtrAcct") if incoming else ("Cdtr", "CdtrAcct")
    remittance = f"<Strd><CdtrRefInf><Ref>{structured}</Ref></CdtrRefInf></Strd>" if structured else f"<Ustrd>{text}</Ustrd>"
    return (
        f'<Ntry><Amt Ccy="EUR">{abs(D(amount))}</Amt><CdtDbtInd>{"CRDT" if incoming else "DBIT"}</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>2026-04-02</Dt></BookgDt><ValDt><Dt>2026-04-02</Dt></ValDt><AcctSvcrRef>{ref}</AcctSvcrRef>"
        f"<NtryDtls><TxDtls><RltdPties><{party}><Nm>{name}</Nm></{party}>"
        f"<{account}><Id><IBAN>{iban}</IBAN></Id></{account}></RltdPties>"
        f"<RmtInf>{remittance}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def balance_xml(code: str, amount: D, day: str) -> str:
    return (
        f'<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{amount}</Amt>'
        f"<CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>{day}</Dt></Dt></Bal>"
    )


def camt(entries, *, identifier="2026/012", opening="1000.00", iban=IBAN) -> bytes:
    """A CAMT.053 statement: entries are (amount, name, iban, structured reference, text, bank reference)."""
    closing = D(opening) + sum((D(entry[0]) for entry in entries), D(0))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>'
        "<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-04-02T18:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>{identifier}</Id><CreDtTm>2026-04-02T18:00:00</CreDtTm>"
        f"<Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>EUR</Ccy></Acct>"
        + balance_xml("OPBD", D(opening), "2026-04-01")
        + balance_xml("CLBD", closing, "2026-04-02")
        + "".join(entry_xml(*entry) for entry in entries)
        + "</Stmt></BkToCstmrStmt></Document>"
    ).encode()


@pytest.fixture
def bank(company):
    journal = Journal.objects.get(company=company, code="BNK1")
    journal.bank_iban = IBAN
    journal.save()
    return journal


@pytest.fixture
def customer(company):
    partner = PartnerFactory(company=company, name="Atelier Gent BV")
    PartnerBankAccount.objects.create(company=company, partner=partner, iban="BE71096123456769")
    return partner


def test_a_statement_is_imported_once(company, bank, accountant):
    content = camt(
        [("250.00", "Klant A", "BE71096123456769", "", "Order 17", "REF-1"), ("-12.50", "Bank", "", "", "Fees", "REF-2")]
    )
    result = bank_statement_import(bank, content, filename="april.xml", by=accountant)
    assert (len(result.statements), result.lines, result.duplicates) == (1, 2, 0)
    statement = result.statements[0]
    assert (statement.identifier, statement.opening_balance, statement.closing_balance) == (
        "2026/012",
        D("1000.00"),
        D("1237.50"),
    )
    again = bank_statement_import(bank, content, filename="april.xml", by=accountant)
    assert (again.statements, again.lines, again.duplicates) == ([], 0, 2)
    assert BankStatement.objects.count() == 1 and BankStatementLine.objects.count() == 2


def test_bad_files_and_wrong_accounts_are_refused(company, bank, accountant):
    with pytest.raises(InvalidInput) as error:
        bank_statement_import(bank, b"%PDF-1.7 not a statement", filename="scan.pdf", by=accountant)
    assert error.value.code == "bad_statement_file" and list(error.value.field_errors()) == ["file"]
    truncated = camt([("250.00", "Klant A", "", "", "x", "R1")])[:-60]
    with pytest.raises(InvalidInput):
        bank_statement_import(bank, truncated, by=accountant)
    with pytest.raises(InvalidInput, match="is of account NL91ABNA0417164300") as error:
        bank_statement_import(bank, camt([("1.00", "X", "", "", "x", "R9")], iban="NL91ABNA0417164300"), by=accountant)
    assert error.value.code == "wrong_account"
    assert not BankStatementLine.objects.exists()


def test_a_payment_with_the_structured_communication_reconciles_itself(company, bank, accountant, customer):
    invoice = posted(company, customer, accountant, "1000.00")  # 1,210.00
    reference = "".join(ch for ch in invoice.payment_reference if ch.isdigit())
    result = bank_statement_import(bank, camt([("1210.00", "Atelier Gent", "", reference, "", "R1")]), by=accountant)
    assert bank_statement_auto_reconcile(result.statements[0], by=accountant) == 1
    invoice.refresh_from_db()
    line = BankStatementLine.objects.get()
    assert (invoice.payment_state, line.state, line.payment.partner) == ("paid", "reconciled", customer)
    bank_account = bank.default_account
    assert line.payment.entry.lines.get(account=bank_account).debit == D("1210.00")


def test_partner_and_amount_propose_the_invoice(company, bank, accountant, customer):
    first = posted(company, customer, accountant, "100.00")  # 121.00
    posted(company, customer, accountant, "200.00")  # 242.00
    result = bank_statement_import(bank, camt([("121.00", "Atelier Gent", "BE71096123456769", "", "inv 1", "R1")]), by=accountant)
    line = result.statements[0].lines.get()
    assert line.partner == customer
    assert bank_line_proposals(line) == [first]


def test_an_unmatched_transaction_is_reconciled_by_hand(company, bank, accountant, customer):
    first = posted(company, customer, accountant, "100.00")  # 121.00
    second = posted(company, customer, accountant, "200.00")  # 242.00
    result = bank_statement_import(bank, camt([("363.00", "Atelier", "", "", "two invoices", "R1")]), by=accountant)
    assert bank_statement_auto_reconcile(result.statements[0], by=accountant) == 0
    line = result.statements[0].lines.get()
    bank_line_reconcile(line, [first, second], by=accountant)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.payment_state, second.payment_state) == ("paid", "paid")
    with pytest.raises(BusinessError, match="already reconciled"):
        bank_line_reconcile(line, [first], by=accountant)


def test_bank_fees_are_booked_on_an_account(company, bank, accountant):
    result = bank_statement_import(bank, camt([("-12.50", "Bank", "", "", "Fees March", "R1")]), by=accountant)
    line = result.statements[0].lines.get()
    fees = account_for_role(company, "services")
    bank_line_post(line, fees, by=accountant, label="Bank fees")
    line.refresh_from_db()
    assert line.state == "reconciled"
    assert [
        (entry_line.account, entry_line.debit, entry_line.credit) for entry_line in line.entry.lines.order_by("position")
    ] == [
        (bank.default_account, D(0), D("12.50")),
        (fees, D("12.50"), D(0)),
    ]


def test_money_received_does_not_pay_a_vendor_bill(company, bank, accountant):
    from tessera.accounting.models import InvoiceKind

    supplier = PartnerFactory(company=company, name="Staal NV", is_supplier=True)
    bill = posted(company, supplier, accountant, "100.00", kind=InvoiceKind.VENDOR_BILL, ref="B1")
    result = bank_statement_import(bank, camt([("121.00", "Staal", "", "", "", "R1")]), by=accountant)
    with pytest.raises(InvalidInput, match="Money received pays customer invoices"):
        bank_line_reconcile(result.statements[0].lines.get(), [bill], by=accountant)


def test_import_and_reconcile_through_the_api(api, company, bank, customer, accountant):
    invoice = posted(company, customer, accountant, "1000.00")
    upload = SimpleUploadedFile("april.xml", camt([("600.00", "Atelier", "", "", "part payment", "R1")]), "application/xml")
    response = api.post("/api/v1/accounting/bank-statements/import/", {"journal": bank.pk, "file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    assert {key: response.json()[key] for key in ("lines", "duplicates", "reconciled")} == {
        "lines": 1,
        "duplicates": 0,
        "reconciled": 0,
    }
    line = BankStatementLine.objects.get()
    proposals = api.get(f"/api/v1/accounting/bank-statement-lines/{line.pk}/proposals/").json()
    assert proposals == []
    done = api.post(f"/api/v1/accounting/bank-statement-lines/{line.pk}/reconcile/", {"invoices": [invoice.pk]}, format="json")
    assert done.status_code == 200 and done.json()["state"] == "reconciled"
    invoice.refresh_from_db()
    assert (invoice.payment_state, invoice.amount_residual) == ("partial", D("610.00"))
    both = api.post(f"/api/v1/accounting/bank-statement-lines/{line.pk}/reconcile/", {}, format="json")
    assert both.status_code == 400


def test_the_back_office_import_and_reconcile_pages(client, accountant, company, bank, customer):
    invoice = posted(company, customer, accountant, "100.00")
    client.force_login(accountant)
    assert client.get("/admin/accounting/bankstatement/import/").status_code == 200
    upload = SimpleUploadedFile("april.xml", camt([("121.00", "Atelier", "", "", "hello", "R1")]), "application/xml")
    response = client.post("/admin/accounting/bankstatement/import/", {"journal": bank.pk, "file": upload}, follow=True)
    page = response.content.decode()
    assert "1 transactions imported (0 already there), 0 reconciled automatically." in page
    assert f'name="invoices" value="{invoice.pk}"' in page  # proposed by its amount
    line = BankStatementLine.objects.get()
    statement_url = f"/admin/accounting/bankstatement/{line.statement_id}/reconcile/"
    done = client.post(statement_url, {"line": line.pk, "invoices": [invoice.pk]}, follow=True)
    assert "The transaction is reconciled." in done.content.decode()
    invoice.refresh_from_db()
    assert invoice.payment_state == "paid"
    garbage = SimpleUploadedFile("x.txt", b"hello", "text/plain")
    bad = client.post("/admin/accounting/bankstatement/import/", {"journal": bank.pk, "file": garbage})
    assert bad.status_code == 200 and "file" in bad.context["form"].errors
    assert datetime.date(2026, 4, 2) == line.date


def test_a_csv_statement_through_the_api(api, company, bank, accountant):
    content = b"Datum;Bedrag;Mededeling\n02/04/2026;150,00;Order 9\n03/04/2026;-20,00;Fees\n"
    upload = SimpleUploadedFile("export.csv", content, "text/csv")
    columns = {"csv_date": "Datum", "csv_amount": "Bedrag", "csv_communication": "Mededeling", "csv_date_format": "%d/%m/%Y"}
    body = {"journal": bank.pk, "file": upload, **columns, "csv_decimal_separator": ",", "csv_delimiter": ";",
            "csv_opening_balance": "500.00"}  # fmt: skip
    response = api.post("/api/v1/accounting/bank-statements/import/", body, format="multipart")
    assert response.status_code == 201, response.content
    statement = BankStatement.objects.get()
    assert (statement.opening_balance, statement.closing_balance, statement.source_format) == (D("500.00"), D("630.00"), "csv")
    assert [(line.date, line.amount, line.communication) for line in statement.lines.order_by("position")] == [
        (datetime.date(2026, 4, 2), D("150.00"), "Order 9"),
        (datetime.date(2026, 4, 3), D("-20.00"), "Fees"),
    ]
    missing = api.post("/api/v1/accounting/bank-statements/import/",
                       {"journal": bank.pk, "file": SimpleUploadedFile("x.csv", content), "csv_communication": "Mededeling"},
                       format="multipart")  # fmt: skip
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["csv_date"]
