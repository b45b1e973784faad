"""A year of a small Belgian company's books, as its accountant lives it: opening balances, an invoice,
a bill, a partial payment read from the bank statement, a credit note, the rest of the payment matched
by its structured communication, bank fees, the VAT return, paying the supplier, closing the year."""

import datetime
from decimal import Decimal as D

from tessera.accounting.models import FiscalYear, Invoice, InvoiceKind, InvoiceLine, Journal, JournalEntry, JournalLine, Tax
from tessera.accounting.queries import aged_balance, balance_sheet, profit_and_loss, trial_balance, vat_return
from tessera.accounting.services import (
    DraftLine,
    account_for_role,
    bank_line_post,
    bank_line_reconcile,
    bank_statement_auto_reconcile,
    bank_statement_import,
    fiscal_year_close,
    invoice_credit_note,
    invoice_post,
    invoice_save,
    journal_entry_post,
    journal_entry_save,
    open_lines,
    payment_register,
    reconcile,
)
from tessera.accounting.tests.test_bank import IBAN, camt
from tessera.accounting.verification import verify_ledger
from tessera.core.models import PaymentTerm, PaymentTermLine
from tessera.core.tests.factories import PartnerFactory

D_ = datetime.date


def document(company, by, kind, partner, day, description, account, price, tax, **values):
    """A posted invoice or bill of one line."""
    journal = Journal.objects.get(company=company, code="INV" if kind == InvoiceKind.CUSTOMER_INVOICE else "BILL")
    draft = Invoice(company=company, kind=kind, partner=partner, date=day, journal=journal, currency=company.currency, **values)
    line = InvoiceLine(description=description, account=account, quantity=D(1), price_unit=D(price))
    return invoice_post(invoice_save(draft, [DraftLine(line, [tax])], by=by), by=by)


def test_an_accountants_year(company, accountant):
    by = accountant

    def role(name):
        return account_for_role(company, name)

    bank_journal = Journal.objects.get(company=company, code="BNK1")
    bank_journal.bank_iban = IBAN
    bank_journal.save()
    term = PaymentTerm.objects.create(company=company, name="30 days")
    PaymentTermLine.objects.create(term=term, kind="balance", days=30)
    customer = PartnerFactory(company=company, name="Klant NV", vat="BE0477472701")
    supplier = PartnerFactory(company=company, name="Leverancier BV", is_supplier=True)

    # 1 January: the opening balances taken over from the previous package
    misc = Journal.objects.get(company=company, code="MISC")
    opening = [
        JournalLine(account=role("bank"), debit=D("10000.00")),
        JournalLine(account=role("retained_earnings"), credit=D("10000.00")),
    ]
    journal_entry_post(
        journal_entry_save(JournalEntry(company=company, journal=misc, date=D_(2026, 1, 1)), opening, by=by), by=by
    )

    # 10 January: a customer invoice; 12 January: a supplier's bill
    sales, purchases = Tax.objects.get(company=company, code="S21"), Tax.objects.get(company=company, code="P21-G")
    sold, bought = InvoiceKind.CUSTOMER_INVOICE, InvoiceKind.VENDOR_BILL
    invoice = document(
        company, by, sold, customer, D_(2026, 1, 10), "Workbenches", role("sales"), "1000.00", sales, payment_term=term
    )
    steel = role("raw_materials")
    bill = document(
        company, by, bought, supplier, D_(2026, 1, 12), "Steel", steel, "500.00", purchases, payment_term=term, ref="F-7"
    )
    assert (invoice.number, invoice.amount_total, bill.number, bill.amount_total) == (
        "INV/2026/00001", D("1210.00"), "BILL/2026/00001", D("605.00"),
    )  # fmt: skip

    # February statement: 600 from the customer without communication, bank fees
    transactions = [("600.00", "Klant NV", "", "", "part payment", "FEB-1"), ("-12.50", "Bank", "", "", "Fees", "FEB-2")]
    file = camt(transactions, identifier="2026/002", opening="10000.00")
    february = bank_statement_import(bank_journal, file, by=by).statements[0]
    assert bank_statement_auto_reconcile(february, by=by) == 0  # no communication, no known IBAN: a person decides
    part, fees = february.lines.order_by("position")
    bank_line_reconcile(part, [invoice], by=by)
    bank_line_post(fees, role("services"), by=by, label="Bank fees")
    invoice.refresh_from_db()
    assert (invoice.payment_state, invoice.amount_residual) == ("partial", D("610.00"))

    # 15 February: a credit note of one workbench's discount, set against the invoice
    credit_note = invoice_credit_note(invoice, by=by, on=D_(2026, 2, 15))
    line = credit_note.lines.get()
    discount = InvoiceLine(description="Discount", account=line.account, quantity=D(1), price_unit=D("100.00"))
    credit_note = invoice_save(credit_note, [DraftLine(discount, [sales])], by=by)
    credit_note = invoice_post(credit_note, by=by)
    reconcile([*open_lines(invoice), *open_lines(credit_note)], by=by)
    invoice.refresh_from_db()
    assert (invoice.amount_residual, credit_note.amount_total) == (D("489.00"), D("121.00"))

    # March statement: the rest, with the invoice's structured communication, matched by itself
    reference = "".join(ch for ch in invoice.payment_reference if ch.isdigit())
    file = camt([("489.00", "Klant NV", "", reference, "", "MAR-1")], identifier="2026/003", opening="10587.50")
    march = bank_statement_import(bank_journal, file, by=by).statements[0]
    assert bank_statement_auto_reconcile(march, by=by) == 1
    invoice.refresh_from_db()
    assert (invoice.payment_state, invoice.amount_residual) == ("paid", D(0))

    # The first quarter's VAT return
    grids = {row.grid: row.amount for row in vat_return(company, D_(2026, 1, 1), D_(2026, 3, 31))}
    assert {g: grids[g] for g in ("03", "49", "54", "64", "81", "59", "XX", "YY", "71", "72")} == {
        "03": D("1000.00"), "49": D("100.00"), "54": D("210.00"), "64": D("21.00"), "81": D("500.00"), "59": D("105.00"),
        "XX": D("210.00"), "YY": D("126.00"), "71": D("84.00"), "72": D(0),
    }  # fmt: skip

    # 11 February due, paid 10 April: the supplier
    assert [row.total for row in aged_balance(company, D_(2026, 4, 1), payable=True)] == [D("605.00")]
    payment_register([bill], amount=D("605.00"), on=D_(2026, 4, 10), journal=bank_journal, by=by)
    assert aged_balance(company, D_(2026, 4, 10), payable=True) == []

    # The year's result and its closing
    pnl = profit_and_loss(company, D_(2026, 1, 1), D_(2026, 12, 31))
    assert (pnl.total("income"), pnl.total("expense")) == (D("900.00"), D("512.50"))
    fiscal_year_close(FiscalYear.objects.get(company=company, date_start=D_(2026, 1, 1)), by=by)
    rows = {row.code: row.closing for row in trial_balance(company, D_(2026, 1, 1), D_(2026, 12, 31))}
    assert rows["140000"] == D("-10387.50")  # the opening equity and this year's profit
    assert rows["550000"] == D("10000.00") + D("600.00") - D("12.50") + D("489.00") - D("605.00")
    sheet = balance_sheet(company, D_(2026, 12, 31))
    assert sheet.total("assets") == sheet.total("liabilities") + sheet.total("equity") == D("10576.50")  # bank + VAT to recover
    next_year = {row.code: row for row in trial_balance(company, D_(2027, 1, 1), D_(2027, 12, 31))}
    assert "700000" not in next_year and "" not in next_year  # income starts at zero; nothing left unallocated
    report = verify_ledger(company)
    assert report.sound, report.problems
    assert report.entries == 9
