"""The purchasing analysis pages of the back office, on the history of test_analysis: each page renders the
exact figures for a purchasing manager; the CSV export gives the rows shown (and their total); XLSX too;
bad filters are form errors; without a purchasing role the pages are refused; the pages read as many
queries for three suppliers as for one; the sidebar leads to them."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tessera.core.tests.factories import PartnerFactory, UserFactory

from . import test_analysis
from .test_analysis import START, TODAY, bill, day, order, receive

# The history of test_analysis and the fixtures it needs, shared with this module.
fasteners, screws, nuts, history = test_analysis.fasteners, test_analysis.screws, test_analysis.nuts, test_analysis.history

PAGES = "/admin/purchasing/purchaseorder/reports/"
SLUGS = ("spend", "open-orders", "late-receipts", "supplier-performance")


@pytest.fixture
def browser(client, manager):
    client.force_login(manager)
    return client


def page(response):
    assert response.status_code == 200
    return response.content.decode()


def table(response):
    """The report's table alone (the filter's choices name the suppliers too)."""
    return page(response).split('id="report"', 1)[1].split("</table>", 1)[0]


def csv_rows(response):
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_every_page_renders_for_a_purchasing_manager(browser, history):
    for slug in SLUGS:
        html = page(browser.get(f"{PAGES}{slug}/"))
        assert 'id="report"' in html, slug
        for other in SLUGS:  # the tabs between the pages
            assert f'href="{PAGES}{other}/"' in html, (slug, other)


def test_spend_per_supplier_category_and_month_with_exact_figures(browser, history):
    html = page(browser.get(f"{PAGES}spend/"))  # per supplier by default
    for text in ("Metaal SA", "660.00", "600.00", "Staal BV", "1,455.00", "2,115.00", "2,055.00"):
        assert text in html, text
    html = page(browser.get(f"{PAGES}spend/", {"group": "category"}))
    for text in ("Product category", "Fasteners", "100.00", "Raw materials", "1,715.00", "1,655.00", "—"):
        assert text in html, text
    html = page(browser.get(f"{PAGES}spend/", {"group": "month"}))
    assert day(5).strftime("%Y-%m") in html and day(28).strftime("%Y-%m") in html
    # The period and the supplier filter the bills.
    html = table(browser.get(f"{PAGES}spend/", {"group": "supplier", "date_to": day(12).isoformat()}))
    assert "Staal BV" in html and "1,455.00" in html and "Metaal SA" not in html
    html = table(browser.get(f"{PAGES}spend/", {"supplier": history["b"].partner_id}))
    assert "Metaal SA" in html and "600.00" in html and "Staal BV" not in html


def test_spend_csv_and_xlsx_give_the_rows_shown(browser, history):
    rows = csv_rows(browser.get(f"{PAGES}spend/", {"group": "supplier", "export": "csv"}))
    assert rows == [
        ["Supplier", "Billed", "Refunded", "Spend"],
        ["Metaal SA", "660.00", "60.00", "600.00"],
        ["Staal BV", "1455.00", "0.00", "1455.00"],
        ["Total", "2115.00", "60.00", "2055.00"],
    ]
    rows = csv_rows(browser.get(f"{PAGES}spend/", {"group": "category", "date_from": START.isoformat(), "export": "csv"}))
    assert rows[1:] == [
        ["Fasteners", "100.00", "0.00", "100.00"],
        ["Raw materials", "1715.00", "60.00", "1655.00"],
        ["—", "300.00", "0.00", "300.00"],
        ["Total", "2115.00", "60.00", "2055.00"],
    ]
    xlsx = browser.get(f"{PAGES}spend/", {"group": "month", "export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert xlsx["Content-Disposition"].startswith('attachment; filename="purchasing-spend-')


def test_open_orders_and_late_receipts(browser, history):
    b, c = history["b"], history["c"]
    html = page(browser.get(f"{PAGES}open-orders/"))
    for text in (b.number, c.number, "[NUT M8] Nut M8", "500", "60.00", "110.00", "33", "EUR"):
        assert text in html, text
    assert f'href="/admin/purchasing/purchaseorder/{b.pk}/change/"' in html
    rows = csv_rows(browser.get(f"{PAGES}open-orders/", {"export": "csv"}))
    assert rows[0] == ["Order", "Order date", "Supplier", "Product", "Unit", "Ordered", "Received", "Expected", "Expected on",
                       "Days late", "Value expected", "Currency"]  # fmt: skip
    assert [(row[0], row[7], row[9], row[10]) for row in rows[1:]] == [
        (b.number, "500.000000", "33", "60.00"), (c.number, "10.000000", "0", "110.00"),
    ]  # fmt: skip

    html = table(browser.get(f"{PAGES}late-receipts/"))
    assert b.number in html and c.number not in html
    rows = csv_rows(browser.get(f"{PAGES}late-receipts/", {"export": "csv"}))
    assert rows[1:] == [[b.number, day(20).isoformat(), "Metaal SA", "[NUT M8] Nut M8", "Unit", "500.000000", "0.000000",
                         "500.000000", day(27).isoformat(), "33", "60.00", "EUR"]]  # fmt: skip
    # Counted to another day, C's steel is late too.
    later = (TODAY + datetime.timedelta(days=7)).isoformat()
    rows = csv_rows(browser.get(f"{PAGES}late-receipts/", {"as_of": later, "export": "csv"}))
    assert [(row[0], row[9]) for row in rows[1:]] == [(b.number, "40"), (c.number, "2")]
    xlsx = browser.get(f"{PAGES}open-orders/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_supplier_performance(browser, history, supplier):
    html = table(browser.get(f"{PAGES}supplier-performance/"))
    for text in ("Staal BV", "50.00", "7.00", "1,420.00", "1,455.00", "35.00", "2.46", "Metaal SA", "300.00"):
        assert text in html, text
    rows = csv_rows(browser.get(f"{PAGES}supplier-performance/", {"export": "csv"}))
    assert rows[1:] == [
        ["Metaal SA", "0", "0", "", "", "300.00", "300.00", "0.00", "0.00"],
        ["Staal BV", "2", "1", "50.00", "7.0", "1420.00", "1455.00", "35.00", "2.46"],
    ]
    rows = csv_rows(browser.get(f"{PAGES}supplier-performance/", {"supplier": supplier.pk, "date_from": day(11).isoformat(),
                                                                  "export": "csv"}))  # fmt: skip
    assert rows[1:] == [["Staal BV", "0", "0", "", "", "770.00", "805.00", "35.00", "4.55"]]


def test_bad_filters_are_form_errors(browser, history, company):
    customer = PartnerFactory(company=company, name="Klant BV", is_customer=True)
    for slug, params, error in (
        ("spend", {"date_from": "nonsense"}, "Enter a valid date."),
        ("spend", {"date_from": "2026-02-30"}, "Enter a valid date."),
        ("spend", {"date_from": "2026-03-02", "date_to": "2026-03-01"}, "The last day comes before the first."),
        ("spend", {"group": "week"}, "Select a valid choice."),
        ("spend", {"supplier": customer.pk}, "Select a valid choice."),
        ("late-receipts", {"as_of": "tomorrow"}, "Enter a valid date."),
        ("supplier-performance", {"date_to": "soon"}, "Enter a valid date."),
    ):
        html = page(browser.get(f"{PAGES}{slug}/", params))
        assert error in html, (slug, params)
        assert "Nothing to show for these filters." in html, (slug, params)
        # No export of a table the filters do not define: the page with its errors instead.
        response = browser.get(f"{PAGES}{slug}/", {**params, "export": "csv"})
        assert response["Content-Type"].startswith("text/html") and error in page(response), (slug, params)


def test_without_a_purchasing_role_the_pages_are_refused(client, company, history):
    client.force_login(UserFactory(username="nobody", companies=[company], roles=["Sales / User"]))
    for slug in SLUGS:
        assert client.get(f"{PAGES}{slug}/").status_code == 403, slug
        assert client.get(f"{PAGES}{slug}/", {"export": "csv"}).status_code == 403, slug


def test_the_sidebar_leads_to_the_analysis(browser, history, client, company):
    assert f'href="{PAGES}spend/"' in page(browser.get("/admin/purchasing/purchaseorder/"))
    client.force_login(UserFactory(username="nobody", companies=[company], roles=["Sales / User"]))
    assert f'href="{PAGES}spend/"' not in page(client.get("/admin/"))


def test_the_pages_read_as_many_queries_for_three_suppliers_as_for_one(browser, company, manager, steel, bolts):

    def add_supplier(n):
        """An order of 10 steel and 100 bolts expected on day 7: the bolts and 4 steel come on day 4, billed;
        the other 6 steel are late."""
        partner = PartnerFactory(company=company, name=f"Leverancier {n}", country="BE", is_supplier=True)
        purchase = order(company, manager, partner, [(steel, 10, "11.00", day(7)), (bolts, 100, "0.10", day(7))], on=START)
        receive(purchase, manager, {steel: 4, bolts: 100}, day(4))
        bill(purchase, manager, day(5), f"F-{n}")

    def queries(slug, params):
        with CaptureQueriesContext(connection) as captured:
            html = page(browser.get(f"{PAGES}{slug}/", params))
        return len(captured), html

    pages = [(slug, {}) for slug in SLUGS] + [("spend", {"group": "category"}), ("spend", {"group": "month"}),
                                              ("spend", {"export": "csv"}), ("open-orders", {"export": "csv"})]  # fmt: skip
    add_supplier(1)
    page(browser.get(f"{PAGES}spend/"))  # the session and caches warmed
    one = {}
    for slug, params in pages:
        one[slug, str(params)], html = queries(slug, params)
        assert "Leverancier 1" in html, (slug, params)
    add_supplier(2)
    add_supplier(3)
    for slug, params in pages:
        count, html = queries(slug, params)
        assert "Leverancier 3" in html, (slug, params)
        assert count == one[slug, str(params)], (slug, params)
    # 4 × 11.00 + 100 × 0.10 = 54.00 billed by each.
    rows = csv_rows(browser.get(f"{PAGES}spend/", {"export": "csv"}))
    assert rows[1:] == [
        *([f"Leverancier {n}", "54.00", "0.00", "54.00"] for n in (1, 2, 3)),
        ["Total", "162.00", "0.00", "162.00"],
    ]
    assert [row[7] for row in csv_rows(browser.get(f"{PAGES}late-receipts/", {"export": "csv"}))[1:]] == ["6.000000"] * 3
