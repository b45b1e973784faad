"""Journal entries: drafts, posting, numbering, the hash chain, balances, reversal and refusals."""

import datetime
from decimal import Decimal

import pytest

from tessera.accounting.ledger import GENESIS, entry_digest
from tessera.accounting.models import (
    AccountBalance,
    AccountingSettings,
    FiscalYear,
    JournalEntry,
    JournalLine,
    LedgerChain,
    Period,
)
from tessera.accounting.services import (
    account_for_role,
    chart_load,
    journal_entry_delete,
    journal_entry_post,
    journal_entry_reverse,
    journal_entry_save,
)
from tessera.core.errors import BusinessError, InvalidInput, NotAllowed
from tessera.core.models import AuditEntry, Currency
from tessera.core.services import system_user
from tessera.core.tests.factories import CompanyFactory, PartnerFactory

SALE = (("receivable", "121.00", "0"), ("sales", "0", "100.00"), ("vat_due", "0", "21.00"))


def test_posting_numbers_chains_and_freezes_the_entry(book, accountant, day):
    entry = book.entry(day, *SALE, journal="INV")
    entry.refresh_from_db()
    assert (entry.state, entry.number, entry.chain_position) == ("posted", "INV/2026/00001", 1)
    assert entry.period.date_start == datetime.date(2026, 3, 1) and entry.posted_by == accountant
    lines = list(entry.lines.order_by("position"))
    assert all(line.posted and line.period_id == entry.period_id and line.date == day for line in lines)
    assert entry.hash == entry_digest(GENESIS, "INV/2026/00001", day, entry.journal_id, lines)
    assert LedgerChain.objects.get(company=book.company).head == entry.hash
    second = book.entry(day, *SALE, journal="INV")
    assert second.number == "INV/2026/00002" and second.chain_position == 2
    assert second.hash == entry_digest(
        entry.hash, "INV/2026/00002", day, second.journal_id, list(second.lines.order_by("position"))
    )


def test_each_journal_and_year_numbers_on_its_own(book, day):
    assert book.entry(day, *SALE, journal="INV").number == "INV/2026/00001"
    assert book.entry(day, *SALE, journal="MISC").number == "MISC/2026/00001"
    assert book.entry(datetime.date(2027, 1, 4), *SALE, journal="INV").number == "INV/2027/00001"
    assert book.entry(day, *SALE, journal="INV").number == "INV/2026/00002"


def test_posting_creates_the_fiscal_year_and_keeps_balances(book, company, day):
    book.entry(day, *SALE)
    book.entry(datetime.date(2026, 3, 31), ("receivable", "10.00", "0"), ("sales", "0", "10.00"))
    year = FiscalYear.objects.get(company=company)
    assert (year.name, year.date_start, year.date_end, year.periods.count()) == (
        "2026",
        datetime.date(2026, 1, 1),
        datetime.date(2026, 12, 31),
        12,
    )
    march = Period.objects.get(company=company, date_start=datetime.date(2026, 3, 1))
    balances = {
        b.account.code[:3]: (b.debit, b.credit) for b in AccountBalance.objects.filter(period=march).select_related("account")
    }
    assert balances == {
        "400": (Decimal("131.00"), Decimal(0)),
        "700": (Decimal(0), Decimal("110.00")),
        "451": (Decimal(0), Decimal("21.00")),
    }


def test_drafts_are_saved_without_balance_and_audited(book, day):
    entry = book.draft(day, ("receivable", "50", "0"))
    assert entry.state == "draft" and entry.number == ""
    audit = AuditEntry.objects.get(content_type__model="journalentry", object_id=str(entry.pk))
    assert len(audit.changes["lines"]["new"]) == 1


@pytest.mark.parametrize(
    ("lines", "code", "message"),
    [
        ((("receivable", "121.00", "0"), ("sales", "0", "121.01")), "unbalanced", "difference -0.01"),
        ((), "empty_entry", "no lines"),
        ((("receivable", "0", "0"), ("sales", "0", "0")), "empty_entry", "no amount"),
    ],
)
def test_unbalanced_and_empty_entries_are_refused(book, day, lines, code, message):
    entry = book.draft(day, *lines)
    with pytest.raises(InvalidInput, match=message) as error:
        journal_entry_post(entry, by=book.by)
    assert error.value.code == code
    entry.refresh_from_db()
    assert (entry.state, entry.number) == ("draft", "")
    assert not AccountBalance.objects.exists() and not LedgerChain.objects.filter(length__gt=0).exists()


def test_negative_amounts_and_two_sided_lines_are_refused_per_line(book, day):
    with pytest.raises(InvalidInput) as error:
        book.draft(day, ("receivable", "-5", "0"), ("sales", "3", "3"))
    assert error.value.field_errors() == {
        "lines.0.debit": ["Debit cannot be negative: put the amount on the credit side."],
    }


def test_an_account_of_another_company_is_refused(book, day):
    other = CompanyFactory(name="Other NV")
    chart_load(other, by=system_user())
    foreign = account_for_role(other, "sales")
    with pytest.raises(InvalidInput) as error:
        book.draft(day, ("receivable", "5", "0"), (foreign, "0", "5"))
    assert list(error.value.field_errors()) == ["lines.1.account"]
    assert not JournalEntry.objects.exists()


def test_nothing_is_posted_on_or_before_the_lock_date(book, company, day):
    settings = AccountingSettings.objects.get(company=company)
    settings.lock_date = day
    settings.save()
    entry = book.draft(day, *SALE)
    with pytest.raises(BusinessError, match="locked up to 2026-03-15") as error:
        journal_entry_post(entry, by=book.by)
    assert error.value.code == "period_locked"
    assert book.entry(day + datetime.timedelta(days=1), *SALE).state == "posted"


def test_a_lock_date_set_after_postings_applies_to_the_next_one(book, company, day):
    """The settings are kept across operations (decision 15) until a save gives them a new version."""
    for _ in range(3):
        book.entry(day, *SALE)
    settings = AccountingSettings.objects.get(company=company)
    settings.lock_date = day
    settings.save()
    with pytest.raises(BusinessError, match="locked up to 2026-03-15"):
        book.entry(day, *SALE)


def test_nothing_is_posted_in_a_closed_year(book, company, day):
    book.entry(day, *SALE)
    FiscalYear.objects.filter(company=company).update(state="closed")
    with pytest.raises(BusinessError, match="Fiscal year 2026 is closed"):
        book.entry(day, *SALE)


def test_lines_in_one_foreign_currency_must_balance_in_it(book, company, day):
    usd = Currency.objects.get(code="USD")
    entry = book.draft(day, ("bank", "92.00", "0"), ("sales", "0", "92.00"))
    lines = list(entry.lines.order_by("position"))
    for line, amount in zip(lines, ("100", "-99"), strict=True):
        line.currency, line.amount_currency = usd, Decimal(amount)
    journal_entry_save(entry, lines, by=book.by)
    with pytest.raises(InvalidInput, match="not balanced in its currency"):
        journal_entry_post(entry, by=book.by)


def test_a_posted_entry_cannot_be_edited_or_deleted(book, day):
    entry = book.entry(day, *SALE)
    with pytest.raises(BusinessError, match="reverse it instead"):
        journal_entry_save(entry, list(entry.lines.all()), by=book.by)
    with pytest.raises(BusinessError, match="reverse it instead"):
        journal_entry_delete(entry, by=book.by)
    with pytest.raises(BusinessError, match="already posted"):
        journal_entry_post(entry, by=book.by)


def test_a_draft_can_be_deleted(book, day):
    entry = book.draft(day, *SALE)
    journal_entry_delete(entry, by=book.by)
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


def test_reversing_cancels_an_entry_once(book, company, day):
    partner = PartnerFactory(company=company)
    original = book.entry(day, *SALE, partner=partner)
    reversal = journal_entry_reverse(original, on=datetime.date(2026, 4, 2), by=book.by)
    assert (reversal.state, reversal.number, reversal.reverses_id) == ("posted", "MISC/2026/00002", original.pk)
    assert [(line.account_id, line.debit, line.credit, line.partner_id) for line in reversal.lines.order_by("position")] == [
        (line.account_id, line.credit, line.debit, line.partner_id) for line in original.lines.order_by("position")
    ]
    totals = {b.account_id: b.debit - b.credit for b in AccountBalance.objects.filter(company=company)}
    assert sum(totals.values()) == 0
    net = {}
    for line in JournalLine.objects.filter(company=company, posted=True):
        net[line.account_id] = net.get(line.account_id, 0) + line.debit - line.credit
    assert set(net.values()) == {0}
    with pytest.raises(BusinessError, match="already reversed"):
        journal_entry_reverse(original, on=day, by=book.by)
    with pytest.raises(BusinessError, match="Only a posted entry"):
        journal_entry_reverse(book.draft(day, *SALE), on=day, by=book.by)


def test_a_user_without_the_post_permission_cannot_post(company, clerk, day):
    from .conftest import Book

    entry = Book(company, clerk).draft(day, *SALE)
    with pytest.raises(NotAllowed):
        journal_entry_post(entry, by=clerk)
    entry.refresh_from_db()
    assert entry.state == "draft"


def test_posting_is_audited_as_a_transition(book, day):
    entry = book.entry(day, *SALE)
    last = AuditEntry.objects.filter(content_type__model="journalentry", object_id=str(entry.pk)).first()
    assert last.changes["state"] == {"old": "draft", "new": "posted"}
    assert last.changes["number"] == {"old": "", "new": "MISC/2026/00001"}
