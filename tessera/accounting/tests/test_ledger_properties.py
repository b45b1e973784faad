"""Ledger invariants over random sequences of operations (hypothesis).

Each example posts random balanced entries over 2025 and 2026, reverses random posted entries and tries
to post unbalanced drafts, then checks the ledger against a plain-Python model of what was posted: the
trial balance, the kept balances per account and period, verify_ledger, the posted entries themselves
and the receivables per partner. Every example runs in a savepoint rolled back at its end, so each one
starts from the same company with an empty ledger (hence the suppressed function-scoped-fixture check).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from tessera.accounting.ledger import UnbalancedEntry
from tessera.accounting.models import (
    PROFIT_AND_LOSS_TYPES,
    AccountBalance,
    AccountType,
    Journal,
    JournalEntry,
    JournalLine,
    LedgerChain,
)
from tessera.accounting.queries import general_ledger, trial_balance
from tessera.accounting.services import account_for_role, journal_entry_post, journal_entry_reverse, journal_entry_save
from tessera.accounting.verification import verify_ledger
from tessera.core.tests.factories import PartnerFactory

ROLES = ("receivable", "payable", "sales", "services", "vat_due", "bank")  # receivable lines carry a partner
JOURNALS = ("MISC", "INV", "BILL", "BNK1")
FIRST_DAY, LAST_DAY = datetime.date(2025, 1, 1), datetime.date(2026, 12, 31)
ZERO = Decimal(0)
RANGES = [
    (datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
    (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)),
    (datetime.date(2026, 2, 15), datetime.date(2026, 11, 10)),  # partial periods: read from the lines
]

# --- strategies ---------------------------------------------------------------------------------------------

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2)
days = st.dates(min_value=FIRST_DAY, max_value=LAST_DAY)
# (role, debit, credit, partner index)
line = st.builds(
    lambda role, amount, debit_side, partner: (role, amount if debit_side else ZERO, ZERO if debit_side else amount,
                                               partner if role == "receivable" else None),
    st.sampled_from(ROLES), amounts, st.booleans(), st.integers(0, 1),
)  # fmt: skip


@st.composite
def balanced_lines(draw) -> list[tuple]:
    """2 to 6 lines; the last one takes what balances the others (possibly nothing: a 0/0 line)."""
    lines = draw(st.lists(line, min_size=1, max_size=5))
    net = sum((debit - credit for _role, debit, credit, _partner in lines), ZERO)
    role, _debit, _credit, partner = draw(line)
    return [*lines, (role, max(-net, ZERO), max(net, ZERO), partner)]


@st.composite
def unbalanced_lines(draw) -> list[tuple]:
    """Refused at posting: balanced lines and one more amount, an empty entry, or only zero lines."""
    kind = draw(st.sampled_from(["one more amount", "no lines", "zero lines"]))
    if kind == "no lines":
        return []
    if kind == "zero lines":
        return [(draw(st.sampled_from(ROLES)), ZERO, ZERO, None) for _ in range(draw(st.integers(1, 3)))]
    lines = draw(balanced_lines())
    position = draw(st.integers(0, len(lines)))
    return [*lines[:position], draw(line), *lines[position:]]


post = st.tuples(st.just("post"), balanced_lines(), days, st.sampled_from(JOURNALS))
reverse = st.tuples(st.just("reverse"), st.integers(0, 100), days)
refused = st.tuples(st.just("unbalanced"), unbalanced_lines(), days)
KINDS = {"post": post, "reverse": reverse, "unbalanced": refused}
# posting three times as likely as the others, so that sequences build a ledger worth reversing
operations = st.lists(
    st.sampled_from(["post", "post", "post", "reverse", "unbalanced"]).flatmap(KINDS.__getitem__), min_size=2, max_size=12
)


# --- the model: what was posted, in plain Python -------------------------------------------------------------


@dataclass
class Posted:
    entry_id: int
    date: datetime.date
    journal: str
    lines: list[tuple]  # (account id, partner id, debit, credit)
    snapshot: tuple
    reversed: bool = False


@dataclass
class Model:
    posted: list[Posted] = field(default_factory=list)

    def lines(self):
        for entry in self.posted:
            for account, partner, debit, credit in entry.lines:
                yield entry.date, account, partner, debit, credit


def snapshot(entry_id: int) -> tuple:
    """A posted entry as stored: it must never change afterwards."""
    entry = JournalEntry.objects.get(pk=entry_id)
    lines = entry.lines.order_by("position", "id").values_list(
        "id", "position", "account_id", "partner_id", "label", "debit", "credit", "amount_currency", "date", "period_id", "posted"
    )
    fields = ("state", "number", "hash", "chain_position", "date", "journal_id", "period_id", "reverses_id", "posted_at")
    return tuple(getattr(entry, name) for name in fields), tuple(lines)


def ledger_state(company) -> tuple:
    """What a refused posting must leave as it was."""
    return (
        sorted(AccountBalance.objects.filter(company=company).values_list("account_id", "period_id", "debit", "credit")),
        list(LedgerChain.objects.filter(company=company).values_list("length", "head")),
        sorted(JournalEntry.objects.filter(company=company, state="posted").values_list("id", "number", "hash")),
        JournalLine.objects.filter(company=company, posted=True).count(),
    )


class World:
    def __init__(self, company, accountant):
        self.company, self.by = company, accountant
        self.accounts = {role: account_for_role(company, role) for role in ROLES}
        self.by_id = {account.pk: account for account in self.accounts.values()}
        self.partners = [PartnerFactory(company=company, name=f"Klant {n}") for n in range(2)]
        self.journals = {code: Journal.objects.get(company=company, code=code) for code in JOURNALS}

    def draft(self, lines, day, journal="MISC") -> JournalEntry:
        entry = JournalEntry(company=self.company, journal=self.journals[journal], date=day)
        return journal_entry_save(
            entry,
            [
                JournalLine(
                    account=self.accounts[role], debit=debit, credit=credit, label=f"line {n}",
                    partner=self.partners[partner] if partner is not None else None,
                )
                for n, (role, debit, credit, partner) in enumerate(lines)
            ],
            by=self.by,
        )  # fmt: skip

    def run(self, model: Model, operation: tuple) -> None:
        kind, *args = operation
        if kind == "post":
            lines, day, journal = args
            entry = journal_entry_post(self.draft(lines, day, journal), by=self.by)
            expected = [
                (self.accounts[role].pk, self.partners[partner].pk if partner is not None else None, debit, credit)
                for role, debit, credit, partner in lines
            ]
            self.record(model, entry, day, journal, expected)
        elif kind == "reverse":
            index, day = args
            candidates = [posted for posted in model.posted if not posted.reversed]
            if candidates:
                original = candidates[index % len(candidates)]
                reversal = journal_entry_reverse(JournalEntry.objects.get(pk=original.entry_id), on=day, by=self.by)
                original.reversed = True
                swapped = [(account, partner, credit, debit) for account, partner, debit, credit in original.lines]
                self.record(model, reversal, day, original.journal, swapped)
        else:
            lines, day = args
            draft = self.draft(lines, day)
            before = ledger_state(self.company)
            with pytest.raises(UnbalancedEntry):
                journal_entry_post(draft, by=self.by)
            assert ledger_state(self.company) == before
            draft.refresh_from_db()
            assert (draft.state, draft.number, draft.chain_position, draft.hash) == ("draft", "", None, "")

    def record(self, model: Model, entry: JournalEntry, day: datetime.date, journal: str, lines: list[tuple]) -> None:
        """The entry as posted matches what was asked; it is kept to check later that it never changes."""
        stored = snapshot(entry.pk)
        (state, _number, _hash, position, date, journal_id, *_rest), stored_lines = stored
        assert (state, position, date, journal_id) == ("posted", len(model.posted) + 1, day, self.journals[journal].pk)
        assert [
            (account, partner, debit, credit) for _id, _pos, account, partner, _label, debit, credit, *_ in stored_lines
        ] == lines
        model.posted.append(Posted(entry.pk, day, journal, lines, stored))


# --- the invariants --------------------------------------------------------------------------------------------


def expected_trial_balance(world: World, model: Model, date_from: datetime.date, date_to: datetime.date) -> dict:
    year_start = datetime.date(date_from.year, 1, 1)
    rows: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    unallocated = ZERO
    for day, account_id, _partner, debit, credit in model.lines():
        account = world.by_id[account_id]
        if day < date_from:
            if account.type in PROFIT_AND_LOSS_TYPES and day < year_start:
                unallocated += debit - credit
            else:
                rows[account.code][0] += debit - credit
        elif day <= date_to:
            rows[account.code][1] += debit
            rows[account.code][2] += credit
    expected = {code: tuple(values) for code, values in rows.items() if any(values)}
    if unallocated:
        expected[""] = (unallocated, ZERO, ZERO)
    return expected


def check_invariants(world: World, model: Model) -> None:
    company = world.company
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the database's own deferred balance checks, as at a commit
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    for date_from, date_to in RANGES:
        rows = trial_balance(company, date_from, date_to)
        assert sum((row.opening for row in rows), ZERO) == 0
        assert sum((row.debit for row in rows), ZERO) == sum((row.credit for row in rows), ZERO)
        assert sum((row.closing for row in rows), ZERO) == 0
        assert {row.code: (row.opening, row.debit, row.credit) for row in rows} == expected_trial_balance(
            world, model, date_from, date_to
        )

    # the kept balances are the sums of the posted lines, per account and period
    kept = {
        (row.account_id, row.period.date_start): (row.debit, row.credit)
        for row in AccountBalance.objects.filter(company=company).select_related("period")
    }
    from_lines = {
        (row["account"], row["period__date_start"]): (row["debit"], row["credit"])
        for row in JournalLine.objects.filter(company=company, posted=True)
        .values("account", "period__date_start")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    modelled: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for day, account, _partner, debit, credit in model.lines():
        modelled[(account, day.replace(day=1))][0] += debit
        modelled[(account, day.replace(day=1))][1] += credit
    assert kept == from_lines == {key: tuple(values) for key, values in modelled.items()}

    report = verify_ledger(company)
    assert report.problems == []
    assert report.entries == len(model.posted)

    # posted entries never change
    assert [snapshot(posted.entry_id) for posted in model.posted] == [posted.snapshot for posted in model.posted]
    assert JournalEntry.objects.filter(company=company, state="posted").count() == len(model.posted)

    # numbers are gapless per journal and year, in the order of posting
    numbers: dict[tuple, list[str]] = defaultdict(list)
    for posted in model.posted:
        numbers[(posted.journal, posted.date.year)].append(posted.snapshot[0][1])
    for (journal, year), found in numbers.items():
        assert found == [f"{journal}/{year}/{n:05d}" for n in range(1, len(found) + 1)]

    # receivables per partner: the balance of their receivable lines (debit and credit summed by the database)
    receivable = world.accounts["receivable"]
    per_partner = {
        row["partner"]: row["debit"] - row["credit"]
        for row in JournalLine.objects.filter(company=company, posted=True, account=receivable)
        .values("partner")
        .annotate(debit=Sum("debit"), credit=Sum("credit"))
    }
    modelled_partners: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for _day, account, partner, debit, credit in model.lines():
        if account == receivable.pk:
            modelled_partners[partner] += debit - credit
    assert per_partner == dict(modelled_partners)
    assert None not in per_partner  # every receivable line names its partner
    page = general_ledger(receivable, FIRST_DAY, LAST_DAY, limit=1000)
    assert page.opening == 0
    assert [line.pk for line in page.lines] == list(
        JournalLine.objects.filter(company=company, posted=True, account=receivable)
        .order_by("date", "id")
        .values_list("pk", flat=True)
    )
    if page.lines and connection.vendor == "postgresql":
        # Not on SQLite: there the running balance (a window sum of debit - credit) comes back with float noise,
        # e.g. Decimal('-2.77555756156289E-17') for lines 0.24 / -0.01 / -0.23.
        assert page.lines[-1].running == sum(modelled_partners.values(), ZERO)


# --- the property ------------------------------------------------------------------------------------------------


@pytest.fixture
def world(company, accountant) -> World:
    assert world_types_cover_both_statements(company)
    return World(company, accountant)


def world_types_cover_both_statements(company) -> bool:
    """The roles used reach balance-sheet and profit-and-loss accounts, and a receivable."""
    types = {account_for_role(company, role).type for role in ROLES}
    return AccountType.RECEIVABLE in types and bool(types & PROFIT_AND_LOSS_TYPES) and AccountType.BANK in types


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # explaining takes minutes here
)
@given(operations=operations)
def test_the_ledger_stays_sound_over_random_operations(world, operations):
    with transaction.atomic():
        model = Model()
        for operation in operations:
            world.run(model, operation)
        check_invariants(world, model)
        event(f"posted {len(model.posted)}, reversed {sum(p.reversed for p in model.posted)}")
        transaction.set_rollback(True)  # the next example starts from an empty ledger again
    assert not JournalEntry.objects.filter(company=world.company).exists()
