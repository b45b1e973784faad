"""Purchasing through the API: an RFQ priced by the supplier, approved, received in part, billed and
matched, with exact figures; supplier prices and settings; bad input answered with problem+json and
nothing written; roles, other companies' ids, retried POSTs and list queries."""

import datetime
import json
from contextlib import contextmanager
from decimal import Decimal as D
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tessera.accounting.models import Invoice, InvoiceLine, Journal
from tessera.core.models import AuditEntry, Company, Currency, IdempotencyKey
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, UserFactory, unit
from tessera.inventory.models import Move, Transfer
from tessera.purchasing.models import BillMatch, BillMatchLine, PurchaseOrder, PurchaseOrderLine, PurchaseSettings, SupplierPrice

from .conftest import make_product, supplier_price

API = "/api/v1/purchasing/"
ORDERS = f"{API}orders/"
MATCHES = f"{API}bill-matches/"
PRICES = f"{API}supplier-prices/"
SETTINGS = f"{API}settings/"
INVOICES = "/api/v1/accounting/invoices/"
PROBLEM = "application/problem+json"
TABLES = (PurchaseOrder, PurchaseOrderLine, SupplierPrice, Transfer, Move, Invoice, InvoiceLine, BillMatch, BillMatchLine,
          AuditEntry, IdempotencyKey)  # fmt: skip


def purchasing_rows() -> dict[str, object]:
    """Rows per table an order touches, and each order's, line's, transfer's and match's state."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    result: dict[str, object] = {model.__name__: count for model, count in zip(TABLES, row, strict=True)}
    result["orders"] = sorted(PurchaseOrder.objects.values_list("pk", "state", "receipt_status", "bill_status", "amount_total"))
    result["lines"] = sorted(PurchaseOrderLine.objects.values_list("pk", "quantity", "price_unit", "qty_received", "qty_billed"))
    result["transfers"] = sorted(Transfer.objects.values_list("pk", "state"))
    result["moves"] = sorted(Move.objects.values_list("pk", "state", "quantity"))
    result["invoices"] = sorted(Invoice.objects.values_list("pk", "state", "payment_hold"))
    result["matches"] = sorted(BillMatch.objects.values_list("pk", "state"))
    result["settings"] = sorted(PurchaseSettings.objects.values_list("pk", "approval_amount", "quantity_tolerance"))
    return result


@contextmanager
def nothing_written():
    before = purchasing_rows()
    yield
    assert purchasing_rows() == before


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert (body["status"], body["code"]) == (status, code)
    return body


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def create(client, body, **headers) -> dict[str, Any]:
    response = client.post(ORDERS, body, format="json", headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


def act(client, order_id, verb, body=None):
    return client.post(f"{ORDERS}{order_id}/{verb}/", body or {}, format="json")


def done(client, order_id, verb, body=None) -> dict[str, Any]:
    response = act(client, order_id, verb, body)
    assert response.status_code == 200, response.content
    return response.json()


def placed(client, supplier, product, quantity, price) -> dict[str, Any]:
    """A purchase order of one line at a typed price, confirmed by the manager."""
    order = create(
        client, {"partner": supplier.pk, "lines": [{"product": product.pk, "quantity": quantity, "price_unit": price}]}
    )
    return done(client, order["id"], "confirm")


@pytest.fixture
def rival(db):
    return company_create(
        Company(name="Concurrent SA", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0403170701"),
        by=system_user(),
    )


# --- the happy path ------------------------------------------------------------------------------


def test_an_rfq_priced_by_the_supplier_is_approved_received_billed_and_matched(api, company, warehouse, buyer, manager,
                                                                               supplier, steel):  # fmt: skip
    today = timezone.localdate()
    supplier_price(company, steel, supplier, "12.50", lead_days=7)
    as_buyer = client_for(buyer)
    order = create(
        as_buyer, {"partner": supplier.pk, "partner_ref": "Q-2041", "lines": [{"product": steel.pk, "quantity": "120"}]}
    )
    assert (order["number"], order["state"], order["date_order"], order["buyer"]) == (
        f"PO/{today.year}/00001", "draft", today.isoformat(), buyer.pk,
    )  # fmt: skip
    assert (order["warehouse"], order["currency"], order["receipt_status"], order["bill_status"]) == (
        warehouse.pk, company.currency_id, "nothing", "nothing",
    )  # fmt: skip
    [line] = order["lines"]
    assert (line["product"], line["description"], line["quantity"], line["uom"], line["price_unit"], line["date_planned"],
            line["amount_untaxed"], len(line["taxes"])) == (
        steel.pk, "Steel plate", "120.000000", steel.uom_id, "12.500000", (today + datetime.timedelta(days=7)).isoformat(),
        "1500.0000", 1,
    )  # fmt: skip
    # 120 × 12.50 = 1,500.00 untaxed, 21 % VAT: above the 1,000.00 a buyer may place alone.
    assert (order["amount_untaxed"], order["amount_tax"], order["amount_total"]) == ("1500.0000", "315.0000", "1815.0000")

    waiting = done(as_buyer, order["id"], "confirm")
    assert (waiting["state"], waiting["transfers"], waiting["approved_by"]) == ("to_approve", [], None)
    approved = done(api, order["id"], "approve")
    [receipt] = Transfer.objects.filter(purchase_orders=order["id"])
    assert (approved["state"], approved["approved_by"], approved["transfers"], approved["receipt_status"]) == (
        "purchase", manager.pk, [receipt.pk], "nothing",
    )  # fmt: skip

    received = done(api, order["id"], "receive", {"lines": [{"line": line["id"], "quantity": "50"}], "backorder": True})
    [line] = received["lines"]
    assert (line["qty_received"], line["received_date"], received["receipt_status"], received["bill_status"]) == (
        "50.000000", None, "partial", "to_bill",
    )  # fmt: skip
    backorder = Transfer.objects.get(backorder_of=receipt)
    assert (sorted(received["transfers"]), backorder.state, [m.quantity for m in backorder.moves.all()]) == (
        sorted([receipt.pk, backorder.pk]), "ready", [D(70)],
    )  # fmt: skip

    response = act(api, order["id"], "bill", {"ref": "F-2026-118", "date": today.isoformat()})
    assert response.status_code == 201, response.content
    bill = response.json()
    assert (bill["kind"], bill["state"], bill["partner"], bill["ref"], bill["date"], bill["number"]) == (
        "in_invoice", "draft", supplier.pk, "F-2026-118", today.isoformat(), "",
    )  # fmt: skip
    assert [(li["product"], li["description"], li["quantity"], li["price_unit"], li["subtotal"]) for li in bill["lines"]] == [
        (steel.pk, f"{order['number']}: Steel plate", "50.000000", "12.500000", "625.0000"),
    ]  # fmt: skip
    assert (bill["amount_untaxed"], bill["amount_tax"], bill["amount_total"]) == ("625.0000", "131.2500", "756.2500")
    assert api.get(f"{ORDERS}{order['id']}/").json()["invoices"] == [bill["id"]]

    posted = api.post(f"{INVOICES}{bill['id']}/post/", format="json")
    assert (posted.status_code, posted.json()["state"]) == (200, "posted"), posted.content
    matches = api.get(MATCHES)
    assert matches.status_code == 200, matches.content
    [match] = matches.json()["results"]
    assert {key: match[key] for key in ("invoice", "bill_number", "partner", "state", "reason", "accepted_by")} == {
        "invoice": bill["id"], "bill_number": posted.json()["number"], "partner": supplier.pk, "state": "matched",
        "reason": "", "accepted_by": None,
    }  # fmt: skip
    assert [{key: row[key] for key in ("order", "order_number", "order_line", "product", "ordered", "ordered_price",
                                       "quantity", "price_unit", "received")} for row in match["lines"]] == [
        {"order": order["id"], "order_number": order["number"], "order_line": line["id"], "product": steel.pk,
         "ordered": "120.000000", "ordered_price": "12.500000", "quantity": "50.000000", "price_unit": "12.500000",
         "received": "50.000000"},
    ]  # fmt: skip
    after = api.get(f"{ORDERS}{order['id']}/").json()
    assert (after["bill_status"], after["lines"][0]["qty_billed"]) == ("nothing", "50.000000")
    assert api.get(f"{MATCHES}{match['id']}/").json() == match


def test_a_bill_linked_to_an_order_is_blocked_and_accepted_by_a_manager_only(api, company, buyer, manager, supplier, steel):
    order = placed(api, supplier, steel, "10", "10")
    done(api, order["id"], "receive")  # everything expected
    typed = {"kind": "in_invoice", "partner": supplier.pk, "date": timezone.localdate().isoformat(), "ref": "F-77",
             "lines": [{"product": steel.pk, "quantity": "10", "price_unit": "11"}]}  # fmt: skip
    created = api.post(INVOICES, typed, format="json")
    assert created.status_code == 201, created.content
    bill = created.json()
    linked = done(api, order["id"], "link-bill", {"bill": bill["id"]})
    assert linked["invoices"] == [bill["id"]]
    assert api.post(f"{INVOICES}{bill['id']}/post/", format="json").status_code == 200

    [match] = api.get(MATCHES, {"order": order["id"]}).json()["results"]
    reason = f"[STEEL PLATE] Steel plate ({order['number']}): billed at 11.00, ordered at 10.00."
    assert (match["invoice"], match["state"], match["reason"]) == (bill["id"], "blocked", reason)
    assert [(row["quantity"], row["price_unit"], row["received"]) for row in match["lines"]] == [
        ("10.000000", "11.000000", "10.000000")
    ]
    assert api.get(MATCHES, {"state": "matched"}).json()["count"] == 0

    with nothing_written():
        problem = assert_problem(client_for(buyer).post(f"{MATCHES}{match['id']}/accept/", format="json"), 403,
                                 "permission_denied")  # fmt: skip
        assert problem["detail"] == "Only a purchasing manager can accept a bill outside the tolerance."
    accepted = api.post(f"{MATCHES}{match['id']}/accept/", format="json")
    assert accepted.status_code == 200, accepted.content
    assert (accepted.json()["state"], accepted.json()["accepted_by"]) == ("accepted", manager.pk)
    assert Invoice.objects.get(pk=bill["id"]).payment_hold == ""
    with nothing_written():
        problem = assert_problem(api.post(f"{MATCHES}{match['id']}/accept/", format="json"), 409, "match_not_blocked")
        assert problem["detail"] == "This bill is not blocked."


def test_an_rfq_is_edited_sent_and_cancelled_and_the_list_filters(api, company, supplier, other_supplier, steel, bolts):
    supplier_price(company, steel, supplier, "12.50")
    first = create(api, {"partner": supplier.pk, "date_order": "2026-03-02", "lines": [{"product": steel.pk, "quantity": "4"}]})
    lines = [{"product": bolts.pk, "quantity": "500", "price_unit": "0.04", "taxes": [], "date_planned": "2026-04-20"}]
    second = create(api, {"partner": other_supplier.pk, "date_order": "2026-04-01", "lines": lines})
    assert [(li["price_unit"], li["date_planned"], li["taxes"]) for li in second["lines"]] == [("0.040000", "2026-04-20", [])]
    assert (second["amount_untaxed"], second["amount_tax"], second["amount_total"]) == ("20.0000", "0.0000", "20.0000")

    kept = api.patch(f"{ORDERS}{first['id']}/", {"note": "Deliver to gate 3"}, format="json")
    assert kept.status_code == 200, kept.content
    assert (kept.json()["note"], kept.json()["amount_untaxed"], [li["price_unit"] for li in kept.json()["lines"]]) == (
        "Deliver to gate 3", "50.0000", ["12.500000"],
    )  # fmt: skip
    replaced = api.patch(f"{ORDERS}{first['id']}/", {"lines": [{"product": steel.pk, "quantity": "8"}]}, format="json")
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["amount_untaxed"], len(replaced.json()["lines"])) == ("100.0000", 1)
    assert PurchaseOrderLine.objects.filter(order_id=first["id"]).count() == 1

    sent = done(api, first["id"], "mark-sent")
    assert sent["state"] == "sent"
    assert done(api, first["id"], "confirm")["state"] == "purchase"  # the manager places it at once

    def ids(query):
        response = api.get(ORDERS, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({}) == [second["id"], first["id"]]
    assert ids({"state": "purchase"}) == [first["id"]]
    assert ids({"receipt_status": "nothing", "bill_status": "nothing", "partner": other_supplier.pk}) == [second["id"]]
    assert ids({"date_order__gte": "2026-03-15"}) == [second["id"]]
    assert ids({"date_order__lte": "2026-03-02"}) == [first["id"]]
    assert ids({"search": "Metaal"}) == [second["id"]]
    assert_problem(api.get(ORDERS, {"state": "shipped"}), 400, "invalid")

    with nothing_written():
        problem = assert_problem(api.patch(f"{ORDERS}{first['id']}/", {"note": "Too late"}, format="json"), 409,
                                 "order_not_draft")  # fmt: skip
        assert problem["detail"] == "Only an RFQ can be changed; this order is confirmed or cancelled."
        assert api.delete(f"{ORDERS}{second['id']}/").status_code == 405
    cancelled = done(api, second["id"], "cancel")
    assert cancelled["state"] == "cancelled"
    cancelled = done(api, first["id"], "cancel")
    assert (cancelled["state"], Transfer.objects.get(purchase_orders=first["id"]).state) == ("cancelled", "cancelled")


def test_a_retried_create_makes_one_order(api, supplier, steel):
    body = {"partner": supplier.pk, "partner_ref": "Q-9", "lines": [{"product": steel.pk, "quantity": "3", "price_unit": "9"}]}
    first = api.post(ORDERS, body, format="json", headers={"Idempotency-Key": "rfq-q-9"})
    again = api.post(ORDERS, body, format="json", headers={"Idempotency-Key": "rfq-q-9"})
    assert first.status_code == 201, first.content
    assert (again.status_code, again["Idempotent-Replayed"], again.content) == (201, "true", first.content)
    assert list(PurchaseOrder.objects.values_list("partner_ref", flat=True)) == ["Q-9"]
    assert PurchaseOrderLine.objects.count() == 1
    confirm = {"Idempotency-Key": "confirm-q-9"}
    first = api.post(f"{ORDERS}{first.json()['id']}/confirm/", format="json", headers=confirm)
    again = api.post(f"{ORDERS}{first.json()['id']}/confirm/", format="json", headers=confirm)
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert Transfer.objects.count() == 1


# --- supplier prices and settings ------------------------------------------------------------------


def test_supplier_prices_are_kept_and_checked(api, company, supplier, steel, bolts):
    created = api.post(PRICES, {"product": steel.pk, "partner": supplier.pk, "price": "12.5", "min_quantity": "100",
                                "lead_days": 7, "supplier_code": "ST-8"}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    price = created.json()
    assert {key: price[key] for key in ("currency", "uom", "price", "min_quantity", "lead_days", "priority")} == {
        "currency": company.currency_id, "uom": steel.uom_id, "price": "12.500000", "min_quantity": "100.000000",
        "lead_days": 7, "priority": 10,
    }  # fmt: skip
    supplier_price(company, bolts, supplier, "0.04")
    assert [row["id"] for row in api.get(PRICES, {"product": steel.pk}).json()["results"]] == [price["id"]]
    changed = api.patch(f"{PRICES}{price['id']}/", {"price": "12.00", "date_end": "2026-12-31"}, format="json")
    assert (changed.status_code, changed.json()["price"], changed.json()["date_end"]) == (200, "12.000000", "2026-12-31")

    customer = PartnerFactory(company=company, name="Klant NV", country="BE", is_supplier=False)
    with nothing_written():
        problem = assert_problem(
            api.patch(f"{PRICES}{price['id']}/", {"date_start": "2027-01-01"}, format="json"), 400, "invalid"
        )
        assert problem["errors"] == {"date_end": ["The end of validity cannot be before its start."]}
        problem = assert_problem(api.patch(f"{PRICES}{price['id']}/", {"uom": unit("kg").pk}, format="json"), 400, "invalid")
        assert list(problem["errors"]) == ["uom"]
        problem = assert_problem(api.patch(f"{PRICES}{price['id']}/", {"partner": customer.pk}, format="json"), 400, "invalid")
        assert problem["errors"] == {"partner": ["Klant NV is not marked as a supplier."]}
        problem = assert_problem(api.patch(f"{PRICES}{price['id']}/", {"price": "-1"}, format="json"), 400, "invalid")
        assert list(problem["errors"]) == ["price"]
    assert api.delete(f"{PRICES}{price['id']}/").status_code == 204
    assert not SupplierPrice.objects.filter(pk=price["id"]).exists()


def test_the_settings_decide_approval_and_only_a_manager_changes_them(api, company, buyer, supplier, steel):
    [row] = api.get(SETTINGS).json()["results"]
    assert row == {"id": row["id"], "approval_amount": "1000.0000", "quantity_tolerance": "5.0000", "price_tolerance": "2.0000"}
    url = f"{SETTINGS}{row['id']}/"
    as_buyer = client_for(buyer)
    with nothing_written():
        assert_problem(as_buyer.patch(url, {"approval_amount": "99999"}, format="json"), 403, "permission_denied")
        problem = assert_problem(api.patch(url, {"quantity_tolerance": "150"}, format="json"), 400, "invalid")
        assert problem["errors"] == {"quantity_tolerance": ["Ensure this value is less than or equal to 100."]}
        assert_problem(api.post(SETTINGS, {"approval_amount": "1"}, format="json"), 405, "method_not_allowed")
    changed = api.put(url, {"approval_amount": "2000", "quantity_tolerance": "10", "price_tolerance": "0"}, format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json() == {"id": row["id"], "approval_amount": "2000.0000", "quantity_tolerance": "10.0000",
                              "price_tolerance": "0.0000"}  # fmt: skip
    assert as_buyer.get(url).json() == changed.json()
    order = create(as_buyer, {"partner": supplier.pk, "lines": [{"product": steel.pk, "quantity": "120", "price_unit": "12.5"}]})
    assert done(as_buyer, order["id"], "confirm")["state"] == "purchase"  # 1,500.00 is within 2,000.00 now


# --- bad input -----------------------------------------------------------------------------------


def test_bad_lines_are_refused_and_nothing_is_written(api, company, supplier, steel, bolts, rival):
    supplier_price(company, steel, supplier, "12.50")
    theirs = make_product(rival, ProductCategoryFactory(company=rival, name="Theirs"), "Widget")
    today = timezone.localdate().isoformat()
    with nothing_written():
        body = {"partner": supplier.pk, "lines": [{"product": bolts.pk, "quantity": "500"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        message = f"Staal BV has no price for [BOLT M8] Bolt M8 in this quantity on {today}: type the unit price."
        assert (problem["detail"], problem["errors"]) == (f"Line 1: {message}", {"lines.0.price_unit": [message]})
        body = {
            "partner": supplier.pk,
            "lines": [{"product": steel.pk, "quantity": "1"}, {"product": theirs.pk, "quantity": "1"}],
        }
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines.1.product": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
        body = {"partner": supplier.pk, "lines": [{"product": steel.pk, "quantity": "0"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines.0.quantity": ["Order a quantity above zero; remove the line instead."]}
        body = {"partner": supplier.pk, "lines": [{"product": steel.pk, "quantity": "1", "price_unit": "-2"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert list(problem["errors"]) == ["lines.0.price_unit"]
        problem = assert_problem(api.post(ORDERS, {"partner": supplier.pk}, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines": ["This field is required."]}


def test_a_receipt_beyond_the_tolerance_or_of_unknown_lines_is_refused(api, supplier, steel, bolts):
    draft = create(api, {"partner": supplier.pk, "lines": [{"product": steel.pk, "quantity": "100", "price_unit": "5"}]})
    order = placed(api, supplier, steel, "100", "5")
    [line] = order["lines"]
    with nothing_written():
        problem = assert_problem(act(api, draft["id"], "receive"), 409, "order_not_confirmed")
        assert problem["detail"] == "Only a confirmed purchase order can be received."
        problem = assert_problem(act(api, order["id"], "receive", {"lines": [{"line": line["id"], "quantity": "110"}]}), 409,
                                 "received_beyond_tolerance")  # fmt: skip
        assert problem["detail"] == (
            f"[STEEL PLATE] Steel plate: 110 received for 100 ordered on {order['number']}, more than the 5 % the company "
            "tolerates. Receive at most 105, or change the order first."
        )
        body = {"lines": [{"line": draft["lines"][0]["id"], "quantity": "1"}, {"line": line["id"], "quantity": "1"},
                          {"line": line["id"], "quantity": "2"}]}  # fmt: skip
        problem = assert_problem(act(api, order["id"], "receive", body), 400, "invalid")
        assert problem["errors"] == {"lines.0.line": ["Not a line of this order."],
                                     "lines.2.line": ["This line is already given above; give its quantity once."]}  # fmt: skip
        problem = assert_problem(act(api, order["id"], "receive", {"lines": [{"line": line["id"], "quantity": "-1"}]}), 400,
                                 "invalid")  # fmt: skip
        assert list(problem["errors"]) == ["lines.0.quantity"]
        problem = assert_problem(act(api, order["id"], "receive", {"lines": []}), 400, "invalid")
        assert problem["errors"] == {"lines.non_field_errors": ["This list may not be empty."]}
    assert api.get(f"{ORDERS}{order['id']}/").json()["lines"][0]["qty_received"] == "0.000000"
    received = done(api, order["id"], "receive", {"lines": [{"line": line["id"], "quantity": "105"}]})  # within 5 %
    assert (received["lines"][0]["qty_received"], received["receipt_status"]) == ("105.000000", "full")


def test_bills_of_cancelled_or_unreceived_orders_are_refused(api, company, supplier, other_supplier, steel, rival):
    order = placed(api, supplier, steel, "10", "10")
    with nothing_written():
        problem = assert_problem(act(api, order["id"], "bill"), 409, "nothing_to_bill")
        assert problem["detail"] == "Nothing to bill: nothing was received since the last bill."
    typed = {"kind": "in_invoice", "partner": supplier.pk, "date": timezone.localdate().isoformat(),
             "lines": [{"product": steel.pk, "quantity": "10", "price_unit": "10"}]}  # fmt: skip
    bill = api.post(INVOICES, typed, format="json").json()
    other = api.post(INVOICES, {**typed, "partner": other_supplier.pk}, format="json").json()
    done(api, order["id"], "cancel")
    their_supplier = PartnerFactory(company=rival, name="Hun Leverancier", country="BE", is_supplier=True)
    theirs = Invoice.objects.create(company=rival, kind="in_invoice", partner=their_supplier, date=timezone.localdate(),
                                    currency=rival.currency, journal=Journal.objects.get(company=rival, code="BILL"))  # fmt: skip
    with nothing_written():
        problem = assert_problem(act(api, order["id"], "link-bill", {"bill": bill["id"]}), 400, "order_cancelled")
        assert problem["detail"] == f"Order {order['number']} is cancelled: a bill cannot refer to it."
        assert_problem(act(api, order["id"], "bill"), 409, "order_not_confirmed")
        problem = assert_problem(act(api, order["id"], "link-bill", {"bill": theirs.pk}), 400, "invalid")
        assert problem["errors"] == {"bill": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
    live = placed(api, supplier, steel, "10", "10")
    with nothing_written():
        problem = assert_problem(act(api, live["id"], "link-bill", {"bill": other["id"]}), 400, "invalid")
        assert problem["detail"] == f"Order {live['number']} is from another supplier than the bill."


# --- roles and companies -------------------------------------------------------------------------


def test_roles_are_checked(company, buyer, supplier, steel):
    as_buyer = client_for(buyer)
    order = create(as_buyer, {"partner": supplier.pk, "lines": [{"product": steel.pk, "quantity": "200", "price_unit": "10"}]})
    assert done(as_buyer, order["id"], "confirm")["state"] == "to_approve"
    with nothing_written():
        problem = assert_problem(act(as_buyer, order["id"], "approve"), 403, "permission_denied")
        assert problem["detail"] == "Only a purchasing manager can approve this order."
    keeper = client_for(
        UserFactory(username="keeper", companies=[company], roles=["Inventory / Manager", "Accounting / Manager"])
    )
    with nothing_written():
        for url in (ORDERS, f"{ORDERS}{order['id']}/", PRICES, MATCHES, SETTINGS):
            assert_problem(keeper.get(url), 403, "permission_denied")
        assert_problem(keeper.post(ORDERS, {"partner": supplier.pk, "lines": []}, format="json"), 403, "permission_denied")
        assert_problem(act(keeper, order["id"], "cancel"), 403, "permission_denied")


def test_other_companies_ids_are_unknown(api, company, supplier, steel, rival):
    stranger = client_for(UserFactory(username="stranger", companies=[rival], roles=["Purchasing / Manager"]))
    their_supplier = PartnerFactory(company=rival, name="Hun Leverancier", country="BE", is_supplier=True)
    their_steel = make_product(rival, ProductCategoryFactory(company=rival, name="Theirs"), "Steel plate")
    theirs = create(stranger, {"partner": their_supplier.pk, "lines": [{"product": their_steel.pk, "quantity": "1",
                                                                         "price_unit": "5"}]})  # fmt: skip
    their_price = supplier_price(rival, their_steel, their_supplier, "5")
    their_settings = PurchaseSettings.objects.get(company=rival)
    ours = create(api, {"partner": supplier.pk, "lines": [{"product": steel.pk, "quantity": "1", "price_unit": "5"}]})
    assert [row["id"] for row in api.get(ORDERS).json()["results"]] == [ours["id"]]
    assert [row["id"] for row in api.get(SETTINGS).json()["results"]] == [PurchaseSettings.objects.get(company=company).pk]
    url = f"{ORDERS}{theirs['id']}/"
    with nothing_written():
        assert_problem(api.get(url), 404, "not_found")
        assert_problem(api.patch(url, {"note": "Mine now"}, format="json"), 404, "not_found")
        for verb in ("confirm", "approve", "cancel", "mark-sent", "receive", "bill", "link-bill"):
            assert_problem(act(api, theirs["id"], verb), 404, "not_found")
        assert_problem(api.get(f"{PRICES}{their_price.pk}/"), 404, "not_found")
        assert_problem(api.patch(f"{SETTINGS}{their_settings.pk}/", {"approval_amount": "1"}, format="json"), 404, "not_found")
        body = {"partner": their_supplier.pk, "lines": [{"product": steel.pk, "quantity": "1", "price_unit": "5"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert list(problem["errors"]) == ["partner"]


# --- queries -------------------------------------------------------------------------------------


def test_lists_cost_the_same_queries_whatever_their_length(api, company, supplier, steel, bolts):
    def order() -> None:
        lines = [
            {"product": steel.pk, "quantity": "2", "price_unit": "10"},
            {"product": bolts.pk, "quantity": "9", "price_unit": "1"},
        ]
        created = create(api, {"partner": supplier.pk, "lines": lines})
        done(api, created["id"], "confirm")
        done(api, created["id"], "receive")
        bill = act(api, created["id"], "bill").json()
        assert api.post(f"{INVOICES}{bill['id']}/post/", format="json").status_code == 200

    def queries(url: str, count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = api.get(url)
        assert (response.status_code, response.json()["count"]) == (200, count), response.content
        return len(captured)

    order()
    api.get(ORDERS)  # the user's permissions and company read once
    one = queries(ORDERS, 1), queries(MATCHES, 1)
    order()
    order()
    assert (queries(ORDERS, 3), queries(MATCHES, 3)) == one


def test_the_order_pdf_and_sending_it(api, company, supplier, steel, mailoutbox, django_capture_on_commit_callbacks):
    Partner = type(supplier)
    Partner.objects.filter(pk=supplier.pk).update(email="orders@staal.example")
    created = api.post("/api/v1/purchasing/orders/", {"partner": supplier.pk, "lines": [
        {"product": steel.pk, "quantity": "4", "price_unit": "12.00"}]}, format="json")  # fmt: skip
    assert created.status_code == 201, created.content
    order_id = created.json()["id"]
    pdf = api.get(f"/api/v1/purchasing/orders/{order_id}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"], pdf.content[:5]) == (200, "application/pdf", b"%PDF-")
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(f"/api/v1/purchasing/orders/{order_id}/send/", {}, format="json")
    assert (sent.status_code, sent.json()["state"]) == (200, "sent")
    assert [message.to for message in mailoutbox] == [["orders@staal.example"]]
    bad = api.post(f"/api/v1/purchasing/orders/{order_id}/send/", {"to": "not an address"}, format="json")
    assert (bad.status_code, list(bad.json()["errors"])) == (400, ["to"])


def test_a_framework_agreement_shows_what_was_called_off(api, company, manager, supplier, steel):
    agreement = supplier_price(company, steel, supplier, "10.00", committed_quantity=D(100))
    plain = supplier_price(company, steel, supplier, "12.00")
    for quantity, uom in ((D(30), steel.uom), (D(1), unit("Dozen"))):  # 30 + 12 units
        created = api.post("/api/v1/purchasing/orders/", {"partner": supplier.pk, "lines": [
            {"product": steel.pk, "quantity": str(quantity), "uom": uom.pk}]}, format="json")  # fmt: skip
        assert created.status_code == 201, created.content
    cancelled = api.post("/api/v1/purchasing/orders/", {"partner": supplier.pk, "lines": [
        {"product": steel.pk, "quantity": "5"}]}, format="json")  # fmt: skip
    api.post(f"/api/v1/purchasing/orders/{cancelled.json()['id']}/cancel/")
    rows = {row["id"]: row["called_off"] for row in api.get("/api/v1/purchasing/supplier-prices/").json()["results"]}
    assert rows == {agreement.pk: "42.000000", plain.pk: None}


def test_an_order_confirmed_at_an_earlier_moment(api, company, supplier, steel):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    created = api.post("/api/v1/purchasing/orders/", {"partner": supplier.pk, "date_order": yesterday.isoformat(), "lines": [
        {"product": steel.pk, "quantity": "3", "price_unit": "10"}]}, format="json")  # fmt: skip
    url = f"/api/v1/purchasing/orders/{created.json()['id']}/confirm/"
    future = (timezone.now() + datetime.timedelta(hours=2)).isoformat()
    refused = api.post(url, {"when": future}, format="json")
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["when"])
    too_early = (timezone.now() - datetime.timedelta(days=3)).isoformat()
    assert api.post(url, {"when": too_early}, format="json").json()["code"] == "before_order_date"
    moment = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(15, 30)))
    confirmed = api.post(url, {"when": moment.isoformat()}, format="json")
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "purchase")
    assert datetime.datetime.fromisoformat(confirmed.json()["confirmed_at"]) == moment
