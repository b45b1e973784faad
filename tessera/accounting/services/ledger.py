"""The journal entry workflow: fiscal periods, drafts, posting, reversal."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core import audit
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import AuditAction, Company, User
from tessera.core.services import (
    invalid_input_from,
    record_delete,
    record_save,
    require_company,
    require_permission,
    sequence_next_number,
)
from tessera.core.transactions import operation, remembered
from tessera.core.workflow import apply_transition

from ..ledger import check_balanced, entry_digest, month_periods, sums_by_account
from ..models import (
    FiscalYear,
    JournalEntry,
    JournalLine,
    LedgerChain,
    Period,
)
from ..states import ENTRY_TRANSITIONS, EntryState
from .setup import accounting_settings

# --- fiscal years --------------------------------------------------------------------------------


def period_for(company: Company, day: datetime.date) -> Period:
    """The period containing `day`, creating its fiscal year (and the year's periods) when needed."""
    containing = Period.objects.filter(company=company, date_start__lte=day, date_end__gte=day).select_related("fiscal_year")
    period = remembered(Period, (company.pk, day), containing.first)
    if period is not None:
        return period
    start, end = company.fiscal_year_of(day)
    with operation():
        fiscal_year, created = FiscalYear.objects.get_or_create(
            company=company, date_start=start, defaults={"date_end": end, "name": _fiscal_year_name(start, end)}
        )
        if created:
            Period.objects.bulk_create(
                Period(company=company, fiscal_year=fiscal_year, number=number, date_start=first, date_end=last)
                for number, (first, last) in enumerate(month_periods(start, end), start=1)
            )
    return Period.objects.select_related("fiscal_year").get(company=company, date_start__lte=day, date_end__gte=day)


def _fiscal_year_name(start: datetime.date, end: datetime.date) -> str:
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


# --- journal entries -----------------------------------------------------------------------------


def journal_entry_save(entry: JournalEntry, lines: Sequence[JournalLine], *, by: User) -> JournalEntry:
    """Save a draft entry with its lines (replacing the previous ones). Balance is checked at posting."""
    if entry.pk and JournalEntry.objects.filter(pk=entry.pk, state=EntryState.POSTED).exists():
        raise BusinessError(_("A posted entry cannot be changed: reverse it instead."), code="entry_posted")
    _clean_lines(entry, lines)
    with operation():
        adding = entry._state.adding
        old = [] if adding else _describe(entry.lines.all())
        new = _describe(lines)
        changes = {} if old == new else {"lines": {"old": old, "new": new}}
        record_save(entry, by=by, extra_changes=changes)
        if changes or entry.lines.exclude(date=entry.date).exists():
            if not adding:
                entry.lines.all().delete()
            _insert_lines(entry, lines)
    return entry


def _clean_lines(entry: JournalEntry, lines: Sequence[JournalLine]) -> None:
    for position, line in enumerate(lines):
        line.company_id, line.position, line.date = entry.company_id, position, entry.date
        try:
            line.full_clean(exclude={"entry"})
        except ValidationError as exc:
            raise _line_error(position, exc) from None


def _insert_lines(entry: JournalEntry, lines: Sequence[JournalLine]) -> None:
    for line in lines:
        line.entry = entry
    JournalLine.objects.bulk_create(lines)


def _line_error(position: int, exc: ValidationError) -> InvalidInput:
    error = invalid_input_from(exc)
    errors = {f"lines.{position}.{field}": messages for field, messages in error.errors.items()}
    return InvalidInput(_("Line %(number)s: %(message)s") % {"number": position + 1, "message": error.message}, errors=errors)


def _describe(lines: Sequence[JournalLine]) -> list[str]:
    """Lines as the audit trail shows them; equal descriptions mean unchanged lines."""
    return [
        " ".join(
            str(part)
            for part in (line.account_id, f"{line.debit or 0:.2f}", f"{line.credit or 0:.2f}", line.partner_id, line.label,
                         line.currency_id, line.amount_currency if line.currency_id else None)
            if part not in (None, "")
        )
        for line in lines
    ]  # fmt: skip


def journal_entry_post(entry: JournalEntry, *, by: User) -> JournalEntry:
    """Post a draft: check it balances and its date is open, number it, chain its hash, update the
    account balances. From then on the entry never changes."""
    require_permission(by, JournalEntry, "post")
    require_company(by, entry)
    with operation():
        entry = JournalEntry.objects.select_for_update(of=("self",)).select_related("journal", "company").get(pk=entry.pk)
        lines = list(entry.lines.select_related("account").order_by("position", "id"))
        posting = _posting(entry, lines)
        entry.lines.update(posted=True, period=posting.period, date=entry.date)
        _mark_posted(entry, lines, posting, by)
    return entry


def journal_entry_record(entry: JournalEntry, lines: Sequence[JournalLine], *, by: User) -> JournalEntry:
    """Save a new entry with its lines and post it at once: the entry of a document (an invoice, a
    payment, a bank statement line, a year closing)."""
    require_permission(by, JournalEntry, "post")
    require_company(by, entry)
    _clean_lines(entry, lines)
    with operation():
        record_save(entry, by=by, extra_changes={"lines": {"old": [], "new": _describe(lines)}})
        return _record_posted(entry, lines, _posting(entry, lines), by)


def journal_entry_post_generated(entry: JournalEntry, lines: Sequence[JournalLine], *, by: User) -> JournalEntry:
    """Save and post an entry another module's operation produces (a stock valuation, a payroll).

    The calling service has checked the actor's right to do that operation; the actor needs no
    accounting permission, and the entry gets every check and guarantee of a posted entry."""
    require_company(by, entry)
    for position, line in enumerate(lines):
        line.company_id, line.position, line.date = entry.company_id, position, entry.date
    with operation():
        entry.save()
        audit.record_entry(entry, AuditAction.CREATE, by=by, changes={"lines": {"old": [], "new": _describe(lines)}})
        return _record_posted(entry, lines, _posting(entry, lines), by)


@dataclass(frozen=True)
class _Posting:
    period: Period
    number: str
    chain: LedgerChain
    digest: str


def _record_posted(entry: JournalEntry, lines: Sequence[JournalLine], posting: _Posting, by: User) -> JournalEntry:
    """Insert the lines of an entry saved just now already posted (no one else sees them before the
    commit), then post the entry."""
    for line in lines:
        line.posted, line.period = True, posting.period
    _insert_lines(entry, lines)
    _mark_posted(entry, lines, posting, by)
    return entry


def _posting(entry: JournalEntry, lines: Sequence[JournalLine]) -> _Posting:
    """Check a draft entry can be posted, and draw its number and its place in the ledger chain."""
    if entry.state != EntryState.DRAFT:
        raise BusinessError(_("Entry %(entry)s is already posted.") % {"entry": entry}, code="entry_posted")
    prefetch_related_objects(lines, "account")
    check_balanced(lines)
    _check_accounts(entry, lines)
    _check_not_locked(entry.company, entry.date)
    period = period_for(entry.company, entry.date)
    if period.fiscal_year.closed:
        raise BusinessError(
            _("Fiscal year %(year)s is closed: nothing can be posted in it.") % {"year": period.fiscal_year},
            code="closed_year",
        )
    number = sequence_next_number(entry.company, entry.journal.sequence_code, on=entry.date)
    chain, _created = LedgerChain.objects.select_for_update().get_or_create(company=entry.company)
    return _Posting(period, number, chain, entry_digest(chain.head, number, entry.date, entry.journal_id, lines))


def _mark_posted(entry: JournalEntry, lines: Sequence[JournalLine], posting: _Posting, by: User) -> None:
    """Post the entry whose lines are posted, move the chain's head to it and add it to the balances."""
    chain = posting.chain
    apply_transition(
        entry,
        EntryState.POSTED,
        transitions=ENTRY_TRANSITIONS,
        by=by,
        also={
            "number": posting.number, "period": posting.period, "posted_at": timezone.now(), "posted_by": by,
            "chain_position": chain.length + 1, "hash": posting.digest,
        },
    )  # fmt: skip
    chain.length += 1
    chain.head = posting.digest
    chain.save(update_fields=["length", "head"])
    _add_to_balances(entry.company_id, posting.period.pk, lines)


def _check_accounts(entry: JournalEntry, lines: Sequence[JournalLine]) -> None:
    for position, line in enumerate(lines):
        if not line.account.active:
            raise InvalidInput(
                _("Account %(account)s is archived: it cannot be posted to.") % {"account": line.account},
                errors={f"lines.{position}.account": [_("This account is archived.")]},
            )


def _check_not_locked(company: Company, day: datetime.date) -> None:
    settings = accounting_settings(company)
    lock_date = settings.lock_date if settings else None
    if lock_date is not None and day <= lock_date:
        raise BusinessError(
            _("The books are locked up to %(lock)s: post on a later date.") % {"lock": lock_date.isoformat()},
            code="period_locked",
        )


def _add_to_balances(company_id: int, period_id: int, lines: Sequence[JournalLine]) -> None:
    """Add the entry's lines to the per-account, per-period balances in one statement."""
    sums = sums_by_account(lines)
    rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(sums))
    params = [value for account, (debit, credit) in sums.items() for value in (company_id, account, period_id, debit, credit)]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO accounting_accountbalance (company_id, account_id, period_id, debit, credit) "
            f"VALUES {rows} ON CONFLICT (account_id, period_id) DO UPDATE SET "
            "debit = accounting_accountbalance.debit + excluded.debit, "
            "credit = accounting_accountbalance.credit + excluded.credit",
            params,
        )


def journal_entry_reverse(entry: JournalEntry, *, on: datetime.date, by: User) -> JournalEntry:
    """Post an entry that cancels a posted one: the same lines with debit and credit swapped."""
    require_permission(by, JournalEntry, "post")
    require_company(by, entry)
    with operation():
        original = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if original.state != EntryState.POSTED:
            raise BusinessError(_("Only a posted entry can be reversed; delete or edit a draft."), code="entry_not_posted")
        if original.reversals.exists():
            raise BusinessError(_("Entry %(entry)s is already reversed.") % {"entry": original}, code="already_reversed")
        reversal = JournalEntry(
            company=original.company,
            journal=original.journal,
            date=on,
            ref=original.ref,
            narration=_("Reversal of %(entry)s") % {"entry": original},
        )
        reversal.reverses = original
        lines = [
            JournalLine(
                account_id=line.account_id, partner_id=line.partner_id, label=line.label, debit=line.credit, credit=line.debit,
                currency_id=line.currency_id, amount_currency=-line.amount_currency,
            )
            for line in original.lines.order_by("position", "id")
        ]  # fmt: skip
        return journal_entry_record(reversal, lines, by=by)


def journal_entry_delete(entry: JournalEntry, *, by: User) -> None:
    if entry.state != EntryState.DRAFT:
        raise BusinessError(_("A posted entry cannot be deleted: reverse it instead."), code="entry_posted")
    record_delete(entry, by=by)
