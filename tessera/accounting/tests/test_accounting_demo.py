"""The accounting demo: a year of invoices, bills, payments and a bank statement that agree with
each other and with the ledger, the same on every load, and loaded only once."""

import datetime
import io
import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from django.db import transaction

from tessera.accounting.bank_formats import parse_statement_file
from tessera.accounting.demo import BANK_CHARGES, _camt, _opening_day, _Transaction, load_accounting_demo
from tessera.accounting.models import (
    BankStatement,
    BankStatementLine,
    Invoice,
    JournalEntry,
    JournalLine,
    Matching,
    Payment,
    ProductTaxes,
)
from tessera.accounting.queries import aged_balance, movements, trial_balance, vat_return
from tessera.accounting.verification import verify_ledger
from tessera.core import hooks
from tessera.core.demo import load_demo
from tessera.core.models import AuditEntry, Company, Product
from tessera.core.services import system_user

TODAY = datetime.date(2026, 3, 2)  # any day of 2026 gives the same books: the year of activity is 2025
YEAR_START, YEAR_END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
pytestmark = pytest.mark.django_db
MODELS = (Invoice, JournalEntry, JournalLine, Matching, Payment, BankStatement, BankStatementLine, ProductTaxes, AuditEntry)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker) -> Iterator[Company]:
    """The demo loaded once for the module (it takes seconds) with the accounting part as on TODAY,
    and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hooks, "run_demo_loaders", lambda company, by: load_accounting_demo(company, by, today=TODAY))
            load_demo(io.StringIO())
        yield Company.objects.get(name="Ferrano Metaalmeubelen NV")
        transaction.set_rollback(True)


def invoices(company, kind):
    return Invoice.objects.filter(company=company, kind=kind)


def total(queryset, field):
    return sum((getattr(row, field) for row in queryset), D(0))


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_a_year_of_posted_invoices_credit_notes_and_bills(company):
    documents = Invoice.objects.filter(company=company)
    assert Counter(documents.values_list("kind", flat=True)) == {"out_invoice": 120, "in_invoice": 60, "out_refund": 4}
    assert set(documents.values_list("state", flat=True)) == {"posted"}
    assert not documents.filter(date__lt=YEAR_START).exists() and not documents.filter(date__gt=YEAR_END).exists()
    sales = invoices(company, "out_invoice")
    assert (total(sales, "amount_untaxed"), total(sales, "amount_tax"), total(sales, "amount_total")) == (
        D("669362.00"),
        D("62190.45"),
        D("731552.45"),
    )
    assert total(invoices(company, "out_refund"), "amount_total") == D("32210.95")
    credited = Counter(note.origin.payment_state for note in invoices(company, "out_refund").select_related("origin"))
    assert credited == {"reversed": 2, "paid": 2}  # two credited in full, two in part and the rest paid
    assert total(invoices(company, "in_invoice"), "amount_total") == D("268909.99")
    # numbered in date order, ten a month, 2 to 6 lines each
    numbers = list(sales.order_by("date", "number").values_list("number", flat=True))
    assert numbers == sorted(numbers) and numbers[0] == "INV/2025/00001"
    assert set(Counter(day.month for day in sales.values_list("date", flat=True)).values()) == {10}
    assert {invoice.lines.count() for invoice in sales} <= {2, 3, 4, 5, 6}


def test_taxes_follow_the_partner(company):
    sales = invoices(company, "out_invoice").select_related("partner", "fiscal_position")
    for invoice in sales:
        codes = {tax.code for line in invoice.lines.all() for tax in line.taxes.all()}
        if invoice.partner.country == "BE":
            assert invoice.fiscal_position is None and codes <= {"S21", "S21-S"}
        else:
            assert invoice.fiscal_position.code == "EU-B2B" and codes <= {"S-EU-G", "S-EU-S"}
    assert sales.filter(partner__country="BE").count() == 49
    bills = invoices(company, "in_invoice").select_related("partner")
    assert {
        tax.code for bill in bills.filter(partner__country="DE") for line in bill.lines.all() for tax in line.taxes.all()
    } <= {
        "P-EU-G21",
        "P-EU-S21",
    }


def test_products_have_default_taxes_and_accounts(company):
    assert ProductTaxes.objects.filter(company=company).count() == Product.objects.filter(company=company).count() == 200

    def defaults(sku):
        own = ProductTaxes.objects.get(product__sku=sku)
        return (
            [tax.code for tax in own.sale_taxes.all()],
            own.income_account and own.income_account.code,
            [tax.code for tax in own.purchase_taxes.all()],
            own.expense_account and own.expense_account.code,
        )

    assert defaults("WB-BEECH-1200") == (["S21"], "700000", [], None)
    assert defaults("SV-INSTALL") == (["S21-S"], "700100", ["P21-S"], "610000")
    assert defaults("ST-DC01-1.0") == ([], None, ["P21-G"], "600000")
    assert defaults("FX-N-M8") == ([], None, ["P21-G"], "601000")
    assert defaults("CA-SW-100") == (["S21"], "700000", ["P21-G"], "604000")
    assert defaults("WT-BEECH-1200") == ([], None, ["P21-G"], "604000")


def test_supplier_references_are_unique_per_supplier(company):
    refs = list(invoices(company, "in_invoice").values_list("partner", "ref"))
    assert len(set(refs)) == 60
    assert all(re.fullmatch(r"F2025-\d{4}", ref) for _partner, ref in refs)


def test_payments_leave_some_invoices_partly_paid_or_open(company):
    states = Counter(Invoice.objects.filter(company=company).values_list("kind", "payment_state"))
    assert states == {
        ("out_invoice", "paid"): 91,
        ("out_invoice", "partial"): 5,
        ("out_invoice", "not_paid"): 22,
        ("out_invoice", "reversed"): 2,  # credited in full
        ("out_refund", "reversed"): 4,
        ("in_invoice", "paid"): 50,
        ("in_invoice", "not_paid"): 10,
    }
    payments = Payment.objects.filter(company=company)
    assert Counter(payments.values_list("direction", flat=True)) == {"inbound": 130, "outbound": 54}
    assert not payments.filter(date__gt=YEAR_END).exists()
    assert payments.filter(memo="Opening balance").count() == 10  # the open items of the opening balances
    overdue = invoices(company, "out_invoice").filter(due_date__lt=YEAR_END).exclude(payment_state__in=("paid", "reversed"))
    assert Counter(overdue.values_list("payment_state", flat=True)) == {"not_paid": 10, "partial": 5}


def test_aged_receivables_have_every_bucket_and_add_up_to_the_open_invoices(company):
    residuals = total(invoices(company, "out_invoice"), "amount_residual")
    assert residuals == D("138945.73")
    rows = aged_balance(company, YEAR_END)
    buckets = tuple(sum((row.buckets[n] for row in rows), D(0)) for n in range(5))
    assert buckets == (D("63529.19"), D("23758.66"), D("14510.20"), D("11965.00"), D("25182.68"))
    assert sum(buckets) == residuals
    assert sum((row.total for row in aged_balance(company, TODAY)), D(0)) == residuals
    payables = aged_balance(company, YEAR_END, payable=True)
    assert (
        sum((row.total for row in payables), D(0)) == total(invoices(company, "in_invoice"), "amount_residual") == D("69443.87")
    )


def test_the_ledger_is_sound_and_balanced(company):
    rows = trial_balance(company, YEAR_START, YEAR_END)
    assert sum((row.closing for row in rows), D(0)) == 0
    assert sum((row.debit for row in rows), D(0)) == sum((row.credit for row in rows), D(0))
    assert JournalEntry.objects.filter(company=company).exclude(state="posted").count() == 0


def test_verify_ledger_finds_the_ledger_sound(company):
    report = verify_ledger(company)
    assert report.problems == []
    assert report.entries == JournalEntry.objects.filter(company=company).count() == 371


def test_each_quarters_vat_return_has_sales_eu_sales_purchases_and_deductions(company):
    for month in (1, 4, 7, 10):
        first = datetime.date(2025, month, 1)
        last = datetime.date(2025 + month // 10, (month + 3) % 12 or 12, 1) - datetime.timedelta(days=1)
        grids = {row.grid: row.amount for row in vat_return(company, first, last)}
        assert all(grids[grid] > 0 for grid in ("03", "54", "46", "81", "59")), (first, grids)
    q1 = {row.grid: row.amount for row in vat_return(company, YEAR_START, datetime.date(2025, 3, 31))}
    assert (q1["03"], q1["54"], q1["46"], q1["81"], q1["59"]) == (
        D("66024.00"),
        D("13865.04"),
        D("65795.00"),
        D("83823.60"),
        D("18059.97"),
    )


def test_the_statement_of_december_agrees_with_the_books(company):
    statement = BankStatement.objects.get(company=company)
    bank = statement.journal
    assert (statement.identifier, statement.date, bank.code, bank.bank_iban) == (
        "2025/012",
        YEAR_END,
        "BNK1",
        "BE62001456781261",
    )
    lines = list(statement.lines.order_by("position"))
    assert len(lines) == 16
    assert Counter(line.state for line in lines) == {"reconciled": 14, "open": 2}
    by_reference = [line for line in lines if line.structured_reference and line.state == "reconciled"]
    by_iban = [line for line in lines if line.amount > 0 and not line.structured_reference and line.state == "reconciled"]
    supplier = [line for line in lines if line.amount < 0 and line.payment_id]
    fees = [line for line in lines if line.entry_id]
    assert (len(by_reference), len(by_iban), len(supplier), len(fees)) == (9, 2, 1, 2)
    assert all(line.payment.partner == line.partner for line in by_reference + by_iban + supplier)
    assert {line.account.code for fee in fees for line in fee.entry.lines.all()} == {BANK_CHARGES, "550000"}
    assert sorted(line.communication for line in lines if line.state == "open") == ["2% discount deducted", "Deposit 30%"]

    def book_balance(day):
        debit, credit = movements(company, None, day)[bank.default_account_id]
        return debit - credit

    assert statement.opening_balance == book_balance(datetime.date(2025, 11, 30)) == D("572679.09")
    not_booked = sum((line.amount for line in lines if line.state == "open"), D(0))
    assert statement.closing_balance - not_booked == book_balance(YEAR_END) == D("631908.30")


def test_a_second_load_creates_nothing(company):
    hooks.run_demo_loaders(company, system_user())  # the other modules' demo data, which the fixture leaves out
    before = counts()
    load_accounting_demo(company, system_user(), today=TODAY)
    load_demo(io.StringIO())  # as `manage.py demo` does, on the real date
    assert counts() == before


def test_the_opening_day_is_the_first_day_of_the_previous_fiscal_year(company):
    assert _opening_day(company, datetime.date(2026, 3, 2)) == datetime.date(2025, 1, 1)
    assert _opening_day(company, datetime.date(2026, 1, 1)) == datetime.date(2025, 1, 1)
    assert _opening_day(company, datetime.date(2025, 12, 31)) == datetime.date(2024, 1, 1)


def test_the_statement_file_is_a_camt_053_that_adds_up():
    transactions = [
        _Transaction(datetime.date(2025, 12, 2), D("1210.00"), "Atelier & Co", "BE71096123456769", "123456789002"),
        _Transaction(datetime.date(2025, 12, 3), D("-12.50"), "Bank", text="Account fee"),
    ]
    content = _camt("2025/012", "BE62001456781261", D("-100.00"), datetime.date(2025, 12, 1), YEAR_END, transactions)
    [statement] = parse_statement_file(content)
    assert (statement.identifier, statement.account_iban, statement.opening_balance, statement.closing_balance) == (
        "2025/012",
        "BE62001456781261",
        D("-100.00"),
        D("1097.50"),
    )
    assert [(line.amount, line.counterpart_name, line.structured_reference, line.communication) for line in statement.lines] == [
        (D("1210.00"), "Atelier & Co", "123456789002", ""),
        (D("-12.50"), "Bank", "", "Account fee"),
    ]
