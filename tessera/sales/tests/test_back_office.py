"""The sales back office: quotations typed through the form, confirmed, invoiced and cancelled by
their buttons, errors shown with nothing written, and other companies' orders out of reach."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import Invoice
from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, UserFactory
from tessera.inventory.models import Quant, Transfer, TransferKind
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.inventory.states import TransferState
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_save
from tessera.sales.states import DeliveryStatus, InvoiceStatus, OrderState

from .conftest import make_product

TODAY = timezone.localdate()


@pytest.fixture
def browser(client, seller):
    client.force_login(seller)
    return client


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def receive(company, warehouse, by, product, quantity, cost):
    receipt = transfer_save(Transfer(company=company, kind=TransferKind.RECEIPT, warehouse=warehouse),
                            [MoveDraft(product, D(quantity), unit_cost=D(cost))], by=by)  # fmt: skip
    transfer_validate(transfer_confirm(receipt, by=by), by=by)


def reserved(product, location):
    return sum(Quant.objects.filter(product=product, location=location).values_list("reserved_quantity", flat=True), D(0))


def order_form(customer, warehouse, lines):
    form = {
        "partner": customer.pk, "date_order": TODAY.isoformat(), "validity_date": "", "client_order_ref": "PO-42",
        "currency": customer.company.currency_id, "fiscal_position": "", "payment_term": "", "salesperson": "",
        "warehouse": warehouse.pk, "invoice_policy": "ordered", "commitment_date": "", "note": "",
        "lines-TOTAL_FORMS": str(len(lines) + 1), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for n, (product, quantity, price, discount) in enumerate([*lines, ("", "", "", "0")]):
        form |= {f"lines-{n}-product": getattr(product, "pk", product), f"lines-{n}-description": "",
                 f"lines-{n}-quantity": quantity, f"lines-{n}-uom": "", f"lines-{n}-price_unit": price,
                 f"lines-{n}-discount": discount}  # fmt: skip
    return form


@pytest.fixture
def order(company, warehouse, seller, customer, desk, chair):
    """A quotation for 2 desks and 5 chairs, with 10 chairs and 1 desk in stock."""
    receive(company, warehouse, seller, chair, 10, 30)
    receive(company, warehouse, seller, desk, 1, 100)
    return sale_order_save(SaleOrder(company=company, partner=customer),
                           [OrderLineDraft(desk, D(2)), OrderLineDraft(chair, D(5))], by=seller)  # fmt: skip


def test_the_list_the_add_page_and_the_sidebar_render(browser, order):
    page = browser.get("/admin/sales/saleorder/")
    assert page.status_code == 200 and order.number in page.content.decode()
    assert browser.get("/admin/sales/saleorder/?q=Klant&state__exact=draft").status_code == 200
    assert browser.get("/admin/sales/saleorder/add/").status_code == 200
    assert browser.get(f"/admin/sales/saleorder/{order.pk}/change/").status_code == 200
    assert "/admin/sales/saleorder/" in browser.get("/admin/").content.decode()


def test_a_quotation_typed_through_the_form(browser, company, warehouse, customer, desk, chair):
    form = order_form(customer, warehouse, [(desk, "2", "240", "0"), (chair, "5", "", "10")])
    response = browser.post("/admin/sales/saleorder/add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    order = SaleOrder.objects.get()
    # 2 × 240 (typed) + 5 × 80 (the chair's price) less 10 % = 840.00 untaxed; 21 % VAT.
    assert (order.number, order.state, order.client_order_ref) == (f"SO/{TODAY.year}/00001", OrderState.DRAFT, "PO-42")
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("840.00"), D("176.40"), D("1016.40"))
    lines = [(line.product, line.quantity, line.uom, line.price_unit, line.discount, line.description, line.amount_untaxed,
              [tax.rate for tax in line.taxes.all()]) for line in order.lines.order_by("position")]  # fmt: skip
    assert lines == [
        (desk, D(2), desk.uom, D(240), D(0), "Desk", D("480.00"), [D(21)]),
        (chair, D(5), chair.uom, D(80), D(10), "Chair", D("360.00"), [D(21)]),
    ]  # fmt: skip
    page = browser.get(f"/admin/sales/saleorder/{order.pk}/change/").content.decode()
    assert 'data-state="draft"' in page and f"/{order.pk}/do/confirm/" in page and 'name="lines-0-quantity"' in page


def test_a_negative_quantity_is_a_form_error_and_nothing_is_saved(browser, warehouse, customer, chair):
    response = browser.post("/admin/sales/saleorder/add/", order_form(customer, warehouse, [(chair, "-1", "", "0")]))
    assert response.status_code == 200
    assert not SaleOrder.objects.exists()


def test_confirm_creates_the_delivery_and_reserves(browser, order, warehouse, desk, chair):
    response = browser.post(f"/admin/sales/saleorder/{order.pk}/do/confirm/", follow=True)
    assert "The order is confirmed: its goods are reserved in a delivery." in messages_of(response)
    order.refresh_from_db()
    assert (order.state, order.delivery_status, order.invoice_status) == (
        OrderState.SALE, DeliveryStatus.NOTHING, InvoiceStatus.TO_INVOICE,
    )  # fmt: skip
    [delivery] = order.transfers.all()
    assert (delivery.kind, delivery.state, delivery.origin) == (TransferKind.DELIVERY, TransferState.WAITING, order.number)
    stock = warehouse.stock_location
    assert (reserved(desk, stock), reserved(chair, stock)) == (D(1), D(5))
    page = browser.get(f"/admin/sales/saleorder/{order.pk}/change/").content.decode()
    assert 'data-state="sale"' in page and f"/admin/inventory/transfer/{delivery.pk}/change/" in page
    assert "Promised for" in page and "Delivered on" in page and "Invoiced" in page
    assert 'name="lines-0-quantity"' not in page and f"/{order.pk}/do/invoice/" in page and f"/{order.pk}/do/confirm/" not in page
    # The lines are read-only now, and the order cannot be changed through the form.
    management = {"lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "2", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000"}
    saved = browser.post(f"/admin/sales/saleorder/{order.pk}/change/", {**management, "note": "changed"}, follow=True)
    assert "Only a quotation can be changed; this order is confirmed or cancelled." in messages_of(saved)
    order.refresh_from_db()
    assert order.note == ""


def test_create_invoice_makes_a_draft_and_opens_it(browser, order, seller):
    sale_order_confirm(order, by=seller)
    response = browser.post(f"/admin/sales/saleorder/{order.pk}/do/invoice/")
    invoice = Invoice.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/accounting/invoice/{invoice.pk}/change/"
    # 2 × 250 + 5 × 80 = 900.00 untaxed, everything ordered.
    assert (invoice.state, invoice.kind, invoice.partner, invoice.amount_untaxed, invoice.amount_total) == (
        "draft", "out_invoice", order.partner, D("900.00"), D("1089.00"),
    )  # fmt: skip
    order.refresh_from_db()
    assert order.invoice_status == InvoiceStatus.INVOICED and list(order.invoices.all()) == [invoice]
    page = browser.get(f"/admin/sales/saleorder/{order.pk}/change/").content.decode()
    assert f"/admin/accounting/invoice/{invoice.pk}/change/" in page
    again = browser.post(f"/admin/sales/saleorder/{order.pk}/do/invoice/", follow=True)
    assert "Nothing to invoice: everything ordered is invoiced." in messages_of(again)
    assert Invoice.objects.count() == 1


def test_cancelling_a_confirmed_order_cancels_its_delivery(browser, order, seller, warehouse, chair):
    sale_order_confirm(order, by=seller)
    response = browser.post(f"/admin/sales/saleorder/{order.pk}/do/cancel/", follow=True)
    assert "The order is cancelled." in messages_of(response)
    order.refresh_from_db()
    assert (order.state, order.invoice_status) == (OrderState.CANCELLED, InvoiceStatus.NOTHING)
    assert order.transfers.get().state == TransferState.CANCELLED
    assert reserved(chair, warehouse.stock_location) == D(0)


def test_an_archived_product_is_shown_and_nothing_changes(browser, order, desk):
    desk.active = False
    desk.save()
    response = browser.post(f"/admin/sales/saleorder/{order.pk}/do/confirm/", follow=True)
    assert "Line 1: [DESK] Desk is archived or not for sale." in messages_of(response)
    order.refresh_from_db()
    assert (order.state, order.transfers.count()) == (OrderState.DRAFT, 0)
    assert not Transfer.objects.filter(kind=TransferKind.DELIVERY).exists()
    assert not Quant.objects.filter(reserved_quantity__gt=0).exists()


def test_a_user_without_a_sales_role_cannot_open_the_list(client, company, order):
    keeper = UserFactory(username="keeper", companies=[company], roles=["Inventory / Manager"])
    client.force_login(keeper)
    assert client.get("/admin/sales/saleorder/").status_code == 403
    assert client.post(f"/admin/sales/saleorder/{order.pk}/do/confirm/").status_code == 403
    order.refresh_from_db()
    assert order.state == OrderState.DRAFT


def test_another_companys_orders_are_out_of_reach(browser, order):
    other = company_create(Company(name="Andere NV", country="BE", currency=Currency.objects.get(code="EUR")), by=system_user())
    boss = UserFactory(username="other-seller", companies=[other], roles=["Sales / Manager"])
    lamp = make_product(other, ProductCategoryFactory(company=other), "Lamp", price="20", cost="10")
    foreign = sale_order_save(SaleOrder(company=other, partner=PartnerFactory(company=other, name="Ander")),
                              [OrderLineDraft(lamp, D(1))], by=boss)  # fmt: skip
    assert foreign.number not in browser.get("/admin/sales/saleorder/").content.decode().replace(order.number, "")
    assert browser.get(f"/admin/sales/saleorder/{foreign.pk}/change/").status_code == 302  # Django's "does not exist"
    assert browser.post(f"/admin/sales/saleorder/{foreign.pk}/do/confirm/").status_code == 302
    assert browser.post(f"/admin/sales/saleorder/{foreign.pk}/do/cancel/").status_code == 302
    foreign.refresh_from_db()
    assert foreign.state == OrderState.DRAFT


def test_the_history_of_an_order_whose_lines_changed(browser, order, seller, chair):
    sale_order_save(order, [OrderLineDraft(chair, D(7))], by=seller)
    page = browser.get(f"/admin/sales/saleorder/{order.pk}/history/")
    assert page.status_code == 200
    assert b"Order lines" in page.content  # the lines' change, labelled by their model's name
