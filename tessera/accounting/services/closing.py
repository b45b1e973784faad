"""Closing a fiscal year: its result goes to equity and nothing more can be posted in it."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError
from tessera.core.models import User
from tessera.core.services import require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from ..models import PROFIT_AND_LOSS_TYPES, Account, FiscalYear, Journal, JournalEntry, JournalLine
from ..queries import movements
from ..states import FISCAL_YEAR_TRANSITIONS, EntryState, FiscalYearState
from .ledger import journal_entry_record
from .setup import account_for_role

ZERO = Decimal(0)


def fiscal_year_close(fiscal_year: FiscalYear, *, by: User) -> FiscalYear:
    """Post the year's result to equity on its last day (a profit: debit the profit-to-carry account,
    credit retained earnings; a loss: debit losses carried forward, credit the loss-to-carry
    account), so its income and expense accounts net to zero; then close it to posting."""
    require_permission(by, FiscalYear, "change")
    require_company(by, fiscal_year)
    with operation():
        fiscal_year = FiscalYear.objects.select_for_update(of=("self",)).select_related("company").get(pk=fiscal_year.pk)
        company = fiscal_year.company
        if FiscalYear.objects.filter(company=company, date_start__lt=fiscal_year.date_start, state=FiscalYearState.OPEN).exists():
            raise BusinessError(_("Close the earlier fiscal years first."), code="earlier_year_open")
        in_year = {"company": company, "date__range": (fiscal_year.date_start, fiscal_year.date_end)}
        drafts = JournalEntry.objects.filter(state=EntryState.DRAFT, **in_year).count()
        if drafts:
            raise BusinessError(
                _("%(count)s draft entries are dated in %(year)s: post or delete them first.")
                % {"count": drafts, "year": fiscal_year},
                code="drafts_in_year",
            )
        result = _result(company, fiscal_year.date_start, fiscal_year.date_end)
        entry = _closing_entry(fiscal_year, result, by) if result else None
        closed = {"closing_entry": entry}
        apply_transition(fiscal_year, FiscalYearState.CLOSED, transitions=FISCAL_YEAR_TRANSITIONS, by=by, also=closed)
    return fiscal_year


def _result(company, date_from: datetime.date, date_to: datetime.date) -> Decimal:
    """Profit (positive) or loss of the dates: income less expenses."""
    sums = movements(company, date_from, date_to)
    accounts = Account.objects.filter(company=company, pk__in=sums, type__in=PROFIT_AND_LOSS_TYPES).values_list("pk", flat=True)
    return sum((sums[pk][1] - sums[pk][0] for pk in accounts), ZERO)


def _closing_entry(fiscal_year: FiscalYear, result: Decimal, by: User) -> JournalEntry:
    company = fiscal_year.company
    amount = abs(result)
    if result > 0:
        debit, credit = account_for_role(company, "profit_to_carry"), account_for_role(company, "retained_earnings")
    else:
        debit, credit = account_for_role(company, "loss_carried_forward"), account_for_role(company, "loss_to_carry")
    label = _("Result of %(year)s") % {"year": fiscal_year}
    lines = [
        JournalLine(account=debit, label=label, debit=amount, credit=ZERO),
        JournalLine(account=credit, label=label, debit=ZERO, credit=amount),
    ]
    entry = JournalEntry(
        company=company, journal=Journal.objects.get(company=company, code="MISC"), date=fiscal_year.date_end,
        ref=_("Closing %(year)s") % {"year": fiscal_year},
    )  # fmt: skip
    return journal_entry_record(entry, lines, by=by)
