"""Checking the ledger from its rows alone: the hash chain and the invariants (verify_ledger)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Sum
from django.utils.translation import gettext as _

from tessera.core.models import Company

from .ledger import CENT_OF_CENT, GENESIS, entry_digest
from .models import AccountBalance, JournalEntry, JournalLine, LedgerChain, Matching
from .states import EntryState


@dataclass
class LedgerReport:
    company: Company
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def sound(self) -> bool:
        return not self.problems


def verify_ledger(company: Company) -> LedgerReport:
    """Recompute the hash chain of the company's posted entries and check the ledger's invariants:
    every entry balanced, the trial balance sums to zero, the kept balances equal the lines, and each
    reconcilable account (receivables, payables) equals the sum of its open items."""
    report = LedgerReport(company)
    _check_chain(company, report)
    _check_totals(company, report)
    _check_balances(company, report)
    _check_open_items(company, report)
    return report


def _check_chain(company: Company, report: LedgerReport) -> None:
    previous = GENESIS
    entries = JournalEntry.objects.filter(company=company, state=EntryState.POSTED).order_by("chain_position")
    lines_of: dict[int, list[JournalLine]] = defaultdict(list)
    for line in JournalLine.objects.filter(entry__company=company, entry__state=EntryState.POSTED).order_by("position", "id"):
        lines_of[line.entry_id].append(line)
    for position, entry in enumerate(entries.iterator(), start=1):
        report.entries += 1
        lines = lines_of.get(entry.pk, [])
        if entry.chain_position != position:
            message = _("Entry %(entry)s is at position %(found)s of the chain, expected %(expected)s: entries are missing.")
            report.problems.append(message % {"entry": entry, "found": entry.chain_position, "expected": position})
            return
        if entry_digest(previous, entry.number, entry.date, entry.journal_id, lines) != entry.hash:
            report.problems.append(
                _("Entry %(entry)s (position %(position)s) was altered after posting: its content no longer matches its hash.")
                % {"entry": entry, "position": position}
            )
            return
        if any((line.posted, line.date, line.period_id, line.company_id) != (True, entry.date, entry.period_id, entry.company_id)
               for line in lines):  # fmt: skip
            report.problems.append(
                _("Entry %(entry)s has lines whose date, period or posting flag differ from the entry's.") % {"entry": entry}
            )
        debit = sum((line.debit for line in lines), Decimal(0))
        credit = sum((line.credit for line in lines), Decimal(0))
        if debit != credit:
            report.problems.append(_("Entry %(entry)s is not balanced.") % {"entry": entry})
        previous = entry.hash
    chain = LedgerChain.objects.filter(company=company).first()
    if chain is not None and (chain.length, chain.head) != (report.entries, previous):
        report.problems.append(_("The chain's head does not match the last posted entry: entries were removed."))


def _check_totals(company: Company, report: LedgerReport) -> None:
    totals = JournalLine.objects.filter(company=company, posted=True).aggregate(debit=Sum("debit"), credit=Sum("credit"))
    # quantized: SQLite adds NUMERIC columns as floating point
    debit, credit = (Decimal(totals[side] or 0).quantize(CENT_OF_CENT) for side in ("debit", "credit"))
    if debit != credit:
        report.problems.append(
            _("The trial balance does not sum to zero: debit %(debit)s, credit %(credit)s.")
            % {"debit": totals["debit"], "credit": totals["credit"]}
        )


def _check_balances(company: Company, report: LedgerReport) -> None:
    from_lines = {
        (row["account"], row["period"]): (row["debit"], row["credit"])
        for row in JournalLine.objects.filter(company=company, posted=True)
        .order_by()
        .values("account", "period")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
        if row["debit"] or row["credit"]
    }
    kept = {
        (row.account_id, row.period_id): (row.debit, row.credit)
        for row in AccountBalance.objects.filter(company=company)
        if row.debit or row.credit
    }
    if from_lines != kept:
        wrong = sorted(set(from_lines.items()) ^ set(kept.items()))[:3]
        report.problems.append(_("Kept account balances differ from the posted lines, for example %(rows)s.") % {"rows": wrong})


def _check_open_items(company: Company, report: LedgerReport) -> None:
    """Matchings pair a debit and a credit of one account and never match more than a line holds,
    so the open items of each receivable or payable account add up to its balance."""
    crossed = Matching.objects.filter(company=company).exclude(debit_line__account=F("credit_line__account"))
    if crossed.exists():
        report.problems.append(_("Some matchings pair lines of two different accounts."))
    matched: dict[int, Decimal] = defaultdict(Decimal)
    for side in ("debit_line", "credit_line"):
        for line_id, total in Matching.objects.filter(company=company).values_list(side).annotate(total=Sum("amount")):
            matched[line_id] += Decimal(total).quantize(CENT_OF_CENT)  # SQLite sums NUMERIC as floating point
    lines = JournalLine.objects.filter(pk__in=matched).select_related("entry").only("debit", "credit", "entry__number")
    for line in lines:
        if matched[line.pk] > line.debit + line.credit:
            message = _("Line %(line)s of entry %(entry)s is matched for more than its amount: %(why)s")
            why = _("its account's open items no longer add up to its balance.")
            report.problems.append(message % {"line": line.pk, "entry": line.entry, "why": why})
