"""The ledger's pure rules: balance checks, the hash chain, fiscal periods."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from tessera.accounting.ledger import (
    GENESIS,
    UnbalancedEntry,
    add_months,
    check_balanced,
    entry_digest,
    month_periods,
    sums_by_account,
)


def line(account=1, debit="0", credit="0", currency=None, amount_currency="0", partner=None, label=""):
    return SimpleNamespace(
        account_id=account, partner_id=partner, label=label, debit=Decimal(debit), credit=Decimal(credit),
        currency_id=currency, amount_currency=Decimal(amount_currency), tax_id=None, vat_grids="", date_maturity=None,
    )  # fmt: skip


class TestBalance:
    def test_a_balanced_entry_passes(self):
        check_balanced([line(1, debit="121.00"), line(2, credit="100.00"), line(3, credit="21.00")])

    def test_a_cent_off_is_refused_with_the_difference(self):
        with pytest.raises(UnbalancedEntry, match=r"debit 100\.01, credit 100\.00 \(difference 0\.01\)") as error:
            check_balanced([line(1, debit="100.01"), line(2, credit="100.00")])
        assert error.value.code == "unbalanced"

    @pytest.mark.parametrize("lines", [[], [line(1), line(2)]])
    def test_empty_entries_are_refused(self, lines):
        with pytest.raises(UnbalancedEntry) as error:
            check_balanced(lines)
        assert error.value.code == "empty_entry"

    def test_lines_in_one_foreign_currency_balance_in_it(self):
        check_balanced(
            [
                line(1, debit="92.00", currency=7, amount_currency="100"),
                line(2, credit="92.00", currency=7, amount_currency="-100"),
            ]
        )
        with pytest.raises(UnbalancedEntry, match="in its currency"):
            check_balanced(
                [
                    line(1, debit="92.00", currency=7, amount_currency="100"),
                    line(2, credit="92.00", currency=7, amount_currency="-99"),
                ]
            )

    def test_mixed_currencies_balance_in_the_company_currency_only(self):
        check_balanced([line(1, debit="92.00", currency=7, amount_currency="100"), line(2, credit="92.00")])


class TestHashChain:
    LINES = [line(1, debit="10", partner=4, label="a"), line(2, credit="10")]

    def test_the_digest_is_deterministic(self):
        day = datetime.date(2026, 3, 1)
        first = entry_digest(GENESIS, "MISC/2026/00001", day, 3, self.LINES)
        assert first == entry_digest(GENESIS, "MISC/2026/00001", day, 3, [line(1, debit="10.0000", partner=4, label="a"),
                                                                         line(2, credit="10.00")])  # fmt: skip
        assert len(first) == 64

    @pytest.mark.parametrize(
        "change",
        [
            {"previous": "1" * 64}, {"number": "MISC/2026/00002"}, {"date": datetime.date(2026, 3, 2)}, {"journal": 4},
            {"lines": [line(1, debit="10.01", partner=4, label="a"), line(2, credit="10.01")]},
            {"lines": [line(1, debit="10", partner=5, label="a"), line(2, credit="10")]},
            {"lines": [line(1, debit="10", partner=4, label="b"), line(2, credit="10")]},
            {"lines": [line(9, debit="10", partner=4, label="a"), line(2, credit="10")]},
        ],
    )  # fmt: skip
    def test_any_change_changes_the_digest(self, change):
        values = {
            "previous": GENESIS,
            "number": "MISC/2026/00001",
            "date": datetime.date(2026, 3, 1),
            "journal": 3,
            "lines": self.LINES,
        }
        original = entry_digest(values["previous"], values["number"], values["date"], values["journal"], values["lines"])
        values.update(change)
        assert entry_digest(values["previous"], values["number"], values["date"], values["journal"], values["lines"]) != original


class TestPeriods:
    def test_a_calendar_year_has_twelve_months(self):
        periods = month_periods(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
        assert len(periods) == 12
        assert periods[1] == (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
        assert periods[-1] == (datetime.date(2026, 12, 1), datetime.date(2026, 12, 31))

    def test_a_year_starting_mid_month(self):
        periods = month_periods(datetime.date(2026, 7, 15), datetime.date(2027, 7, 14))
        assert periods[0] == (datetime.date(2026, 7, 15), datetime.date(2026, 8, 14))
        assert periods[-1] == (datetime.date(2027, 6, 15), datetime.date(2027, 7, 14))
        assert len(periods) == 12

    def test_adding_months_keeps_the_day_when_it_exists(self):
        assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
        assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
        assert add_months(datetime.date(2028, 1, 31), 1) == datetime.date(2028, 2, 29)

    def test_sums_by_account(self):
        sums = sums_by_account([line(1, debit="5"), line(1, credit="2"), line(2, credit="3")])
        assert sums == {1: (Decimal("5"), Decimal("2")), 2: (Decimal("0"), Decimal("3"))}
