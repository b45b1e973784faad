"""Accounting reports. They read the per-period balances kept by posting and the posted lines of
partial periods only, so their cost does not grow with the history."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import F, Q, QuerySet, Sum, Window
from django.utils.translation import gettext as _

from tessera.core.models import Company, Partner

from .chart import read_vat_grids, template_for
from .ledger import CENT_OF_CENT
from .models import PROFIT_AND_LOSS_TYPES, Account, AccountBalance, JournalLine, Period
from .vat_return import belgian_return, grid_amounts

ZERO = Decimal(0)
Sums = dict[int, tuple[Decimal, Decimal]]


@dataclass(frozen=True)
class TrialBalanceRow:
    account_id: int | None
    code: str
    name: str
    type: str
    opening: Decimal  # debit minus credit before the first day
    debit: Decimal
    credit: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


def movements(company: Company, date_from: datetime.date | None, date_to: datetime.date) -> Sums:
    """Debit and credit per account of the posted lines dated from `date_from` (or the beginning)
    to `date_to`: whole periods from the balances, the days of partial periods from the lines."""
    periods = Period.objects.filter(company=company, date_end__lte=date_to)
    if date_from is not None:
        periods = periods.filter(date_start__gte=date_from)
    whole = list(periods.order_by("date_start").values_list("pk", "date_start", "date_end"))
    totals: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    rows = list(
        AccountBalance.objects.filter(company=company, period__in=[pk for pk, _start, _end in whole])
        .values("account")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    uncovered = _days_outside(date_from, date_to, [(start, end) for _pk, start, end in whole])
    if uncovered:
        lines = JournalLine.objects.filter(company=company, posted=True).filter(uncovered)
        rows += lines.order_by().values("account").annotate(debit=Sum("debit"), credit=Sum("credit"))
    for row in rows:  # quantized: SQLite adds NUMERIC columns as floating point
        totals[row["account"]][0] += row["debit"].quantize(CENT_OF_CENT)
        totals[row["account"]][1] += row["credit"].quantize(CENT_OF_CENT)
    return {account: (debit, credit) for account, (debit, credit) in totals.items()}


def _days_outside(
    date_from: datetime.date | None, date_to: datetime.date, spans: list[tuple[datetime.date, datetime.date]]
) -> Q | None:
    """The days from `date_from` to `date_to` that no span covers, as date ranges (None: none)."""
    ranges = Q()
    day = date_from
    one = datetime.timedelta(days=1)
    for start, end in spans:
        if day is None or start > day:
            ranges |= Q(date__lte=start - one) if day is None else Q(date__gte=day, date__lte=start - one)
        day = end + one
    if day is None or day <= date_to:
        ranges |= Q(date__lte=date_to) if day is None else Q(date__gte=day, date__lte=date_to)
    return ranges or None


def trial_balance(company: Company, date_from: datetime.date, date_to: datetime.date) -> list[TrialBalanceRow]:
    """Every account with an opening balance or movements: opening, debit, credit (and closing).

    Income and expense accounts open at zero on the first day of the fiscal year; what earlier years
    left on them and was not yet allocated to equity shows as one line of its own."""
    year_start, _year_end = company.fiscal_year_of(date_from)
    day_before = date_from - datetime.timedelta(days=1)
    before = movements(company, None, day_before)
    before_year = before if date_from == year_start else movements(company, None, year_start - datetime.timedelta(days=1))
    during = movements(company, date_from, date_to)
    accounts = Account.objects.filter(company=company, pk__in={*before, *during}).order_by("code")
    rows = []
    unallocated = ZERO
    for account in accounts:
        debit_before, credit_before = before.get(account.pk, (ZERO, ZERO))
        opening = debit_before - credit_before
        if account.type in PROFIT_AND_LOSS_TYPES:
            earlier_debit, earlier_credit = before_year.get(account.pk, (ZERO, ZERO))
            opening -= earlier_debit - earlier_credit
            unallocated += earlier_debit - earlier_credit
        debit, credit = during.get(account.pk, (ZERO, ZERO))
        if opening or debit or credit:
            rows.append(TrialBalanceRow(account.pk, account.code, account.name, account.type, opening, debit, credit))
    if unallocated:
        rows.append(TrialBalanceRow(None, "", _("Result of earlier years not yet allocated"), "equity", unallocated, ZERO, ZERO))
    return rows


@dataclass(frozen=True)
class LedgerPage:
    opening: Decimal
    lines: list[JournalLine]  # each with `running`: the balance after it
    count: int


def general_ledger(
    account: Account, date_from: datetime.date, date_to: datetime.date, *, offset: int = 0, limit: int = 100
) -> LedgerPage:
    """The posted lines of an account between two dates, oldest first, with the running balance."""
    opening_debit, opening_credit = movements(account.company, None, date_from - datetime.timedelta(days=1)).get(
        account.pk, (ZERO, ZERO)
    )
    opening = opening_debit - opening_credit
    lines = _ledger_lines(account, date_from, date_to)
    page = list(
        lines.select_related("entry", "partner")
        .annotate(running=Window(Sum(F("debit") - F("credit")), order_by=[F("date").asc(), F("id").asc()]))
        .order_by("date", "id")[offset : offset + limit]
    )
    for line in page:
        line.running = (line.running + opening).quantize(CENT_OF_CENT)
    return LedgerPage(opening=opening, lines=page, count=lines.count())


def _ledger_lines(account: Account, date_from: datetime.date, date_to: datetime.date) -> QuerySet[JournalLine]:
    return JournalLine.objects.filter(Q(account=account) & Q(posted=True) & Q(date__gte=date_from) & Q(date__lte=date_to))


@dataclass(frozen=True)
class VatGridRow:
    grid: str
    label: str
    amount: Decimal


def vat_return(company: Company, date_from: datetime.date, date_to: datetime.date) -> list[VatGridRow]:
    """Every grid of the company's VAT return for a period, from the posted lines' grids."""
    template = template_for(str(company.country))
    grids = read_vat_grids(template)
    rows = (
        JournalLine.objects.filter(company=company, posted=True, date__gte=date_from, date__lte=date_to)
        .exclude(vat_grids="")
        .order_by()
        .values_list("vat_grids")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    )
    amounts = grid_amounts(((g, d.quantize(CENT_OF_CENT), c.quantize(CENT_OF_CENT)) for g, d, c in rows), {
        grid: sign for grid, (sign, _label) in grids.items()
    })  # fmt: skip
    if template == "be":
        amounts = belgian_return(amounts)
    return [VatGridRow(grid, label, amounts.get(grid, ZERO)) for grid, (_sign, label) in grids.items()]


# --- receivables and payables --------------------------------------------------------------------

AGE_BUCKETS = ("current", "1-30", "31-60", "61-90", "90+")

AGED_SQL = """
SELECT x.partner_id,
       SUM(CASE WHEN x.due >= %(d0)s THEN x.residual ELSE 0 END),
       SUM(CASE WHEN x.due < %(d0)s AND x.due >= %(d30)s THEN x.residual ELSE 0 END),
       SUM(CASE WHEN x.due < %(d30)s AND x.due >= %(d60)s THEN x.residual ELSE 0 END),
       SUM(CASE WHEN x.due < %(d60)s AND x.due >= %(d90)s THEN x.residual ELSE 0 END),
       SUM(CASE WHEN x.due < %(d90)s THEN x.residual ELSE 0 END)
FROM (
    SELECT l.partner_id, COALESCE(l.date_maturity, l.date) AS due,
           l.debit - l.credit - COALESCE(md.amount, 0) + COALESCE(mc.amount, 0) AS residual
    FROM accounting_journalline l
    JOIN accounting_account a ON a.id = l.account_id
    LEFT JOIN (SELECT debit_line_id AS line_id, SUM(amount) AS amount FROM accounting_matching
               WHERE company_id = %(company)s AND date <= %(d0)s GROUP BY debit_line_id) md ON md.line_id = l.id
    LEFT JOIN (SELECT credit_line_id AS line_id, SUM(amount) AS amount FROM accounting_matching
               WHERE company_id = %(company)s AND date <= %(d0)s GROUP BY credit_line_id) mc ON mc.line_id = l.id
    WHERE l.company_id = %(company)s AND l.posted AND l.date <= %(d0)s AND a.type = %(type)s
) x
WHERE x.residual <> 0
GROUP BY x.partner_id
"""


@dataclass(frozen=True)
class AgedRow:
    partner_id: int | None
    partner: str
    buckets: tuple[Decimal, ...]  # as AGE_BUCKETS: not yet due, then days overdue

    @property
    def total(self) -> Decimal:
        return sum(self.buckets, ZERO)


def aged_balance(company: Company, as_of: datetime.date, *, payable: bool = False) -> list[AgedRow]:
    """What each partner owes (or is owed) on a day, by how long it is overdue. Open items are the
    receivable (payable) lines less what was matched with them up to that day."""
    params = {
        "company": company.pk, "type": "payable" if payable else "receivable",
        **{f"d{days}": as_of - datetime.timedelta(days=days) for days in (0, 30, 60, 90)},
    }  # fmt: skip
    sign = Decimal(-1) if payable else Decimal(1)
    with connection.cursor() as cursor:
        cursor.execute(AGED_SQL, params)
        rows = cursor.fetchall()
    names = dict(Partner.objects.filter(pk__in=[row[0] for row in rows if row[0]]).values_list("pk", "name"))
    aged = [
        AgedRow(row[0], names.get(row[0], _("No partner")), tuple((Decimal(v) * sign).quantize(CENT_OF_CENT) for v in row[1:]))
        for row in rows
    ]
    return sorted(aged, key=lambda row: row.partner)


def partner_ledger(
    company: Company, partner: Partner, date_from: datetime.date, date_to: datetime.date, *, payable: bool = False
) -> LedgerPage:
    """A partner's receivable (or payable) lines between two dates with the running balance."""
    accounts = Account.objects.filter(company=company, type="payable" if payable else "receivable")
    lines = JournalLine.objects.filter(company=company, posted=True, partner=partner, account__in=accounts)
    opening = lines.filter(date__lt=date_from).order_by().aggregate(balance=Sum(F("debit") - F("credit")))["balance"] or ZERO
    in_range = lines.filter(date__gte=date_from, date__lte=date_to)
    page = list(
        in_range.select_related("entry")
        .annotate(running=Window(Sum(F("debit") - F("credit")), order_by=[F("date").asc(), F("id").asc()]))
        .order_by("date", "id")
    )
    for line in page:
        line.running = (line.running + opening).quantize(CENT_OF_CENT)
    return LedgerPage(opening=opening.quantize(CENT_OF_CENT), lines=page, count=len(page))


# --- profit and loss, balance sheet --------------------------------------------------------------


@dataclass(frozen=True)
class StatementLine:
    account_id: int | None
    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class Statement:
    sections: dict[str, list[StatementLine]]

    def total(self, section: str) -> Decimal:
        return sum((line.amount for line in self.sections[section]), ZERO)


def profit_and_loss(company: Company, date_from: datetime.date, date_to: datetime.date) -> Statement:
    """Income and expenses between two dates (income as positive amounts, expenses too)."""
    sums = movements(company, date_from, date_to)
    accounts = Account.objects.filter(company=company, pk__in=sums, type__in=("income", "expense")).order_by("code")
    sections: dict[str, list[StatementLine]] = {"income": [], "expense": []}
    for account in accounts:
        debit, credit = sums[account.pk]
        amount = credit - debit if account.type == "income" else debit - credit
        if amount:
            sections[account.type].append(StatementLine(account.pk, account.code, account.name, amount))
    return Statement(sections)


def balance_sheet(company: Company, as_of: datetime.date) -> Statement:
    """Assets, liabilities and equity on a day; equity includes the result not yet allocated."""
    sums = movements(company, None, as_of)
    accounts = Account.objects.filter(company=company, pk__in=sums).order_by("code")
    sections: dict[str, list[StatementLine]] = {"assets": [], "liabilities": [], "equity": []}
    result = ZERO
    for account in accounts:
        debit, credit = sums[account.pk]
        if account.type in PROFIT_AND_LOSS_TYPES:
            result += credit - debit
            continue
        section = {"liability": "liabilities", "payable": "liabilities", "equity": "equity"}.get(account.type, "assets")
        amount = debit - credit if section == "assets" else credit - debit
        if amount:
            sections[section].append(StatementLine(account.pk, account.code, account.name, amount))
    if result:
        sections["equity"].append(StatementLine(None, "", _("Result not yet allocated"), result))
    return Statement(sections)
