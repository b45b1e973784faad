"""A line without any tax: "No tax" on the back office's line (empty taxes still mean the product's),
refused together with chosen taxes, kept when the quotation is saved again; and in the API, `taxes`
omitted means the product's, `[]` none, as its schema says."""

from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from tessera.accounting.models import Tax, TaxUse
from tessera.sales.models import SaleOrder
from tessera.sales.services import OrderLineDraft, sale_order_confirm, sale_order_save

ORDERS = "/api/v1/sales/orders/"
TODAY = timezone.localdate()


@pytest.fixture
def vat6(company):
    return Tax.objects.filter(company=company, use=TaxUse.SALE, rate=6, price_include=False, active=True).first()


@pytest.fixture
def browser(client, seller):
    client.force_login(seller)
    return client


def taxes_of(order):
    return [sorted(tax.rate for tax in line.taxes.all()) for line in order.lines.order_by("position")]


def add_form(customer, warehouse, lines):
    """The add page's form; each line is (product, quantity, taxes, no_tax)."""
    form = {
        "partner": customer.pk, "date_order": TODAY.isoformat(), "validity_date": "", "client_order_ref": "",
        "currency": customer.company.currency_id, "fiscal_position": "", "payment_term": "", "salesperson": "",
        "warehouse": warehouse.pk, "invoice_policy": "ordered", "commitment_date": "", "note": "",
        "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for n, (product, quantity, taxes, no_tax) in enumerate(lines):
        form |= {f"lines-{n}-product": product.pk, f"lines-{n}-description": "", f"lines-{n}-quantity": quantity,
                 f"lines-{n}-uom": "", f"lines-{n}-price_unit": "", f"lines-{n}-discount": "0",
                 f"lines-{n}-taxes": [tax.pk for tax in taxes]}  # fmt: skip
        if no_tax:
            form[f"lines-{n}-no_tax"] = "on"
    return form


def change_form_as_shown(response) -> dict:
    """What the change page posts back untouched: its fields and its lines' rows as they were shown."""
    data = {}
    forms = [response.context["adminform"].form]
    for formset in response.context["inline_admin_formsets"]:
        formset = formset.formset
        data |= {bound.html_name: bound.value() for bound in formset.management_form}
        forms += formset.forms
    for form in forms:
        for bound in form:
            value = bound.value()
            if isinstance(value, bool):
                if value:
                    data[bound.html_name] = "on"
            elif value is not None:
                data[bound.html_name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list | tuple) else value
    return data


def test_no_tax_makes_a_line_without_taxes_and_empty_taxes_the_products(browser, warehouse, customer, desk, chair, vat6):
    form = add_form(customer, warehouse, [(desk, "2", [], True), (chair, "5", [], False), (chair, "1", [vat6], False)])
    response = browser.post("/admin/sales/saleorder/add/", form)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    order = SaleOrder.objects.get()
    assert taxes_of(order) == [[], [D(21)], [D(6)]]
    # 2 × 250 without tax; 5 × 80 at 21 % (84.00); 1 × 80 at 6 % (4.80).
    assert (order.amount_untaxed, order.amount_tax, order.amount_total) == (D("980.00"), D("88.80"), D("1068.80"))


def test_no_tax_with_taxes_chosen_is_an_error_on_that_row_and_nothing_is_saved(browser, warehouse, customer, desk, chair,
                                                                               vat6):  # fmt: skip
    form = add_form(customer, warehouse, [(chair, "5", [], False), (desk, "2", [vat6], True)])
    response = browser.post("/admin/sales/saleorder/add/", form)
    assert response.status_code == 200
    rows = response.context["inline_admin_formsets"][0].formset.errors
    assert rows[0] == {} and rows[1] == {"no_tax": ["Either tick “No tax” or choose taxes, not both."]}
    assert not SaleOrder.objects.exists()


def test_a_tax_free_line_stays_tax_free_when_the_quotation_is_saved_again(browser, company, seller, customer, desk, chair):
    order = sale_order_save(SaleOrder(company=company, partner=customer),
                            [OrderLineDraft(desk, D(2), taxes=[]), OrderLineDraft(chair, D(5))], by=seller)  # fmt: skip
    assert (taxes_of(order), order.amount_tax) == ([[], [D(21)]], D("84.00"))
    page = browser.get(f"/admin/sales/saleorder/{order.pk}/change/")
    rows = page.context["inline_admin_formsets"][0].formset.forms
    assert [row["no_tax"].value() for row in rows[:2]] == [True, False]
    data = change_form_as_shown(page) | {"note": "Saved again"}
    response = browser.post(f"/admin/sales/saleorder/{order.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["inline_admin_formsets"][0].formset.errors
    order.refresh_from_db()
    assert (order.note, taxes_of(order), order.amount_tax) == ("Saved again", [[], [D(21)]], D("84.00"))


def test_a_confirmed_order_shows_its_lines_without_the_checkbox(browser, company, seller, customer, chair):
    order = sale_order_save(SaleOrder(company=company, partner=customer), [OrderLineDraft(chair, D(1), taxes=[])], by=seller)
    sale_order_confirm(order, by=seller)
    page = browser.get(f"/admin/sales/saleorder/{order.pk}/change/")
    assert page.status_code == 200 and "no_tax" not in page.content.decode()


def test_the_api_omitted_taxes_are_the_products_and_an_empty_list_none(api, customer, desk, chair, vat6):
    body = {"partner": customer.pk, "lines": [
        {"product": desk.pk, "quantity": "2"},
        {"product": chair.pk, "quantity": "5", "taxes": []},
        {"product": chair.pk, "quantity": "1", "taxes": [vat6.pk]},
    ]}  # fmt: skip
    response = api.post(ORDERS, body, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    [vat21] = Tax.objects.filter(pk__in=created["lines"][0]["taxes"])  # the desk's own sales tax
    assert vat21.rate == 21
    assert [line["taxes"] for line in created["lines"]] == [[vat21.pk], [], [vat6.pk]]
    # 2 × 250 at 21 % (105.00); 5 × 80 without tax; 80 at 6 % (4.80).
    assert (created["amount_untaxed"], created["amount_tax"]) == ("980.0000", "109.8000")

    # A PATCH without lines keeps them as they are, the tax-free one too.
    kept = api.patch(f"{ORDERS}{created['id']}/", {"note": "Kept"}, format="json")
    assert kept.status_code == 200, kept.content
    assert [line["taxes"] for line in kept.json()["lines"]] == [[vat21.pk], [], [vat6.pk]]
    # Lines sent again replace them: each line's `taxes` left out is the product's again.
    replaced = api.patch(f"{ORDERS}{created['id']}/", {"lines": [{"product": chair.pk, "quantity": "5"},
                                                                 {"product": desk.pk, "quantity": "1", "taxes": []}]},
                         format="json")  # fmt: skip
    assert replaced.status_code == 200, replaced.content
    assert [line["taxes"] for line in replaced.json()["lines"]] == [[vat21.pk], []]
    assert replaced.json()["amount_tax"] == "84.0000"


def test_the_api_schema_says_so(api):
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    taxes = schema["components"]["schemas"]["OrderLine"]["properties"]["taxes"]
    assert "If omitted, the product's sales taxes" in taxes["description"]
    assert "an empty list [] makes the line tax-free" in taxes["description"]
