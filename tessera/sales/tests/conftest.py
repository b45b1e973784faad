from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tessera.accounting.models import Journal
from tessera.core.models import Company, Currency, ProductType
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, ProductFactory, UserFactory, unit
from tessera.inventory.models import ProductStock, Warehouse


@pytest.fixture
def company(db):
    """A Belgian company created through the service: chart, journals, a warehouse, order numbering."""
    return company_create(
        Company(name="Verkoop NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )


@pytest.fixture
def seller(company):
    """Sells, delivers and invoices: the roles an order-to-cash day needs."""
    return UserFactory(username="seller", companies=[company],
                       roles=["Sales / Manager", "Inventory / Manager", "Accounting / Manager"])  # fmt: skip


@pytest.fixture
def salesman(company):
    return UserFactory(username="salesman", companies=[company], roles=["Sales / User"])


@pytest.fixture
def api(seller):
    client = APIClient()
    client.force_authenticate(seller)
    return client


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.select_related("stock_location").get(company=company, code="WH")


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Klant BV", country="BE", street="Kerkstraat 1", zip="9000", city="Gent",
                          is_customer=True)  # fmt: skip


@pytest.fixture
def bank(company):
    return Journal.objects.get(company=company, code="BNK1")


@pytest.fixture
def category(company):
    return ProductCategoryFactory(company=company, name="Furniture")


def make_product(company, category, name, *, price, cost, kind=ProductType.STOCKABLE, lead_days=0, mto=False):
    product = ProductFactory(company=company, category=category, name=name, sku=name.upper()[:12], type=kind,
                             sale_price=Decimal(price), cost=Decimal(cost), uom=unit(), purchase_uom=unit())  # fmt: skip
    if kind != ProductType.SERVICE:
        ProductStock.objects.create(company=company, product=product, lead_days=lead_days,
                                    procurement_method="mto" if mto else "mts")  # fmt: skip
    return product


@pytest.fixture
def desk(company, category):
    return make_product(company, category, "Desk", price="250", cost="100", lead_days=10)


@pytest.fixture
def chair(company, category):
    return make_product(company, category, "Chair", price="80", cost="30")


@pytest.fixture
def assembly(company, category):
    return make_product(company, category, "Assembly", price="45", cost="0", kind=ProductType.SERVICE)
