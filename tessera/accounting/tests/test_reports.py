"""Trial balance and general ledger, from the kept balances and the lines of partial periods."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tessera.accounting.queries import general_ledger, trial_balance
from tessera.accounting.services import account_for_role

D = datetime.date


@pytest.fixture
def history(book):
    """Two years: an opening in 2025, sales and costs in both years, one entry late in March 2026."""
    book.entry(D(2025, 1, 1), ("bank", "10000.00", "0"), ("retained_earnings", "0", "10000.00"))
    book.entry(D(2025, 6, 10), ("receivable", "1210.00", "0"), ("sales", "0", "1000.00"), ("vat_due", "0", "210.00"))
    book.entry(D(2025, 9, 5), ("services", "300.00", "0"), ("bank", "0", "300.00"))
    book.entry(D(2026, 2, 1), ("bank", "1210.00", "0"), ("receivable", "0", "1210.00"))
    book.entry(D(2026, 3, 10), ("receivable", "605.00", "0"), ("sales", "0", "500.00"), ("vat_due", "0", "105.00"))
    book.entry(D(2026, 3, 25), ("services", "50.00", "0"), ("bank", "0", "50.00"))
    return book


def rows_by_code(rows):
    return {row.code: (row.opening, row.debit, row.credit, row.closing) for row in rows}


def test_trial_balance_of_a_fiscal_year(history, company):
    rows = trial_balance(company, D(2026, 1, 1), D(2026, 12, 31))
    assert rows_by_code(rows) == {
        "140000": (Decimal("-10000.00"), Decimal(0), Decimal(0), Decimal("-10000.00")),
        "400000": (Decimal("1210.00"), Decimal("605.00"), Decimal("1210.00"), Decimal("605.00")),
        "451000": (Decimal("-210.00"), Decimal(0), Decimal("105.00"), Decimal("-315.00")),
        "550000": (Decimal("9700.00"), Decimal("1210.00"), Decimal("50.00"), Decimal("10860.00")),
        "610000": (Decimal(0), Decimal("50.00"), Decimal(0), Decimal("50.00")),
        "700000": (Decimal(0), Decimal(0), Decimal("500.00"), Decimal("-500.00")),
        # 2025's result (1000 sales - 300 services) not yet allocated to equity:
        "": (Decimal("-700.00"), Decimal(0), Decimal(0), Decimal("-700.00")),
    }
    assert sum(row.opening for row in rows) == 0
    assert sum(row.debit for row in rows) == sum(row.credit for row in rows) == Decimal("1865.00")


def test_dates_that_cut_periods_in_half(history, company):
    rows = rows_by_code(trial_balance(company, D(2026, 3, 15), D(2026, 3, 31)))
    assert rows["550000"] == (Decimal("10910.00"), Decimal(0), Decimal("50.00"), Decimal("10860.00"))
    assert rows["700000"] == (Decimal("-500.00"), Decimal(0), Decimal(0), Decimal("-500.00"))
    assert rows["610000"] == (Decimal(0), Decimal("50.00"), Decimal(0), Decimal("50.00"))
    rows = rows_by_code(trial_balance(company, D(2026, 3, 1), D(2026, 3, 20)))
    assert rows["550000"] == (Decimal("10910.00"), Decimal(0), Decimal(0), Decimal("10910.00"))
    assert "610000" not in rows


def test_general_ledger_with_running_balance(history, company):
    bank = account_for_role(company, "bank")
    page = general_ledger(bank, D(2025, 6, 1), D(2026, 12, 31))
    assert page.opening == Decimal("10000.00") and page.count == 3
    assert [(line.date, line.debit, line.credit, line.running) for line in page.lines] == [
        (D(2025, 9, 5), Decimal(0), Decimal("300.00"), Decimal("9700.00")),
        (D(2026, 2, 1), Decimal("1210.00"), Decimal(0), Decimal("10910.00")),
        (D(2026, 3, 25), Decimal(0), Decimal("50.00"), Decimal("10860.00")),
    ]
    second = general_ledger(bank, D(2025, 6, 1), D(2026, 12, 31), offset=2, limit=1)
    assert [(line.date, line.running) for line in second.lines] == [(D(2026, 3, 25), Decimal("10860.00"))]


def test_reports_through_the_api(api, history, company):
    response = api.get("/api/v1/accounting/reports/trial-balance/", {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert response.status_code == 200
    body = response.json()
    assert body["date_from"] == "2026-01-01"
    sales = next(row for row in body["rows"] if row["code"] == "700000")
    assert sales == {"account": sales["account"], "code": "700000", "name": sales["name"], "type": "income",
                     "opening": "0.0000", "debit": "0.0000", "credit": "500.0000", "closing": "-500.0000"}  # fmt: skip
    bank = account_for_role(company, "bank")
    ledger = api.get(
        "/api/v1/accounting/reports/general-ledger/", {"account": bank.pk, "date_from": "2026-01-01", "date_to": "2026-12-31"}
    )
    assert ledger.status_code == 200
    assert ledger.json()["opening"] == "9700.0000"
    assert [line["running"] for line in ledger.json()["lines"]] == ["10910.0000", "10860.0000"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "x", "date_to": "2026-01-01"}, "date_from"),
        ({"date_to": "2026-01-01"}, "date_from"),
    ],
)
def test_report_dates_are_checked(api, company, params, field):
    response = api.get("/api/v1/accounting/reports/trial-balance/", params)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_reports_need_the_ledger_permission(company, db):
    from rest_framework.test import APIClient

    from tessera.core.tests.factories import UserFactory

    client = APIClient()
    client.force_authenticate(UserFactory(username="seller", companies=[company], roles=["Sales / User"]))
    response = client.get("/api/v1/accounting/reports/trial-balance/", {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert response.status_code == 403


def test_the_trial_balance_page_and_its_export(client, accountant, history):
    client.force_login(accountant)
    url = "/admin/accounting/journalline/reports/trial-balance/"
    page = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-12-31"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="report"' in html and "10,860.00" in html
    export = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-12-31", "export": "csv"})
    lines = export.content.decode().splitlines()
    assert lines[0] == "Account,Name,Opening,Debit,Credit,Closing"
    assert any(line.startswith("550000,") and line.endswith(",9700.0000,1210.0000,50.0000,10860.0000") for line in lines)
    spreadsheet = client.get(url, {"date_from": "2026-01-01", "date_to": "2026-12-31", "export": "xlsx"})
    assert spreadsheet["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(spreadsheet.content)).active
    bank = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "550000")
    assert bank[2:] == (9700, 1210, 50, 10860)


@pytest.mark.parametrize(
    "slug", ["trial-balance", "profit-and-loss", "balance-sheet", "aged-receivables", "aged-payables", "vat-return"]
)
def test_every_report_page_renders_and_exports(client, accountant, history, slug):
    client.force_login(accountant)
    url = f"/admin/accounting/journalline/reports/{slug}/"
    assert client.get(url).status_code == 200
    assert client.get(url, {"export": "csv"})["Content-Type"] == "text/csv; charset=utf-8"


def test_the_general_ledger_page_shows_the_running_balance(client, accountant, history, company):
    client.force_login(accountant)
    bank = account_for_role(company, "bank")
    page = client.get("/admin/accounting/journalline/reports/general-ledger/",
                      {"account": bank.pk, "date_from": "2026-01-01", "date_to": "2026-12-31"})  # fmt: skip
    rows = [[text for text, _amount in cells] for cells, _link in page.context["rows"]]
    assert rows == [
        ["", "Opening balance", "", "", "", "9,700.00"],
        ["MISC/2026/00001", "", "02/01/2026", "1,210.00", "0.00", "10,910.00"],
        ["MISC/2026/00003", "", "03/25/2026", "0.00", "50.00", "10,860.00"],
    ]
