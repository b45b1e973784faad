from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tessera.core.models import Company, Currency, ProductType
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, ProductFactory, UserFactory, unit
from tessera.inventory.models import ProductStock, Warehouse


@pytest.fixture
def company(db):
    """A Belgian company created through the service: chart of accounts, journals, locations, a warehouse."""
    return company_create(
        Company(name="Magazijn NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )


@pytest.fixture
def keeper(company):
    return UserFactory(username="keeper", companies=[company], roles=["Inventory / Manager"])


@pytest.fixture
def clerk(company):
    return UserFactory(username="storeclerk", companies=[company], roles=["Inventory / User"])


@pytest.fixture
def api(keeper):
    client = APIClient()
    client.force_authenticate(keeper)
    return client


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.select_related("stock_location", "view_location").get(company=company, code="WH")


@pytest.fixture
def stock(warehouse):
    return warehouse.stock_location


@pytest.fixture
def customer(company):
    return PartnerFactory(company=company, name="Klant BV")


@pytest.fixture
def supplier(company):
    return PartnerFactory(company=company, name="Leverancier BV")


@pytest.fixture
def category(company):
    return ProductCategoryFactory(company=company, name="Goods")


def make_product(company, category, name, *, cost="0", tracking="none", use_expiry=False, route="manual", mto=False):
    product = ProductFactory(company=company, category=category, name=name, sku=name.upper()[:12], cost=Decimal(cost),
                             type=ProductType.STOCKABLE, uom=unit(), purchase_uom=unit())  # fmt: skip
    ProductStock.objects.create(company=company, product=product, tracking=tracking, use_expiry=use_expiry, route=route,
                                procurement_method="mto" if mto else "mts")  # fmt: skip
    return product


@pytest.fixture
def chair(company, category):
    return make_product(company, category, "Chair", cost="40")


@pytest.fixture
def table(company, category):
    return make_product(company, category, "Table", cost="120")
