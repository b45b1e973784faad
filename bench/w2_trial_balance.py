"""Benchmark W2 (../shared/BENCHMARKS.md): trial balance, general ledger and posting over 1,000,000 posted lines.

Builds a throw-away PostgreSQL database (test_<name> beside the one DATABASE_URL names): one Belgian
company created through core's service (so it has its chart and journals), 1,000 partners, 24 monthly
periods over two fiscal years (2025 and 2026), then the posted entries loaded in bulk with SQL, 10
balanced lines each, over 200 accounts. Then it times, after a warm-up, the services and reports:
median and spread in milliseconds, SQL query count, peak Python memory (in a separate pass).

Targets (the issue): trial balance of a fiscal year < 50 ms, general ledger first page < 100 ms,
posting a 10-line entry < 20 ms. Aged receivables come with reconciliation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera_w2 .venv/bin/python bench/w2_trial_balance.py
    ... bench/w2_trial_balance.py --lines 100000 --explain   # a quick run, with the plans of the report queries
"""

import argparse
import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from _common import (
    Figure,
    explain_queries,
    figure,
    machine,
    peak_memory_mib,
    print_figures,
    query_count,
    repeat,
    throwaway_postgres,
    timed,
)
from django.db import connection, transaction
from django.db.models import Sum

from tessera.accounting import queries, services
from tessera.accounting.ledger import add_months
from tessera.accounting.models import Account, AccountRole, Journal, JournalEntry, JournalLine, LedgerChain
from tessera.core.models import Company, Currency, Partner, User

LINES_PER_ENTRY = 10  # the first half debit, the second half credit, mirrored amounts: balanced by construction
ACCOUNTS, PARTNERS, MONTHS = 200, 1_000, 24
FIRST_DAY = datetime.date(2025, 1, 1)
YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))  # the measured fiscal year: it has a year of history before it
POST_DAY = datetime.date(2026, 11, 27)
YEAR_TO_DATE = (YEAR[0], POST_DAY)  # ends inside a period: that period's days are read from the lines
POST_WARM_UP, POSTS = 5, 50
TARGETS_MS = {"trial balance": 50.0, "general ledger": 100.0, "post": 20.0, "aged receivables": 300.0}


@dataclass(frozen=True)
class Books:
    company: Company
    accountant: User
    receivable: Account  # on the first line of every entry, with a partner: the busiest account
    sales: Account  # a typical account: one of the 199 others, each on ~1/199 of the remaining lines
    accounts: list[int]  # the other 199
    partners: list[int]

    def receivable_balance(self, as_of: datetime.date) -> Decimal:
        """No payment is matched in the loaded data: every line of a receivable account is an open item."""
        lines = JournalLine.objects.filter(company=self.company, account__type="receivable", posted=True, date__lte=as_of)
        totals = lines.aggregate(debit=Sum("debit"), credit=Sum("credit"))
        return (totals["debit"] or Decimal(0)) - (totals["credit"] or Decimal(0))


# --- data ----------------------------------------------------------------------------------------


def build(lines: int) -> Books:
    """The company, its partners, periods and accountant through the ORM, then the ledger in bulk."""
    from django.contrib.auth.models import Group

    from tessera.core.services import company_create, system_user

    company = company_create(
        Company(name="W2 Boekhouding NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )
    for month in range(MONTHS):
        services.period_for(company, add_months(FIRST_DAY, month))
    Partner.objects.bulk_create(
        Partner(company=company, name=f"Customer {n:04d}", country="BE", is_customer=True) for n in range(PARTNERS)
    )
    accountant = User.objects.create(username="w2-accountant", is_staff=True, current_company=company)
    accountant.companies.add(company)
    accountant.groups.add(Group.objects.get(name="Accounting / Manager"))
    roles = dict(AccountRole.objects.filter(company=company).values_list("role", "account_id"))
    chosen = [*dict.fromkeys([*roles.values(), *Account.objects.filter(company=company).values_list("pk", flat=True)])]
    others = [pk for pk in chosen if pk != roles["receivable"]][: ACCOUNTS - 1]
    books = Books(
        company=company,
        accountant=accountant,
        receivable=Account.objects.get(pk=roles["receivable"]),
        sales=Account.objects.get(pk=roles["sales"]),
        accounts=others,
        partners=list(Partner.objects.filter(company=company).values_list("pk", flat=True)),
    )
    load_ledger(books, lines // LINES_PER_ENTRY)
    return books


# Triggers off for the load: the guards of migration 0002 are row triggers (a posted entry takes no
# new line; a deferred balance check per line that sums the whole entry at commit), and foreign keys
# are triggers too. Loading drafts and flipping them to posted would fire all of them and rewrite
# every line (an UPDATE of 1M rows doubles the table); with session_replication_role = replica none
# fires (it needs a superuser), so the soundness they guard is checked after the load in two queries.
ENTRIES_SQL = """
INSERT INTO accounting_journalentry
    (company_id, journal_id, date, ref, narration, state, number, period_id, posted_at, posted_by_id, chain_position, hash)
SELECT %(company)s, j.id, e.day, '', '', 'posted',
       j.code || '/' || extract(year FROM e.day) || '/'
           || lpad(row_number() OVER (PARTITION BY j.id, extract(year FROM e.day) ORDER BY e.i)::text, 5, '0'),
       p.id, now(), %(user)s, e.i, md5(e.i::text) || md5(e.i::text)
FROM (SELECT i, %(first)s::date + ((i - 1) * %(days)s / %(entries)s)::int AS day
      FROM generate_series(1::bigint, %(entries)s) AS i) AS e
JOIN accounting_journal j ON j.id = (%(journals)s::bigint[])[1 + mod(e.i, cardinality(%(journals)s::bigint[]))]
JOIN accounting_period p ON p.company_id = %(company)s AND e.day BETWEEN p.date_start AND p.date_end
"""
LINES_SQL = """
INSERT INTO accounting_journalline
    (company_id, entry_id, position, account_id, partner_id, label, debit, credit, amount_currency, date, period_id, posted)
SELECT e.company_id, e.id, l.position,
       CASE WHEN l.position = 0 THEN %(receivable)s
            ELSE (%(accounts)s::bigint[])[1 + mod(hashint8(e.id * 64 + l.position) & 2147483647,
                                                   cardinality(%(accounts)s::bigint[]))] END,
       CASE WHEN l.position = 0 THEN (%(partners)s::bigint[])[1 + mod(e.id, cardinality(%(partners)s::bigint[]))] END,
       '', CASE WHEN l.position < %(half)s THEN a.amount ELSE 0 END, CASE WHEN l.position >= %(half)s THEN a.amount ELSE 0 END,
       0, e.date, e.period_id, true
FROM accounting_journalentry e
CROSS JOIN generate_series(0, 2 * %(half)s - 1) AS l(position)
CROSS JOIN LATERAL (
    SELECT (1 + mod(hashint8(e.id * 64 + mod(l.position, %(half)s)) & 2147483647, 1000000) / 100.0)::numeric(20, 4) AS amount
) AS a
WHERE e.company_id = %(company)s
"""
BALANCES_SQL = """
INSERT INTO accounting_accountbalance (company_id, account_id, period_id, debit, credit)
SELECT company_id, account_id, period_id, sum(debit), sum(credit)
FROM accounting_journalline WHERE company_id = %(company)s AND posted GROUP BY company_id, account_id, period_id
"""
COUNTERS_SQL = """
INSERT INTO core_sequencecounter (sequence_id, period, last_number)
SELECT s.id, extract(year FROM e.date)::int, count(*)
FROM accounting_journalentry e
JOIN accounting_journal j ON j.id = e.journal_id
JOIN core_sequence s ON s.company_id = e.company_id AND s.code = 'accounting.journal.' || lower(j.code)
WHERE e.company_id = %(company)s
GROUP BY s.id, extract(year FROM e.date)
"""
BALANCES_DIFFER_SQL = """
SELECT count(*)
FROM (SELECT account_id, period_id, sum(debit) AS debit, sum(credit) AS credit FROM accounting_journalline
      WHERE company_id = %(company)s AND posted GROUP BY account_id, period_id) AS l
FULL JOIN (SELECT account_id, period_id, debit, credit FROM accounting_accountbalance WHERE company_id = %(company)s) AS b
    USING (account_id, period_id)
WHERE l.debit IS DISTINCT FROM b.debit OR l.credit IS DISTINCT FROM b.credit
"""
UNBALANCED_SQL = """
SELECT count(*) FROM (SELECT entry_id FROM accounting_journalline WHERE company_id = %(company)s
                      GROUP BY entry_id HAVING sum(debit) <> sum(credit) OR sum(debit) = 0) AS unbalanced
"""


def load_ledger(books: Books, entries: int) -> None:
    last_day = add_months(FIRST_DAY, MONTHS) - datetime.timedelta(days=1)
    params = {
        "company": books.company.pk,
        "user": books.accountant.pk,
        "first": FIRST_DAY,
        "days": (last_day - FIRST_DAY).days + 1,
        "entries": entries,
        "journals": list(Journal.objects.filter(company=books.company).values_list("pk", flat=True)),
        "receivable": books.receivable.pk,
        "accounts": books.accounts,
        "partners": books.partners,
        "half": LINES_PER_ENTRY // 2,
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        for name, sql in (("entries", ENTRIES_SQL), ("lines", LINES_SQL), ("balances", BALANCES_SQL), ("counters", COUNTERS_SQL)):
            timed(f"  insert {name}", lambda sql=sql: cursor.execute(sql, params))
        head = JournalEntry.objects.filter(company=books.company).order_by("-chain_position").values_list("hash", flat=True)[0]
        LedgerChain.objects.create(company=books.company, length=entries, head=head)
    with connection.cursor() as cursor:
        for name, sql in (("balances differing from the lines", BALANCES_DIFFER_SQL), ("unbalanced entries", UNBALANCED_SQL)):
            cursor.execute(sql, params)
            found = cursor.fetchone()[0]
            assert found == 0, f"{found} {name}"
        # VACUUM as well as ANALYZE: it sets the visibility map that index-only scans need, as
        # autovacuum would soon after a load of this size.
        timed("  vacuum analyze", lambda: cursor.execute("VACUUM ANALYZE accounting_journalentry, accounting_journalline, "
                                                         "accounting_accountbalance"))  # fmt: skip


def post_drafts(books: Books, count: int) -> list[JournalEntry]:
    """Fresh 10-line drafts for the posting benchmark, made with the service, in the measured year."""
    misc = Journal.objects.get(company=books.company, code="MISC")
    drafts = []
    for n in range(count):
        amounts = [Decimal(f"{(n * 37 + k * 11) % 900 + 10}.25") for k in range(LINES_PER_ENTRY // 2)]
        accounts = [books.receivable.pk, *books.accounts[n % 50 : n % 50 + LINES_PER_ENTRY - 1]]
        lines = [
            JournalLine(
                account_id=account,
                partner_id=books.partners[n] if position == 0 else None,
                debit=amounts[position] if position < len(amounts) else Decimal(0),
                credit=amounts[position - len(amounts)] if position >= len(amounts) else Decimal(0),
            )
            for position, account in enumerate(accounts)
        ]
        entry = JournalEntry(company=books.company, journal=misc, date=POST_DAY, ref=f"W2-{n}")
        drafts.append(services.journal_entry_save(entry, lines, by=books.accountant))
    return drafts


# --- measuring -----------------------------------------------------------------------------------


def plain_aggregate(books: Books) -> dict[int, tuple[Decimal, Decimal]]:
    """The baseline: the year's movements summed straight from the lines."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, SUM(debit), SUM(credit) FROM accounting_journalline "
            "WHERE company_id = %s AND posted AND date BETWEEN %s AND %s GROUP BY account_id",
            [books.company.pk, *YEAR],
        )
        return {account: (debit, credit) for account, debit, credit in cursor.fetchall()}


def measure_reports(books: Books) -> list[Figure]:
    company = books.company
    rows = queries.trial_balance(company, *YEAR)
    assert {row.account_id: (row.debit, row.credit) for row in rows if row.account_id} == plain_aggregate(books), "TB ≠ lines"
    print(f"trial balance {YEAR[0].year}: {len(rows)} rows, equal to the plain aggregate over the lines")
    figures = [
        figure(f"trial balance {YEAR[0].year} (queries.trial_balance)", lambda: queries.trial_balance(company, *YEAR),
               TARGETS_MS["trial balance"]),
        figure("  baseline: plain SUM … GROUP BY over the year's lines", lambda: plain_aggregate(books)),
        figure(f"trial balance {YEAR_TO_DATE[0]} to {YEAR_TO_DATE[1]} (a partial period)",
               lambda: queries.trial_balance(company, *YEAR_TO_DATE)),
    ]  # fmt: skip
    for account in (books.receivable, books.sales):
        count = JournalLine.objects.filter(account=account, posted=True, date__range=YEAR).count()
        figures.append(
            figure(f"general ledger {account.code}, first 100 of {count:,} lines",
                   lambda account=account: queries.general_ledger(account, *YEAR), TARGETS_MS["general ledger"])
        )  # fmt: skip
    as_of = YEAR[1]
    open_items = JournalLine.objects.filter(company=company, account__type="receivable", posted=True, date__lte=as_of).count()
    aged = queries.aged_balance(company, as_of)
    assert sum((row.total for row in aged), Decimal(0)) == books.receivable_balance(as_of), "aged ≠ receivable balance"
    figures.append(
        figure(f"aged receivables on {as_of}: {open_items:,} open items, {len(aged)} partners",
               lambda: queries.aged_balance(company, as_of), TARGETS_MS["aged receivables"])
    )  # fmt: skip
    return figures


def measure_posting(books: Books) -> Figure:
    drafts = iter(post_drafts(books, POST_WARM_UP + 1 + POSTS))

    def post() -> JournalEntry:
        return services.journal_entry_post(next(drafts), by=books.accountant)

    for _ in range(POST_WARM_UP):
        post()
    queries_per_post = query_count(post)
    timings = repeat(post, times=POSTS, warm_up=0)
    return Figure(f"post a {LINES_PER_ENTRY}-line entry (services.journal_entry_post)", timings, queries_per_post,
                  TARGETS_MS["post"])  # fmt: skip


def memory(books: Books) -> None:
    (draft,) = post_drafts(books, 1)
    passes = {
        "trial balance": lambda: queries.trial_balance(books.company, *YEAR),
        "general ledger": lambda: queries.general_ledger(books.receivable, *YEAR),
        "post": lambda: services.journal_entry_post(draft, by=books.accountant),
    }
    print("peak Python memory: " + ", ".join(f"{name} {peak_memory_mib(action):.2f} MiB" for name, action in passes.items()))


def explain(books: Books) -> None:
    explain_queries("trial balance", lambda: queries.trial_balance(books.company, *YEAR))
    explain_queries("general ledger", lambda: queries.general_ledger(books.receivable, *YEAR))


# --- main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=1_000_000, help="posted journal lines to load (a multiple of 10)")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the report queries")
    args = parser.parse_args()
    if args.lines <= 0 or args.lines % LINES_PER_ENTRY:
        parser.error(f"--lines must be a positive multiple of {LINES_PER_ENTRY}")
    return args


def main() -> None:
    args = arguments()
    with throwaway_postgres("W2") as database:
        print(machine())
        print(f"database {database}; {datetime.date.today()}")
        started = time.perf_counter()
        books = build(args.lines)
        print(
            f"loaded {args.lines:,} posted lines ({args.lines // LINES_PER_ENTRY:,} entries of {LINES_PER_ENTRY}), "
            f"{len(books.accounts) + 1} accounts, {len(books.partners):,} partners, {MONTHS} periods "
            f"in {time.perf_counter() - started:.1f} s; entry hashes are placeholders (md5 of the position), not a real chain"
        )
        print_figures([*measure_reports(books), measure_posting(books)])
        memory(books)
        if args.explain:
            explain(books)


if __name__ == "__main__":
    main()
