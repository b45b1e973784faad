"""Accounting demo data for the demo company: its chart, journals, and the opening balances of the
previous fiscal year. Registered with core's `demo` command; creates only what is missing."""

import datetime
from decimal import Decimal

from django.utils import timezone

from tessera.core.models import Company, Partner, User

from .models import Account, Journal, JournalEntry, JournalLine
from .services import chart_load, journal_entry_post, journal_entry_save

OPENING_REF = "OPENING"
# (account code, debit, credit) of the Belgian chart; the receivables and payables go per partner.
OPENING_BALANCES = (
    ("221000", "850000.00", "0"), ("221900", "0", "255000.00"), ("230000", "620000.00", "0"), ("230900", "0", "310000.00"),
    ("241000", "85000.00", "0"), ("241900", "0", "42000.00"), ("300000", "142000.00", "0"), ("330000", "96000.00", "0"),
    ("550000", "215000.00", "0"), ("100000", "0", "500000.00"), ("130000", "0", "50000.00"), ("133000", "0", "180000.00"),
    ("140000", "0", "224000.00"), ("173000", "0", "420000.00"), ("451000", "0", "38000.00"), ("453000", "0", "21000.00"),
    ("454000", "0", "24000.00"),
)  # fmt: skip
OPEN_RECEIVABLES = ("48250.00", "36900.00", "31275.50", "27410.00", "22664.50", "17500.00")  # 184,000.00
OPEN_PAYABLES = ("46300.00", "38150.00", "26990.00", "16560.00")  # 128,000.00


def load_accounting_demo(company: Company, by: User) -> None:
    chart_load(company, by=by)
    if company.country != "BE" or JournalEntry.objects.filter(company=company, ref=OPENING_REF).exists():
        return
    accounts = {account.code: account for account in Account.objects.filter(company=company)}
    lines = [
        JournalLine(account=accounts[code], debit=Decimal(debit), credit=Decimal(credit))
        for code, debit, credit in OPENING_BALANCES
    ]
    lines += _open_items(company, accounts["400000"], OPEN_RECEIVABLES, customers=True)
    lines += _open_items(company, accounts["440000"], OPEN_PAYABLES, customers=False)
    entry = JournalEntry(
        company=company, journal=Journal.objects.get(company=company, code="MISC"), date=_opening_day(company),
        ref=OPENING_REF, narration="Opening balances taken over from the previous accounting package",
    )  # fmt: skip
    journal_entry_post(journal_entry_save(entry, lines, by=by), by=by)


def _open_items(company: Company, account: Account, amounts: tuple[str, ...], *, customers: bool) -> list[JournalLine]:
    partners = Partner.objects.filter(company=company, parent=None, **{"is_customer" if customers else "is_supplier": True})
    return [
        JournalLine(
            account=account, partner=partner, label="Opening balance",
            debit=Decimal(amount) if customers else Decimal(0), credit=Decimal(0) if customers else Decimal(amount),
        )
        for partner, amount in zip(partners.order_by("ref"), amounts, strict=False)
    ]  # fmt: skip


def _opening_day(company: Company) -> datetime.date:
    """The first day of the previous fiscal year: the demo has a year of history before this one."""
    this_year_start, _end = company.fiscal_year_of(timezone.localdate())
    return company.fiscal_year_of(this_year_start - datetime.timedelta(days=1))[0]
