"""The inventory API's resources: warehouses, locations, product settings, lots, on hand, reordering rules
and procurement needs, counts and scrap; permissions and company scoping."""

from decimal import Decimal as D

import pytest
from rest_framework.test import APIClient

from tessera.core.tests.factories import ProductCategoryFactory, UserFactory, unit
from tessera.inventory.models import (
    InventoryCountLine,
    Location,
    Lot,
    ProcurementNeed,
    ProductStock,
    Quant,
    Scrap,
    Transfer,
    Warehouse,
)
from tessera.inventory.services import DoneQuantity, MoveDraft, transfer_confirm, transfer_save, transfer_validate

from .conftest import make_product
from .test_api_transfers import API, assert_problem, make_rival, nothing_written, on_hand


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def receive(keeper, warehouse, product, quantity, *, lot="", location=None):
    receipt = transfer_save(
        Transfer(company=warehouse.company, kind="receipt", warehouse=warehouse), [MoveDraft(product, D(quantity))], by=keeper
    )
    transfer_confirm(receipt, by=keeper)
    move = receipt.moves.get()
    transfer_validate(receipt, by=keeper, done={move.pk: [DoneQuantity(D(quantity), lot, location=location)]})


@pytest.fixture
def rival(db):
    return make_rival()


@pytest.fixture
def shelf(api, stock):
    response = api.post(f"{API}/locations/", {"name": "A1", "parent": stock.pk}, format="json")
    assert response.status_code == 201, response.content
    return Location.objects.get(pk=response.json()["id"])


# --- warehouses and locations --------------------------------------------------------------------


def test_a_warehouse_is_created_with_its_locations_and_keeps_its_code(api, company):
    response = api.post(f"{API}/warehouses/", {"name": "Depot Gent", "code": "gnt"}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    warehouse = Warehouse.objects.get(pk=created["id"])
    assert (created["code"], created["view_location"], created["stock_location"]) == (
        "GNT", warehouse.view_location_id, warehouse.stock_location_id,
    )  # fmt: skip
    locations = api.get(f"{API}/locations/", {"warehouse": warehouse.pk}).json()["results"]
    assert [(loc["full_name"], loc["usage"]) for loc in locations] == [("GNT", "view"), ("GNT/Stock", "internal")]
    renamed = api.patch(f"{API}/warehouses/{warehouse.pk}/", {"name": "Depot Gent-Zuid"}, format="json")
    assert (renamed.status_code, renamed.json()["name"]) == (200, "Depot Gent-Zuid")
    with nothing_written():
        problem = assert_problem(api.patch(f"{API}/warehouses/{warehouse.pk}/", {"code": "GNZ"}, format="json"), 400, "invalid")
        assert problem["errors"] == {"code": ["A warehouse keeps its code: its locations and transfers are named after it."]}
        problem = assert_problem(api.post(f"{API}/warehouses/", {"name": "Depot Gent-Zuid", "code": "GZ"}, format="json"),
                                 400, "invalid")  # fmt: skip
        assert problem["errors"] == {"name": ["Another warehouse already has this name."]}
        assert api.delete(f"{API}/warehouses/{warehouse.pk}/").status_code == 405


def test_locations_are_renamed_with_their_bins_and_filtered(api, warehouse, stock, shelf):
    bin_ = api.post(f"{API}/locations/", {"name": "B2", "parent": shelf.pk}, format="json").json()
    assert (bin_["full_name"], bin_["warehouse"], shelf.full_name, shelf.warehouse_id) == (
        "WH/Stock/A1/B2", warehouse.pk, "WH/Stock/A1", warehouse.pk,
    )  # fmt: skip
    assert api.patch(f"{API}/locations/{shelf.pk}/", {"name": "A9"}, format="json").status_code == 200
    assert api.get(f"{API}/locations/{bin_['id']}/").json()["full_name"] == "WH/Stock/A9/B2"
    internal = api.get(f"{API}/locations/", {"warehouse": warehouse.pk, "usage": "internal"}).json()["results"]
    assert [loc["full_name"] for loc in internal] == ["WH/Stock", "WH/Stock/A9", "WH/Stock/A9/B2"]
    with nothing_written():
        slash = api.post(f"{API}/locations/", {"name": "A/3", "parent": stock.pk}, format="json")
        assert assert_problem(slash, 400, "invalid")["errors"] == {"name": ["A location name cannot contain '/'."]}
        loop = api.patch(f"{API}/locations/{shelf.pk}/", {"parent": bin_["id"]}, format="json")
        problem = assert_problem(loop, 400, "invalid")
        assert problem["errors"] == {"parent": ["A location cannot be inside itself."]}
    assert api.delete(f"{API}/locations/{bin_['id']}/").status_code == 204


# --- product settings, lots ----------------------------------------------------------------------


def test_product_settings_take_a_registered_route(api, company, category, chair):
    settings = ProductStock.objects.get(product=chair)
    with nothing_written():
        problem = assert_problem(api.patch(f"{API}/product-settings/{settings.pk}/", {"route": "teleport"}, format="json"),
                                 400, "invalid")  # fmt: skip
    assert problem["errors"]["route"][0].startswith("No module provides the route teleport. Choose one of: ")
    assert "manual" in problem["errors"]["route"][0]
    changed = api.patch(f"{API}/product-settings/{settings.pk}/", {"tracking": "lot", "lead_days": 3}, format="json")
    assert (changed.status_code, changed.json()["tracking"], changed.json()["lead_days"]) == (200, "lot", 3)
    desk = make_product(company, category, "Desk")
    ProductStock.objects.filter(product=desk).delete()
    created = api.post(f"{API}/product-settings/", {"product": desk.pk, "tracking": "serial", "procurement_method": "mto"},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert (created.json()["route"], created.json()["procurement_method"]) == ("manual", "mto")


def test_lots_show_what_is_on_hand(api, keeper, warehouse, company, category):
    paint = make_product(company, category, "Paint", tracking="lot")
    created = api.post(f"{API}/lots/", {"product": paint.pk, "name": "L-7", "expiry_date": "2027-06-30"}, format="json")
    assert (created.status_code, created.json()["on_hand"]) == (201, "0.000000")
    receive(keeper, warehouse, paint, "12", lot="L-7")
    receive(keeper, warehouse, paint, "5", lot="L-8")
    lots = api.get(f"{API}/lots/", {"product": paint.pk}).json()["results"]
    assert [(lot["name"], lot["on_hand"], lot["expiry_date"]) for lot in lots] == [
        ("L-7", "12.000000", "2027-06-30"), ("L-8", "5.000000", None),
    ]  # fmt: skip
    with nothing_written():
        problem = assert_problem(api.post(f"{API}/lots/", {"product": paint.pk, "name": "L-7"}, format="json"), 400, "invalid")
        assert problem["errors"] == {"name": ["This product already has a lot or serial with this number."]}
        assert_problem(api.delete(f"{API}/lots/{created.json()['id']}/"), 409, "in_use")


# --- on hand -------------------------------------------------------------------------------------


def test_on_hand_filters_and_pages(api, keeper, company, category, warehouse, stock, shelf, chair, table, rival):
    paint = make_product(company, category, "Paint", tracking="lot")
    receive(keeper, warehouse, chair, "7")
    receive(keeper, warehouse, chair, "3", location=shelf)
    receive(keeper, warehouse, table, "2", location=shelf)
    receive(keeper, warehouse, paint, "4", lot="P-1")
    other = Warehouse.objects.create(company=company, name="Annex", code="ANX")

    def rows(**params):
        response = api.get(f"{API}/on-hand/", params)
        assert response.status_code == 200, response.content
        return [(q["product"], q["location_name"], q["lot_name"], q["quantity"]) for q in response.json()["results"]]

    everything = rows()
    assert sorted(everything) == sorted([
        (chair.pk, "WH/Stock", None, "7.000000"), (paint.pk, "WH/Stock", "P-1", "4.000000"),
        (chair.pk, "WH/Stock/A1", None, "3.000000"), (table.pk, "WH/Stock/A1", None, "2.000000"),
    ])  # fmt: skip
    assert rows(product=chair.pk) == [(chair.pk, "WH/Stock", None, "7.000000"), (chair.pk, "WH/Stock/A1", None, "3.000000")]
    assert rows(location=shelf.pk) == [(chair.pk, "WH/Stock/A1", None, "3.000000"), (table.pk, "WH/Stock/A1", None, "2.000000")]
    assert len(rows(location=stock.pk)) == 4
    assert rows(lot=Lot.objects.get(name="P-1").pk) == [(paint.pk, "WH/Stock", "P-1", "4.000000")]
    assert len(rows(warehouse=warehouse.pk)) == 4 and rows(warehouse=other.pk) == []
    first = api.get(f"{API}/on-hand/", {"page_size": 3}).json()
    second = api.get(first["next"]).json()
    assert (first["count"], len(first["results"]), len(second["results"]), second["next"]) == (4, 3, 1, None)
    assert {q["id"] for q in first["results"] + second["results"]} == set(Quant.objects.values_list("pk", flat=True))
    quant = first["results"][0]
    assert set(quant) == {"id", "product", "location", "location_name", "lot", "lot_name", "quantity", "reserved_quantity",
                          "available_quantity", "in_date"}  # fmt: skip
    foreign = Warehouse.objects.get(company=rival)
    problem = assert_problem(api.get(f"{API}/on-hand/", {"location": foreign.stock_location_id}), 400, "invalid")
    assert list(problem["errors"]) == ["location"]
    assert_problem(api.get(f"{API}/on-hand/", {"warehouse": foreign.pk}), 400, "invalid")


def test_on_hand_reads_a_page_in_a_fixed_number_of_queries(
    api, keeper, company, category, warehouse, django_assert_max_num_queries
):
    for number in range(12):
        receive(keeper, warehouse, make_product(company, category, f"Part {number}"), "1")
    with django_assert_max_num_queries(6):  # user's company, count, page (and the session's few)
        response = api.get(f"{API}/on-hand/", {"page_size": 50})
    assert response.json()["count"] == 12


# --- replenishment -------------------------------------------------------------------------------


def test_reordering_rules_raise_needs_that_are_then_filled(api, keeper, clerk, warehouse, stock, chair, table):
    receive(keeper, warehouse, chair, "2")
    created = api.post(f"{API}/reordering-rules/", {"product": chair.pk, "warehouse": warehouse.pk, "min_quantity": "5",
                                                     "max_quantity": "20", "multiple": "6"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    assert created.json()["location"] == stock.pk
    api.post(f"{API}/reordering-rules/", {"product": table.pk, "warehouse": warehouse.pk, "min_quantity": "0",
                                          "max_quantity": "4"}, format="json")  # fmt: skip
    with nothing_written():
        above = api.patch(f"{API}/reordering-rules/{created.json()['id']}/", {"min_quantity": "30"}, format="json")
        problem = assert_problem(above, 400, "invalid")
    assert problem["errors"] == {"max_quantity": ["The maximum cannot be below the minimum."]}
    ran = client_for(clerk).post(f"{API}/reordering-rules/run/", {}, format="json")
    assert ran.status_code == 200, ran.content
    # 2 on hand, so 18 to reach 20, rounded up to multiples of 6.
    [need] = ran.json()
    assert (need["product"], need["quantity"], need["route"], need["state"], need["rule"]) == (
        chair.pk, "18.000000", "manual", "open", created.json()["id"],
    )  # fmt: skip
    assert client_for(clerk).post(f"{API}/reordering-rules/run/", {"warehouse": warehouse.pk}, format="json").json() == []
    listed = api.get(f"{API}/procurement-needs/", {"state": "open"}).json()["results"]
    assert [row["id"] for row in listed] == [need["id"]]
    done = api.post(f"{API}/procurement-needs/{need['id']}/done/", {"document": "PO/2026/00001"}, format="json")
    assert (done.json()["state"], done.json()["fulfilled_by"]) == ("done", "PO/2026/00001")
    with nothing_written():
        cancelled = api.post(f"{API}/procurement-needs/{need['id']}/cancel/", format="json")
        problem = assert_problem(cancelled, 409, "invalid_transition")
    assert problem["detail"] == "A procurement need cannot go from Fulfilled to Cancelled."


# --- counts and scrap ----------------------------------------------------------------------------


def test_a_count_posts_its_differences(api, keeper, warehouse, stock, shelf, chair, table):
    receive(keeper, warehouse, chair, "10")
    receive(keeper, warehouse, table, "2", location=shelf)
    created = api.post(f"{API}/counts/", {"location": stock.pk, "note": "Year end"}, format="json")
    assert created.status_code == 201, created.content
    count = created.json()
    assert (count["state"], count["number"][:4], count["lines"]) == ("draft", "CNT/", [])
    started = api.post(f"{API}/counts/{count['id']}/start/", format="json").json()
    assert started["state"] == "in_progress"
    expected = [(line["product"], line["location"], line["expected_quantity"], line["counted_quantity"])
                for line in started["lines"]]  # fmt: skip
    assert expected == [(chair.pk, stock.pk, "10.000000", None), (table.pk, shelf.pk, "2.000000", None)]
    with nothing_written():
        negative = {"lines": [{"product": chair.pk, "quantity": "9"},
                              {"product": table.pk, "quantity": "-1", "location": shelf.pk}]}  # fmt: skip
        problem = assert_problem(api.post(f"{API}/counts/{count['id']}/record/", negative, format="json"), 400, "negative_count")
        assert (problem["detail"], problem["errors"]) == (
            "Line 2: a counted quantity cannot be negative.", {"lines.1.quantity": ["Count zero or more."]},
        )  # fmt: skip
    assert not InventoryCountLine.objects.filter(counted_quantity__isnull=False).exists()
    recorded = api.post(f"{API}/counts/{count['id']}/record/", {"lines": [
        {"product": chair.pk, "quantity": "9"}, {"product": table.pk, "quantity": "3", "location": shelf.pk},
    ]}, format="json")  # fmt: skip
    assert [line["counted_quantity"] for line in recorded.json()["lines"]] == ["9.000000", "3.000000"]
    validated = api.post(f"{API}/counts/{count['id']}/validate/", format="json").json()
    assert validated["state"] == "done" and all(line["move"] for line in validated["lines"])
    assert (on_hand(chair, stock), on_hand(table, shelf)) == (D(9), D(3))
    with nothing_written():
        assert_problem(api.post(f"{API}/counts/{count['id']}/cancel/", format="json"), 409, "invalid_transition")


def test_scrap_moves_goods_out_at_once(api, keeper, warehouse, stock, chair, company):
    receive(keeper, warehouse, chair, "4")
    created = api.post(f"{API}/scraps/", {"product": chair.pk, "quantity": "1", "location": stock.pk, "reason": "Broken leg"},
                       format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    scrap = created.json()
    assert (scrap["number"][:6], scrap["uom"], bool(scrap["move"])) == ("SCRAP/", unit().pk, True)
    assert on_hand(chair, stock) == D(3)
    with nothing_written():
        kilos = {"product": chair.pk, "quantity": "1", "uom": unit("kg").pk, "location": stock.pk, "reason": "Broken"}
        problem = assert_problem(api.post(f"{API}/scraps/", kilos, format="json"), 400, "uom_category")
        assert problem["errors"] == {"uom": [f"{chair} is counted in Unit: kg measures something else."]}
        too_many = {"product": chair.pk, "quantity": "5", "location": stock.pk, "reason": "Broken"}
        problem = assert_problem(api.post(f"{API}/scraps/", too_many, format="json"), 409, "not_enough_stock")
        assert problem["detail"] == f"Only 3 of {chair} are free at WH/Stock."
        customers = Location.objects.get(company=company, usage="customer").pk
        virtual = {"product": chair.pk, "quantity": "1", "location": customers, "reason": "Broken"}
        assert assert_problem(api.post(f"{API}/scraps/", virtual, format="json"), 400, "invalid")["errors"] == {
            "location": ["Goods are scrapped from a stock location."]
        }
    assert [row["reason"] for row in api.get(f"{API}/scraps/").json()["results"]] == ["Broken leg"]
    assert Scrap.objects.count() == 1


# --- permissions and companies -------------------------------------------------------------------


def test_permissions_follow_the_roles(api, clerk, company, warehouse, stock, chair):
    as_clerk = client_for(clerk)
    with nothing_written():
        shed = as_clerk.post(f"{API}/warehouses/", {"name": "Shed", "code": "SHD"}, format="json")
        assert_problem(shed, 403, "permission_denied")
        assert_problem(as_clerk.post(f"{API}/reordering-rules/", {"product": chair.pk, "warehouse": warehouse.pk,
                                                                 "min_quantity": "1", "max_quantity": "2"}, format="json"),
                       403, "permission_denied")  # fmt: skip
    assert as_clerk.get(f"{API}/warehouses/").status_code == 200
    receipt = as_clerk.post(f"{API}/transfers/", {"kind": "receipt", "warehouse": warehouse.pk,
                                                  "moves": [{"product": chair.pk, "quantity": "1"}]}, format="json")  # fmt: skip
    assert receipt.status_code == 201
    assert as_clerk.post(f"{API}/transfers/{receipt.json()['id']}/confirm/", format="json").status_code == 200
    assert as_clerk.post(f"{API}/transfers/{receipt.json()['id']}/validate/", format="json").status_code == 200
    outsider = client_for(UserFactory(username="bookkeeper", companies=[company], roles=["Accounting / User"]))
    for resource in ("warehouses", "locations", "transfers", "moves", "on-hand", "lots", "reordering-rules", "counts", "scraps",
                     "procurement-needs", "product-settings", "category-valuations"):  # fmt: skip
        assert_problem(outsider.get(f"{API}/{resource}/"), 403, "permission_denied")
    with nothing_written():
        assert_problem(outsider.post(f"{API}/counts/", {"location": stock.pk}, format="json"), 403, "permission_denied")
        assert_problem(outsider.post(f"{API}/reordering-rules/run/", {}, format="json"), 403, "permission_denied")


def test_other_companies_records_are_unknown(api, company, rival, chair, stock):
    theirs = Warehouse.objects.get(company=rival)
    their_product = make_product(rival, ProductCategoryFactory(company=rival, name="Theirs"), "Widget")
    their_lot = Lot.objects.create(company=rival, product=their_product, name="X-1")
    assert [row["code"] for row in api.get(f"{API}/warehouses/").json()["results"]] == ["WH"]
    locations = api.get(f"{API}/locations/", {"page_size": 500}).json()["results"]
    assert all(row["id"] != theirs.stock_location_id for row in locations)
    with nothing_written():
        assert_problem(api.get(f"{API}/warehouses/{theirs.pk}/"), 404, "not_found")
        renamed = api.patch(f"{API}/locations/{theirs.stock_location_id}/", {"name": "Mine"}, format="json")
        assert_problem(renamed, 404, "not_found")
        assert_problem(api.get(f"{API}/lots/{their_lot.pk}/"), 404, "not_found")
        assert_problem(api.get(f"{API}/product-settings/{ProductStock.objects.get(product=their_product).pk}/"), 404, "not_found")
        assert_problem(api.post(f"{API}/counts/", {"location": theirs.stock_location_id}, format="json"), 400, "invalid")
        problem = assert_problem(api.post(f"{API}/scraps/", {"product": their_product.pk, "quantity": "1", "location": stock.pk,
                                                             "reason": "x"}, format="json"), 400, "invalid")  # fmt: skip
        assert list(problem["errors"]) == ["product"]
        lot = api.post(f"{API}/lots/", {"product": their_product.pk, "name": "Y"}, format="json")
        problem = assert_problem(lot, 400, "invalid")
        assert list(problem["errors"]) == ["product"]
        run = api.post(f"{API}/reordering-rules/run/", {"warehouse": theirs.pk}, format="json")
        problem = assert_problem(run, 400, "invalid")
        assert list(problem["errors"]) == ["warehouse"]
    need = ProcurementNeed.objects.create(company=rival, product=their_product, quantity=1, date_needed="2026-03-01",
                                          warehouse=theirs, location=theirs.stock_location, route="manual")  # fmt: skip
    with nothing_written():
        assert_problem(api.post(f"{API}/procurement-needs/{need.pk}/done/", {}, format="json"), 404, "not_found")
