"""On PostgreSQL the database itself keeps the ledger sound, whatever writes to it (migration 0002).

Every write here goes around the services, by raw SQL or `QuerySet.update`: a posted entry must balance
at commit (deferred constraint trigger), a posted entry and its lines never change, and the CHECK
constraints refuse negative and two-sided lines. Tests that need a real COMMIT are transactional.
"""

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from tessera.accounting.models import AccountBalance, Journal, JournalEntry, JournalLine, LedgerChain
from tessera.accounting.services import account_for_role, journal_entry_post, journal_entry_reverse
from tessera.accounting.verification import verify_ledger

pytestmark = pytest.mark.postgres

DAY = datetime.date(2026, 3, 15)
SALE = (("receivable", "121.00", "0"), ("sales", "0", "100.00"), ("vat_due", "0", "21.00"))
COMMITTED = pytest.mark.django_db(transaction=True, serialized_rollback=True)


# --- raw writers -----------------------------------------------------------------------------------


def insert_entry(cursor, company, *, journal="MISC", day=DAY) -> int:
    """A draft entry row, written as any SQL client would."""
    cursor.execute(
        "INSERT INTO accounting_journalentry (company_id, journal_id, date, ref, narration, state, number, hash) "
        "VALUES (%s, %s, %s, '', '', 'draft', '', '') RETURNING id",
        [company.pk, Journal.objects.get(company=company, code=journal).pk, day],
    )
    return cursor.fetchone()[0]


def insert_line(cursor, company, entry_id, role, debit, credit, *, position=0, posted=False) -> int:
    cursor.execute(
        "INSERT INTO accounting_journalline (company_id, entry_id, position, account_id, label, debit, credit, "
        "amount_currency, date, posted) VALUES (%s, %s, %s, %s, '', %s, %s, 0, %s, %s) RETURNING id",
        [company.pk, entry_id, position, account_for_role(company, role).pk, Decimal(debit), Decimal(credit), DAY, posted],
    )
    return cursor.fetchone()[0]


def flip_to_posted(cursor, entry_id, *, number="RAW/2026/00001", position=1) -> None:
    """What posting does to the entry row: state, number, place in the chain and hash."""
    cursor.execute(
        "UPDATE accounting_journalentry SET state = 'posted', number = %s, chain_position = %s, hash = %s WHERE id = %s",
        [number, position, "a" * 64, entry_id],
    )


def post_raw(cursor, company, *lines) -> int:
    """A whole posting by raw SQL: a draft, its lines, the lines flagged posted, then the entry posted."""
    entry_id = insert_entry(cursor, company)
    for position, (role, debit, credit) in enumerate(lines):
        insert_line(cursor, company, entry_id, role, debit, credit, position=position)
    cursor.execute("UPDATE accounting_journalline SET posted = true WHERE entry_id = %s", [entry_id])
    flip_to_posted(cursor, entry_id)
    return entry_id


@contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint undone at its end, so that each case starts from the same rows even when one fails."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def rows(entry_id: int) -> tuple:
    """Everything stored about an entry and its lines, to prove a refused write changed nothing."""
    entry = list(JournalEntry.objects.filter(pk=entry_id).values_list("state", "number", "date", "narration", "hash"))
    lines = list(
        JournalLine.objects.filter(entry_id=entry_id).order_by("id").values_list("id", "account_id", "debit", "credit", "posted")
    )
    return entry, lines


# --- the balance, checked at commit --------------------------------------------------------------------


@COMMITTED
def test_an_unbalanced_or_empty_posted_entry_is_refused_at_commit(company, subtests):
    cases = {
        "unbalanced": (
            (("receivable", "100.00", "0"), ("sales", "0", "90.00")),
            r"journal entry {id} is not balanced: debit 100\.0000 and credit 90\.0000",
        ),
        "zero lines": ((("receivable", "0", "0"), ("sales", "0", "0")), r"journal entry {id} is posted without any amount"),
        "no lines": ((), r"journal entry {id} is posted without any amount"),
    }
    for case, (lines, message) in cases.items():
        with subtests.test(case=case):
            statements_ran = False
            entry_id = None
            with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
                entry_id = post_raw(cursor, company, *lines)
                statements_ran = True  # every statement passed: only the COMMIT refuses the entry
            assert statements_ran
            assert re.search(message.format(id=entry_id), str(error.value)), str(error.value)
            assert not JournalEntry.objects.filter(pk=entry_id).exists()
            assert not JournalLine.objects.filter(entry_id=entry_id).exists()
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


@COMMITTED
def test_a_balanced_entry_posted_by_raw_sql_is_accepted(company):
    with transaction.atomic(), connection.cursor() as cursor:
        entry_id = post_raw(cursor, company, *SALE)
    entry, lines = rows(entry_id)
    assert entry == [("posted", "RAW/2026/00001", DAY, "", "a" * 64)]
    assert [(debit, credit, posted) for _id, _account, debit, credit, posted in lines] == [
        (Decimal("121.00"), Decimal(0), True),
        (Decimal(0), Decimal("100.00"), True),
        (Decimal(0), Decimal("21.00"), True),
    ]


@COMMITTED
def test_a_posted_entry_cannot_be_balanced_afterwards_by_editing_its_lines(company):
    """Once the entry is posted, even its not yet flagged lines are final: the balance check at commit
    sees the lines as they were when the entry was posted."""
    refused = pytest.raises(DatabaseError, match=r"journal line \d+ is posted: it cannot be changed or deleted")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        entry_id = insert_entry(cursor, company)
        insert_line(cursor, company, entry_id, "receivable", "100.00", "0")
        credit_line = insert_line(cursor, company, entry_id, "sales", "0", "99.99", position=1)
        flip_to_posted(cursor, entry_id)
        cursor.execute("UPDATE accounting_journalline SET credit = %s WHERE id = %s", [Decimal("100.00"), credit_line])
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


@COMMITTED
def test_posting_and_reversing_through_the_services_pass_the_database_checks(book, company):
    entry = book.entry(DAY, *SALE)  # each service call commits: the deferred checks ran
    reversal = journal_entry_reverse(entry, on=DAY + datetime.timedelta(days=1), by=book.by)
    assert list(JournalEntry.objects.order_by("chain_position").values_list("number", "state", "chain_position")) == [
        ("MISC/2026/00001", "posted", 1),
        ("MISC/2026/00002", "posted", 2),
    ]
    assert reversal.reverses_id == entry.pk
    assert list(JournalLine.objects.order_by("entry_id", "position").values_list("debit", "credit", "posted")) == [
        (Decimal("121.00"), Decimal(0), True),
        (Decimal(0), Decimal("100.00"), True),
        (Decimal(0), Decimal("21.00"), True),
        (Decimal(0), Decimal("121.00"), True),
        (Decimal("100.00"), Decimal(0), True),
        (Decimal("21.00"), Decimal(0), True),
    ]
    assert LedgerChain.objects.get(company=company).length == 2
    assert verify_ledger(company).sound


@COMMITTED
def test_drafts_can_be_edited_and_deleted_by_raw_sql(book):
    draft = book.draft(DAY, *SALE)
    first, second, third = draft.lines.order_by("position").values_list("id", flat=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounting_journalline SET debit = 130 WHERE id = %s", [first])
        cursor.execute("UPDATE accounting_journalentry SET narration = 'edited' WHERE id = %s", [draft.pk])
        cursor.execute("DELETE FROM accounting_journalline WHERE id = %s", [third])
        cursor.execute(
            "INSERT INTO accounting_journalline (company_id, entry_id, position, account_id, label, debit, credit, "
            "amount_currency, date, posted) SELECT company_id, entry_id, 2, account_id, 'new', 0, 30, 0, date, false "
            "FROM accounting_journalline WHERE id = %s",
            [second],
        )
    assert JournalEntry.objects.get(pk=draft.pk).narration == "edited"
    assert list(draft.lines.order_by("position").values_list("debit", "credit", "label")) == [
        (Decimal(130), Decimal(0), ""),
        (Decimal(0), Decimal(100), ""),
        (Decimal(0), Decimal(30), "new"),
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounting_journalline WHERE entry_id = %s", [draft.pk])
        cursor.execute("DELETE FROM accounting_journalentry WHERE id = %s", [draft.pk])
    assert not JournalEntry.objects.exists() and not JournalLine.objects.exists()


# --- a posted entry is final ---------------------------------------------------------------------------

LINE_FINAL = r"journal line {line} is posted: it cannot be changed or deleted"
ENTRY_FINAL = r"journal entry {entry} is posted: it cannot be changed or deleted, only reversed"
NO_NEW_LINE = r"journal entry {entry} is posted: no line can be added to it"
COPY_LINE = (
    "INSERT INTO accounting_journalline (company_id, entry_id, position, account_id, label, debit, credit, amount_currency, "
    "date, posted) SELECT company_id, entry_id, 9, account_id, '', {debit}, {credit}, 0, date, false "
    "FROM accounting_journalline WHERE id = %(line)s"
)


def sql(statement: str):
    def run(entry: JournalEntry, line: JournalLine) -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement, {"entry": entry.pk, "line": line.pk})

    return run


FINAL_WRITES = {
    "update a line's debit": (sql("UPDATE accounting_journalline SET debit = debit + 1 WHERE id = %(line)s"), LINE_FINAL),
    "update a line to the same values": (sql("UPDATE accounting_journalline SET debit = debit WHERE id = %(line)s"), LINE_FINAL),
    "unflag a line": (sql("UPDATE accounting_journalline SET posted = false WHERE id = %(line)s"), LINE_FINAL),
    "delete a line": (sql("DELETE FROM accounting_journalline WHERE id = %(line)s"), LINE_FINAL),
    "QuerySet.update a line": (
        lambda entry, line: JournalLine.objects.filter(pk=line.pk).update(debit=Decimal("1.00")),
        LINE_FINAL,
    ),
    "update the entry": (sql("UPDATE accounting_journalentry SET narration = 'changed' WHERE id = %(entry)s"), ENTRY_FINAL),
    "move the entry's date": (sql("UPDATE accounting_journalentry SET date = date + 1 WHERE id = %(entry)s"), ENTRY_FINAL),
    "unpost the entry": (sql("UPDATE accounting_journalentry SET state = 'draft' WHERE id = %(entry)s"), ENTRY_FINAL),
    "delete the entry": (sql("DELETE FROM accounting_journalentry WHERE id = %(entry)s"), ENTRY_FINAL),
    "QuerySet.update the entry": (
        lambda entry, line: JournalEntry.objects.filter(pk=entry.pk).update(number="MISC/2026/00099"),
        ENTRY_FINAL,
    ),
    "Model.delete the entry": (lambda entry, line: entry.delete(), LINE_FINAL),  # the collector deletes its lines first
    "add a balancing pair of lines": (
        sql(COPY_LINE.format(debit=5, credit=0) + "; " + COPY_LINE.format(debit=0, credit=5)),
        NO_NEW_LINE,
    ),
    "add an empty line": (sql(COPY_LINE.format(debit=0, credit=0)), NO_NEW_LINE),
}


def test_a_posted_entry_and_its_lines_are_final(book, company, subtests):
    entry = book.entry(DAY, *SALE)
    line = entry.lines.order_by("position").first()
    before = rows(entry.pk)
    for case, (write, message) in FINAL_WRITES.items():
        with subtests.test(case=case), rolled_back():
            with pytest.raises(DatabaseError) as error, transaction.atomic():
                write(entry, line)
            assert re.search(message.format(entry=entry.pk, line=line.pk), str(error.value)), str(error.value)
            assert rows(entry.pk) == before
    # posting and reversing through the services still work beside the refused writes
    assert book.entry(DAY, *SALE).number == "MISC/2026/00002"
    assert journal_entry_reverse(entry, on=DAY, by=book.by).number == "MISC/2026/00003"
    assert rows(entry.pk) == before
    assert verify_ledger(company).sound


def test_a_draft_is_posted_normally_after_a_refused_write(book, company):
    draft = book.draft(DAY, *SALE)
    posted = book.entry(DAY, *SALE)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounting_journalline SET label = 'x' WHERE entry_id = %s", [posted.pk])
    journal_entry_post(draft, by=book.by)
    draft.refresh_from_db()
    assert (draft.state, draft.number, draft.chain_position) == ("posted", "MISC/2026/00002", 2)
    assert sorted(AccountBalance.objects.filter(company=company).values_list("debit", "credit")) == [
        (Decimal(0), Decimal("42.00")),
        (Decimal(0), Decimal("200.00")),
        (Decimal("242.00"), Decimal(0)),
    ]


# --- CHECK constraints ---------------------------------------------------------------------------------

CHECK_WRITES = {
    "negative debit": (
        sql("UPDATE accounting_journalline SET debit = -5 WHERE id = %(line)s"),
        "journal_line_debit_not_negative",
    ),
    "negative credit": (
        sql("UPDATE accounting_journalline SET debit = 0, credit = -5 WHERE id = %(line)s"),
        "journal_line_credit_not_negative",
    ),
    "debit and credit": (sql("UPDATE accounting_journalline SET credit = 5 WHERE id = %(line)s"), "journal_line_one_side_only"),
    "QuerySet.update to a negative debit": (
        lambda entry, line: JournalLine.objects.filter(pk=line.pk).update(debit=Decimal("-0.01")),
        "journal_line_debit_not_negative",
    ),
    "QuerySet.update to debit and credit": (
        lambda entry, line: JournalLine.objects.filter(pk=line.pk).update(credit=Decimal("0.01")),
        "journal_line_one_side_only",
    ),
    "insert debit and credit": (sql(COPY_LINE.format(debit=7, credit=7)), "journal_line_one_side_only"),
    "insert a negative credit": (sql(COPY_LINE.format(debit=0, credit=-7)), "journal_line_credit_not_negative"),
}


def test_negative_and_two_sided_lines_are_refused_by_the_database(book, subtests):
    draft = book.draft(DAY, *SALE)  # a draft: only the CHECK constraints stand in the way
    line = draft.lines.order_by("position").first()
    before = rows(draft.pk)
    for case, (write, constraint) in CHECK_WRITES.items():
        with subtests.test(case=case), rolled_back():
            with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
                write(draft, line)
            assert rows(draft.pk) == before
