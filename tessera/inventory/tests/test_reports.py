"""The inventory report pages in the back office and the report API, on the month of `march`."""

from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import UserFactory
from tessera.inventory.models import Lot, Warehouse

from . import test_queries

march = test_queries.march  # the month of stock the reports read

SLUGS = ["on-hand", "forecast", "valuation", "move-history", "turnover", "lot-trace"]
PERMISSIONS = {
    "on-hand": "view_quant", "forecast": "view_quant", "valuation": "view_valuationlayer", "move-history": "view_moveline",
    "turnover": "view_valuationlayer", "lot-trace": "view_lot",
}  # fmt: skip


def page_url(slug):
    return reverse(f"admin:inventory-report-{slug}")


def texts(response, table=0):
    return [[text for text, _number, _link in cells] for cells in response.context["tables"][table]["rows"]]


def links(response, table=0):
    return [[link for _text, _number, link in cells] for cells in response.context["tables"][table]["rows"]]


def params_for(slug, march):
    return {"lot-trace": {"lot": march.lot.pk}, "turnover": {"date_from": "2026-03-08", "date_to": "2026-03-31"}}.get(slug, {})


# --- pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_renders_for_a_keeper_and_exports(client, keeper, march, slug):
    client.force_login(keeper)
    response = client.get(page_url(slug), params_for(slug, march))
    assert response.status_code == 200
    assert 'id="report"' in response.content.decode()
    csv = client.get(page_url(slug), {**params_for(slug, march), "export": "csv"})
    assert csv["Content-Type"] == "text/csv; charset=utf-8"
    xlsx = client.get(page_url(slug), {**params_for(slug, march), "export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_is_refused_without_the_permission(client, company, slug):
    client.force_login(UserFactory(username="outsider", companies=[company]))
    assert client.get(page_url(slug)).status_code == 403


def test_pages_need_a_staff_login(client, db):
    response = client.get(page_url("on-hand"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_a_role_with_only_some_permissions_sees_only_those_reports(client, company, march):
    from django.contrib.auth.models import Permission

    user = UserFactory(username="counter", companies=[company])
    user.user_permissions.add(Permission.objects.get(codename=PERMISSIONS["on-hand"], content_type__app_label="inventory"))
    client.force_login(user)
    response = client.get(page_url("on-hand"))
    assert response.status_code == 200
    assert [label for label, _url in response.context["reports"]] == ["On hand", "Forecast"]
    assert client.get(page_url("valuation")).status_code == 403


def test_on_hand_page_with_drill_down_links(client, keeper, stock, march):
    client.force_login(keeper)
    response = client.get(page_url("on-hand"), {"location": stock.pk})
    assert texts(response) == [
        ["[BOLT] Bolt", "WH/Stock", "", "16", "0", "16", "Unit"],
        ["[CHAIR] Chair", "WH/Stock", "", "7", "7", "0", "Unit"],
        ["[TABLE] Table", "WH/Stock", "", "1", "0", "1", "Unit"],
        ["[WINE] Wine", "WH/Stock/Shelf A", "L1", "2", "0", "2", "Unit"],
    ]
    assert [text for text, _n, _l in response.context["tables"][0]["totals"]] == ["Total", "", "", "26", "7", "19", ""]
    chair_link = links(response)[1][0]
    assert chair_link == f"{page_url('move-history')}?product={march.chair.pk}&location={stock.pk}"
    assert links(response)[3][2] == f"{page_url('lot-trace')}?lot={march.lot.pk}"
    per_product = client.get(page_url("on-hand"), {"warehouse": Warehouse.objects.get(code="WH").pk, "group": "product"})
    assert texts(per_product)[1] == ["[CHAIR] Chair", "7", "7", "0", "Unit"]


def test_on_hand_page_reads_a_product_by_its_sku_and_refuses_unknown_ones(client, keeper, march):
    client.force_login(keeper)
    response = client.get(page_url("on-hand"), {"product": "CHAIR"})
    assert [row[0] for row in texts(response)] == ["[CHAIR] Chair"]
    unknown = client.get(page_url("on-hand"), {"product": "NOPE"})
    assert unknown.status_code == 200
    assert unknown.context["form"].errors == {"product": ["No product is known as NOPE here."]}
    assert texts(unknown) == []


def test_forecast_page_summary_and_per_product(client, keeper, warehouse, march):
    client.force_login(keeper)
    summary = client.get(page_url("forecast"), {"warehouse": warehouse.pk})
    assert texts(summary)[1] == ["[CHAIR] Chair", "7", "7", "5", "9", "3"]
    detail = client.get(page_url("forecast"), {"warehouse": warehouse.pk, "product": march.chair.pk})
    rows = texts(detail)
    assert rows[:2] == [["", "On hand now", "", "", "", "7"], ["", "of which reserved", "", "", "", "7"]]
    assert [row[1:] for row in rows[2:]] == [
        [march.outgoing.number, "Klant BV", "0", "9", "-2"],
        [march.incoming.number, "Leverancier BV", "5", "0", "3"],
    ]
    assert links(detail)[2][1] == reverse("admin:inventory_transfer_change", args=[march.outgoing.pk])


def test_valuation_page_with_reconciliation_and_export(client, keeper, march):
    client.force_login(keeper)
    response = client.get(page_url("valuation"), {"as_of": "2026-03-07"})
    assert texts(response) == [
        ["[CHAIR] Chair", "Goods", "20", "45.00", "900.00"],
        ["[WINE] Wine", "Goods", "6", "10.00", "60.00"],
        ["[BOLT] Bolt", "Raw", "20", "2.50", "50.00"],
    ]
    assert texts(response, 2) == [
        ["300000", response.context["tables"][2]["rows"][0][1][0], "50.00", "50.00", "0.00"],
        ["340000", response.context["tables"][2]["rows"][1][1][0], "960.00", "960.00", "0.00"],
    ]
    export = client.get(page_url("valuation"), {"as_of": "2026-03-07", "export": "xlsx"})
    sheet = load_workbook(BytesIO(export.content)).active
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Product", "Category", "Quantity", "Unit cost", "Value"),
        ("[CHAIR] Chair", "Goods", 20, 45, 900),
        ("[WINE] Wine", "Goods", 6, 10, 60),
        ("[BOLT] Bolt", "Raw", 20, 2.5, 50),
        ("Total", None, None, None, 1010),
    ]


def test_move_history_page_and_csv(client, keeper, march):
    client.force_login(keeper)
    response = client.get(page_url("move-history"), {"product": march.wine.pk})
    assert [row[1:] for row in texts(response)] == [
        [march.scrap.number, "[WINE] Wine", "L1", "WH/Stock", "Virtual/Scrap", "1", "Unit"],
        [march.wine_delivery.number, "[WINE] Wine", "L1", "WH/Stock", "Partners/Customers", "3", "Unit"],
        [march.internal.number, "[WINE] Wine", "L1", "WH/Stock", "WH/Stock/Shelf A", "2", "Unit"],
        [march.wine_receipt.number, "[WINE] Wine", "L1", "Partners/Suppliers", "WH/Stock", "6", "Unit"],
    ]
    csv = client.get(page_url("move-history"), {"product": march.wine.pk, "export": "csv"}).content.decode().splitlines()
    assert csv[0] == "Date,Reference,Product,Lot/serial,From,To,Quantity,Unit"
    assert csv[1] == f"2026-03-16 10:00,{march.scrap.number},[WINE] Wine,L1,WH/Stock,Virtual/Scrap,1.000000,Unit"


def test_turnover_page(client, keeper, march):
    client.force_login(keeper)
    response = client.get(page_url("turnover"), {"date_from": "2026-03-08", "date_to": "2026-03-31", "group": "category"})
    assert texts(response) == [
        ["Goods", "960.00", "490.00", "725.00", "590.00", "0.81", "29.49"],
        ["Raw", "50.00", "40.00", "45.00", "10.00", "0.22", "108.00"],
    ]


def test_lot_trace_page(client, keeper, march):
    client.force_login(keeper)
    response = client.get(page_url("lot-trace"), {"lot": march.lot.pk})
    assert [[row[0], row[2], row[3], row[6]] for row in texts(response)] == [
        ["Came from", march.wine_receipt.number, "Leverancier BV", "6"],
        ["Went to", march.internal.number, "", "2"],
        ["Went to", march.wine_delivery.number, "Klant BV", "3"],
        ["Went to", march.scrap.number, "", "1"],
    ]
    assert response.context["tables"][0]["title"] == "L1 of [WINE] Wine: 2 on hand"


def test_pages_do_not_show_another_companys_records(client, keeper, march):
    other = company_create(Company(name="Ander BV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    foreign = Warehouse.objects.get(company=other)
    client.force_login(keeper)
    response = client.get(page_url("forecast"), {"warehouse": foreign.pk})
    assert "warehouse" in response.context["form"].errors and texts(response) == []


# --- API -------------------------------------------------------------------------------------------

API = "/api/v1/inventory/reports/"


def test_on_hand_api_is_paginated(api, stock, warehouse, march):
    response = api.get(f"{API}on-hand/", {"location": stock.pk, "page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4 and body["next"]
    assert body["results"][1] == {
        "product": march.chair.pk, "sku": "CHAIR", "name": "Chair", "location": stock.pk, "location_name": "WH/Stock",
        "lot": None, "lot_name": None, "quantity": "7.000000", "reserved": "7.000000", "available": "0.000000", "uom": "Unit",
    }  # fmt: skip
    per_product = api.get(f"{API}on-hand/", {"warehouse": warehouse.pk, "group": "product"}).json()
    assert [(row["sku"], row["quantity"]) for row in per_product["results"]] == [
        ("BOLT", "16.000000"), ("CHAIR", "7.000000"), ("TABLE", "1.000000"), ("WINE", "2.000000"),
    ]  # fmt: skip


def test_forecast_api(api, warehouse, march):
    body = api.get(f"{API}forecast/", {"warehouse": warehouse.pk, "product": march.chair.pk}).json()
    assert (body["on_hand"], body["reserved"], body["incoming"], body["outgoing"], body["forecast"]) == (
        "7.000000", "7.000000", "5.000000", "9.000000", "3.000000",
    )  # fmt: skip
    assert [(line["reference"], line["projected"]) for line in body["lines"]] == [
        (march.outgoing.number, "-2.000000"), (march.incoming.number, "3.000000"),
    ]  # fmt: skip
    summary = api.get(f"{API}forecast/", {"warehouse": warehouse.pk}).json()
    assert [(row["sku"], row["forecast"]) for row in summary["rows"]] == [
        ("BOLT", "16.000000"), ("CHAIR", "3.000000"), ("TABLE", "1.000000"), ("WINE", "2.000000"),
    ]  # fmt: skip


def test_valuation_api(api, march):
    body = api.get(f"{API}valuation/", {"as_of": "2026-03-31"}).json()
    assert (body["as_of"], body["total"], body["reconciled"]) == ("2026-03-31", "530.0000", True)
    assert [(row["sku"], row["quantity"], row["unit_cost"], row["value"]) for row in body["rows"]] == [
        ("CHAIR", "7.000000", "50.000000", "350.0000"),
        ("TABLE", "1.000000", "120.000000", "120.0000"),
        ("WINE", "2.000000", "10.000000", "20.0000"),
        ("BOLT", "16.000000", "2.500000", "40.0000"),
    ]
    assert [(row["code"], row["stock_value"], row["balance"], row["difference"]) for row in body["accounts"]] == [
        ("300000", "40.0000", "40.0000", "0.0000"),
        ("340000", "490.0000", "490.0000", "0.0000"),
    ]


def test_move_history_turnover_and_lot_trace_api(api, march):
    history = api.get(f"{API}move-history/", {"lot": march.lot.pk}).json()
    assert history["count"] == 4
    assert [(row["reference"], row["quantity"]) for row in history["results"]] == [
        (march.scrap.number, "1.000000"), (march.wine_delivery.number, "3.000000"), (march.internal.number, "2.000000"),
        (march.wine_receipt.number, "6.000000"),
    ]  # fmt: skip
    rows = api.get(f"{API}turnover/", {"date_from": "2026-03-08", "date_to": "2026-03-31"}).json()["rows"]
    table = next(row for row in rows if row["key"] == march.table.pk)
    chair = next(row for row in rows if row["key"] == march.chair.pk)
    assert (chair["average_value"], chair["cost_out"], chair["turnover"], chair["days_of_inventory"]) == (
        "625.0000", "550.0000", "0.88", "27.27",
    )  # fmt: skip
    assert (table["turnover"], table["days_of_inventory"]) == ("0.00", None)
    trace = api.get(f"{API}lot-trace/", {"lot": march.lot.pk}).json()
    assert (trace["name"], trace["on_hand"]) == ("L1", "2.000000")
    assert [step["reference"] for step in trace["upstream"]] == [march.wine_receipt.number]
    assert [(step["destination_usage"], step["partner"]) for step in trace["downstream"]] == [
        ("internal", ""), ("customer", "Klant BV"), ("scrap", ""),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("report", "params", "field"),
    [
        ("turnover", {"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ("turnover", {"date_to": "2026-03-01"}, "date_from"),
        ("turnover", {"date_from": "x", "date_to": "2026-03-01"}, "date_from"),
        ("turnover", {"date_from": "2026-03-01", "date_to": "2026-03-31", "group": "colour"}, "group"),
        ("valuation", {"as_of": "31/03/2026"}, "as_of"),
        ("move-history", {"date_from": "2026-03-31", "date_to": "2026-03-01"}, "date_to"),
        ("move-history", {"product": "abc"}, "product"),
        ("on-hand", {"location": 999999}, "location"),
        ("on-hand", {"group": "product"}, "location"),
        ("forecast", {}, "warehouse"),
        ("forecast", {"until": "soon", "warehouse": 1}, "until"),
        ("lot-trace", {}, "lot"),
        ("lot-trace", {"lot": 999999}, "lot"),
    ],
)
def test_bad_parameters_are_a_problem_with_field_errors(api, company, warehouse, report, params, field):
    response = api.get(f"{API}{report}/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]


def test_another_companys_ids_are_unknown(api, keeper, march):
    other = company_create(Company(name="Ander BV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    foreign = Warehouse.objects.get(company=other)
    response = api.get(f"{API}forecast/", {"warehouse": foreign.pk})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["warehouse"]
    assert Lot.objects.filter(company=other).count() == 0


@pytest.mark.parametrize("slug", SLUGS)
def test_the_api_needs_the_report_permission(company, slug):
    client = APIClient()
    client.force_authenticate(UserFactory(username="clerk", companies=[company], roles=["Employee"]))
    assert client.get(f"{API}{slug}/").status_code == 403
