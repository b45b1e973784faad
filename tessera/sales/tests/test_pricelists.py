"""Price lists: quantity breaks, validity dates, product before category before all products, the
customer's price list before the company's default, a USD price list converted at the day's rate and
refused without one (nothing written), and the API with its roles."""

import datetime
from decimal import Decimal as D

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from tessera.core.errors import BusinessError
from tessera.core.models import AuditEntry, Currency, CurrencyRate
from tessera.core.services import record_save
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory
from tessera.sales.models import CustomerPricelist, Pricelist, PricelistItem, SaleOrder, SaleOrderLine
from tessera.sales.pricing import PriceRule, applicable_rule
from tessera.sales.services import OrderLineDraft, sale_order_save

from .conftest import make_product

MARCH = datetime.date(2026, 3, 15)


def pricelist(company, by, name="Retail", *, currency="EUR", default=False, items=()) -> Pricelist:
    plist = record_save(Pricelist(company=company, name=name, currency=Currency.objects.get(code=currency),
                                  is_default=default), by=by)  # fmt: skip
    for fields in items:
        record_save(PricelistItem(company=company, pricelist=plist, **fields), by=by)
    return plist


def quote(company, customer, seller, *lines, on=MARCH, **fields) -> SaleOrder:
    order = SaleOrder(company=company, partner=customer, date_order=on, **fields)
    return sale_order_save(order, [OrderLineDraft(product, D(qty), price_unit=price) for product, qty, price in lines], by=seller)


def prices(order) -> list[tuple[str, D, D]]:
    return [(line.product.name, line.quantity, line.price_unit) for line in order.lines.order_by("position")]


def test_quantity_breaks_take_the_highest_reached(company, seller, customer, chair, desk):
    pricelist(company, seller, default=True, items=[
        {"product": chair, "fixed_price": D("75")},
        {"product": chair, "min_quantity": D("10"), "fixed_price": D("70")},
        {"product": chair, "min_quantity": D("50"), "fixed_price": D("65")},
    ])  # fmt: skip
    order = quote(company, customer, seller, (chair, "5", None), (chair, "10", None), (chair, "60", None), (desk, "2", None))
    assert prices(order) == [("Chair", D("5"), D("75")), ("Chair", D("10"), D("70")), ("Chair", D("60"), D("65")),
                             ("Desk", D("2"), D("250"))]  # fmt: skip
    assert order.amount_untaxed == D("375") + D("700") + D("3900") + D("500")


def test_validity_dates_follow_the_order_date(company, seller, customer, chair):
    march, may = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)), datetime.date(2026, 5, 1)
    pricelist(company, seller, default=True, items=[
        {"product": chair, "fixed_price": D("60"), "date_start": march[0], "date_end": march[1]},
        {"product": chair, "fixed_price": D("55"), "date_start": may},
    ])  # fmt: skip
    days = [MARCH, march[1], datetime.date(2026, 4, 1), may]
    assert [quote(company, customer, seller, (chair, "1", None), on=day).lines.get().price_unit for day in days] == [
        D("60"), D("60"), D("80"), D("55"),
    ]  # fmt: skip


def test_product_before_category_before_all_products(company, seller, customer, category, chair, desk):
    office = ProductCategoryFactory(company=company, name="Office", parent=category, full_name="Furniture / Office")
    lamp = make_product(company, office, "Lamp", price="40", cost="10")
    other = make_product(company, ProductCategoryFactory(company=company, name="Paper"), "Paper", price="12.50", cost="5")
    pricelist(company, seller, default=True, items=[
        {"percent_discount": D("2")},
        {"category": category, "percent_discount": D("10")},
        {"product": desk, "fixed_price": D("230")},
    ])  # fmt: skip
    order = quote(company, customer, seller, (desk, "1", None), (chair, "1", None), (lamp, "1", None), (other, "4", None))
    assert prices(order) == [("Desk", D("1"), D("230")), ("Chair", D("1"), D("72")), ("Lamp", D("1"), D("36")),
                             ("Paper", D("4"), D("12.25"))]  # fmt: skip
    assert order.amount_untaxed == D("230") + D("72") + D("36") + D("49")


def test_typed_price_wins_over_the_pricelist(company, seller, customer, chair):
    pricelist(company, seller, default=True, items=[{"product": chair, "fixed_price": D("75")}])
    assert prices(quote(company, customer, seller, (chair, "2", D("85")))) == [("Chair", D("2"), D("85"))]


def test_customer_pricelist_before_the_default(company, seller, customer, chair):
    default = pricelist(company, seller, "Retail", default=True, items=[{"product": chair, "fixed_price": D("75")}])
    wholesale = pricelist(company, seller, "Wholesale", items=[{"product": chair, "fixed_price": D("68")}])
    record_save(CustomerPricelist(company=company, partner=customer, pricelist=wholesale), by=seller)
    walk_in = PartnerFactory(company=company, name="Passant", country="BE", is_customer=True)
    mine = quote(company, customer, seller, (chair, "3", None))
    theirs = quote(company, walk_in, seller, (chair, "3", None))
    assert (mine.pricelist, prices(mine), mine.amount_untaxed) == (wholesale, [("Chair", D("3"), D("68"))], D("204"))
    assert (theirs.pricelist, prices(theirs), theirs.amount_untaxed) == (default, [("Chair", D("3"), D("75"))], D("225"))
    wholesale.active = False
    record_save(wholesale, by=seller)
    again = quote(company, customer, seller, (chair, "3", None))
    assert (again.pricelist, prices(again)) == (default, [("Chair", D("3"), D("75"))])


def test_usd_pricelist_converted_at_the_order_date_rate(company, seller, customer, chair, desk):
    usd = Currency.objects.get(code="USD")
    CurrencyRate.objects.create(company=company, currency=usd, date=datetime.date(2026, 3, 1), rate=D("0.90"))
    CurrencyRate.objects.create(company=company, currency=usd, date=datetime.date(2026, 4, 1), rate=D("0.95"))
    pricelist(company, seller, "Export", currency="USD", default=True, items=[
        {"product": chair, "fixed_price": D("100")},
        {"product": desk, "percent_discount": D("10")},
    ])  # fmt: skip
    order = quote(company, customer, seller, (chair, "2", None), (desk, "1", None))
    # 100 USD at 0.90 EUR; the discount applies to the desk's sale price, already in euros.
    assert prices(order) == [("Chair", D("2"), D("90")), ("Desk", D("1"), D("225"))]
    assert order.amount_untaxed == D("405")
    april = quote(company, customer, seller, (chair, "1", None), on=datetime.date(2026, 4, 2))
    assert prices(april) == [("Chair", D("1"), D("95"))]
    in_dollars = quote(company, customer, seller, (chair, "1", None), (desk, "1", None), currency=usd)
    assert prices(in_dollars) == [("Chair", D("1"), D("100")), ("Desk", D("1"), D("250"))]


def test_usd_pricelist_without_rate_is_refused_and_nothing_written(company, seller, customer, chair):
    pricelist(company, seller, "Export", currency="USD", default=True, items=[{"product": chair, "fixed_price": D("100")}])
    audits = AuditEntry.objects.count()
    with pytest.raises(BusinessError) as refused:
        quote(company, customer, seller, (chair, "2", None))
    assert refused.value.code == "missing_exchange_rate"
    assert refused.value.message == (
        "Price list Export cannot give prices in EUR: Verkoop NV has no exchange rate for USD on or before 2026-03-15. "
        "Add the rate, or type the prices."
    )
    assert (SaleOrder.objects.count(), SaleOrderLine.objects.count(), AuditEntry.objects.count()) == (0, 0, audits)
    assert prices(quote(company, customer, seller, (chair, "2", D("92")))) == [("Chair", D("2"), D("92"))]


def test_existing_quotation_left_untouched_when_refused(company, seller, customer, chair, api):
    order = quote(company, customer, seller, (chair, "2", None))
    pricelist(company, seller, "Export", currency="USD", default=True, items=[{"product": chair, "fixed_price": D("100")}])
    order.pricelist = Pricelist.objects.get(name="Export")
    with pytest.raises(BusinessError):
        sale_order_save(order, [OrderLineDraft(chair, D("5"))], by=seller)
    order = SaleOrder.objects.get(pk=order.pk)
    assert (order.pricelist, prices(order), order.amount_untaxed) == (None, [("Chair", D("2"), D("80"))], D("160"))
    response = api.post("/api/v1/sales/orders/", {"partner": customer.pk, "date_order": "2026-03-15",
                                                  "lines": [{"product": chair.pk, "quantity": "1"}]}, format="json")  # fmt: skip
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "missing_exchange_rate"
    assert SaleOrder.objects.count() == 1


def test_rule_choice_without_database():
    rules = [PriceRule(None, None, D("0"), None, D("5")), PriceRule(None, 3, D("0"), D("9"), None),
             PriceRule(None, 7, D("10"), D("8"), None), PriceRule(1, None, D("100"), D("6"), None)]  # fmt: skip

    def pick(qty: str, categories: list[int]) -> PriceRule | None:
        return applicable_rule(rules, product_id=1, categories=categories, quantity=D(qty), on=MARCH)

    assert pick("5", [7, 3]) == rules[1]  # the nearer category's break is not reached: the parent's applies
    assert pick("10", [7, 3]) == rules[2]
    assert pick("100", [7, 3]) == rules[3]
    assert pick("5", [4]) == rules[0]


def test_api_pricelists_and_roles(company, seller, salesman, api, chair):
    eur = Currency.objects.get(code="EUR")
    response = api.post("/api/v1/sales/pricelists/", {"name": "Retail", "currency": eur.pk, "is_default": True}, format="json")
    assert response.status_code == 201, response.content
    plist = response.json()["id"]
    response = api.post("/api/v1/sales/pricelist-items/", {"pricelist": plist, "product": chair.pk, "min_quantity": "10",
                                                           "fixed_price": "70"}, format="json")  # fmt: skip
    assert response.status_code == 201, response.content
    before = PricelistItem.objects.count()
    response = api.post("/api/v1/sales/pricelist-items/", {"pricelist": plist, "product": chair.pk, "fixed_price": "70",
                                                           "percent_discount": "5"}, format="json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert PricelistItem.objects.count() == before
    response = api.post("/api/v1/sales/pricelists/", {"name": "Other", "currency": eur.pk, "is_default": True}, format="json")
    assert response.status_code == 400, response.content
    assert Pricelist.objects.count() == 1
    client = APIClient()
    client.force_authenticate(salesman)
    assert client.get("/api/v1/sales/pricelist-items/").json()["count"] == 1
    assert client.post("/api/v1/sales/pricelists/", {"name": "Mine", "currency": eur.pk}, format="json").status_code == 403


def test_back_office_pages_render(client, company, seller, customer, chair):
    plist = pricelist(company, seller, default=True, items=[{"product": chair, "fixed_price": D("75")}])
    link = record_save(CustomerPricelist(company=company, partner=customer, pricelist=plist), by=seller)
    client.force_login(seller)
    pages = [reverse("admin:sales_pricelist_changelist"), reverse("admin:sales_pricelist_add"),
             reverse("admin:sales_pricelist_change", args=[plist.pk]), reverse("admin:sales_customerpricelist_changelist"),
             reverse("admin:sales_customerpricelist_change", args=[link.pk])]  # fmt: skip
    assert [client.get(page).status_code for page in pages] == [200] * 5
    assert "Retail" in client.get(pages[0]).content.decode()
