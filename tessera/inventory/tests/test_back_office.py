"""The inventory back office: every page renders, documents go through their workflows by their
buttons and pages, errors are shown and write nothing, and other companies' records stay out of reach."""

import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import ProductCategoryFactory, UserFactory
from tessera.inventory.models import (
    InventoryCount,
    Location,
    Lot,
    Move,
    MoveLine,
    ProcurementNeed,
    Quant,
    ReorderingRule,
    Scrap,
    Transfer,
    TransferKind,
    Warehouse,
)
from tessera.inventory.services import MoveDraft, count_create, count_start, transfer_confirm, transfer_save, transfer_validate
from tessera.inventory.states import CountState, MoveState, NeedState, TransferState

from .conftest import make_product

YEAR = timezone.localdate().year


@pytest.fixture
def browser(client, keeper):
    client.force_login(keeper)
    return client


def transfer(company, warehouse, keeper, kind, product, quantity, *, partner=None, confirm=True, done=False, cost="40"):
    document = transfer_save(
        Transfer(company=company, kind=kind, warehouse=warehouse, partner=partner),
        [MoveDraft(product, D(quantity), unit_cost=D(cost) if kind == TransferKind.RECEIPT else None)],
        by=keeper,
    )
    if confirm:
        transfer_confirm(document, by=keeper)
    if done:
        transfer_validate(document, by=keeper)
    document.refresh_from_db()
    return document


def on_hand(product, location):
    quant = Quant.objects.filter(product=product, location=location).first()
    return (quant.quantity, quant.reserved_quantity) if quant else (D(0), D(0))


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def delivery(company, warehouse, keeper, chair, customer, supplier):
    """10 chairs in stock, 5 of them reserved for a customer's delivery."""
    transfer(company, warehouse, keeper, TransferKind.RECEIPT, chair, "10", partner=supplier, done=True)
    return transfer(company, warehouse, keeper, TransferKind.DELIVERY, chair, "5", partner=customer)


LISTS = ["warehouse", "location", "productstock", "categoryvaluation", "transfer", "move", "quant", "lot", "reorderingrule",
         "procurementneed", "inventorycount", "scrap", "valuationlayer"]  # fmt: skip
ADDS = ["warehouse", "location", "productstock", "categoryvaluation", "transfer", "lot", "reorderingrule", "inventorycount",
        "scrap"]  # fmt: skip


def test_every_list_and_add_page_renders(browser, delivery, chair, warehouse):
    ReorderingRule.objects.create(company=warehouse.company, product=chair, warehouse=warehouse,
                                  location=warehouse.stock_location, min_quantity=D(1), max_quantity=D(5))  # fmt: skip
    for model in LISTS:
        response = browser.get(f"/admin/inventory/{model}/")
        assert response.status_code == 200, model
    for model in ADDS:
        assert browser.get(f"/admin/inventory/{model}/add/").status_code == 200, model
    filtered = browser.get(
        "/admin/inventory/quant/", {"location__warehouse__id__exact": warehouse.pk, "product__id__exact": chair.pk}
    )
    assert [(q.product, q.quantity, q.reserved_quantity) for q in filtered.context["cl"].result_list] == [(chair, D(10), D(5))]
    for page in (f"/admin/inventory/transfer/{delivery.pk}/change/", f"/admin/inventory/transfer/{delivery.pk}/history/",
                 f"/admin/inventory/move/{delivery.moves.get().pk}/change/", "/admin/"):  # fmt: skip
        assert browser.get(page).status_code == 200, page


def test_the_sidebar_has_the_inventory_section(browser):
    page = browser.get("/admin/").content.decode()
    assert "Inventory" in page and "/admin/inventory/transfer/" in page and "/admin/inventory/quant/" in page


def test_lists_export_to_csv_and_xlsx(browser, delivery, chair):
    ids = list(Quant.objects.values_list("pk", flat=True))
    csv = browser.post("/admin/inventory/quant/", {"action": "export_csv", "_selected_action": ids})
    assert csv.content.decode().splitlines() == ["Product,Location,Lot,On hand,Reserved,Available",
                                                 "[CHAIR] Chair,WH/Stock,,10.000000,5.000000,5.000000"]  # fmt: skip
    xlsx = browser.post("/admin/inventory/quant/", {"action": "export_xlsx", "_selected_action": ids})
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["Product", "Location", "Lot", "On hand", "Reserved", "Available"],
        ["[CHAIR] Chair", "WH/Stock", None, 10, 5, 5],
    ]


def test_a_warehouse_is_created_with_its_locations(browser, company):
    response = browser.post("/admin/inventory/warehouse/add/", {"name": "Gent depot", "code": "gnt", "active": "on"})
    assert response.status_code == 302
    warehouse = Warehouse.objects.get(company=company, code="GNT")
    assert (warehouse.view_location.full_name, warehouse.stock_location.full_name) == ("GNT", "GNT/Stock")
    page = browser.get(f"/admin/inventory/warehouse/{warehouse.pk}/change/").content.decode()
    assert "GNT/Stock" in page


def test_a_location_is_saved_under_its_parent(browser, company, stock, warehouse):
    response = browser.post("/admin/inventory/location/add/", {"name": "Shelf A", "parent": stock.pk, "usage": "internal",
                                                               "barcode": "", "active": "on"})  # fmt: skip
    assert response.status_code == 302
    shelf = Location.objects.get(company=company, name="Shelf A")
    assert (shelf.full_name, shelf.warehouse) == ("WH/Stock/Shelf A", warehouse)


class TestTransfers:
    def test_a_draft_is_typed_and_confirmed_with_the_button(self, browser, company, warehouse, stock, chair, supplier):
        now = timezone.localtime()
        form = {
            "kind": "receipt", "warehouse": warehouse.pk, "partner": supplier.pk, "source_location": "",
            "destination_location": "", "scheduled_date_0": now.strftime("%Y-%m-%d"), "scheduled_date_1": "10:00:00",
            "origin": "PO-7", "note": "",
            "moves-TOTAL_FORMS": "2", "moves-INITIAL_FORMS": "0", "moves-MIN_NUM_FORMS": "0", "moves-MAX_NUM_FORMS": "1000",
            "moves-0-product": chair.pk, "moves-0-quantity": "6", "moves-0-uom": "", "moves-0-unit_cost": "41",
            "moves-1-product": "", "moves-1-quantity": "", "moves-1-uom": "", "moves-1-unit_cost": "",
        }  # fmt: skip
        response = browser.post("/admin/inventory/transfer/add/", form)
        assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
        receipt = Transfer.objects.get(origin="PO-7")
        assert (receipt.number, receipt.state, receipt.destination_location) == (f"IN/{YEAR}/00001", "draft", stock)
        move = receipt.moves.get()
        assert (move.product, move.quantity, move.uom, move.unit_cost) == (chair, D(6), chair.uom, D(41))

        page = browser.get(f"/admin/inventory/transfer/{receipt.pk}/change/").content.decode()
        assert 'data-state="draft"' in page and f"/{receipt.pk}/do/confirm/" in page and "/validate/" not in page
        done = browser.post(f"/admin/inventory/transfer/{receipt.pk}/do/confirm/", follow=True)
        assert "The transfer is confirmed." in messages_of(done)
        receipt.refresh_from_db()
        assert receipt.state == TransferState.READY
        page = browser.get(f"/admin/inventory/transfer/{receipt.pk}/change/").content.decode()
        assert 'data-state="ready"' in page and f"/{receipt.pk}/validate/" in page and 'name="moves-0-quantity"' not in page

    def test_a_wrong_direction_is_shown_and_nothing_is_saved(self, browser, warehouse, stock, chair):
        now = timezone.localtime()
        form = {
            "kind": "delivery", "warehouse": warehouse.pk, "partner": "", "source_location": stock.pk,
            "destination_location": stock.pk, "scheduled_date_0": now.strftime("%Y-%m-%d"), "scheduled_date_1": "10:00:00",
            "origin": "", "note": "", "moves-TOTAL_FORMS": "1", "moves-INITIAL_FORMS": "0", "moves-MIN_NUM_FORMS": "0",
            "moves-MAX_NUM_FORMS": "1000", "moves-0-product": chair.pk, "moves-0-quantity": "1",
        }  # fmt: skip
        response = browser.post("/admin/inventory/transfer/add/", form, follow=True)
        assert "A delivery takes goods out of stock." in messages_of(response)
        assert not Transfer.objects.exists()

    def test_a_partial_validation_leaves_a_backorder(self, browser, delivery, chair, stock):
        move = delivery.moves.get()
        page = browser.get(f"/admin/inventory/transfer/{delivery.pk}/validate/")
        assert page.status_code == 200 and page.context["form"][f"quantity_{move.pk}"].initial == D(5)
        assert "WH/Stock" in page.content.decode()  # the reserved line and where it comes from
        url = f"/admin/inventory/transfer/{delivery.pk}/validate/"
        response = browser.post(url, {f"quantity_{move.pk}": "3", "backorder": "on"}, follow=True)
        delivery.refresh_from_db()
        assert delivery.state == TransferState.DONE
        backorder = Transfer.objects.get(backorder_of=delivery)
        assert (backorder.state, backorder.moves.get().product_quantity) == (TransferState.READY, D(2))
        assert "The transfer is done." in messages_of(response)
        assert f'What is left is in the backorder <a href="/admin/inventory/transfer/{backorder.pk}/change/">' in (
            "".join(messages_of(response))
        )
        assert f"/admin/inventory/transfer/{backorder.pk}/change/" in response.content.decode()  # the change page links it
        assert on_hand(chair, stock) == (D(7), D(2))

    def test_more_than_reserved_needs_the_override(self, browser, delivery, chair, stock):
        move = delivery.moves.get()
        url = f"/admin/inventory/transfer/{delivery.pk}/validate/"
        response = browser.post(url, {f"quantity_{move.pk}": "7", "backorder": "on"})
        assert response.status_code == 200
        assert response.context["form"].non_field_errors() == [
            "Only 5 of [CHAIR] Chair are reserved for this move: reserve more, or confirm the override."
        ]
        delivery.refresh_from_db()
        assert delivery.state == TransferState.READY and not Transfer.objects.filter(backorder_of=delivery).exists()
        assert on_hand(chair, stock) == (D(10), D(5)) and not MoveLine.objects.filter(move=move, done=True).exists()

        browser.post(url, {f"quantity_{move.pk}": "7", "force": "on", "backorder": "on"})
        delivery.refresh_from_db()
        assert delivery.state == TransferState.DONE and delivery.moves.get().product_quantity == D(7)
        assert on_hand(chair, stock) == (D(3), D(0))

    def test_bad_quantities_are_form_errors(self, browser, delivery):
        move = delivery.moves.get()
        response = browser.post(f"/admin/inventory/transfer/{delivery.pk}/validate/", {f"quantity_{move.pk}": "-1"})
        assert response.context["form"].errors[f"quantity_{move.pk}"] == ["Ensure this value is greater than or equal to 0."]
        response = browser.post(f"/admin/inventory/transfer/{delivery.pk}/validate/", {f"quantity_{move.pk}": "0"})
        assert response.context["form"].non_field_errors() == ["Nothing was moved: give the quantities done."]
        delivery.refresh_from_db()
        assert delivery.state == TransferState.READY

    def test_lots_are_typed_on_the_validation_page(self, browser, company, warehouse, stock, keeper, category):
        wine = make_product(company, category, "Wine", cost="5", tracking="lot")
        receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, wine, "5", cost="5")
        move = receipt.moves.get()
        url = f"/admin/inventory/transfer/{receipt.pk}/validate/"
        response = browser.post(url, {f"quantity_{move.pk}": "5", f"lots_{move.pk}": "L1: 3, L2: 1", "backorder": "on"})
        assert response.context["form"].errors[f"lots_{move.pk}"] == ["The lots add up to 4, not 5."]
        assert not Lot.objects.exists()
        browser.post(url, {f"quantity_{move.pk}": "5", f"lots_{move.pk}": "L1: 3\nL2: 2", "backorder": "on"})
        receipt.refresh_from_db()
        assert receipt.state == TransferState.DONE
        assert sorted(Quant.objects.filter(product=wine).values_list("lot__name", "quantity")) == [("L1", D(3)), ("L2", D(2))]
        lot = Lot.objects.get(name="L1")
        page = browser.get("/admin/inventory/lot/").content.decode()
        assert f"?lot={lot.pk}" in page

    def test_serial_numbers_are_typed_one_a_line(self, browser, company, warehouse, stock, keeper, category, customer):
        laptop = make_product(company, category, "Laptop", cost="500", tracking="serial")
        receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, laptop, "2", cost="500")
        move = receipt.moves.get()
        url = f"/admin/inventory/transfer/{receipt.pk}/validate/"
        response = browser.post(url, {f"quantity_{move.pk}": "2", f"lots_{move.pk}": "SN-1", "backorder": "on"})
        assert response.context["form"].errors[f"lots_{move.pk}"] == ["1 serial numbers for 2 units."]
        browser.post(url, {f"quantity_{move.pk}": "2", f"lots_{move.pk}": "SN-1\nSN-2", "backorder": "on"})
        assert sorted(Quant.objects.filter(product=laptop).values_list("lot__name", "quantity")) == [
            ("SN-1", D(1)),
            ("SN-2", D(1)),
        ]

        out = transfer(company, warehouse, keeper, TransferKind.DELIVERY, laptop, "1", partner=customer)
        out_move = out.moves.get()
        page = browser.get(f"/admin/inventory/transfer/{out.pk}/validate/")
        assert page.context["form"][f"lots_{out_move.pk}"].initial == "SN-1: 1"  # what is reserved
        done = {f"quantity_{out_move.pk}": "1", f"lots_{out_move.pk}": "SN-1", "backorder": "on"}
        browser.post(f"/admin/inventory/transfer/{out.pk}/validate/", done)
        out.refresh_from_db()
        assert out.state == TransferState.DONE
        assert list(Quant.objects.filter(product=laptop, quantity__gt=0).values_list("lot__name", flat=True)) == ["SN-2"]

    def test_a_return_through_its_page(self, browser, delivery, chair, stock):
        move = delivery.moves.get()
        browser.post(f"/admin/inventory/transfer/{delivery.pk}/validate/", {f"quantity_{move.pk}": "5", "backorder": "on"})
        url = f"/admin/inventory/transfer/{delivery.pk}/return/"
        page = browser.get(url)
        assert page.status_code == 200 and page.context["form"][f"quantity_{move.pk}"].initial == D(5)
        too_much = browser.post(url, {f"quantity_{move.pk}": "6"})
        assert too_much.context["form"].errors[f"quantity_{move.pk}"] == ["Ensure this value is less than or equal to 5.000000."]
        assert not Transfer.objects.filter(return_of=delivery).exists()

        response = browser.post(url, {f"quantity_{move.pk}": "2"})
        back = Transfer.objects.get(return_of=delivery)
        assert response["Location"] == f"/admin/inventory/transfer/{back.pk}/change/"
        assert (back.kind, back.state) == (TransferKind.RECEIPT, TransferState.READY)
        assert [(m.product_quantity, m.returned_move_id) for m in back.moves.all()] == [(D(2), move.pk)]
        assert browser.get(url).context["form"][f"quantity_{move.pk}"].initial == D(3)

    def test_cancel_releases_the_reservation(self, browser, delivery, chair, stock):
        response = browser.post(f"/admin/inventory/transfer/{delivery.pk}/do/cancel/", follow=True)
        assert "The transfer is cancelled." in messages_of(response)
        delivery.refresh_from_db()
        assert delivery.state == TransferState.CANCELLED and on_hand(chair, stock) == (D(10), D(0))


def test_moves_are_read_only(browser, delivery):
    move = delivery.moves.get()
    page = browser.get(f"/admin/inventory/move/{move.pk}/change/").content.decode()
    assert 'name="quantity"' not in page
    assert browser.post(f"/admin/inventory/move/{move.pk}/change/", {"quantity": "1"}).status_code == 403
    assert browser.get("/admin/inventory/move/add/").status_code == 403


class TestCounts:
    def test_a_count_started_counted_and_validated(self, browser, delivery, chair, stock):
        browser.post(f"/admin/inventory/transfer/{delivery.pk}/do/cancel/")
        response = browser.post("/admin/inventory/inventorycount/add/", {"location": stock.pk, "date": "2026-03-02", "note": "",
                                                                         "_continue": "1"})  # fmt: skip
        count = InventoryCount.objects.get()
        assert response["Location"] == f"/admin/inventory/inventorycount/{count.pk}/change/"
        assert (count.number, count.state) == ("CNT/2026/00001", CountState.DRAFT)
        browser.post(f"/admin/inventory/inventorycount/{count.pk}/do/start/")
        count.refresh_from_db()
        [line] = count.lines.all()
        assert (count.state, line.product, line.expected_quantity) == (CountState.IN_PROGRESS, chair, D(10))

        def counted(quantity):
            return browser.post(f"/admin/inventory/inventorycount/{count.pk}/change/", {
                "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
                "lines-0-id": line.pk, "lines-0-count": count.pk, "lines-0-counted_quantity": quantity,
                "lines-2-TOTAL_FORMS": "0", "lines-2-INITIAL_FORMS": "0", "lines-2-MIN_NUM_FORMS": "0",
                "lines-2-MAX_NUM_FORMS": "1000",
            })  # fmt: skip

        negative = counted("-1")
        assert negative.status_code == 200
        assert negative.context["inline_admin_formsets"][0].formset.errors[0]["counted_quantity"] == [
            "Ensure this value is greater than or equal to 0."
        ]
        line.refresh_from_db()
        assert line.counted_quantity is None
        assert counted("9").status_code == 302
        line.refresh_from_db()
        assert line.counted_quantity == D(9)

        browser.post(f"/admin/inventory/inventorycount/{count.pk}/do/validate/")
        count.refresh_from_db()
        line.refresh_from_db()
        assert count.state == CountState.DONE
        adjustment = line.move
        assert (adjustment.state, adjustment.product_quantity) == (MoveState.DONE, D(1))
        assert (adjustment.source_location, adjustment.destination_location.usage) == (stock, "inventory")
        assert on_hand(chair, stock) == (D(9), D(0))

    def test_goods_the_books_did_not_expect_are_counted_as_new_lines(self, browser, stock, keeper, table):
        count = count_start(count_create(stock, by=keeper), by=keeper)
        assert count.lines.count() == 0
        management = {"lines-TOTAL_FORMS": "0", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
                      "lines-MAX_NUM_FORMS": "1000", "lines-2-INITIAL_FORMS": "0", "lines-2-MIN_NUM_FORMS": "0",
                      "lines-2-MAX_NUM_FORMS": "1000", "lines-2-TOTAL_FORMS": "1"}  # fmt: skip
        found = {"lines-2-0-product": table.pk, "lines-2-0-location": "", "lines-2-0-lot_name": "", "lines-2-0-count": count.pk}
        missing = browser.post(f"/admin/inventory/inventorycount/{count.pk}/change/", {**management, **found})
        assert missing.status_code == 200
        assert missing.context["inline_admin_formsets"][1].formset.errors[0] == {"counted_quantity": ["This field is required."]}
        assert count.lines.count() == 0
        response = browser.post(f"/admin/inventory/inventorycount/{count.pk}/change/",
                                {**management, **found, "lines-2-0-counted_quantity": "3"})  # fmt: skip
        assert response.status_code == 302
        [line] = count.lines.all()
        assert (line.product, line.location, line.expected_quantity, line.counted_quantity) == (table, stock, D(0), D(3))
        browser.post(f"/admin/inventory/inventorycount/{count.pk}/do/validate/")
        assert on_hand(table, stock) == (D(3), D(0))


class TestScrap:
    def test_a_scrap_with_its_reason(self, browser, delivery, chair, stock):
        form = {"product": chair.pk, "quantity": "2", "uom": "", "lot": "", "location": stock.pk, "reason": ""}
        response = browser.post("/admin/inventory/scrap/add/", form)
        assert response.context["adminform"].form.errors["reason"] == ["This field is required."]
        too_much = browser.post("/admin/inventory/scrap/add/", {**form, "quantity": "6", "reason": "Broken"}, follow=True)
        assert "Only 5 of [CHAIR] Chair are free at WH/Stock." in messages_of(too_much)
        assert not Scrap.objects.exists()

        assert browser.post("/admin/inventory/scrap/add/", {**form, "reason": "Broken leg"}).status_code == 302
        scrap = Scrap.objects.get()
        assert (scrap.number, scrap.reason, scrap.uom, scrap.move.state) == (
            f"SCRAP/{YEAR}/00001",
            "Broken leg",
            chair.uom,
            "done",
        )
        assert scrap.move.destination_location.usage == "scrap"
        assert on_hand(chair, stock) == (D(8), D(5))
        page = browser.get(f"/admin/inventory/scrap/{scrap.pk}/change/").content.decode()
        assert 'name="reason"' not in page  # read-only once done


class TestReplenishment:
    def test_the_run_raises_a_need_for_a_rule_below_its_minimum(self, browser, warehouse, stock, chair, table):
        ReorderingRule.objects.create(company=warehouse.company, product=chair, warehouse=warehouse, location=stock,
                                      min_quantity=D(5), max_quantity=D(20), multiple=D(6))  # fmt: skip
        ReorderingRule.objects.create(company=warehouse.company, product=table, warehouse=warehouse, location=stock,
                                      min_quantity=D(0), max_quantity=D(4))  # fmt: skip
        page = browser.get("/admin/inventory/reorderingrule/").content.decode()
        assert 'id="replenishment-run"' in page
        response = browser.post("/admin/inventory/reorderingrule/run/", follow=True)
        assert "Replenishment run: 1 need raised." in messages_of(response)
        need = ProcurementNeed.objects.get()
        assert (need.product, need.quantity, need.route, need.state, need.location) == (chair, D(24), "manual", "open", stock)

        browser.post("/admin/inventory/procurementneed/", {"action": "mark_done", "_selected_action": [need.pk]})
        need.refresh_from_db()
        assert need.state == NeedState.DONE


class TestPermissionsAndCompanies:
    def test_a_user_cannot_add_warehouses(self, client, clerk):
        client.force_login(clerk)
        assert client.get("/admin/inventory/warehouse/").status_code == 200
        assert client.get("/admin/inventory/warehouse/add/").status_code == 403
        assert client.post("/admin/inventory/warehouse/add/", {"name": "X", "code": "X", "active": "on"}).status_code == 403
        assert Warehouse.objects.count() == 1

    def test_a_user_works_transfers_but_sees_no_settings_to_change(self, client, clerk, delivery):
        client.force_login(clerk)
        page = client.get("/admin/").content.decode()
        assert "/admin/inventory/transfer/" in page and "/admin/inventory/quant/" in page
        assert client.get(f"/admin/inventory/transfer/{delivery.pk}/validate/").status_code == 200
        assert client.get("/admin/inventory/reorderingrule/").status_code == 200
        assert client.post("/admin/inventory/reorderingrule/run/").status_code == 302
        assert not ProcurementNeed.objects.exists()  # no rule: nothing to raise
        assert client.get("/admin/inventory/productstock/add/").status_code == 403

    def test_another_companys_records_are_out_of_reach(self, browser, keeper, company):
        other = company_create(
            Company(name="Andere NV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user()
        )
        boss = UserFactory(username="other-keeper", companies=[other], roles=["Inventory / Manager"])
        lamp = make_product(other, ProductCategoryFactory(company=other), "Lamp", cost="10")
        foreign_warehouse = Warehouse.objects.get(company=other)
        receipt = transfer(other, foreign_warehouse, boss, TransferKind.RECEIPT, lamp, "3", cost="10")
        for url in (
            f"/admin/inventory/transfer/{receipt.pk}/change/",
            f"/admin/inventory/warehouse/{foreign_warehouse.pk}/change/",
        ):
            assert browser.get(url).status_code == 302  # Django's "does not exist" redirect
        assert browser.get(f"/admin/inventory/transfer/{receipt.pk}/validate/").status_code == 404
        assert browser.post(f"/admin/inventory/transfer/{receipt.pk}/validate/", {}).status_code == 404
        assert browser.get(f"/admin/inventory/transfer/{receipt.pk}/return/").status_code == 404
        browser.post(f"/admin/inventory/transfer/{receipt.pk}/do/cancel/")
        receipt.refresh_from_db()
        assert receipt.state == TransferState.READY
        listed = browser.get("/admin/inventory/transfer/").context["cl"].result_list
        assert receipt not in listed
        filters = browser.get("/admin/inventory/move/").content.decode()
        assert "Lamp" not in filters and "Andere" not in filters
        assert Move.objects.filter(product=lamp).count() == 1
