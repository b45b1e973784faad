"""Sales analysis on a small history built through the services: two customers, two salespeople,
deliveries dated in the past; revenue, cost, margin, open orders, backlog and on-time figures exact,
in the queries, the API and the back-office pages."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.services import invoice_post
from tessera.core.tests.factories import PartnerFactory, UserFactory
from tessera.inventory.models import Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder, SaleOrderLine
from tessera.sales.queries import Scope, backlog, on_time_delivery, open_orders, sales_margin
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_invoice, sale_order_save

TODAY = timezone.localdate()
RECEIVED, FIRST, SECOND = (TODAY - datetime.timedelta(days=days) for days in (40, 30, 10))


def moment(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def month(day):
    return day.replace(day=1)


@pytest.fixture
def history(company, warehouse, seller, salesman, customer, desk, chair, assembly):
    """Order A (customer, seller): 2 desks, 10 chairs at 10 % off, an assembly; delivered on FIRST and
    invoiced that day. Order B (Bureau SA, salesman): 3 desks, 4 chairs; 1 desk and the chairs
    delivered on SECOND, 5 days after the chairs were promised; not invoiced."""
    for product, quantity in ((desk, 3), (chair, 20)):
        receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                                [MoveDraft(product, D(quantity), unit_cost=D(product.cost))], by=seller)  # fmt: skip
        transfer_validate(transfer_confirm(receipt, by=seller), by=seller, when=moment(RECEIVED))
    lines = [OrderLineDraft(desk, D(2)), OrderLineDraft(chair, D(10), discount=D(10)), OrderLineDraft(assembly, D(1))]
    a = sale_order_save(SaleOrder(company=company, partner=customer, salesperson=seller), lines, by=seller)
    a = sale_order_confirm(a, by=seller)
    transfer_validate(a.transfers.get(), by=seller, when=moment(FIRST))
    invoice_post(sale_order_invoice(a, by=seller, on=FIRST), by=seller)

    other = PartnerFactory(company=company, name="Bureau SA", country="BE", street="Rue 2", zip="1000", city="Bruxelles",
                           is_customer=True)  # fmt: skip
    b = sale_order_save(SaleOrder(company=company, partner=other, salesperson=salesman),
                        [OrderLineDraft(desk, D(3)), OrderLineDraft(chair, D(4))], by=seller)  # fmt: skip
    b = sale_order_confirm(b, by=seller)
    # As if B had been confirmed weeks ago with the chairs promised for SECOND − 5 days.
    SaleOrderLine.objects.filter(order=b, product=chair).update(promised_date=SECOND - datetime.timedelta(days=5))
    transfer_validate(b.transfers.get(), by=seller, when=moment(SECOND))
    return a, b, other


def by_key(rows):
    return {row.key: (row.revenue, row.cost, row.margin, row.margin_percent) for row in rows}


def test_margin_per_product_customer_salesperson_and_month(company, history, seller, salesman, customer, desk, chair, assembly):
    other = history[2]
    # Desk: 2 × 250 invoiced; cost 2 × 100 (A) + 1 × 100 (B). Chair: 10 × 80 × 90 % invoiced; 10 × 30 + 4 × 30.
    assert by_key(sales_margin(company, Scope(), group="product")) == {
        desk.pk: (D("500.00"), D("300.00"), D("200.00"), D("40.00")),
        chair.pk: (D("720.00"), D("420.00"), D("300.00"), D("41.67")),
        assembly.pk: (D("45.00"), D(0), D("45.00"), D("100.00")),
    }
    assert by_key(sales_margin(company, Scope(), group="customer")) == {
        customer.pk: (D("1265.00"), D("500.00"), D("765.00"), D("60.47")),
        other.pk: (D("0.00"), D("220.00"), D("-220.00"), None),
    }
    assert by_key(sales_margin(company, Scope(), group="salesperson")) == {
        seller.pk: (D("1265.00"), D("500.00"), D("765.00"), D("60.47")),
        salesman.pk: (D("0.00"), D("220.00"), D("-220.00"), None),
    }
    months = {}
    for day, revenue, cost in ((FIRST, D("1265.00"), D("500.00")), (SECOND, D(0), D("220.00"))):
        before = months.get(month(day), (D(0), D(0)))
        months[month(day)] = (before[0] + revenue, before[1] + cost)
    assert {row.key: (row.revenue, row.cost) for row in sales_margin(company, Scope(), group="month")} == months
    # Filters: the period after A's delivery and invoice; one product; one salesperson.
    assert by_key(sales_margin(company, Scope(date_from=FIRST + datetime.timedelta(days=1)), group="customer")) == {
        other.pk: (D("0.00"), D("220.00"), D("-220.00"), None),
    }
    assert by_key(sales_margin(company, Scope(product=desk), group="customer")) == {
        customer.pk: (D("500.00"), D("200.00"), D("300.00"), D("60.00")),
        other.pk: (D("0.00"), D("100.00"), D("-100.00"), None),
    }
    assert by_key(sales_margin(company, Scope(salesperson=seller), group="product")) == {
        desk.pk: (D("500.00"), D("200.00"), D("300.00"), D("60.00")),
        chair.pk: (D("720.00"), D("300.00"), D("420.00"), D("58.33")),
        assembly.pk: (D("45.00"), D(0), D("45.00"), D("100.00")),
    }


def test_open_orders_and_backlog(company, history, customer, desk):
    _a, b, other = history
    # A is delivered and invoiced. B: 2 desks left to deliver, all of it (3 × 250 + 4 × 80) to invoice.
    [row] = open_orders(company, Scope())
    assert (row.order_id, row.customer_id, row.amount_untaxed, row.to_deliver, row.to_invoice) == (
        b.pk, other.pk, D("1070.00"), D("500.00"), D("1070.00"),
    )  # fmt: skip
    assert open_orders(company, Scope(customer=customer)) == []
    assert [(r.key, r.quantity, r.value) for r in backlog(company, Scope())] == [(b.pk, D(2), D("500.00"))]
    per_customer = backlog(company, Scope(), group="customer")
    assert [(r.key, r.label, r.value) for r in per_customer] == [(other.pk, "Bureau SA", D("500.00"))]
    assert backlog(company, Scope(customer=customer)) == []


def test_on_time_delivery_per_customer_and_product(company, history, customer, desk, chair):
    other = history[2]
    # A's desk and chairs were promised for today and left 30 days early; B's chairs left 5 days late;
    # B's desks are not all delivered, the assembly had no promise: neither counts.
    rows = {r.key: (r.lines, r.on_time, r.rate, r.average_delay, r.average_difference)
            for r in on_time_delivery(company, Scope())}  # fmt: skip
    assert rows == {customer.pk: (2, 2, D("100.00"), D("0.00"), D("-30.00")), other.pk: (1, 0, D("0.00"), D("5.00"), D("5.00"))}
    rows = {r.key: (r.lines, r.on_time, r.rate, r.average_delay, r.average_difference)
            for r in on_time_delivery(company, Scope(), group="product")}  # fmt: skip
    assert rows == {desk.pk: (1, 1, D("100.00"), D("0.00"), D("-30.00")), chair.pk: (2, 1, D("50.00"), D("2.50"), D("-12.50"))}
    assert [r.key for r in on_time_delivery(company, Scope(date_from=SECOND), group="product")] == [chair.pk]


def test_api_gives_exact_strings_and_refuses_bad_parameters(api, history, customer, desk, salesman):
    response = api.get("/api/v1/sales/reports/margin/", {"group": "customer", "customer": customer.pk})
    assert response.status_code == 200
    assert response.json()["rows"] == [{"key": str(customer.pk), "label": "Klant BV", "revenue": "1265.00", "cost": "500.00",
                                        "margin": "765.00", "margin_percent": "60.47"}]  # fmt: skip
    assert api.get("/api/v1/sales/reports/backlog/", {"group": "customer"}).json()["rows"][0]["value"] == "500.00"
    assert api.get("/api/v1/sales/reports/open-orders/").json()["rows"][0]["to_invoice"] == "1070.00"
    on_time = api.get("/api/v1/sales/reports/on-time/", {"group": "product", "product": desk.pk}).json()["rows"]
    assert [(r["lines"], r["rate"], r["average_difference"]) for r in on_time] == [(1, "100.00", "-30.00")]
    for params, field in (({"group": "week"}, "group"), ({"date_from": "2026-02-30"}, "date_from"),
                          ({"date_from": "2026-03-02", "date_to": "2026-03-01"}, "date_to"), ({"customer": 999999}, "customer"),
                          ({"salesperson": "x"}, "salesperson")):  # fmt: skip
        response = api.get("/api/v1/sales/reports/margin/", params)
        assert response.status_code == 400, params
        assert response["Content-Type"].startswith("application/problem+json")
        assert field in str(response.json()), params


def test_api_needs_the_permission_to_see_orders(api, history, company):
    api.force_authenticate(UserFactory(username="nobody", companies=[company], roles=[]))
    assert api.get("/api/v1/sales/reports/margin/").status_code == 403


def test_back_office_pages_and_exports(client, history, seller, customer):
    client.force_login(seller)
    for slug in ("margin", "open-orders", "backlog", "on-time"):
        assert client.get(f"/admin/sales/saleorder/reports/{slug}/").status_code == 200, slug
    page = client.get("/admin/sales/saleorder/reports/margin/", {"group": "customer"})
    assert "Klant BV" in page.content.decode() and "1,265.00" in page.content.decode()
    csv = client.get("/admin/sales/saleorder/reports/margin/", {"group": "customer", "export": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert csv.content.decode().splitlines()[1:3] == ["Bureau SA,0.00,220.00,-220.00,", "Klant BV,1265.00,500.00,765.00,60.47"]
    xlsx = client.get("/admin/sales/saleorder/reports/backlog/", {"export": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    bad = client.get("/admin/sales/saleorder/reports/margin/", {"date_from": "nonsense"})
    assert bad.status_code == 200 and "Enter a valid date" in bad.content.decode()
