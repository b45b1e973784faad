"""Invoices and bills: taxes, fiscal positions, payment terms, posting to the ledger, the VAT return."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.accounting.models import AccountingSettings, Invoice, InvoiceKind, InvoiceLine, Journal, Tax
from tessera.accounting.queries import vat_return
from tessera.accounting.services import (
    DraftLine,
    account_for_role,
    invoice_cancel,
    invoice_credit_note,
    invoice_post,
    invoice_save,
)
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Currency, CurrencyRate, PaymentTerm, PaymentTermLine
from tessera.core.tests.factories import PartnerFactory

DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Atelier Gent BV", country="BE", vat="BE0477472701")


@pytest.fixture
def supplier(company):
    return PartnerFactory(company=company, name="Staal Import NV", country="BE", is_supplier=True)


def tax(company, code):
    return Tax.objects.get(company=company, code=code)


def invoice(company, partner, kind=InvoiceKind.CUSTOMER_INVOICE, lines=(), **values):
    journal = Journal.objects.get(company=company, code="INV" if kind in ("out_invoice", "out_refund") else "BILL")
    document = Invoice(
        company=company, kind=kind, partner=partner, journal=journal, date=DAY, currency=company.currency, **values
    )
    drafts = [
        DraftLine(
            InvoiceLine(
                description=description, account=account_for_role(company, role), quantity=D(quantity), price_unit=D(price)
            ),
            [tax(company, code) for code in codes],
        )
        for description, role, quantity, price, codes in lines
    ]
    return document, drafts


def entry_lines(document):
    """(account code, debit, credit, grids, due date) of the invoice's posted entry."""
    return [
        (line.account.code, line.debit, line.credit, line.vat_grids, line.date_maturity)
        for line in document.entry.lines.select_related("account").order_by("position")
    ]


def test_a_customer_invoice_is_posted_with_its_vat_and_due_date(company, customer, accountant):
    term = PaymentTerm.objects.create(company=company, name="30 days end of month")
    PaymentTermLine.objects.create(term=term, kind="balance", days=30, end_of_month=True)
    document, drafts = invoice(
        company,
        customer,
        payment_term=term,
        lines=[("Workbench", "sales", "2", "450.00", ["S21"]), ("Installation", "sales", "3", "65.50", ["S21-S"])],
    )
    document = invoice_save(document, drafts, by=accountant)
    assert (document.amount_untaxed, document.amount_tax, document.amount_total) == (D("1096.50"), D("230.27"), D("1326.77"))
    document = invoice_post(document, by=accountant)
    document.refresh_from_db()
    assert (document.state, document.number, document.due_date) == ("posted", "INV/2026/00001", datetime.date(2026, 4, 30))
    assert document.payment_reference.startswith("+++") and len(document.payment_reference) == 20
    assert document.amount_residual == D("1326.77")
    assert entry_lines(document) == [
        ("700000", D(0), D("900.00"), "03", None),
        ("700000", D(0), D("196.50"), "03", None),
        ("451000", D(0), D("189.00"), "54", None),  # one line per tax: S21 and S21-S
        ("451000", D(0), D("41.27"), "54", None),
        ("400000", D("1326.77"), D(0), "", datetime.date(2026, 4, 30)),
    ]
    assert all(line.partner_id == customer.pk for line in document.entry.lines.all())


def test_instalments_give_one_receivable_line_each(company, customer, accountant):
    term = PaymentTerm.objects.create(company=company, name="30% now, balance in 60 days")
    PaymentTermLine.objects.create(term=term, position=0, kind="percent", percent=D("30"), days=0)
    PaymentTermLine.objects.create(term=term, position=1, kind="balance", days=60)
    document, drafts = invoice(company, customer, payment_term=term, lines=[("Shelving", "sales", "1", "1000.00", ["S21"])])
    document = invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)
    receivables = [line for line in entry_lines(document) if line[0] == "400000"]
    assert receivables == [("400000", D("363.00"), D(0), "", DAY), ("400000", D("847.00"), D(0), "", datetime.date(2026, 5, 9))]


def test_a_credit_note_reverses_the_vat_in_its_own_grids(company, customer, accountant):
    document, drafts = invoice(company, customer, lines=[("Trolley", "sales", "4", "250.00", ["S21"])])
    document = invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)
    credit_note = invoice_credit_note(document, by=accountant, on=datetime.date(2026, 3, 20))
    assert (credit_note.kind, credit_note.origin, credit_note.state) == ("out_refund", document, "draft")
    credit_note = invoice_post(credit_note, by=accountant)
    assert entry_lines(credit_note) == [
        ("700000", D("1000.00"), D(0), "49", None),
        ("451000", D("210.00"), D(0), "64", None),
        ("400000", D(0), D("1210.00"), "", datetime.date(2026, 3, 20)),
    ]
    grids = {row.grid: row.amount for row in vat_return(company, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))}
    assert {grid: grids[grid] for grid in ("03", "49", "54", "64", "XX", "YY", "71", "72")} == {
        "03": D("1000.00"), "49": D("1000.00"), "54": D("210.00"), "64": D("210.00"), "XX": D("210.00"), "YY": D("210.00"),
        "71": D(0), "72": D(0),
    }  # fmt: skip


def test_an_eu_business_customer_is_invoiced_without_vat(company, accountant):
    french = PartnerFactory(company=company, name="Mobilier Lyon SAS", country="FR", vat="FR40303265045")
    document, drafts = invoice(company, french, lines=[("Workbench", "sales", "1", "900.00", ["S21"])])
    document = invoice_save(document, drafts, by=accountant)
    assert document.fiscal_position.code == "EU-B2B"
    # the back office and the API map the taxes through the fiscal position when they fill in a line:
    from tessera.accounting.services import invoice_line_defaults

    _account, taxes = invoice_line_defaults(document, None)
    assert [t.code for t in taxes] == ["S-EU-G"]
    document, drafts = invoice(company, french, lines=[("Workbench", "sales", "1", "900.00", ["S-EU-G"])])
    document = invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)
    assert document.amount_total == D("900.00")
    assert entry_lines(document) == [("700000", D(0), D("900.00"), "46", None), ("400000", D("900.00"), D(0), "", DAY)]


def test_an_export_outside_the_eu(company, accountant):
    american = PartnerFactory(company=company, name="Racks Inc", country="US")
    document, _drafts = invoice(company, american)
    assert invoice_save(document, [], by=accountant).fiscal_position.code == "EXPORT"


def test_a_vendor_bill_and_an_intra_eu_acquisition(company, supplier, accountant):
    bill, drafts = invoice(company, supplier, kind=InvoiceKind.VENDOR_BILL, ref="F2026-118",
                           lines=[("Steel sheet", "raw_materials", "500", "1.20", ["P21-G"])])  # fmt: skip
    bill = invoice_post(invoice_save(bill, drafts, by=accountant), by=accountant)
    assert bill.number == "BILL/2026/00001"
    assert entry_lines(bill) == [
        ("600000", D("600.00"), D(0), "81", None),
        ("411000", D("126.00"), D(0), "59", None),
        ("440000", D(0), D("726.00"), "", DAY),
    ]
    german = PartnerFactory(company=company, name="Stahl GmbH", country="DE", vat="DE136695976", is_supplier=True)
    bill, drafts = invoice(company, german, kind=InvoiceKind.VENDOR_BILL, ref="R-77",
                           lines=[("Steel tube", "raw_materials", "100", "4.00", ["P-EU-G21"])])  # fmt: skip
    bill = invoice_post(invoice_save(bill, drafts, by=accountant), by=accountant)
    assert bill.amount_total == D("400.00")  # the supplier is paid without VAT; the VAT is self-assessed
    assert entry_lines(bill) == [
        ("600000", D("400.00"), D(0), "81 86", None),
        ("411000", D("84.00"), D(0), "59", None),
        ("451000", D(0), D("84.00"), "55", None),
        ("440000", D(0), D("400.00"), "", DAY),
    ]
    grids = {row.grid: row.amount for row in vat_return(company, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))}
    assert (grids["81"], grids["86"], grids["55"], grids["59"], grids["72"]) == (
        D("1000.00"),
        D("400.00"),
        D("84.00"),
        D("210.00"),
        D("126.00"),
    )


def test_a_supplier_bill_is_recorded_once(company, supplier, accountant):
    bill, drafts = invoice(
        company, supplier, kind=InvoiceKind.VENDOR_BILL, ref="F-1", lines=[("Bolts", "purchases", "1", "10", ["P21-G"])]
    )
    invoice_save(bill, drafts, by=accountant)
    again, drafts = invoice(
        company, supplier, kind=InvoiceKind.VENDOR_BILL, ref="F-1", lines=[("Bolts", "purchases", "1", "10", ["P21-G"])]
    )
    with pytest.raises(InvalidInput) as error:
        invoice_save(again, drafts, by=accountant)
    assert error.value.field_errors() == {"ref": ["This supplier's bill with this reference is already recorded."]}
    assert Invoice.objects.count() == 1


def test_taxes_must_fit_the_document_and_the_company(company, customer, accountant):
    document, drafts = invoice(company, customer, lines=[("Bolts", "sales", "1", "10", ["P21-G"])])
    with pytest.raises(InvalidInput, match="is a purchases tax; this document needs sales taxes") as error:
        invoice_save(document, drafts, by=accountant)
    assert list(error.value.field_errors()) == ["lines.0.taxes"]
    assert not Invoice.objects.exists()


def test_a_foreign_currency_invoice_is_converted_at_the_days_rate(company, accountant):
    usd = Currency.objects.get(code="USD")
    CurrencyRate.objects.create(company=company, currency=usd, date=datetime.date(2026, 3, 1), rate=D("0.923"))
    american = PartnerFactory(company=company, name="Racks Inc", country="US")
    document, drafts = invoice(company, american, lines=[("Rack", "sales", "3", "333.33", ["S-EXP"])])
    document.currency = usd
    document = invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)
    document.refresh_from_db()
    assert (document.amount_total, document.exchange_rate) == (D("999.99"), D("0.923"))
    lines = list(document.entry.lines.order_by("position"))
    assert [(line.credit, line.debit, line.amount_currency) for line in lines] == [
        (D("922.99"), D(0), D("-999.99")),  # 999.99 × 0.923 = 922.99077
        (D(0), D("922.99"), D("999.99")),
    ]


def test_included_prices_rounded_per_document_post_the_rounding(company, customer, accountant):
    settings = AccountingSettings.objects.get(company=company)
    settings.tax_rounding = "document"
    settings.save()
    included = Tax.objects.create(
        company=company,
        code="S21-INC",
        name="VAT 21% incl.",
        use="sale",
        rate=D("21"),
        price_include=True,
        invoice_base_grids="03",
    )
    included.distribution.create(factor=D(100), account=account_for_role(company, "vat_due"), grid="54")
    document, drafts = invoice(company, customer, lines=[(f"Item {n}", "sales", "1", "1.00", ["S21-INC"]) for n in range(3)])
    document = invoice_post(invoice_save(document, drafts, by=accountant), by=accountant)
    assert document.amount_total == D("3.00")
    rounding = account_for_role(company, "rounding").code
    lines = entry_lines(document)
    assert [(code, debit, credit) for code, debit, credit, _g, _d in lines if code in ("451000", rounding, "400000")] == [
        ("451000", D(0), D("0.52")), (rounding, D("0.01"), D(0)), ("400000", D("3.00"), D(0)),
    ]  # fmt: skip


def test_posting_in_a_locked_period_leaves_the_invoice_a_draft(company, customer, accountant):
    AccountingSettings.objects.filter(company=company).update(lock_date=datetime.date(2026, 3, 31))
    document, drafts = invoice(company, customer, lines=[("Bolts", "sales", "1", "10", ["S21"])])
    document = invoice_save(document, drafts, by=accountant)
    with pytest.raises(BusinessError, match="locked up to 2026-03-31"):
        invoice_post(document, by=accountant)
    document.refresh_from_db()
    assert (document.state, document.number, document.entry) == ("draft", "", None)


def test_drafts_are_cancelled_and_posted_invoices_credited(company, customer, accountant):
    document, drafts = invoice(company, customer, lines=[("Bolts", "sales", "1", "10", ["S21"])])
    document = invoice_cancel(invoice_save(document, drafts, by=accountant), by=accountant)
    assert document.state == "cancelled"
    with pytest.raises(BusinessError, match="is not a draft"):
        invoice_post(document, by=accountant)
    with pytest.raises(BusinessError, match="Only a draft can be changed"):
        invoice_save(document, [], by=accountant)
    with pytest.raises(BusinessError, match="Only a posted invoice"):
        invoice_credit_note(document, by=accountant)


def test_an_invoice_without_lines_is_not_posted(company, customer, accountant):
    document, _drafts = invoice(company, customer)
    document = invoice_save(document, [], by=accountant)
    with pytest.raises(InvalidInput, match="at least one line"):
        invoice_post(document, by=accountant)
