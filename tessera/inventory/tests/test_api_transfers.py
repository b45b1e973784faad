"""Transfers through the API: receipt with lots, delivery in parts with a backorder, a return; bad input
answered with problem+json and nothing written; idempotent validation; other companies' ids refused."""

import json
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from django.db import connection

from tessera.accounting.models import JournalEntry
from tessera.core.models import AuditEntry, Company, Currency, IdempotencyKey
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import ProductCategoryFactory, unit
from tessera.inventory.models import (
    InventoryCount,
    InventoryCountLine,
    Location,
    Lot,
    Move,
    MoveLine,
    ProcurementNeed,
    Quant,
    Scrap,
    Transfer,
    ValuationLayer,
    Warehouse,
)

from .conftest import make_product

API = "/api/v1/inventory"
TRANSFERS = f"{API}/transfers/"
PROBLEM = "application/problem+json"
TABLES = (
    Transfer, Move, MoveLine, Quant, Lot, ValuationLayer, InventoryCount, InventoryCountLine, Scrap, ProcurementNeed,
    Warehouse, Location, JournalEntry, AuditEntry, IdempotencyKey,
)  # fmt: skip


def inventory_rows() -> dict[str, object]:
    """Rows per inventory table (and the ledgers and audit trail), and the total on hand and reserved."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    result: dict[str, object] = {model.__name__: count for model, count in zip(TABLES, row, strict=True)}
    result["quants"] = sorted((q.pk, q.quantity, q.reserved_quantity) for q in Quant.objects.all())
    result["moves"] = sorted((m.pk, m.state, m.reserved_quantity, m.transfer_id) for m in Move.objects.all())
    result["transfers"] = sorted((t.pk, t.state) for t in Transfer.objects.all())
    return result


@contextmanager
def nothing_written():
    before = inventory_rows()
    yield
    assert inventory_rows() == before


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert (body["status"], body["code"]) == (status, code)
    return body


@pytest.fixture
def paint(company, category):
    return make_product(company, category, "Paint", cost="5", tracking="lot", use_expiry=True)


@pytest.fixture
def phone(company, category):
    return make_product(company, category, "Phone", cost="300", tracking="serial")


def make_rival() -> Company:
    """Another company, with its own warehouse and locations."""
    return company_create(
        Company(name="Concurrent SA", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0403170701"),
        by=system_user(),
    )


@pytest.fixture
def rival(db):
    return make_rival()


def create(api, kind, warehouse, partner, *moves):
    body = {"kind": kind, "warehouse": warehouse.pk, "partner": partner.pk if partner else None, "moves": list(moves)}
    response = api.post(TRANSFERS, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def post(api, transfer_id, verb, body=None, **headers):
    return api.post(f"{TRANSFERS}{transfer_id}/{verb}/", body or {}, format="json", **headers)


def on_hand(product, location, lot=None):
    return sum((q.quantity for q in Quant.objects.filter(product=product, location=location, lot=lot)), D(0))


def test_receive_with_lots_deliver_in_parts_and_return(api, company, warehouse, stock, supplier, customer, chair, paint):
    receipt = create(api, "receipt", warehouse, supplier,
                     {"product": chair.pk, "quantity": "10", "unit_cost": "40"},
                     {"product": paint.pk, "quantity": "6", "unit_cost": "5"})  # fmt: skip
    suppliers = Location.objects.get(company=company, usage="supplier")
    assert (receipt["state"], receipt["number"][:3], receipt["source_location"], receipt["destination_location"]) == (
        "draft", "IN/", suppliers.pk, stock.pk,
    )  # fmt: skip
    assert [(m["product"], m["quantity"], m["uom"], m["state"]) for m in receipt["moves"]] == [
        (chair.pk, "10.000000", unit().pk, "draft"), (paint.pk, "6.000000", unit().pk, "draft"),
    ]  # fmt: skip
    confirmed = post(api, receipt["id"], "confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["state"] == "ready"
    chair_move, paint_move = (m["id"] for m in confirmed.json()["moves"])

    validated = post(api, receipt["id"], "validate", {"moves": [
        {"move": chair_move, "quantity": "10"},
        {"move": paint_move, "quantity": "4", "lot": "P-1", "expiry_date": "2027-01-31"},
        {"move": paint_move, "quantity": "2", "lot": "P-2", "expiry_date": "2026-12-31"},
    ]})  # fmt: skip
    assert validated.status_code == 200, validated.content
    body = validated.json()
    assert (body["transfer"]["state"], body["backorder"]) == ("done", None)
    paint_lines = [(line["lot_name"], line["quantity"], line["done"]) for line in body["transfer"]["moves"][1]["lines"]]
    assert paint_lines == [("P-1", "4.000000", True), ("P-2", "2.000000", True)]
    p1, p2 = Lot.objects.get(product=paint, name="P-1"), Lot.objects.get(product=paint, name="P-2")
    assert (str(p1.expiry_date), on_hand(chair, stock), on_hand(paint, stock, p1), on_hand(paint, stock, p2)) == (
        "2027-01-31", D(10), D(4), D(2),
    )  # fmt: skip

    delivery = create(api, "delivery", warehouse, customer,
                      {"product": chair.pk, "quantity": "8"}, {"product": paint.pk, "quantity": "5"})  # fmt: skip
    confirmed = post(api, delivery["id"], "confirm").json()
    assert confirmed["state"] == "ready"
    chair_move, paint_move = confirmed["moves"]
    assert (chair_move["state"], chair_move["reserved_quantity"]) == ("ready", "8.000000")
    # Lots that expire leave first-expiring first (FEFO): P-2, then P-1.
    assert [(line["lot_name"], line["reserved_quantity"]) for line in paint_move["lines"]] == [
        ("P-2", "2.000000"), ("P-1", "3.000000"),
    ]  # fmt: skip

    validated = post(api, delivery["id"], "validate", {"moves": [
        {"move": chair_move["id"], "quantity": "5"}, {"move": paint_move["id"], "quantity": "2", "lot": "P-2"},
    ]})  # fmt: skip
    assert validated.status_code == 200, validated.content
    body = validated.json()
    assert body["transfer"]["state"] == "done"
    assert [(m["product"], m["quantity"], m["state"]) for m in body["transfer"]["moves"]] == [
        (chair.pk, "5.000000", "done"), (paint.pk, "2.000000", "done"),
    ]  # fmt: skip
    backorder = api.get(f"{TRANSFERS}{body['backorder']}/").json()
    assert (backorder["backorder_of"], backorder["state"], backorder["kind"]) == (delivery["id"], "ready", "delivery")
    assert [(m["product"], m["product_quantity"], m["reserved_quantity"]) for m in backorder["moves"]] == [
        (chair.pk, "3.000000", "3.000000"), (paint.pk, "3.000000", "3.000000"),
    ]  # fmt: skip
    quant = Quant.objects.get(product=chair, location=stock)
    assert (quant.quantity, quant.reserved_quantity) == (D(5), D(3))

    returned = post(api, delivery["id"], "return", {"moves": [{"move": chair_move["id"], "quantity": "2"}]})
    assert returned.status_code == 201, returned.content
    back = returned.json()
    assert (back["kind"], back["state"], back["return_of"], back["source_location"], back["destination_location"]) == (
        "receipt", "ready", delivery["id"], Location.objects.get(company=company, usage="customer").pk, stock.pk,
    )  # fmt: skip
    returned_moves = [(m["product"], m["quantity"], m["returned_move"]) for m in back["moves"]]
    assert returned_moves == [(chair.pk, "2.000000", chair_move["id"])]
    assert post(api, back["id"], "validate").json()["transfer"]["state"] == "done"
    assert (on_hand(chair, stock), on_hand(paint, stock, p1), on_hand(paint, stock, p2)) == (D(7), D(4), D(0))
    moves = api.get(f"{API}/moves/", {"product": chair.pk, "state": "done"}).json()
    assert [(m["quantity"], m["reference"]) for m in moves["results"]][::-1] == [
        ("10.000000", receipt["number"]), ("5.000000", delivery["number"]), ("2.000000", back["number"]),
    ]  # fmt: skip


def test_draft_moves_are_replaced_and_only_drafts_are_deleted(api, warehouse, supplier, chair, table):
    draft = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "1"})
    patched = api.patch(f"{TRANSFERS}{draft['id']}/", {"moves": [{"product": table.pk, "quantity": "3"}], "note": "Dock 2"},
                        format="json")  # fmt: skip
    assert patched.status_code == 200, patched.content
    assert ([(m["product"], m["quantity"]) for m in patched.json()["moves"]], patched.json()["note"]) == (
        [(table.pk, "3.000000")], "Dock 2",
    )  # fmt: skip
    renamed = api.patch(f"{TRANSFERS}{draft['id']}/", {"origin": "PO-1"}, format="json")
    assert [(m["product"], m["quantity"]) for m in renamed.json()["moves"]] == [(table.pk, "3.000000")]
    post(api, draft["id"], "confirm")
    with nothing_written():
        assert_problem(api.patch(f"{TRANSFERS}{draft['id']}/", {"origin": "PO-2"}, format="json"), 409, "transfer_not_draft")
        assert_problem(api.delete(f"{TRANSFERS}{draft['id']}/"), 409, "transfer_not_draft")
    other = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "1"})
    assert api.delete(f"{TRANSFERS}{other['id']}/").status_code == 204
    assert not Transfer.objects.filter(pk=other["id"]).exists()
    cancelled = post(api, draft["id"], "cancel")
    assert (cancelled.json()["state"], [m["state"] for m in cancelled.json()["moves"]]) == ("cancelled", ["cancelled"])


def test_more_than_reserved_needs_the_override(api, company, warehouse, stock, supplier, customer, chair):
    receipt = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "3"})
    post(api, receipt["id"], "confirm")
    post(api, receipt["id"], "validate")
    delivery = create(api, "delivery", warehouse, customer, {"product": chair.pk, "quantity": "5"})
    confirmed = post(api, delivery["id"], "confirm").json()
    [move] = confirmed["moves"]
    assert (confirmed["state"], move["state"], move["reserved_quantity"]) == ("waiting", "partial", "3.000000")
    with nothing_written():
        problem = assert_problem(post(api, delivery["id"], "validate", {"moves": [{"move": move["id"], "quantity": "5"}]}),
                                 409, "more_than_reserved")  # fmt: skip
    assert problem["detail"] == f"Only 3 of {chair} are reserved for this move: reserve more, or confirm the override."
    unreserved = post(api, delivery["id"], "unreserve").json()
    assert (unreserved["state"], unreserved["moves"][0]["reserved_quantity"]) == ("waiting", "0.000000")
    # Nothing reserved: more than on hand needs the override too.
    with nothing_written():
        assert_problem(post(api, delivery["id"], "validate", {"moves": [{"move": move["id"], "quantity": "4"}]}),
                       409, "more_than_reserved")  # fmt: skip
    forced = post(api, delivery["id"], "validate", {"moves": [{"move": move["id"], "quantity": "5"}], "force": True,
                                                     "backorder": False})  # fmt: skip
    assert forced.status_code == 200, forced.content
    assert (forced.json()["transfer"]["state"], forced.json()["backorder"]) == ("done", None)
    assert on_hand(chair, stock) == D(-2)


def test_a_serial_number_used_twice_is_refused(api, warehouse, supplier, phone):
    receipt = create(api, "receipt", warehouse, supplier, {"product": phone.pk, "quantity": "2"})
    [move] = post(api, receipt["id"], "confirm").json()["moves"]
    one = {"move": move["id"], "quantity": "1"}
    twice = {"moves": [{**one, "lot": "SN-1"}, {**one, "lot": "SN-1"}]}
    with nothing_written():
        problem = assert_problem(post(api, receipt["id"], "validate", twice), 400, "serial_twice")
        assert problem["detail"] == "Serial number SN-1 is used twice."
        problem = assert_problem(post(api, receipt["id"], "validate", {"moves": [{"move": move["id"], "quantity": "2"}]}),
                                 400, "lot_required")  # fmt: skip
        assert problem["detail"] == f"{phone} is tracked: give the lot or serial number of what was moved."
    distinct = {"moves": [{**one, "lot": "SN-1"}, {**one, "lot": "SN-2"}]}
    assert post(api, receipt["id"], "validate", distinct).status_code == 200
    again = create(api, "receipt", warehouse, supplier, {"product": phone.pk, "quantity": "1"})
    [move] = post(api, again["id"], "confirm").json()["moves"]
    with nothing_written():
        in_stock = {"moves": [{"move": move["id"], "quantity": "1", "lot": "SN-2"}]}
        problem = assert_problem(post(api, again["id"], "validate", in_stock), 400, "serial_twice")
    assert problem["detail"] == f"Serial number SN-2 of {phone} is already in stock at WH/Stock."


def test_bad_transfers_are_refused_and_write_nothing(api, company, warehouse, stock, supplier, chair):
    suppliers = Location.objects.get(company=company, usage="supplier")
    customers = Location.objects.get(company=company, usage="customer")
    body = {"kind": "receipt", "warehouse": warehouse.pk, "source_location": suppliers.pk, "destination_location": customers.pk,
            "moves": [{"product": chair.pk, "quantity": "1"}]}  # fmt: skip
    with nothing_written():
        problem = assert_problem(api.post(TRANSFERS, body, format="json"), 400, "transfer_direction")
        assert problem["detail"] == "A receipt brings goods into stock."
        internal = {**body, "kind": "internal"}
        assert assert_problem(api.post(TRANSFERS, internal, format="json"), 400, "transfer_direction")["detail"] == (
            "An internal transfer stays in stock."
        )
        kilos = {"kind": "receipt", "warehouse": warehouse.pk, "moves": [
            {"product": chair.pk, "quantity": "1"}, {"product": chair.pk, "quantity": "2", "uom": unit("kg").pk},
        ]}  # fmt: skip
        problem = assert_problem(api.post(TRANSFERS, kilos, format="json"), 400, "uom_category")
        assert problem["detail"] == f"Line 2: {chair} is counted in Unit: kg measures something else."
        assert problem["errors"] == {"moves.1.uom": [f"{chair} is counted in Unit: kg measures something else."]}
        zero = {"kind": "receipt", "warehouse": warehouse.pk, "moves": [{"product": chair.pk, "quantity": "0"}]}
        assert assert_problem(api.post(TRANSFERS, zero, format="json"), 400, "invalid")["errors"] == {
            "moves.0.quantity": ["The quantity must be more than zero."]
        }
    draft = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "1"})
    with nothing_written():
        problem = assert_problem(post(api, draft["id"], "validate"), 409, "transfer_not_open")
        assert problem["detail"] == f"Transfer {draft['number']} is Draft: confirm it first, or it is over."
    [move] = post(api, draft["id"], "confirm").json()["moves"]
    with nothing_written():
        problem = assert_problem(post(api, draft["id"], "validate", {"moves": [{"move": move["id"] + 1000, "quantity": "1"}]}),
                                 400, "invalid")  # fmt: skip
        assert problem["detail"] == f"These moves are not open moves of this transfer: [{move['id'] + 1000}]."
        problem = assert_problem(post(api, draft["id"], "validate", {"moves": [{"move": move["id"], "quantity": "-1"}]}),
                                 400, "invalid")  # fmt: skip
        assert list(problem["errors"]) == ["moves.0.quantity"]
        problem = assert_problem(post(api, draft["id"], "validate", {"moves": [{"move": move["id"], "quantity": "0"}]}),
                                 400, "nothing_done")  # fmt: skip
        problem = assert_problem(post(api, draft["id"], "validate", {"moves": []}), 400, "nothing_done")
        assert problem["detail"] == "Nothing was moved: give the quantities done."
        problem = assert_problem(post(api, draft["id"], "return"), 409, "transfer_not_done")
        assert problem["detail"] == "Only a done transfer can be returned."


def test_returning_more_than_was_done_is_refused(api, warehouse, supplier, chair):
    receipt = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "4"})
    post(api, receipt["id"], "confirm")
    [move] = post(api, receipt["id"], "validate").json()["transfer"]["moves"]
    back = post(api, receipt["id"], "return", {"moves": [{"move": move["id"], "quantity": "3"}]}).json()
    assert (back["kind"], back["moves"][0]["quantity"]) == ("delivery", "3.000000")
    with nothing_written():
        problem = assert_problem(post(api, receipt["id"], "return", {"moves": [{"move": move["id"], "quantity": "2"}]}),
                                 400, "invalid")  # fmt: skip
    assert problem["detail"] == f"At most 1 of {chair} can still be returned."


def test_a_retried_validation_is_answered_from_the_first(api, warehouse, supplier, chair):
    receipt = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "4"})
    [move] = post(api, receipt["id"], "confirm").json()["moves"]
    body = {"moves": [{"move": move["id"], "quantity": "3"}]}
    first = post(api, receipt["id"], "validate", body, HTTP_IDEMPOTENCY_KEY="receipt-42-validate")
    assert first.status_code == 200, first.content
    rows = inventory_rows()
    again = post(api, receipt["id"], "validate", body, HTTP_IDEMPOTENCY_KEY="receipt-42-validate")
    assert (again.status_code, again["Idempotent-Replayed"], again.content) == (200, "true", first.content)
    assert inventory_rows() == rows
    assert Transfer.objects.filter(backorder_of=receipt["id"]).count() == 1
    other = post(api, receipt["id"], "validate", {"moves": []}, HTTP_IDEMPOTENCY_KEY="receipt-42-validate")
    assert_problem(other, 422, "idempotency_key_reused")


def test_other_companies_ids_are_unknown(api, company, warehouse, supplier, chair, rival):
    stranger = make_product(rival, ProductCategoryFactory(company=rival, name="Theirs"), "Stranger")
    rival_warehouse = Warehouse.objects.get(company=rival)
    rival_supplier = Location.objects.get(company=rival, usage="supplier")
    foreign = Transfer.objects.create(
        company=rival, kind="receipt", warehouse=rival_warehouse, source_location=rival_supplier,
        destination_location=rival_warehouse.stock_location, scheduled_date="2026-03-01T10:00:00Z",
    )  # fmt: skip
    with nothing_written():
        assert_problem(api.get(f"{TRANSFERS}{foreign.pk}/"), 404, "not_found")
        for verb in ("confirm", "validate", "cancel", "return"):
            assert_problem(post(api, foreign.pk, verb), 404, "not_found")
        assert api.get(TRANSFERS).json()["count"] == 0
        body = {"kind": "receipt", "warehouse": rival_warehouse.pk, "moves": [{"product": stranger.pk, "quantity": "1"}]}
        problem = assert_problem(api.post(TRANSFERS, body, format="json"), 400, "invalid")
        assert set(problem["errors"]) == {"warehouse", "moves.0.product"}
    mine = create(api, "receipt", warehouse, supplier, {"product": chair.pk, "quantity": "1"})
    [move] = post(api, mine["id"], "confirm").json()["moves"]
    with nothing_written():
        bin_elsewhere = {"moves": [{"move": move["id"], "quantity": "1", "location": rival_warehouse.stock_location_id}]}
        problem = assert_problem(post(api, mine["id"], "validate", bin_elsewhere), 400, "invalid")
        assert list(problem["errors"]) == ["moves.0.location"]
