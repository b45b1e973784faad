"""The purchasing back office: lists and forms render on demo-like data; an RFQ typed through the form
(keeping the procurement need a line fills); the Confirm, Approve, Receive and Create bill buttons
end to end, errors shown as messages with nothing written; Approve and Accept only for managers;
the bill matches, supplier prices and settings pages; no query per row."""

import datetime
from decimal import Decimal as D

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tessera.accounting.models import Invoice, InvoiceKind
from tessera.accounting.services import invoice_post
from tessera.accounting.states import InvoiceState
from tessera.core.models import AuditEntry, Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, UserFactory
from tessera.inventory.models import Quant, ReorderingRule, Transfer, TransferKind
from tessera.inventory.services import replenishment_run
from tessera.inventory.states import NeedState, TransferState
from tessera.purchasing.models import BillMatch, PurchaseOrder, PurchaseSettings
from tessera.purchasing.services import (
    PurchaseLineDraft,
    purchase_order_bill,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_mark_sent,
    purchase_order_receive,
    purchase_order_save,
)
from tessera.purchasing.states import BillStatus, MatchState, OrderState, ReceiptStatus

from .conftest import make_product, supplier_price

TODAY = timezone.localdate()
ORDERS = "/admin/purchasing/purchaseorder/"
MATCHES = "/admin/purchasing/billmatch/"


@pytest.fixture
def browser(client, manager):
    client.force_login(manager)
    return client


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def on_hand(product, location):
    return sum(Quant.objects.filter(product=product, location=location).values_list("quantity", flat=True), D(0))


def rfq(company, supplier, by, *lines):
    return purchase_order_save(PurchaseOrder(company=company, partner=supplier), list(lines), by=by)


@pytest.fixture
def prices(company, supplier, steel):
    """Steel at 12.50 from Staal BV, 7 days' lead time."""
    return supplier_price(company, steel, supplier, "12.50", lead_days=7, supplier_code="ST-4")


@pytest.fixture
def small(company, buyer, supplier, steel, prices):
    """An RFQ for 40 steel plates: 40 × 12.50 = 500.00 untaxed, within the 1,000.00 the buyer may place."""
    return rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(40)))


@pytest.fixture
def large(company, buyer, supplier, steel, prices):
    """An RFQ for 100 steel plates: 1,250.00 untaxed, above the company's approval amount."""
    return rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(100)))


def blocked_bill(order, buyer, manager):
    """The order placed and received, its bill at 13.00 instead of 12.50 (beyond the 2 % tolerance), posted."""
    order = purchase_order_confirm(order, by=manager)
    purchase_order_receive(order, by=manager)
    bill = purchase_order_bill(order, by=buyer, ref=f"F-{order.number}")
    line = bill.lines.get()
    line.price_unit = D("13.00")
    line.save()
    return invoice_post(bill, by=manager)


@pytest.fixture
def demo(company, buyer, manager, supplier, other_supplier, steel, bolts, prices, small, large):
    """Orders in every state, as the demo has them: a draft, a sent RFQ, one waiting for approval, one
    placed and half received, one billed with a blocked bill, a cancelled one."""
    supplier_price(company, bolts, other_supplier, "0.25", supplier_code="B-8")
    sent = purchase_order_mark_sent(rfq(company, other_supplier, buyer, PurchaseLineDraft(bolts, D(1000))), by=buyer)
    to_approve = purchase_order_confirm(large, by=buyer)
    placed = purchase_order_confirm(rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(20))), by=buyer)
    purchase_order_receive(placed, by=buyer, quantities={placed.lines.get().pk: D(10)})
    billed = rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(30)))
    blocked_bill(billed, buyer, manager)
    cancelled = purchase_order_cancel(rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(5))), by=buyer)
    orders = {"draft": small, "sent": sent, "to_approve": to_approve, "placed": placed, "billed": billed, "cancelled": cancelled}
    for order in orders.values():
        order.refresh_from_db()
    return orders


def test_the_pages_render_on_demo_like_data(browser, demo):
    assert sorted(PurchaseOrder.objects.values_list("state", "receipt_status", "bill_status")) == [
        ("cancelled", "nothing", "nothing"), ("draft", "nothing", "nothing"),
        ("purchase", "full", "billed"), ("purchase", "partial", "to_bill"),
        ("sent", "nothing", "nothing"), ("to_approve", "nothing", "nothing"),
    ]  # fmt: skip
    page = browser.get(ORDERS)
    assert page.status_code == 200
    content = page.content.decode()
    assert all(order.number in content for order in demo.values())
    for query in ("?state__exact=to_approve", "?receipt_status__exact=partial", "?bill_status__exact=to_bill",
                  f"?partner__id__exact={demo['draft'].partner_id}", f"?date_order__gte={TODAY.isoformat()}",
                  "?q=Staal"):  # fmt: skip
        assert browser.get(ORDERS + query).status_code == 200, query
    assert browser.get(f"{ORDERS}add/").status_code == 200
    for name, order in demo.items():
        change = browser.get(f"{ORDERS}{order.pk}/change/")
        assert change.status_code == 200, name
        assert f'data-state="{order.state}"' in change.content.decode(), name
    pdf = browser.get(f"{ORDERS}{demo['placed'].pk}/pdf/")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf") and pdf.content.startswith(b"%PDF-")
    for url in ("/admin/purchasing/supplierprice/", "/admin/purchasing/supplierprice/?q=ST-4", MATCHES,
                f"{MATCHES}?state__exact=blocked", "/admin/purchasing/purchasesettings/"):  # fmt: skip
        assert browser.get(url).status_code == 200, url
    match = BillMatch.objects.get()
    assert browser.get(f"{MATCHES}{match.pk}/change/").status_code == 200
    sidebar = browser.get("/admin/").content.decode()
    for url in (ORDERS, "/admin/purchasing/supplierprice/", MATCHES, "/admin/purchasing/purchasesettings/"):
        assert url in sidebar, url


def test_the_list_filters_and_exports_what_it_shows(browser, demo):
    content = browser.get(f"{ORDERS}?state__exact=to_approve").content.decode()
    assert demo["to_approve"].number in content and demo["draft"].number not in content
    ids = [order.pk for order in demo.values()]
    response = browser.post(ORDERS, {"action": "export_csv", "_selected_action": ids})
    rows = response.content.decode().splitlines()
    assert rows[0] == "Purchase order,Supplier,Order date,Buyer,State,Receipt,Billing,Total"
    placed = f"{demo['placed'].number},Staal BV,{TODAY.isoformat()},buyer,Purchase order,Partially received,Waiting for bills"
    assert f"{placed},302.5000" in rows  # 20 × 12.50 + 21 %


def test_an_rfq_typed_through_the_form(browser, company, warehouse, supplier, steel, bolts, prices):
    form = {
        "partner": supplier.pk, "partner_ref": "OFF-9", "date_order": TODAY.isoformat(), "currency": company.currency_id,
        "fiscal_position": "", "payment_term": "", "buyer": "", "warehouse": warehouse.pk, "note": "",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for n, (product, quantity, price) in enumerate([(steel, "8", ""), (bolts, "200", "0.30"), ("", "", "")]):
        form |= {f"lines-{n}-product": getattr(product, "pk", product), f"lines-{n}-description": "",
                 f"lines-{n}-quantity": quantity, f"lines-{n}-uom": "", f"lines-{n}-price_unit": price,
                 f"lines-{n}-date_planned": ""}  # fmt: skip
    response = browser.post(f"{ORDERS}add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    order = PurchaseOrder.objects.get()
    # 8 × 12.50 (the supplier's price) + 200 × 0.30 (typed) = 160.00 untaxed; 21 % VAT 33.60.
    assert (order.number, order.state, order.partner_ref) == (f"PO/{TODAY.year}/00001", OrderState.DRAFT, "OFF-9")
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("160.00"), D("33.60"), D("193.60"))
    lines = [(line.product, line.quantity, line.price_unit, line.date_planned, [tax.rate for tax in line.taxes.all()])
             for line in order.lines.order_by("position")]  # fmt: skip
    assert lines == [
        (steel, D(8), D("12.50"), TODAY + datetime.timedelta(days=7), [D(21)]),
        (bolts, D(200), D("0.30"), TODAY, [D(21)]),
    ]
    page = browser.get(f"{ORDERS}{order.pk}/change/").content.decode()
    assert 'data-state="draft"' in page and 'name="lines-0-quantity"' in page
    for verb in ("send", "mark-sent", "confirm", "cancel"):
        assert f"/{order.pk}/do/{verb}/" in page, verb
    for verb in ("approve", "receive", "bill"):
        assert f"/{order.pk}/do/{verb}/" not in page, verb
    assert "Needed when the untaxed total is above 1,000.00 EUR" in page


def test_changing_an_rfq_from_the_buy_route_keeps_the_need_it_fills(browser, company, warehouse, buyer, steel, prices):
    ReorderingRule.objects.create(company=company, product=steel, warehouse=warehouse, location=warehouse.stock_location,
                                  min_quantity=D(10), max_quantity=D(50))  # fmt: skip
    [need] = replenishment_run(company, by=buyer)
    order = PurchaseOrder.objects.get()
    line = order.lines.get()
    assert (line.need, line.quantity) == (need, D(50))
    form = {
        "partner": order.partner_id, "partner_ref": "", "date_order": order.date_order.isoformat(),
        "currency": order.currency_id, "fiscal_position": order.fiscal_position_id or "", "payment_term": "",
        "buyer": buyer.pk, "warehouse": warehouse.pk, "note": "Urgent",
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "1", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
        "lines-0-id": line.pk, "lines-0-order": order.pk, "lines-0-product": steel.pk, "lines-0-description": line.description,
        "lines-0-quantity": "60", "lines-0-uom": line.uom_id, "lines-0-price_unit": "12.50",
        "lines-0-taxes": [tax.pk for tax in line.taxes.all()], "lines-0-date_planned": line.date_planned.isoformat(),
    }  # fmt: skip
    response = browser.post(f"{ORDERS}{order.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    order.refresh_from_db()
    [line] = order.lines.all()
    assert (order.note, line.quantity, line.need, order.amount_untaxed) == ("Urgent", D(60), need, D("750.00"))
    browser.post(f"{ORDERS}{order.pk}/do/confirm/")
    need.refresh_from_db()
    assert need.state == NeedState.DONE


def test_confirm_places_the_order_and_links_its_receipt(browser, small):
    response = browser.post(f"{ORDERS}{small.pk}/do/confirm/", follow=True)
    assert messages_of(response) == ["The order is confirmed."]
    small.refresh_from_db()
    assert (small.state, small.receipt_status, small.bill_status, small.approved_by) == (
        OrderState.PURCHASE, ReceiptStatus.NOTHING, BillStatus.NOTHING, None,
    )  # fmt: skip
    [receipt] = small.transfers.all()
    assert (receipt.kind, receipt.state, receipt.origin) == (TransferKind.RECEIPT, TransferState.READY, small.number)
    page = response.content.decode()
    assert 'data-state="purchase"' in page and f"/admin/inventory/transfer/{receipt.pk}/change/" in page
    assert 'name="lines-0-quantity"' not in page and "Received" in page and "Billed" in page
    for verb in ("receive", "bill", "cancel", "send"):
        assert f"/{small.pk}/do/{verb}/" in page, verb
    assert f"/{small.pk}/do/confirm/" not in page and "Not needed" in page


def test_a_buyer_confirms_above_the_approval_amount_and_only_a_manager_approves(client, browser, buyer, manager, large):
    client.force_login(buyer)
    response = client.post(f"{ORDERS}{large.pk}/do/confirm/", follow=True)
    assert messages_of(response) == [
        "Its amount is above the company's approval amount: it waits for a purchasing manager's approval before it is placed.",
        "The order is confirmed.",
    ]
    large.refresh_from_db()
    assert (large.state, large.transfers.count()) == (OrderState.TO_APPROVE, 0)
    page = response.content.decode()
    assert "Waiting for a purchasing manager&#x27;s approval" in page and f"/{large.pk}/do/approve/" not in page
    assert client.post(f"{ORDERS}{large.pk}/do/approve/").status_code == 403
    large.refresh_from_db()
    assert large.state == OrderState.TO_APPROVE

    client.force_login(manager)
    page = client.get(f"{ORDERS}{large.pk}/change/").content.decode()
    assert f"/{large.pk}/do/approve/" in page
    response = client.post(f"{ORDERS}{large.pk}/do/approve/", follow=True)
    assert messages_of(response) == ["The order is approved and placed: its goods are expected in a receipt."]
    large.refresh_from_db()
    assert (large.state, large.approved_by, large.transfers.count()) == (OrderState.PURCHASE, manager, 1)
    assert "Approved by purchase-manager" in response.content.decode()


def test_receive_everything_expected_then_create_the_bill(browser, small, warehouse, steel, manager):
    purchase_order_confirm(small, by=manager)
    response = browser.post(f"{ORDERS}{small.pk}/do/receive/", follow=True)
    assert messages_of(response) == ["Everything expected is received."]
    small.refresh_from_db()
    [line] = small.lines.all()
    assert (line.qty_received, line.received_date, small.receipt_status, small.bill_status) == (
        D(40), TODAY, ReceiptStatus.FULL, BillStatus.TO_BILL,
    )  # fmt: skip
    assert small.transfers.get().state == TransferState.DONE
    assert on_hand(steel, warehouse.stock_location) == D(40)
    assert f"/{small.pk}/do/receive/" not in response.content.decode()

    response = browser.post(f"{ORDERS}{small.pk}/do/bill/")
    bill = Invoice.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/accounting/invoice/{bill.pk}/change/"
    # 40 × 12.50 = 500.00 untaxed + 21 % = 605.00
    assert (bill.kind, bill.state, bill.partner, bill.amount_untaxed, bill.amount_total) == (
        InvoiceKind.VENDOR_BILL, InvoiceState.DRAFT, small.partner, D("500.00"), D("605.00"),
    )  # fmt: skip
    assert list(small.invoices.all()) == [bill]
    page = browser.get(f"{ORDERS}{small.pk}/change/").content.decode()
    assert f"/admin/accounting/invoice/{bill.pk}/change/" in page


def test_a_business_error_is_a_message_and_nothing_changes(browser, small, steel, manager):
    steel.active = False
    steel.save()
    audits = AuditEntry.objects.count()
    response = browser.post(f"{ORDERS}{small.pk}/do/confirm/", follow=True)
    assert messages_of(response) == ["Line 1: [STEEL PLATE] Steel plate is archived or not purchasable."]
    small.refresh_from_db()
    assert (small.state, small.transfers.count(), Transfer.objects.count(), AuditEntry.objects.count()) == (
        OrderState.DRAFT, 0, 0, audits,
    )  # fmt: skip

    steel.active = True
    steel.save()
    purchase_order_confirm(small, by=manager)
    audits = AuditEntry.objects.count()
    response = browser.post(f"{ORDERS}{small.pk}/do/bill/", follow=True)
    assert messages_of(response) == ["Nothing to bill: nothing was received since the last bill."]
    assert response.redirect_chain == [(f"{ORDERS}{small.pk}/change/", 302)]
    small.refresh_from_db()
    assert (Invoice.objects.count(), small.invoices.count(), small.bill_status, AuditEntry.objects.count()) == (
        0, 0, BillStatus.NOTHING, audits,
    )  # fmt: skip


def test_send_by_e_mail_from_the_form(browser, small, supplier, django_capture_on_commit_callbacks):
    supplier.email = "verkoop@staal.example"
    supplier.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = browser.post(f"{ORDERS}{small.pk}/do/send/", follow=True)
    assert messages_of(response) == ["The e-mail with the PDF is on its way to the supplier."]
    assert [(m.to, m.attachments[0][2]) for m in mail.outbox] == [(["verkoop@staal.example"], "application/pdf")]
    small.refresh_from_db()
    assert small.state == OrderState.SENT


def test_a_blocked_bill_is_accepted_by_a_manager_only(client, buyer, manager, small):
    bill = blocked_bill(small, buyer, manager)
    match = BillMatch.objects.get(invoice=bill)
    assert match.state == MatchState.BLOCKED
    client.force_login(buyer)
    listed = client.get(f"{MATCHES}?state__exact=blocked").content.decode()
    assert bill.number in listed and "billed at 13.00, ordered at 12.50" in listed
    assert "accept_selected" not in listed
    page = client.get(f"{MATCHES}{match.pk}/change/").content.decode()
    assert f"/{match.pk}/do/accept/" not in page and f"/admin/purchasing/purchaseorder/{small.pk}/change/" in page
    assert client.post(f"{MATCHES}{match.pk}/do/accept/").status_code == 403
    match.refresh_from_db()
    assert match.state == MatchState.BLOCKED

    client.force_login(manager)
    page = client.get(f"{MATCHES}{match.pk}/change/").content.decode()
    assert f"/{match.pk}/do/accept/" in page and "12.500000" in page and "13.000000" in page
    response = client.post(f"{MATCHES}{match.pk}/do/accept/", follow=True)
    assert messages_of(response) == ["The bill is accepted: it can be paid."]
    match.refresh_from_db()
    bill.refresh_from_db()
    assert (match.state, match.accepted_by, bill.payment_hold) == (MatchState.ACCEPTED, manager, "")
    assert bill.number not in client.get(f"{MATCHES}?state__exact=blocked").content.decode()


def test_accept_selected_blocked_bills_from_the_list(browser, company, buyer, manager, supplier, steel, prices, small):
    blocked_bill(small, buyer, manager)
    blocked_bill(rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(10))), buyer, manager)
    ids = list(BillMatch.objects.values_list("pk", flat=True))
    response = browser.post(MATCHES, {"action": "accept_selected", "_selected_action": ids}, follow=True)
    assert messages_of(response) == ["2 bills accepted: they can be paid."]
    assert list(BillMatch.objects.values_list("state", flat=True)) == [MatchState.ACCEPTED, MatchState.ACCEPTED]


def test_the_company_settings_are_edited_through_the_form(client, browser, buyer, company):
    settings = PurchaseSettings.objects.get(company=company)
    url = f"/admin/purchasing/purchasesettings/{settings.pk}/change/"
    response = browser.post(url, {"approval_amount": "2500", "quantity_tolerance": "3", "price_tolerance": "1.5"})
    assert response.status_code == 302
    settings.refresh_from_db()
    assert (settings.approval_amount, settings.quantity_tolerance, settings.price_tolerance) == (D(2500), D(3), D("1.5"))
    entry = AuditEntry.objects.filter(object_id=str(settings.pk)).order_by("-id").first()
    assert entry.changes == {
        "approval_amount": {"old": "1000.0000", "new": "2500"}, "quantity_tolerance": {"old": "5.0000", "new": "3"},
        "price_tolerance": {"old": "2.0000", "new": "1.5"},
    }  # fmt: skip
    refused = browser.post(url, {"approval_amount": "-1", "quantity_tolerance": "3", "price_tolerance": "101"})
    assert refused.status_code == 200 and set(refused.context["adminform"].form.errors) == {"approval_amount", "price_tolerance"}
    assert browser.get("/admin/purchasing/purchasesettings/add/").status_code == 403

    client.force_login(buyer)
    assert client.post(url, {"approval_amount": "0", "quantity_tolerance": "3", "price_tolerance": "1.5"}).status_code == 403
    settings.refresh_from_db()
    assert settings.approval_amount == D(2500)


def test_another_companys_orders_are_out_of_reach(browser, small):
    other = company_create(Company(name="Andere NV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    boss = UserFactory(username="other-buyer", companies=[other], roles=["Purchasing / Manager"])
    lamp = make_product(other, ProductCategoryFactory(company=other), "Lamp")
    foreign = rfq(other, PartnerFactory(company=other, name="Ander", is_supplier=True), boss,
                  PurchaseLineDraft(lamp, D(1), price_unit=D(3)))  # fmt: skip
    assert foreign.number not in browser.get(ORDERS).content.decode().replace(small.number, "")
    assert browser.get(f"{ORDERS}{foreign.pk}/change/").status_code == 302  # Django's "does not exist"
    assert browser.get(f"{ORDERS}{foreign.pk}/pdf/").status_code == 403
    assert browser.post(f"{ORDERS}{foreign.pk}/do/confirm/").status_code == 302
    foreign.refresh_from_db()
    assert foreign.state == OrderState.DRAFT


def count_queries(browser, url):
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_lists_cost_the_same_queries_for_1_and_5_orders(browser, company, buyer, supplier, other_supplier, steel, bolts):
    supplier_price(company, steel, supplier, "12.50")
    rfq(company, supplier, buyer, PurchaseLineDraft(steel, D(1)))
    few = [count_queries(browser, url) for url in (ORDERS, "/admin/purchasing/supplierprice/")]
    for n in range(4):
        order = rfq(company, other_supplier, buyer, PurchaseLineDraft(bolts, D(n + 1), price_unit=D("0.25")))
        purchase_order_confirm(order, by=buyer)
        supplier_price(company, bolts, other_supplier, "0.25", min_quantity=str(n * 100))
    assert PurchaseOrder.objects.count() == 5
    many = [count_queries(browser, url) for url in (ORDERS, "/admin/purchasing/supplierprice/")]
    assert many == few
