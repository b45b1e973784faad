"""Invoicing orders (decision 13): down payments invoiced to the customer-advances account and deducted
from the later invoices, credit notes for goods returned after being invoiced, the order's invoice
status; refusals that write nothing; the same through the API."""

import json
from contextlib import contextmanager
from decimal import Decimal as D

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tessera.accounting.models import Account, Invoice, InvoiceLine, JournalLine, Tax
from tessera.accounting.services import invoice_cancel, invoice_post
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import AuditEntry
from tessera.core.services import record_delete
from tessera.core.tests.factories import UserFactory
from tessera.inventory.models import Move, Transfer, TransferKind
from tessera.inventory.services import (
    DoneQuantity,
    MoveDraft,
    transfer_confirm,
    transfer_return,
    transfer_save,
    transfer_validate,
)
from tessera.sales.documents import order_html, order_pdf
from tessera.sales.models import InvoicePolicy, SaleDownPayment, SaleDownPaymentDeduction, SaleOrder, SaleOrderLine
from tessera.sales.services import (
    OrderLineDraft,
    sale_order_confirm,
    sale_order_down_payment,
    sale_order_invoice,
    sale_order_save,
)
from tessera.sales.states import InvoiceStatus

pytestmark = pytest.mark.django_db
ORDERS = "/api/v1/sales/orders/"
TABLES = (SaleOrder, SaleOrderLine, Invoice, InvoiceLine, SaleDownPayment, SaleDownPaymentDeduction, JournalLine, AuditEntry)


def rows() -> dict[str, object]:
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in TABLES)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        result: dict[str, object] = dict(zip([model.__name__ for model in TABLES], cursor.fetchone(), strict=True))
    result["orders"] = sorted(SaleOrder.objects.values_list("pk", "invoice_status"))
    result["lines"] = sorted(SaleOrderLine.objects.values_list("pk", "qty_invoiced"))
    return result


@contextmanager
def nothing_written():
    before = rows()
    yield
    assert rows() == before


def balance(company, code):
    lines = JournalLine.objects.filter(account=Account.objects.get(company=company, code=code), posted=True)
    return sum((line.debit - line.credit for line in lines), D(0))


def totals(invoice):
    invoice.refresh_from_db()
    return invoice.amount_untaxed, invoice.amount_tax, invoice.amount_total


def lines_of(invoice):
    return [
        (line.description, line.account.code, line.quantity, line.price_unit, sorted(tax.code for tax in line.taxes.all()))
        for line in invoice.lines.select_related("account").prefetch_related("taxes").order_by("position")
    ]


def receive(company, warehouse, by, product, quantity, cost):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(quantity), unit_cost=D(cost))], by=by)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=by), by=by)


def confirmed(company, customer, by, lines, policy=InvoicePolicy.ORDERED):
    order = sale_order_save(SaleOrder(company=company, partner=customer, invoice_policy=policy), lines, by=by)
    return sale_order_confirm(order, by=by)


def status(order):
    order.refresh_from_db()
    return order.invoice_status


# --- down payments -----------------------------------------------------------------------------------


def test_a_30_percent_down_payment_deducted_from_the_final_invoice(company, seller, customer, desk, chair):
    # 4 × 250 + 10 × 80 = 1,800.00 untaxed, 378.00 VAT at 21 %.
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(4)), OrderLineDraft(chair, D(10))])
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("1800.00"), D("378.00"), D("2178.00"))

    down = sale_order_down_payment(order, by=seller, percentage=D(30))
    assert (down.kind, down.state, down.partner, down.ref) == ("out_invoice", "draft", customer, order.number)
    assert lines_of(down) == [("Down payment of 30%", "460000", D(1), D("540.00"), ["S21"])]
    assert totals(down) == (D("540.00"), D("113.40"), D("653.40"))
    assert set(order.invoices.all()) == {down}
    assert SaleDownPayment.objects.get(order=order).amount == D("540.00")
    assert status(order) == InvoiceStatus.TO_INVOICE  # a down payment invoices none of the lines
    down = invoice_post(down, by=seller)
    assert (balance(company, "400000"), balance(company, "460000"), balance(company, "451000")) == (
        D("653.40"), D("-540.00"), D("-113.40"),
    )  # fmt: skip

    final = sale_order_invoice(order, by=seller)
    assert lines_of(final) == [
        ("Desk", "700000", D(4), D(250), ["S21"]),
        ("Chair", "700000", D(10), D(80), ["S21"]),
        (f"Down payment deducted: Down payment of 30% ({down.number})", "460000", D(-1), D("540.00"), ["S21"]),
    ]
    # 1,800.00 less 540.00 = 1,260.00; 264.60 VAT.
    assert totals(final) == (D("1260.00"), D("264.60"), D("1524.60"))
    assert status(order) == InvoiceStatus.INVOICED
    invoice_post(final, by=seller)
    # The advance is used up; the customer owes the order's total, VAT on it once.
    assert (balance(company, "400000"), balance(company, "460000"), balance(company, "451000"), balance(company, "700000")) == (
        D("2178.00"), D("0.00"), D("-378.00"), D("-1800.00"),
    )  # fmt: skip
    deduction = SaleDownPaymentDeduction.objects.get()
    assert (deduction.invoice, deduction.amount) == (final, D("540.00"))


def test_an_amount_deducted_over_partial_invoices_never_twice(company, warehouse, seller, customer, desk):
    receive(company, warehouse, seller, desk, 3, 100)
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(3))], policy=InvoicePolicy.DELIVERED)
    down = invoice_post(sale_order_down_payment(order, by=seller, amount=D(600)), by=seller)
    assert lines_of(down) == [("Down payment of 600.00 EUR", "460000", D(1), D("600.00"), ["S21"])]
    assert totals(down) == (D("600.00"), D("126.00"), D("726.00"))

    delivery = order.transfers.get()
    transfer_validate(delivery, by=seller, done={delivery.moves.get().pk: [DoneQuantity(D(2))]})
    first = sale_order_invoice(order, by=seller)  # 2 desks: 500.00, all of it covered by the advance
    assert [line[2:4] for line in lines_of(first)] == [(D(2), D(250)), (D(-1), D("500.00"))]
    assert totals(first) == (D("0.00"), D("0.00"), D("0.00"))
    invoice_post(first, by=seller)

    transfer_validate(order.transfers.exclude(pk=delivery.pk).get(), by=seller)
    second = sale_order_invoice(order, by=seller)  # the last desk less the 100.00 left of the advance
    assert [line[2:4] for line in lines_of(second)] == [(D(1), D(250)), (D(-1), D("100.00"))]
    assert totals(second) == (D("150.00"), D("31.50"), D("181.50"))
    invoice_post(second, by=seller)
    assert (balance(company, "460000"), balance(company, "400000")) == (D("0.00"), D("907.50"))  # 3 × 302.50
    assert status(order) == InvoiceStatus.INVOICED


def test_down_payment_taxes_follow_the_lines_in_proportion(company, seller, customer, desk, chair):
    reduced = Tax.objects.get(company=company, code="S6")
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(2)), OrderLineDraft(chair, D(5), taxes=[reduced])])
    # 500.00 at 21 % and 400.00 at 6 %: 10 % is 50.00 and 40.00.
    down = sale_order_down_payment(order, by=seller, percentage=D(10))
    assert [line[2:] for line in lines_of(down)] == [(D(1), D("50.00"), ["S21"]), (D(1), D("40.00"), ["S6"])]
    assert totals(down) == (D("90.00"), D("12.90"), D("102.90"))
    invoice_post(down, by=seller)
    final = sale_order_invoice(order, by=seller)
    assert [line[2:] for line in lines_of(final)][2:] == [(D(-1), D("50.00"), ["S21"]), (D(-1), D("40.00"), ["S6"])]
    # 900.00 − 90.00 = 810.00; VAT (500 − 50) × 21 % + (400 − 40) × 6 % = 94.50 + 21.60.
    assert totals(final) == (D("810.00"), D("116.10"), D("926.10"))


def test_refused_down_payments_write_nothing(company, seller, customer, desk, chair):
    quotation = sale_order_save(SaleOrder(company=company, partner=customer), [OrderLineDraft(desk, D(4))], by=seller)
    with nothing_written(), pytest.raises(BusinessError) as refused:
        sale_order_down_payment(quotation, by=seller, percentage=D(30))
    assert (refused.value.code, refused.value.message) == (
        "order_not_confirmed", "Only a confirmed order can receive a down payment.",
    )  # fmt: skip
    order = sale_order_confirm(quotation, by=seller)  # 1,000.00 untaxed
    cases = [
        ({}, "amount", "Give either an amount or a percentage of the order."),
        ({"amount": D(10), "percentage": D(10)}, "amount", "Give either an amount or a percentage of the order."),
        ({"percentage": D(0)}, "percentage", "A down payment is a percentage above 0 and at most 100."),
        ({"percentage": D("100.5")}, "percentage", "A down payment is a percentage above 0 and at most 100."),
        ({"amount": D(-5)}, "amount", "A down payment is an amount above zero."),
        ({"amount": D("1000.01")}, "amount", "A down payment of 1000.01 EUR is more than the 1000.00 EUR of the order not yet "
                                             "invoiced or paid in advance (untaxed)."),
    ]  # fmt: skip
    for values, field, message in cases:
        with nothing_written(), pytest.raises(InvalidInput) as refused:
            sale_order_down_payment(order, by=seller, **values)
        assert (refused.value.message, list(refused.value.field_errors())) == (message, [field]), values
    sale_order_down_payment(order, by=seller, percentage=D(60))  # a draft counts until it is cancelled
    with nothing_written(), pytest.raises(InvalidInput) as refused:
        sale_order_down_payment(order, by=seller, percentage=D(50))
    assert refused.value.message == (
        "A down payment of 500.00 EUR is more than the 400.00 EUR of the order not yet invoiced or paid in advance (untaxed)."
    )
    assert sale_order_down_payment(order, by=seller, percentage=D(40)).amount_untaxed == D("400.00")


def test_a_draft_down_payment_blocks_invoicing_and_cancelled_or_deleted_ones_are_not_deducted(company, seller, customer, desk):
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(4))])
    first = sale_order_down_payment(order, by=seller, percentage=D(20))
    with nothing_written(), pytest.raises(BusinessError) as refused:
        sale_order_invoice(order, by=seller)
    assert (refused.value.code, refused.value.message) == (
        "down_payment_draft",
        f"The down payment invoice {first} is still a draft: post it, or cancel it, before invoicing the order.",
    )
    invoice_cancel(first, by=seller)
    second = sale_order_down_payment(order, by=seller, amount=D(100))
    record_delete(second, by=seller)
    assert list(SaleDownPayment.objects.values_list("invoice_id", flat=True)) == [first.pk]
    third = invoice_post(sale_order_down_payment(order, by=seller, percentage=D(10)), by=seller)
    final = sale_order_invoice(order, by=seller)
    assert [line[2:4] for line in lines_of(final)] == [(D(4), D(250)), (D(-1), D("100.00"))]
    assert lines_of(final)[1][0] == f"Down payment deducted: Down payment of 10% ({third.number})"
    assert totals(final) == (D("900.00"), D("189.00"), D("1089.00"))


def test_a_cancelled_deducting_draft_gives_the_down_payment_back(company, warehouse, seller, customer, desk):
    receive(company, warehouse, seller, desk, 4, 100)
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(4))], policy=InvoicePolicy.DELIVERED)
    invoice_post(sale_order_down_payment(order, by=seller, percentage=D(50)), by=seller)
    delivery = order.transfers.get()
    transfer_validate(delivery, by=seller, done={delivery.moves.get().pk: [DoneQuantity(D(2))]})
    first = sale_order_invoice(order, by=seller)  # two desks, 500.00, less the 500.00 advance
    assert [line[2:4] for line in lines_of(first)] == [(D(2), D(250)), (D(-1), D("500.00"))]
    invoice_cancel(first, by=seller)
    transfer_validate(order.transfers.exclude(pk=delivery.pk).get(), by=seller)
    second = sale_order_invoice(order, by=seller)  # all four desks (the cancelled draft gave its two back), less the advance
    assert [line[2:4] for line in lines_of(second)] == [(D(4), D(250)), (D(-1), D("500.00"))]


# --- cancelled drafts ----------------------------------------------------------------------------------


def test_a_cancelled_draft_invoice_gives_its_quantities_back_to_the_order(company, warehouse, seller, customer, desk, chair):
    receive(company, warehouse, seller, desk, 3, 100)
    receive(company, warehouse, seller, chair, 2, 40)
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(3)), OrderLineDraft(chair, D(2))],
                      policy=InvoicePolicy.DELIVERED)  # fmt: skip
    delivery = order.transfers.get()
    desk_move = delivery.moves.get(product=desk)
    transfer_validate(delivery, by=seller, done={desk_move.pk: [DoneQuantity(D(2))]}, backorder=True)
    first = invoice_post(sale_order_invoice(order, by=seller), by=seller)  # 2 desks
    assert [line[2] for line in lines_of(first)] == [D(2)]
    transfer_validate(order.transfers.exclude(pk=delivery.pk).get(), by=seller)  # the last desk and the chairs
    second = sale_order_invoice(order, by=seller)
    assert [line[2] for line in lines_of(second)] == [D(1), D(2)]
    assert status(order) == InvoiceStatus.INVOICED

    invoice_cancel(second, by=seller)
    assert status(order) == InvoiceStatus.TO_INVOICE
    assert sorted(order.lines.values_list("product__name", "qty_invoiced")) == [(chair.name, D(0)), (desk.name, D(2))]
    third = sale_order_invoice(order, by=seller)
    assert [line[2] for line in lines_of(third)] == [D(1), D(2)]
    assert status(order) == InvoiceStatus.INVOICED


def test_cancelling_an_invoice_no_order_made_changes_no_order(company, seller, customer, desk):
    from tessera.accounting.services import invoice_credit_note

    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(1))])
    invoice = invoice_post(sale_order_invoice(order, by=seller), by=seller)
    invoice_cancel(invoice_credit_note(invoice, by=seller), by=seller)
    assert status(order) == InvoiceStatus.INVOICED
    assert order.lines.get().qty_invoiced == D(1)


# --- returns and credit notes ------------------------------------------------------------------------


def test_goods_returned_after_invoicing_are_credited(company, warehouse, seller, customer, chair, desk):
    receive(company, warehouse, seller, chair, 5, 30)
    receive(company, warehouse, seller, desk, 1, 100)
    order = confirmed(company, customer, seller, [OrderLineDraft(chair, D(5), discount=D(10)), OrderLineDraft(desk, D(1))],
                      policy=InvoicePolicy.DELIVERED)  # fmt: skip
    delivery = order.transfers.get()
    transfer_validate(delivery, by=seller)
    assert status(order) == InvoiceStatus.TO_INVOICE
    invoice = invoice_post(sale_order_invoice(order, by=seller), by=seller)
    # 5 × 80 × 90 % + 250 = 610.00; 128.10 VAT.
    assert totals(invoice) == (D("610.00"), D("128.10"), D("738.10"))
    assert status(order) == InvoiceStatus.INVOICED

    chairs = delivery.moves.get(product=chair)
    back = transfer_return(delivery, by=seller, quantities={chairs.pk: D(2)})
    transfer_validate(back, by=seller)
    assert status(order) == InvoiceStatus.TO_CREDIT
    assert order.get_invoice_status_display() == "Credit note to issue"
    credit = sale_order_invoice(order, by=seller)
    assert (credit.kind, credit.state) == ("out_refund", "draft")
    assert lines_of(credit) == [("Chair", "700000", D(2), D(80), ["S21"])]
    # 2 × 80 × 90 % = 144.00; 30.24 VAT.
    assert totals(credit) == (D("144.00"), D("30.24"), D("174.24"))
    line = order.lines.get(product=chair)
    assert (line.qty_delivered, line.qty_invoiced) == (D(3), D(3))
    assert status(order) == InvoiceStatus.NOTHING  # two chairs fewer than ordered, none owed
    invoice_post(credit, by=seller)
    assert (balance(company, "400000"), balance(company, "700000"), balance(company, "451000")) == (
        D("563.86"), D("-466.00"), D("-97.86"),
    )  # fmt: skip
    with nothing_written(), pytest.raises(BusinessError) as refused:
        sale_order_invoice(order, by=seller)
    assert refused.value.code == "nothing_to_invoice"


def test_returns_do_not_change_invoicing_by_ordered_quantities(company, warehouse, seller, customer, chair):
    receive(company, warehouse, seller, chair, 5, 30)
    order = confirmed(company, customer, seller, [OrderLineDraft(chair, D(5))])
    delivery = order.transfers.get()
    transfer_validate(delivery, by=seller)
    invoice_post(sale_order_invoice(order, by=seller), by=seller)
    transfer_validate(transfer_return(delivery, by=seller, quantities={delivery.moves.get().pk: D(2)}), by=seller)
    assert status(order) == InvoiceStatus.INVOICED
    assert order.lines.get().qty_delivered == D(3)


# --- the API ---------------------------------------------------------------------------------------


def problem(response, status_code, code):
    assert response.status_code == status_code, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = json.loads(response.content)
    assert body["code"] == code
    return body


def test_down_payment_and_credit_note_through_the_api(api, company, warehouse, seller, customer, chair):
    receive(company, warehouse, seller, chair, 10, 30)
    order = confirmed(company, customer, seller, [OrderLineDraft(chair, D(10))], policy=InvoicePolicy.DELIVERED)
    url = f"{ORDERS}{order.pk}/"
    response = api.post(f"{url}down-payment/", {"percentage": "25", "date": "2026-11-02"}, format="json")
    assert response.status_code == 201, response.content
    down = Invoice.objects.get()
    assert response.json() == {
        "id": down.pk, "kind": "out_invoice", "number": "", "state": "draft", "amount_untaxed": "200.0000",
        "amount_tax": "42.0000", "amount_total": "242.0000",
    }  # fmt: skip
    assert str(down.date) == "2026-11-02"
    body = api.get(url).json()
    assert body["down_payments"] == [{
        "id": SaleDownPayment.objects.get().pk, "invoice": down.pk, "invoice_number": "", "invoice_state": "draft",
        "percentage": "25.0000", "amount": "200.0000", "amount_total": "242.0000", "deducted": "0.0000",
    }]  # fmt: skip
    assert body["invoices"] == [down.pk]

    with nothing_written():
        refused = problem(api.post(f"{url}down-payment/", {"amount": "900"}, format="json"), 400, "down_payment_too_large")
        assert refused["errors"] == {"amount": [
            "A down payment of 900.00 EUR is more than the 600.00 EUR of the order not yet invoiced or paid in advance (untaxed)."
        ]}  # fmt: skip
        problem(api.post(f"{url}down-payment/", {}, format="json"), 400, "down_payment_amount")
        problem(api.post(f"{url}down-payment/", {"percentage": "abc"}, format="json"), 400, "invalid")

    invoice_post(down, by=seller)
    delivery = order.transfers.get()
    transfer_validate(delivery, by=seller)
    invoiced = api.post(f"{url}invoice/", {}, format="json")
    assert (invoiced.status_code, invoiced.json()["kind"], invoiced.json()["amount_total"]) == (201, "out_invoice", "726.0000")
    invoice_post(Invoice.objects.get(pk=invoiced.json()["id"]), by=seller)
    assert api.get(url).json()["down_payments"][0]["deducted"] == "200.0000"

    transfer_validate(transfer_return(delivery, by=seller, quantities={delivery.moves.get().pk: D(1)}), by=seller)
    assert api.get(url).json()["invoice_status"] == "to_credit"
    credited = api.post(f"{url}invoice/", {}, format="json")
    assert credited.status_code == 201, credited.content
    assert {key: credited.json()[key] for key in ("kind", "amount_untaxed", "amount_total")} == {
        "kind": "out_refund",
        "amount_untaxed": "80.0000",
        "amount_total": "96.8000",
    }
    assert api.get(url).json()["invoice_status"] == "nothing"


def test_down_payment_needs_the_right_to_invoice(company, customer, seller, desk):
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(1))])
    client = APIClient()
    client.force_authenticate(UserFactory(username="auditor", companies=[company], roles=["Auditor"]))
    with nothing_written():
        response = client.post(f"{ORDERS}{order.pk}/down-payment/", {"percentage": "10"}, format="json")
        assert response.status_code == 403, response.content


def test_moves_are_untouched_by_invoicing(company, seller, customer, desk):
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(1))])
    moves = list(Move.objects.values_list("pk", "state"))
    sale_order_down_payment(order, by=seller, percentage=D(50))
    assert list(Move.objects.values_list("pk", "state")) == moves


# --- the back office -------------------------------------------------------------------------------


def test_the_back_office_creates_a_down_payment_and_shows_form_errors(client, company, seller, customer, desk):
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(4))])
    client.force_login(seller)
    page = client.get(f"/admin/sales/saleorder/{order.pk}/change/").content.decode()
    url = f"/admin/sales/saleorder/{order.pk}/down-payment/"
    assert url in page and "Create down payment invoice" in page
    assert client.get(url).status_code == 200
    with nothing_written():
        both = client.post(url, {"percentage": "10", "amount": "100", "date": "2026-11-02"})
        assert "Give either a percentage or an amount." in both.content.decode()
        too_much = client.post(url, {"amount": "1200", "date": "2026-11-02"})
        assert too_much.status_code == 200
        assert too_much.context["form"].errors == {"amount": [
            "A down payment of 1200.00 EUR is more than the 1000.00 EUR of the order not yet invoiced or paid in advance "
            "(untaxed)."
        ]}  # fmt: skip
    response = client.post(url, {"percentage": "30", "amount": "", "date": "2026-11-02"})
    down = Invoice.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/accounting/invoice/{down.pk}/change/"
    assert totals(down) == (D("300.00"), D("63.00"), D("363.00"))
    page = client.get(f"/admin/sales/saleorder/{order.pk}/change/").content.decode()
    assert "Draft customer invoice" in page and "300.00 EUR" in page and "deducted: 0.00" in page


def test_the_order_pdf_lists_its_down_payments(company, seller, customer, desk):
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(4))])
    assert "Down payment" not in order_html(order)
    down = invoice_post(sale_order_down_payment(order, by=seller, percentage=D(25)), by=seller)
    html = order_html(order)
    assert "Down payment of 25%" in html and down.number in html and "302.50 EUR" in html
    assert order_pdf(order).startswith(b"%PDF")


def test_cancelling_the_draft_through_the_api_reopens_the_order(api, company, seller, customer, desk):
    order = confirmed(company, customer, seller, [OrderLineDraft(desk, D(2))])
    invoice = api.post(f"{ORDERS}{order.pk}/invoice/", {}, format="json").json()
    assert api.get(f"{ORDERS}{order.pk}/").json()["invoice_status"] == "invoiced"
    response = api.post(f"/api/v1/accounting/invoices/{invoice['id']}/cancel/", {}, format="json")
    assert (response.status_code, response.json()["state"]) == (200, "cancelled")
    assert api.get(f"{ORDERS}{order.pk}/").json()["invoice_status"] == "to_invoice"
    again = api.post(f"{ORDERS}{order.pk}/invoice/", {}, format="json")
    assert again.status_code == 201, again.content
    assert (again.json()["amount_untaxed"], again.json()["state"]) == ("500.0000", "draft")  # 2 desks again
