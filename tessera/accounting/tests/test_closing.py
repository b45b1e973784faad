"""Closing a fiscal year: the result goes to equity, nothing more is posted in the year."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.accounting.models import FiscalYear
from tessera.accounting.queries import trial_balance
from tessera.accounting.services import fiscal_year_close
from tessera.core.errors import BusinessError

D_ = datetime.date


def year(company, start):
    return FiscalYear.objects.get(company=company, date_start=start)


def test_a_loss_goes_to_losses_carried_forward(company, book):
    book.entry(D_(2026, 5, 1), ("services", "300.00", "0"), ("bank", "0", "300.00"))
    book.entry(D_(2026, 6, 1), ("bank", "100.00", "0"), ("sales", "0", "100.00"))
    closed = fiscal_year_close(year(company, D_(2026, 1, 1)), by=book.by)
    assert closed.state == "closed"
    lines = {line.account.code: (line.debit, line.credit) for line in closed.closing_entry.lines.select_related("account")}
    assert lines == {"141000": (D("200.00"), D(0)), "793000": (D(0), D("200.00"))}
    assert closed.closing_entry.date == D_(2026, 12, 31)
    with pytest.raises(BusinessError, match="2026 is closed"):
        book.entry(D_(2026, 7, 1), ("bank", "1.00", "0"), ("sales", "0", "1.00"))
    rows = {row.code: row for row in trial_balance(company, D_(2027, 1, 1), D_(2027, 12, 31))}
    assert rows["141000"].opening == D("200.00") and "" not in rows


def test_a_year_with_drafts_or_an_open_earlier_year_is_not_closed(company, book):
    book.entry(D_(2025, 3, 1), ("bank", "10.00", "0"), ("sales", "0", "10.00"))
    book.entry(D_(2026, 3, 1), ("bank", "10.00", "0"), ("sales", "0", "10.00"))
    with pytest.raises(BusinessError, match="Close the earlier fiscal years first") as error:
        fiscal_year_close(year(company, D_(2026, 1, 1)), by=book.by)
    assert error.value.code == "earlier_year_open"
    book.draft(D_(2025, 8, 1), ("bank", "5.00", "0"), ("sales", "0", "5.00"))
    with pytest.raises(BusinessError, match="1 draft entries are dated in 2025"):
        fiscal_year_close(year(company, D_(2025, 1, 1)), by=book.by)
    assert FiscalYear.objects.filter(state="closed").count() == 0


def test_closing_through_the_api_and_the_back_office(api, client, accountant, company, book):
    book.entry(D_(2026, 3, 1), ("bank", "50.00", "0"), ("sales", "0", "50.00"))
    fiscal_year = year(company, D_(2026, 1, 1))
    page = client
    page.force_login(accountant)
    assert (
        f"/admin/accounting/fiscalyear/{fiscal_year.pk}/do/close/"
        in page.get(f"/admin/accounting/fiscalyear/{fiscal_year.pk}/change/").content.decode()
    )
    response = api.post(f"/api/v1/accounting/fiscal-years/{fiscal_year.pk}/close/", format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"
    again = api.post(f"/api/v1/accounting/fiscal-years/{fiscal_year.pk}/close/", format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_a_year_closed_after_its_period_was_read_refuses_postings_at_once(company, book):
    """The period (and its year) are kept across operations (decision 15); closing the year gives the
    configuration a new version, so the next posting reads them again."""
    day = D_(2026, 9, 1)
    for _ in range(3):  # the last postings take the period from what was kept
        book.entry(day, ("bank", "10.00", "0"), ("sales", "0", "10.00"))
    fiscal_year_close(year(company, D_(2026, 1, 1)), by=book.by)
    with pytest.raises(BusinessError, match="2026 is closed"):
        book.entry(day, ("bank", "1.00", "0"), ("sales", "0", "1.00"))
