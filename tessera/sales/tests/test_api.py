"""Sales orders through the API: a quotation created, updated, confirmed, invoiced and cancelled with exact
figures; bad input answered with problem+json and nothing written; a web shop's retried push creating one
order; roles and other companies' ids refused."""

import datetime
import json
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from tessera.accounting.models import Invoice, InvoiceLine
from tessera.core.models import AuditEntry, Company, Currency, IdempotencyKey
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, UserFactory
from tessera.inventory.models import Move, Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_reserve, transfer_save, transfer_validate
from tessera.sales.models import SaleOrder, SaleOrderLine

from .conftest import make_product

ORDERS = "/api/v1/sales/orders/"
PROBLEM = "application/problem+json"
TABLES = (SaleOrder, SaleOrderLine, Transfer, Move, Invoice, InvoiceLine, AuditEntry, IdempotencyKey)


def sales_rows() -> dict[str, object]:
    """Rows per table touched by an order, and each order's and transfer's state."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    result: dict[str, object] = {model.__name__: count for model, count in zip(TABLES, row, strict=True)}
    result["orders"] = sorted(SaleOrder.objects.values_list("pk", "state", "delivery_status", "invoice_status", "amount_total"))
    result["lines"] = sorted(SaleOrderLine.objects.values_list("pk", "quantity", "discount", "qty_invoiced"))
    result["transfers"] = sorted(Transfer.objects.values_list("pk", "state"))
    return result


@contextmanager
def nothing_written():
    before = sales_rows()
    yield
    assert sales_rows() == before


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


def quotation(customer, desk, chair, assembly, **fields) -> dict:
    """3 desks at 250, 10 chairs at 80 less 10 %, an assembly at 45: 1,515.00 untaxed, 21 % VAT."""
    lines = [
        {"product": desk.pk, "quantity": "3"},
        {"product": chair.pk, "quantity": "10", "discount": "10"},
        {"product": assembly.pk, "quantity": "1", "description": "Assembly on site"},
    ]
    return {"partner": customer.pk, "lines": lines, **fields}


def create(client, body, **headers):
    response = client.post(ORDERS, body, format="json", headers=headers)
    assert response.status_code == 201, response.content
    return response.json()


def act(client, order_id, verb, body=None):
    return client.post(f"{ORDERS}{order_id}/{verb}/", body or {}, format="json")


def receive(company, warehouse, by, product, quantity, cost):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(quantity), unit_cost=D(cost))], by=by)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=by), by=by)


@pytest.fixture
def rival(db):
    return company_create(
        Company(name="Concurrent SA", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0403170701"),
        by=system_user(),
    )


# --- the happy path ------------------------------------------------------------------------------


def test_a_quotation_created_confirmed_and_cancelled(api, company, warehouse, customer, desk, chair, assembly, seller):
    order = create(api, quotation(customer, desk, chair, assembly, client_order_ref="PO-77"))
    today = timezone.localdate()
    assert (order["number"], order["state"], order["date_order"]) == (f"SO/{today.year}/00001", "draft", today.isoformat())
    assert (order["warehouse"], order["currency"], order["delivery_status"], order["invoice_status"]) == (
        warehouse.pk, company.currency_id, "nothing", "nothing",
    )  # fmt: skip
    assert (order["amount_untaxed"], order["amount_tax"], order["amount_total"]) == ("1515.0000", "318.1500", "1833.1500")
    assert [(line["product"], line["description"], line["quantity"], line["uom"], line["price_unit"], line["discount"],
             line["amount_untaxed"]) for line in order["lines"]] == [
        (desk.pk, "Desk", "3.000000", desk.uom_id, "250.000000", "0.0000", "750.0000"),
        (chair.pk, "Chair", "10.000000", chair.uom_id, "80.000000", "10.0000", "720.0000"),
        (assembly.pk, "Assembly on site", "1.000000", assembly.uom_id, "45.000000", "0.0000", "45.0000"),
    ]  # fmt: skip
    assert all(len(line["taxes"]) == 1 for line in order["lines"])
    assert (order["transfers"], order["invoices"]) == ([], [])

    receive(company, warehouse, seller, chair, 20, 30)
    confirmed = act(api, order["id"], "confirm")
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    [delivery] = Transfer.objects.filter(kind=TransferKind.DELIVERY)
    assert (body["state"], body["transfers"], body["invoice_status"]) == ("sale", [delivery.pk], "to_invoice")
    assert (delivery.origin, delivery.state) == (order["number"], "waiting")
    assert [(line["promised_date"], line["qty_delivered"]) for line in body["lines"]] == [
        ((today + timezone.timedelta(days=10)).isoformat(), "0.000000"), (today.isoformat(), "0.000000"), (None, "1.000000"),
    ]  # fmt: skip

    cancelled = act(api, order["id"], "cancel")
    assert cancelled.status_code == 200, cancelled.content
    assert (cancelled.json()["state"], cancelled.json()["invoice_status"]) == ("cancelled", "nothing")
    delivery.refresh_from_db()
    assert delivery.state == "cancelled"


def test_the_list_filters_and_a_quotation_edited_then_deleted(api, customer, desk, chair, assembly):
    first = create(api, quotation(customer, desk, chair, assembly, date_order="2026-03-02"))
    second = create(api, {"partner": customer.pk, "date_order": "2026-04-01", "lines": [{"product": chair.pk, "quantity": "2"}]})
    assert act(api, first["id"], "confirm").status_code == 200

    def ids(query):
        response = api.get(ORDERS, query)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids({}) == [second["id"], first["id"]]
    assert ids({"state": "sale"}) == [first["id"]]
    assert ids({"invoice_status": "to_invoice", "delivery_status": "nothing"}) == [first["id"]]
    assert ids({"partner": customer.pk, "date_order__gte": "2026-03-15"}) == [second["id"]]
    assert ids({"date_order__lte": "2026-03-02"}) == [first["id"]]
    assert_problem(api.get(ORDERS, {"state": "shipped"}), 400, "invalid")

    kept = api.patch(f"{ORDERS}{second['id']}/", {"note": "Leave at the gate"}, format="json")
    assert kept.status_code == 200, kept.content
    assert (kept.json()["note"], kept.json()["amount_untaxed"], len(kept.json()["lines"])) == ("Leave at the gate", "160.0000", 1)
    lines = [{"product": chair.pk, "quantity": "5", "price_unit": "70", "taxes": []}]
    replaced = api.patch(f"{ORDERS}{second['id']}/", {"lines": lines}, format="json")
    assert replaced.status_code == 200, replaced.content
    assert (replaced.json()["amount_untaxed"], replaced.json()["amount_tax"], replaced.json()["amount_total"]) == (
        "350.0000", "0.0000", "350.0000",
    )  # fmt: skip
    assert SaleOrderLine.objects.filter(order_id=second["id"]).count() == 1

    with nothing_written():
        body = assert_problem(api.patch(f"{ORDERS}{first['id']}/", {"note": "Too late"}, format="json"), 409, "order_not_draft")
        assert body["detail"] == "Only a quotation can be changed; this order is confirmed or cancelled."
        body = assert_problem(api.delete(f"{ORDERS}{first['id']}/"), 409, "order_not_draft")
        assert body["detail"] == "Only a quotation can be deleted; cancel the order instead."
    assert api.delete(f"{ORDERS}{second['id']}/").status_code == 204
    assert not SaleOrder.objects.filter(pk=second["id"]).exists()
    assert not SaleOrderLine.objects.filter(order_id=second["id"]).exists()


def test_invoicing_an_order_answers_the_draft_invoice(api, customer, desk, chair, assembly):
    order = create(api, quotation(customer, desk, chair, assembly))
    assert act(api, order["id"], "confirm").status_code == 200
    response = act(api, order["id"], "invoice", {"date": "2026-11-02"})
    assert response.status_code == 201, response.content
    invoice = Invoice.objects.get()
    assert response.json() == {
        "id": invoice.pk, "kind": "out_invoice", "number": "", "state": "draft", "amount_untaxed": "1515.0000",
        "amount_tax": "318.1500", "amount_total": "1833.1500",
    }  # fmt: skip
    assert (str(invoice.date), invoice.kind, invoice.partner_id) == ("2026-11-02", "out_invoice", customer.pk)
    after = api.get(f"{ORDERS}{order['id']}/").json()
    assert (after["invoices"], after["invoice_status"]) == ([invoice.pk], "invoiced")
    assert [line["qty_invoiced"] for line in after["lines"]] == ["3.000000", "10.000000", "1.000000"]
    with nothing_written():
        body = assert_problem(act(api, order["id"], "invoice"), 409, "nothing_to_invoice")
        assert body["detail"] == "Nothing to invoice: everything ordered is invoiced."


def test_a_retried_push_creates_one_order(api, customer, desk, chair, assembly):
    body = quotation(customer, desk, chair, assembly, client_order_ref="SHOP-1001")
    first = api.post(ORDERS, body, format="json", headers={"Idempotency-Key": "shop-order-1001"})
    again = api.post(ORDERS, body, format="json", headers={"Idempotency-Key": "shop-order-1001"})
    assert first.status_code == 201, first.content
    assert (again.status_code, again["Idempotent-Replayed"], again.content) == (201, "true", first.content)
    assert list(SaleOrder.objects.values_list("client_order_ref", flat=True)) == ["SHOP-1001"]
    assert SaleOrderLine.objects.count() == 3
    confirm = {"Idempotency-Key": "confirm-1001"}
    first = api.post(f"{ORDERS}{first.json()['id']}/confirm/", format="json", headers=confirm)
    again = api.post(f"{ORDERS}{first.json()['id']}/confirm/", format="json", headers=confirm)
    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (200, 200, "true")
    assert Transfer.objects.filter(kind=TransferKind.DELIVERY).count() == 1


# --- bad input -----------------------------------------------------------------------------------


def test_bad_lines_are_refused_and_nothing_is_written(api, customer, desk, chair, assembly, rival):
    theirs = make_product(rival, ProductCategoryFactory(company=rival, name="Theirs"), "Widget", price="10", cost="5")
    with nothing_written():
        body = quotation(customer, desk, chair, assembly)
        body["lines"][1]["discount"] = "100.5"
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines.1.discount": ["Ensure this value is less than or equal to 100."]}
        body = {"partner": customer.pk, "lines": [{"product": desk.pk, "quantity": "1"}, {"product": theirs.pk, "quantity": "1"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines.1.product": [f'Invalid pk "{theirs.pk}" - object does not exist.']}
        body = {"partner": customer.pk, "lines": [{"product": desk.pk, "quantity": "0"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert problem["errors"] == {"lines.0.quantity": ["Order a quantity above zero; remove the line instead."]}


def test_orders_that_cannot_be_confirmed(api, company, customer, desk, chair, assembly):
    order = create(api, quotation(customer, desk, chair, assembly))
    chair.active = False
    chair.save(update_fields=["active"])
    with nothing_written():
        problem = assert_problem(act(api, order["id"], "confirm"), 400, "product_not_sellable")
        assert problem["detail"] == "Line 2: [CHAIR] Chair is archived or not for sale."
        assert problem["errors"] == {"lines.1.product": ["Archived or not for sale."]}

    empty = create(api, {"partner": customer.pk, "lines": []})
    with nothing_written():
        problem = assert_problem(act(api, empty["id"], "confirm"), 400, "empty_order")
        assert problem["errors"] == {"lines": ["Add at least one product before confirming."]}

    homeless = PartnerFactory(company=company, name="Zonder Adres", country="BE", street="", zip="", city="", is_customer=True)
    order = create(api, {"partner": homeless.pk, "lines": [{"product": desk.pk, "quantity": "1"}]})
    with nothing_written():
        problem = assert_problem(act(api, order["id"], "confirm"), 400, "customer_incomplete")
        assert problem["detail"] == "Zonder Adres has no delivery address: add the street, city, postcode first."
        assert problem["errors"] == {"partner": [problem["detail"]]}


def test_invoicing_nothing_delivered_and_cancelling_a_delivered_order(api, company, warehouse, seller, customer, desk):
    order = create(api, {"partner": customer.pk, "invoice_policy": "delivered", "lines": [{"product": desk.pk, "quantity": "2"}]})
    assert act(api, order["id"], "confirm").status_code == 200
    with nothing_written():
        problem = assert_problem(act(api, order["id"], "invoice"), 409, "nothing_to_invoice")
        assert problem["detail"] == "Nothing to invoice: nothing was delivered since the last invoice."

    receive(company, warehouse, seller, desk, 2, 100)
    delivery = Transfer.objects.get(kind=TransferKind.DELIVERY)
    transfer_validate(transfer_reserve(delivery, by=seller), by=seller)
    assert api.get(f"{ORDERS}{order['id']}/").json()["delivery_status"] == "full"
    with nothing_written():
        problem = assert_problem(act(api, order["id"], "cancel"), 409, "order_delivered")
        assert problem["detail"] == f"Order {order['number']} is fully delivered: return the goods instead of cancelling it."
    invoiced = act(api, order["id"], "invoice")
    assert (invoiced.status_code, invoiced.json()["amount_total"]) == (201, "605.0000")


# --- roles and companies -------------------------------------------------------------------------


def test_a_salesman_sells_and_others_are_refused(company, salesman, customer, desk, chair, assembly):
    as_salesman = client_for(salesman)
    order = create(as_salesman, quotation(customer, desk, chair, assembly))
    confirmed = act(as_salesman, order["id"], "confirm")
    assert (confirmed.status_code, confirmed.json()["state"]) == (200, "sale")
    assert as_salesman.get(ORDERS).json()["count"] == 1
    with nothing_written():
        assert_problem(as_salesman.delete(f"{ORDERS}{order['id']}/"), 403, "permission_denied")

    keeper = UserFactory(username="keeper", companies=[company], roles=["Inventory / Manager", "Accounting / Manager"])
    keeper = client_for(keeper)
    with nothing_written():
        assert_problem(keeper.get(ORDERS), 403, "permission_denied")
        assert_problem(keeper.get(f"{ORDERS}{order['id']}/"), 403, "permission_denied")
        assert_problem(keeper.post(ORDERS, quotation(customer, desk, chair, assembly), format="json"), 403, "permission_denied")
        assert_problem(act(keeper, order["id"], "cancel"), 403, "permission_denied")


def test_other_companies_orders_are_unknown(api, rival, customer, desk, chair, assembly):
    stranger = UserFactory(username="stranger", companies=[rival], roles=["Sales / Manager"])
    their_customer = PartnerFactory(company=rival, name="Hun Klant", country="BE", street="Markt 1", zip="2000",
                                    city="Antwerpen", is_customer=True)  # fmt: skip
    their_desk = make_product(rival, ProductCategoryFactory(company=rival, name="Theirs"), "Desk", price="300", cost="120")
    theirs = create(client_for(stranger), {"partner": their_customer.pk, "lines": [{"product": their_desk.pk, "quantity": "1"}]})
    ours = create(api, quotation(customer, desk, chair, assembly))
    assert [row["id"] for row in api.get(ORDERS).json()["results"]] == [ours["id"]]
    url = f"{ORDERS}{theirs['id']}/"
    with nothing_written():
        assert_problem(api.get(url), 404, "not_found")
        assert_problem(api.patch(url, {"note": "Mine now"}, format="json"), 404, "not_found")
        assert_problem(api.delete(url), 404, "not_found")
        for verb in ("confirm", "cancel", "invoice"):
            assert_problem(act(api, theirs["id"], verb), 404, "not_found")
        body = {"partner": their_customer.pk, "lines": [{"product": desk.pk, "quantity": "1"}]}
        problem = assert_problem(api.post(ORDERS, body, format="json"), 400, "invalid")
        assert list(problem["errors"]) == ["partner"]


def test_an_order_confirmed_through_the_api_at_an_earlier_moment(api, customer, desk, chair, assembly):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    order = create(api, quotation(customer, desk, chair, assembly, date_order=yesterday.isoformat()))
    too_late = act(api, order["id"], "confirm", {"when": (timezone.now() + datetime.timedelta(hours=1)).isoformat()})
    assert (too_late.status_code, too_late.json()["code"], list(too_late.json()["errors"])) == (400, "future_date", ["when"])
    assert SaleOrder.objects.get(pk=order["id"]).state == "draft"

    moment = timezone.make_aware(datetime.datetime.combine(yesterday, datetime.time(15)))
    confirmed = act(api, order["id"], "confirm", {"when": moment.isoformat()})
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert (body["state"], datetime.datetime.fromisoformat(body["confirmed_at"])) == ("sale", moment)


def test_pushing_an_order_costs_the_same_statements_whatever_its_lines(api, company, customer, category):
    """The products of the lines are looked up together, not one query per line."""
    products = [make_product(company, category, f"Article {n}", price="10", cost="4") for n in range(6)]

    def push(count: int) -> int:
        body = {"partner": customer.pk, "lines": [{"product": p.pk, "quantity": "1"} for p in products[:count]]}
        with CaptureQueriesContext(connection) as captured:
            assert api.post(ORDERS, body, format="json").status_code == 201
        return len(captured)

    push(6)  # the first number of the year; the products' taxes read once
    two, six = push(2), push(6)
    assert six == two == 18
