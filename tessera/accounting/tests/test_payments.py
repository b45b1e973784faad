"""Payments and reconciliation: partial, several invoices, over-payments, credit notes, currencies."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.accounting.models import Invoice, InvoiceKind, Journal, JournalLine, Matching
from tessera.accounting.queries import aged_balance, balance_sheet, partner_ledger, profit_and_loss, trial_balance
from tessera.accounting.services import (
    KEEP_OPEN,
    WRITE_OFF,
    account_for_role,
    invoice_credit_note,
    invoice_post,
    invoice_save,
    payment_register,
    residuals,
    unreconcile,
)
from tessera.accounting.verification import verify_ledger
from tessera.core.errors import InvalidInput
from tessera.core.models import Currency, CurrencyRate
from tessera.core.tests.factories import PartnerFactory

from .test_invoices import invoice

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Atelier Gent BV", country="BE")


@pytest.fixture
def bank(company):
    return Journal.objects.get(company=company, code="BNK1")


def posted(company, partner, accountant, amount="1000.00", kind=InvoiceKind.CUSTOMER_INVOICE, **values):
    role = "sales" if kind in ("out_invoice", "out_refund") else "purchases"
    code = "S21" if kind in ("out_invoice", "out_refund") else "P21-G"
    document, drafts = invoice(company, partner, kind=kind, lines=[("Goods", role, "1", amount, [code])], **values)
    return invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)


def state(document):
    document.refresh_from_db()
    return document.payment_state, document.amount_residual


def test_a_partial_then_a_full_payment(company, customer, accountant, bank):
    document = posted(company, customer, accountant)  # 1,210.00
    payment_register([document], amount=D("500.00"), on=datetime.date(2026, 3, 20), journal=bank, by=accountant)
    assert state(document) == ("partial", D("710.00"))
    aged = aged_balance(company, datetime.date(2026, 3, 25))
    assert [(row.partner, row.buckets) for row in aged] == [("Atelier Gent BV", (D(0), D("710.00"), D(0), D(0), D(0)))]
    payment_register([document], amount=D("710.00"), on=datetime.date(2026, 4, 2), journal=bank, by=accountant)
    assert state(document) == ("paid", D(0))
    assert aged_balance(company, datetime.date(2026, 4, 2)) == []
    # as of an earlier day the invoice was still partly open:
    assert aged_balance(company, datetime.date(2026, 3, 25))[0].total == D("710.00")
    bank_line = {row.code: row for row in trial_balance(company, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))}[
        "550000"
    ]
    assert bank_line.closing == D("1210.00")
    assert verify_ledger(company).sound


def test_one_payment_for_two_invoices_pays_the_oldest_due_first(company, customer, accountant, bank):
    first = posted(company, customer, accountant, "100.00")
    second = posted(company, customer, accountant, "200.00")
    payment_register([second, first], amount=D("200.00"), on=DAY, journal=bank, by=accountant)
    assert state(first) == ("paid", D(0))
    assert state(second) == ("partial", D("163.00"))


def test_an_over_payment_needs_a_decision(company, customer, accountant, bank):
    document = posted(company, customer, accountant, "100.00")  # 121.00
    with pytest.raises(InvalidInput, match="larger than what is due") as error:
        payment_register([document], amount=D("130.00"), on=DAY, journal=bank, by=accountant)
    assert list(error.value.field_errors()) == ["difference"]
    assert not Matching.objects.exists() and state(document) == ("not_paid", D("121.00"))
    payment = payment_register([document], amount=D("130.00"), on=DAY, journal=bank, by=accountant, difference=KEEP_OPEN)
    assert state(document) == ("paid", D(0))
    counterpart = payment.entry.lines.get(account__reconcile=True)
    assert residuals([counterpart])[counterpart.pk] == (D("9.00"), D(0))  # a credit the customer can use later


def test_a_small_difference_is_written_off(company, customer, accountant, bank):
    document = posted(company, customer, accountant, "100.00")  # 121.00
    payment_register([document], amount=D("120.95"), on=DAY, journal=bank, by=accountant, difference=WRITE_OFF)
    assert state(document) == ("paid", D(0))
    write_off = account_for_role(company, "write_off")
    assert JournalLine.objects.get(account=write_off).debit == D("0.05")
    assert verify_ledger(company).sound


def test_a_credit_note_reverses_its_invoice(company, customer, accountant):
    from tessera.accounting.services import open_lines, reconcile

    document = posted(company, customer, accountant, "100.00")
    credit_note = invoice_post(invoice_credit_note(document, by=accountant), by=accountant)
    reconcile([*open_lines(document), *open_lines(credit_note)], by=accountant)
    assert state(document) == ("reversed", D(0))
    assert state(credit_note) == ("reversed", D(0))


def test_an_invoice_and_a_credit_note_paid_together(company, customer, accountant, bank):
    """The invoice is settled by the credit note and the payment: paid. The credit note only by the
    invoice: reversed."""
    document = posted(company, customer, accountant, "200.00")  # 242.00
    credit_note = posted(company, customer, accountant, "50.00", kind=InvoiceKind.CUSTOMER_CREDIT_NOTE)  # 60.50
    payment_register([document, credit_note], amount=D("181.50"), on=DAY, journal=bank, by=accountant)
    assert state(document) == ("paid", D(0))
    assert state(credit_note) == ("reversed", D(0))
    assert verify_ledger(company).sound


def test_a_vendor_bill_is_paid(company, accountant, bank):
    supplier = PartnerFactory(company=company, name="Staal NV", is_supplier=True)
    bill = posted(company, supplier, accountant, "500.00", kind=InvoiceKind.VENDOR_BILL, ref="F-9")
    payment = payment_register([bill], amount=D("605.00"), on=DAY, journal=bank, by=accountant)
    assert payment.direction == "outbound"
    assert state(bill) == ("paid", D(0))
    assert [(line.account.code, line.debit, line.credit) for line in payment.entry.lines.order_by("position")] == [
        ("550000", D(0), D("605.00")),
        ("440000", D("605.00"), D(0)),
    ]
    assert aged_balance(company, DAY, payable=True) == []


def test_a_foreign_payment_books_the_exchange_difference(company, accountant, bank):
    usd = Currency.objects.get(code="USD")
    CurrencyRate.objects.create(company=company, currency=usd, date=datetime.date(2026, 3, 1), rate=D("0.90"))
    CurrencyRate.objects.create(company=company, currency=usd, date=datetime.date(2026, 4, 1), rate=D("0.95"))
    american = PartnerFactory(company=company, name="Racks Inc", country="US")
    document, drafts = invoice(company, american, lines=[("Racks", "sales", "1", "1000.00", ["S-EXP"])])
    document.currency = usd
    document = invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)  # 900.00 EUR
    payment = payment_register(
        [document], amount=D("1000.00"), on=datetime.date(2026, 4, 5), journal=bank, by=accountant
    )  # 950 EUR
    assert state(document) == ("paid", D(0))
    gain = account_for_role(company, "exchange_gain")
    assert JournalLine.objects.get(account=gain).credit == D("50.00")
    receivable = JournalLine.objects.filter(account=account_for_role(company, "receivable"))
    assert set(residuals(list(receivable)).values()) == {(D(0), D(0))}
    assert verify_ledger(company).sound
    unreconcile(payment.entry.lines.get(account__reconcile=True), by=accountant)
    assert state(document) == ("not_paid", D("1000.00"))
    net_gain = sum((line.credit - line.debit for line in JournalLine.objects.filter(account=gain)), D(0))
    assert net_gain == 0  # the exchange difference was reversed


def test_unreconciling_a_payment_reopens_the_invoice(company, customer, accountant, bank):
    document = posted(company, customer, accountant)
    payment = payment_register([document], amount=D("500.00"), on=DAY, journal=bank, by=accountant)
    unreconcile(payment.entry.lines.get(account__reconcile=True), by=accountant)
    assert state(document) == ("not_paid", D("1210.00"))
    assert not Matching.objects.exists()


def test_payments_of_several_partners_or_draft_invoices_are_refused(company, customer, accountant, bank):
    other = PartnerFactory(company=company, name="Other BV")
    first = posted(company, customer, accountant)
    second = posted(company, other, accountant)
    with pytest.raises(InvalidInput, match="one partner"):
        payment_register([first, second], amount=D("10"), on=DAY, journal=bank, by=accountant)
    draft, drafts = invoice(company, customer, lines=[("Goods", "sales", "1", "5", ["S21"])])
    draft = invoice_save(draft, drafts, by=accountant)
    with pytest.raises(InvalidInput, match="posted invoices"):
        payment_register([draft], amount=D("10"), on=DAY, journal=bank, by=accountant)
    with pytest.raises(InvalidInput, match="must be positive"):
        payment_register([first], amount=D("-1"), on=DAY, journal=bank, by=accountant)
    assert not Invoice.objects.filter(payment_state="partial").exists()


def test_partner_ledger_and_statements(company, customer, accountant, bank):
    document = posted(company, customer, accountant)
    payment_register([document], amount=D("1210.00"), on=datetime.date(2026, 3, 31), journal=bank, by=accountant)
    ledger = partner_ledger(company, customer, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert [(line.debit, line.credit, line.running) for line in ledger.lines] == [
        (D("1210.00"), D(0), D("1210.00")),
        (D(0), D("1210.00"), D(0)),
    ]
    pnl = profit_and_loss(company, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert pnl.total("income") == D("1000.00") and pnl.total("expense") == 0
    sheet = balance_sheet(company, datetime.date(2026, 12, 31))
    assert sheet.total("assets") == D("1210.00")
    assert sheet.total("liabilities") == D("210.00")
    assert sheet.total("equity") == D("1000.00")
    assert sheet.total("assets") == sheet.total("liabilities") + sheet.total("equity")


def test_verify_ledger_finds_matchings_that_break_the_open_items(company, customer, accountant, bank):
    document = posted(company, customer, accountant)
    payment_register([document], amount=D("500.00"), on=DAY, journal=bank, by=accountant)
    assert verify_ledger(company).sound
    Matching.objects.update(amount=D("9999.00"))  # more than either line holds
    problems = verify_ledger(company).problems
    assert len(problems) == 2 and all("matched for more than its amount" in problem for problem in problems)
    sales_line = document.entry.lines.get(account=account_for_role(company, "sales"))
    Matching.objects.update(amount=D("500.00"), debit_line=sales_line)
    assert verify_ledger(company).problems[0] == "Some matchings pair lines of two different accounts."
