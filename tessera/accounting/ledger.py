"""Rules of the value ledger that need no database: balance checks, the hash chain, periods."""

import calendar
import datetime
import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _

from tessera.core.errors import InvalidInput

CENT_OF_CENT = Decimal("0.0001")  # amounts are stored with 4 decimals
GENESIS = "0" * 64


class LineLike(Protocol):
    account_id: int
    partner_id: int | None
    label: str
    debit: Decimal
    credit: Decimal
    currency_id: int | None
    amount_currency: Decimal
    tax_id: int | None
    vat_grids: str
    date_maturity: datetime.date | None


class UnbalancedEntry(InvalidInput):
    code = "unbalanced"


def check_balanced(lines: Sequence[LineLike]) -> None:
    """Debits equal credits exactly, something is booked, and lines all in one foreign currency
    balance in that currency too."""
    if not lines:
        raise UnbalancedEntry(_("The entry has no lines."), code="empty_entry")
    debit = sum((line.debit for line in lines), Decimal(0))
    credit = sum((line.credit for line in lines), Decimal(0))
    if debit != credit:
        raise UnbalancedEntry(
            _("The entry is not balanced: debit %(debit)s, credit %(credit)s (difference %(diff)s).")
            % {"debit": debit, "credit": credit, "diff": debit - credit}
        )
    if debit == 0:
        raise UnbalancedEntry(_("The entry has no amount."), code="empty_entry")
    currencies = {line.currency_id for line in lines}
    if len(currencies) == 1 and None not in currencies:
        in_currency = sum((line.amount_currency for line in lines), Decimal(0))
        if in_currency != 0:
            raise UnbalancedEntry(
                _("The entry is not balanced in its currency: the amounts add up to %(total)s.") % {"total": in_currency}
            )


def amount_text(value: Decimal) -> str:
    return str(Decimal(value).quantize(CENT_OF_CENT))


def entry_digest(previous: str, number: str, date: datetime.date, journal_id: int, lines: Iterable[LineLike]) -> str:
    """SHA-256 of an entry's content and the previous entry's digest: changing any posted entry
    breaks the chain from that entry on."""
    content = {
        "previous": previous,
        "number": number,
        "date": date.isoformat(),
        "journal": journal_id,
        "lines": [
            [line.account_id, line.partner_id, line.label, amount_text(line.debit), amount_text(line.credit), line.currency_id,
             amount_text(line.amount_currency), line.tax_id, line.vat_grids,
             line.date_maturity.isoformat() if line.date_maturity else None]
            for line in lines
        ],
    }  # fmt: skip
    return hashlib.sha256(json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()).hexdigest()


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def month_periods(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """The fiscal year from `start` to `end` cut in months (from the start's day of the month)."""
    periods = []
    number = 0
    while True:
        first = add_months(start, number)
        if first > end:
            return periods
        periods.append((first, min(add_months(start, number + 1) - datetime.timedelta(days=1), end)))
        number += 1


def sums_by_account(lines: Iterable[LineLike]) -> dict[int, tuple[Decimal, Decimal]]:
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for line in lines:
        totals[line.account_id][0] += line.debit
        totals[line.account_id][1] += line.credit
    return {account: (debit, credit) for account, (debit, credit) in totals.items()}
