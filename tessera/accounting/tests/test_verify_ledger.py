"""verify_ledger recomputes the hash chain and the ledger's invariants from the rows alone, and finds
what was changed behind the services' back (raw SQL on SQLite; on PostgreSQL with its triggers off,
as only a superuser could)."""

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import F

from tessera.accounting.models import AccountBalance, JournalEntry, Period
from tessera.accounting.services import account_for_role, journal_entry_reverse
from tessera.accounting.verification import verify_ledger
from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, UserFactory

from .conftest import Book

SALE = (("receivable", "121.00", "0"), ("sales", "0", "100.00"), ("vat_due", "0", "21.00"))
RECEIPT = (("bank", "121.00", "0"), ("receivable", "0", "121.00"))
BILL = (("services", "50.00", "0"), ("vat_recoverable", "10.50", "0"), ("payable", "0", "60.50"))
WAGES = (("salaries", "2000.00", "0"), ("bank", "0", "2000.00"))


def post_history(book: Book, partner) -> list[JournalEntry]:
    """Six entries over 2025 and 2026, one of them reversed: chain positions 1 to 6."""
    entries = [
        book.entry(datetime.date(2025, 6, 10), *SALE, journal="INV", partner=partner),
        book.entry(datetime.date(2025, 11, 3), *RECEIPT, journal="BNK1", partner=partner),
        book.entry(datetime.date(2026, 2, 1), *BILL, journal="BILL"),
    ]
    entries.append(journal_entry_reverse(entries[2], on=datetime.date(2026, 2, 5), by=book.by))
    entries.append(book.entry(datetime.date(2026, 3, 15), *SALE, journal="INV", partner=partner))
    entries.append(book.entry(datetime.date(2026, 3, 31), *WAGES))
    return entries


@pytest.fixture
def history(book, company) -> list[JournalEntry]:
    return post_history(book, PartnerFactory(company=company, name="Klant BV"))


@contextmanager
def unguarded() -> Iterator[None]:
    """Let raw SQL through the database's own guards (PostgreSQL triggers) for the tampering only.

    Pending deferred checks are run first: they would otherwise re-check the tampered rows when the
    test's transaction ends. SQLite has no triggers: a plain statement changes a posted row."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone at its end: each case starts from the same sound ledger."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def tamper(sql: str, params) -> None:
    with unguarded(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def altered(number: str, position: int) -> str:
    return f"Entry {number} (position {position}) was altered after posting: its content no longer matches its hash."


def run_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def failing_command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match=r"^The ledger is not sound\.$"):
        call_command("verify_ledger", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


# --- a sound ledger --------------------------------------------------------------------------------------


def test_a_sound_ledger_over_two_years_is_reported_sound(company, book, history):
    assert [entry.number for entry in history] == [
        "INV/2025/00001", "BNK1/2025/00001", "BILL/2026/00001", "BILL/2026/00002", "INV/2026/00001", "MISC/2026/00001",
    ]  # fmt: skip
    assert book.draft(datetime.date(2026, 4, 1), ("bank", "1.00", "0")).state == "draft"  # no part of the ledger
    report = verify_ledger(company)
    assert (report.sound, report.entries, report.problems) == (True, 6, [])
    assert run_command("--company", str(company.pk)) == (
        "Boekhouding NV: 6 posted entries, chain and invariants sound.\n",
        "",
    )


def test_an_empty_ledger_is_sound(company):
    report = verify_ledger(company)
    assert (report.sound, report.entries) == (True, 0)
    assert run_command("--company", str(company.pk))[0] == "Boekhouding NV: 0 posted entries, chain and invariants sound.\n"


# --- posted rows changed behind the services' back ---------------------------------------------------------


LINE_EDITS = {
    # SQLite sums to 2485, PostgreSQL to 2485.0000
    "debit": (
        "debit = debit + 1",
        [r"The trial balance does not sum to zero: debit 2485(\.0000)?, credit 2484(\.0000)?\.$", "Kept account"],
    ),
    "label": ("label = 'changed'", []),
    "amount in currency": ("amount_currency = 1", []),
    "partner": ("partner_id = (SELECT MIN(id) FROM core_partner)", []),
    "account": ("account_id = (SELECT account_id FROM accounting_journalline WHERE id = %(other)s)", ["Kept account"]),
}


def test_a_line_edited_after_posting_is_found(company, history, subtests):
    """The first line of BILL/2026/00001 (third in the chain) is changed; the chain breaks there."""
    line, other = history[2].lines.order_by("position")[:2]
    for case, (change, also) in LINE_EDITS.items():
        with subtests.test(case=case), rolled_back():
            tamper(f"UPDATE accounting_journalline SET {change} WHERE id = %(line)s", {"line": line.pk, "other": other.pk})
            report = verify_ledger(company)
            assert not report.sound
            assert report.problems[0] == altered("BILL/2026/00001", 3)
            assert report.entries == 3  # the check stops at the first altered entry
            assert len(report.problems) == 1 + len(also), report.problems
            for problem, pattern in zip(report.problems[1:], also, strict=True):
                assert re.match(pattern, problem), problem
            out, err = failing_command()
            assert f"Boekhouding NV: {altered('BILL/2026/00001', 3)}\n" in err
            assert "Boekhouding NV: 6 posted entries" not in out
    assert verify_ledger(company).sound  # every edit was undone


def test_an_edit_of_the_last_entry_is_found(company, history):
    line = history[5].lines.order_by("position").first()
    tamper("UPDATE accounting_journalline SET debit = 2000.01 WHERE id = %s", [line.pk])
    report = verify_ledger(company)
    assert report.problems[0] == altered("MISC/2026/00001", 6) and report.entries == 6


def test_a_line_moved_to_another_date_is_found(company, history):
    line = history[5].lines.order_by("position").first()
    tamper("UPDATE accounting_journalline SET date = %s WHERE id = %s", [datetime.date(2027, 6, 1), line.pk])
    assert verify_ledger(company).problems == [
        "Entry MISC/2026/00001 has lines whose date, period or posting flag differ from the entry's."
    ]


ENTRY_EDITS = {
    "date": ("date = %(day)s", "INV/2026/00001"),
    "number": ("number = 'INV/2026/00009'", "INV/2026/00009"),
    "journal": ("journal_id = (SELECT journal_id FROM accounting_journalentry WHERE id = %(other)s)", "INV/2026/00001"),
}


def test_an_entry_edited_after_posting_is_found(company, history, subtests):
    """INV/2026/00001 (fifth in the chain) is changed: the report names it, by its number as it now reads."""
    params = {"entry": history[4].pk, "day": datetime.date(2026, 3, 16), "other": history[5].pk}
    for case, (change, number) in ENTRY_EDITS.items():
        with subtests.test(case=case), rolled_back():
            tamper(f"UPDATE accounting_journalentry SET {change} WHERE id = %(entry)s", params)
            report = verify_ledger(company)
            assert report.problems == [altered(number, 5)]
            assert report.entries == 5


def test_an_entry_deleted_from_the_middle_of_the_chain_is_found(company, history):
    receipt = history[1]
    tamper("DELETE FROM accounting_journalline WHERE entry_id = %s", [receipt.pk])
    tamper("DELETE FROM accounting_journalentry WHERE id = %s", [receipt.pk])
    report = verify_ledger(company)
    assert report.problems[0] == "Entry BILL/2026/00001 is at position 3 of the chain, expected 2: entries are missing."
    assert report.problems[1].startswith("Kept account balances differ from the posted lines")
    assert len(report.problems) == 2
    assert report.entries == 2


def test_the_last_entry_deleted_is_found_by_the_chain_head(company, history):
    last = history[5]
    tamper("DELETE FROM accounting_journalline WHERE entry_id = %s", [last.pk])
    tamper("DELETE FROM accounting_journalentry WHERE id = %s", [last.pk])
    report = verify_ledger(company)
    assert report.problems[0] == "The chain's head does not match the last posted entry: entries were removed."
    assert report.problems[1].startswith("Kept account balances differ from the posted lines")
    assert len(report.problems) == 2
    assert report.entries == 5


def test_a_posted_entry_turned_back_into_a_draft_is_found(company, history):
    tamper("UPDATE accounting_journalentry SET state = 'draft' WHERE id = %s", [history[3].pk])
    report = verify_ledger(company)
    assert report.problems[0] == "Entry INV/2026/00001 is at position 5 of the chain, expected 4: entries are missing."


# --- the kept balances ----------------------------------------------------------------------------------


def kept(company, role: str, month: datetime.date) -> AccountBalance:
    return AccountBalance.objects.get(account=account_for_role(company, role), period__company=company, period__date_start=month)


def test_a_kept_balance_that_differs_from_the_lines_is_found(company, history, subtests):
    balance = kept(company, "receivable", datetime.date(2026, 3, 1))
    assert (balance.debit, balance.credit) == (Decimal("121.00"), Decimal(0))
    july = Period.objects.get(company=company, date_start=datetime.date(2026, 7, 1))
    changes = {
        "debit": lambda: AccountBalance.objects.filter(pk=balance.pk).update(debit=F("debit") + Decimal("0.01")),
        "credit": lambda: AccountBalance.objects.filter(pk=balance.pk).update(credit=Decimal("121.00")),
        "deleted": lambda: AccountBalance.objects.filter(pk=balance.pk).delete(),
        "extra row": lambda: AccountBalance.objects.create(
            company=company, account_id=balance.account_id, period=july, debit=Decimal("5.00")
        ),
    }
    for case, change in changes.items():
        with subtests.test(case=case), rolled_back():
            change()
            period = july.pk if case == "extra row" else balance.period_id
            report = verify_ledger(company)
            assert len(report.problems) == 1, report.problems
            problem = report.problems[0]
            assert problem.startswith("Kept account balances differ from the posted lines, for example [")
            # the row as the lines sum it and as it is kept, or only one of them when a row is missing
            assert problem.count(f"(({balance.account_id}, {period}), ") == (2 if case in ("debit", "credit") else 1), problem
            assert report.entries == 6  # the chain itself is sound
            _out, err = failing_command("--company", str(company.pk))
            assert err.startswith("Boekhouding NV: Kept account balances differ")
    assert verify_ledger(company).sound


def test_a_kept_balance_of_zero_without_lines_is_harmless(company, history):
    july = Period.objects.get(company=company, date_start=datetime.date(2026, 7, 1))
    AccountBalance.objects.create(company=company, account=account_for_role(company, "sales"), period=july)
    assert verify_ledger(company).sound


# --- companies are checked each on its own ------------------------------------------------------------------


@pytest.fixture
def other_company(db):
    other = company_create(Company(name="Andere BV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    manager = UserFactory(username="other-accountant", companies=[other], roles=["Accounting / Manager"])
    post_history(Book(other, manager), PartnerFactory(company=other, name="Klant van Andere"))
    return other


def test_another_company_does_not_affect_the_report(company, history, other_company):
    assert verify_ledger(company).entries == 6 and verify_ledger(other_company).entries == 6
    assert JournalEntry.objects.filter(chain_position=1).count() == 2  # each company has its own chain
    other_line = JournalEntry.objects.get(company=other_company, chain_position=1).lines.order_by("position").first()
    tamper("UPDATE accounting_journalline SET credit = 0, debit = 999 WHERE id = %s", [other_line.pk])
    AccountBalance.objects.filter(company=other_company).update(debit=F("debit") + 1)

    mine = verify_ledger(company)
    assert (mine.sound, mine.entries, mine.problems) == (True, 6, [])
    theirs = verify_ledger(other_company)
    assert theirs.problems[0] == altered("INV/2025/00001", 1)
    assert theirs.entries == 1

    out, err = failing_command()
    assert "Boekhouding NV: 6 posted entries, chain and invariants sound.\n" in out
    assert "Andere BV" not in out
    assert err.splitlines()[0] == f"Andere BV: {altered('INV/2025/00001', 1)}"
    assert all(line.startswith("Andere BV: ") for line in err.splitlines())
    assert run_command("--company", str(company.pk)) == ("Boekhouding NV: 6 posted entries, chain and invariants sound.\n", "")
