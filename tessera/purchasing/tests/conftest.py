import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal
from tessera.accounting.services import DraftLine, invoice_line_defaults, invoice_post, invoice_save
from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import PartnerFactory, ProductCategoryFactory, ProductFactory, UserFactory, unit
from tessera.inventory.models import ProductStock, Warehouse
from tessera.purchasing.models import PurchaseSettings, SupplierPrice


@pytest.fixture
def company(db):
    """A Belgian company created through the service: chart, journals, a warehouse, order numbering."""
    company = company_create(
        Company(name="Aankoop NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )
    PurchaseSettings.objects.filter(company=company).update(approval_amount=Decimal(1000))
    return company


@pytest.fixture
def buyer(company):
    """Orders, but cannot approve above the company's amount; receives through inventory."""
    return UserFactory(username="buyer", companies=[company], roles=["Purchasing / User", "Inventory / Manager"])


@pytest.fixture
def manager(company):
    return UserFactory(username="purchase-manager", companies=[company],
                       roles=["Purchasing / Manager", "Inventory / Manager", "Accounting / Manager"])  # fmt: skip


@pytest.fixture
def api(manager):
    client = APIClient()
    client.force_authenticate(manager)
    return client


@pytest.fixture
def warehouse(company):
    return Warehouse.objects.select_related("stock_location").get(company=company, code="WH")


@pytest.fixture
def supplier(company):
    return PartnerFactory(company=company, name="Staal BV", country="BE", street="Haven 1", zip="2000", city="Antwerpen",
                          is_supplier=True)  # fmt: skip


@pytest.fixture
def other_supplier(company):
    return PartnerFactory(company=company, name="Metaal SA", country="BE", street="Rue 2", zip="4000", city="Liège",
                          is_supplier=True)  # fmt: skip


@pytest.fixture
def bank(company):
    return Journal.objects.get(company=company, code="BNK1")


@pytest.fixture
def category(company):
    return ProductCategoryFactory(company=company, name="Raw materials")


def make_product(company, category, name, *, cost="0", route="buy"):
    product = ProductFactory(company=company, category=category, name=name, sku=name.upper()[:12], cost=Decimal(cost),
                             uom=unit(), purchase_uom=unit())  # fmt: skip
    ProductStock.objects.create(company=company, product=product, route=route)
    return product


@pytest.fixture
def steel(company, category):
    return make_product(company, category, "Steel plate", cost="12")


@pytest.fixture
def bolts(company, category):
    return make_product(company, category, "Bolt M8")


def supplier_price(company, product, partner, price, *, min_quantity="0", lead_days=0, **values):
    return SupplierPrice.objects.create(company=company, product=product, partner=partner, price=Decimal(price),
                                        min_quantity=Decimal(min_quantity), currency=company.currency, uom=product.uom,
                                        lead_days=lead_days, **values)  # fmt: skip


def posted_bill(company, partner, amount, by, *, due, reference=""):
    bill = Invoice(company=company, kind=InvoiceKind.VENDOR_BILL, partner=partner, date=due - datetime.timedelta(days=30),
                   due_date=due, journal=Journal.objects.get(company=company, code="BILL"), currency=company.currency,
                   payment_reference=reference, ref=f"F-{amount}")  # fmt: skip
    account, _taxes = invoice_line_defaults(bill, None)
    line = InvoiceLine(description="Steel", account=account, quantity=Decimal(1), price_unit=Decimal(amount))
    bill = invoice_save(bill, [DraftLine(line, [])], by=by)
    return invoice_post(bill, by=by)


@pytest.fixture
def paying_bank(company):
    bank = Journal.objects.get(company=company, code="BNK1")
    Journal.objects.filter(pk=bank.pk).update(bank_iban="BE68539007547034")
    bank.refresh_from_db()
    return bank
