"""The demo data: what `manage.py demo` loads, that it is valid, and that loading it again changes nothing."""

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from schwifty import IBAN

from tessera.core.demo import DemoResult, load_demo
from tessera.core.demo.partners import partner_specs
from tessera.core.demo.rates import month_starts, rate_on
from tessera.core.demo.users import USERS
from tessera.core.identifiers import normalize_barcode, normalize_bic, normalize_iban, normalize_vat
from tessera.core.models import (
    AuditAction,
    AuditEntry,
    Company,
    CurrencyRate,
    Partner,
    PartnerBankAccount,
    PaymentTerm,
    Product,
    ProductCategory,
    ProductType,
    Sequence,
    User,
)
from tessera.core.services import system_user

COMPANY = "Ferrano Metaalmeubelen NV"
ROLES = {
    "admin": set(),
    "accountant": {"Accounting / Manager"},
    "sales": {"Sales / Manager"},
    "buyer": {"Purchasing / Manager"},
    "warehouse": {"Inventory / Manager"},
    "planner": {"Manufacturing / Manager"},
    "hr": {"HR / Manager"},
    "employee": {"Employee"},
    "auditor": {"Auditor"},
}
# Every test uses the database, so that pytest-django keeps them together, next to the module fixture.
pytestmark = pytest.mark.django_db

MODELS = (Company, CurrencyRate, Sequence, User, PaymentTerm, Partner, PartnerBankAccount, ProductCategory, Product, AuditEntry)


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker) -> Iterator[tuple[DemoResult, str]]:
    """The demo loaded once for the whole module (loading takes seconds), and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        stdout = io.StringIO()
        result = load_demo(stdout)
        yield result, stdout.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo_company(loaded) -> Company:
    return Company.objects.get(name=COMPANY)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_loads_one_belgian_company(demo_company):
    assert Company.objects.count() == 1
    assert (demo_company.country.code, demo_company.currency.code, demo_company.vat) == ("BE", "EUR", "BE0456781215")
    assert normalize_vat(demo_company.vat, "BE") == demo_company.vat
    assert (demo_company.fiscal_year_start_month, demo_company.fiscal_year_start_day) == (1, 1)
    assert CurrencyRate.objects.filter(company=demo_company).count() == 18
    assert set(CurrencyRate.objects.values_list("currency__code", flat=True)) == {"USD", "GBP", "CHF"}
    assert {"sales.quotation", "sales.order", "sales.invoice", "purchase.order", "purchase.bill"} <= set(
        Sequence.objects.values_list("code", flat=True)
    )  # other modules (accounting's journals) add their own
    assert PaymentTerm.objects.filter(company=demo_company).count() == 5


def test_users_sign_in_to_the_demo_company_with_their_role(demo_company):
    assert set(User.objects.exclude(pk=system_user().pk).values_list("username", flat=True)) == set(ROLES)
    for username, roles in ROLES.items():
        user = authenticate(username=username, password=f"{username}-demo")
        assert user is not None, username
        assert set(user.groups.values_list("name", flat=True)) == roles
        assert list(user.companies.all()) == [demo_company]
        assert user.current_company == demo_company
        assert user.is_staff
        assert user.is_superuser == (username == "admin")


def test_partners_are_customers_and_suppliers_with_contacts(demo_company):
    partners = Partner.objects.filter(company=demo_company)
    assert partners.filter(parent=None, is_customer=True, is_supplier=False).count() == 50
    assert partners.filter(parent=None, is_supplier=True, is_customer=False).count() == 30
    assert partners.filter(parent__isnull=False, is_company=False, kind="contact").count() == 63
    assert set(partners.values_list("country", flat=True)) == {"BE", "FR", "NL", "DE"}
    refs = list(partners.filter(parent=None).order_by("ref").values_list("ref", flat=True))
    assert refs == [f"C{n:04d}" for n in range(1, 51)] + [f"S{n:04d}" for n in range(1, 31)]
    assert not partners.filter(parent=None, customer_payment_term=None, supplier_payment_term=None).exists()


def test_every_partner_vat_number_and_iban_is_valid(demo_company):
    companies = Partner.objects.filter(company=demo_company, parent=None)
    for partner in companies:
        assert normalize_vat(partner.vat, partner.country.code) == partner.vat
        assert partner.vat[:2] == partner.country.code
    accounts = PartnerBankAccount.objects.filter(company=demo_company).select_related("partner")
    assert accounts.count() == companies.count() == 80
    for account in accounts:
        assert normalize_iban(account.iban) == account.iban
        IBAN(account.iban, validate_bban=True)  # national check digits too (Belgian, French, German)
        assert account.iban[:2] == account.partner.country.code
        assert normalize_bic(account.bic) == account.bic


def test_products_have_unique_skus_and_valid_barcodes(demo_company):
    products = Product.objects.filter(company=demo_company).select_related("category")
    assert products.count() == 212  # the core demo's 200 and manufacturing's 12 sub-assemblies, kit and offcuts
    assert ProductCategory.objects.filter(company=demo_company).count() == 15
    skus = [product.sku for product in products]
    assert all(skus) and len(set(skus)) == len(skus)
    barcodes = [product.barcode for product in products if product.barcode]
    assert len(barcodes) == len(set(barcodes)) == 64
    assert all(normalize_barcode(barcode) == barcode and len(barcode) == 13 for barcode in barcodes)
    assert not products.filter(category__full_name__startswith="Raw materials", can_be_sold=True).exists()
    assert not products.filter(category__full_name__startswith="Finished goods", can_be_purchased=True).exists()
    assert not products.filter(category__full_name__startswith="Finished goods", sale_price=0).exists()
    assert set(products.filter(type=ProductType.SERVICE).values_list("uom__name", flat=True)) == {"Hour", "Day"}


def test_every_record_is_in_the_audit_trail(loaded):
    result, _output = loaded
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, actor=system_user(), content_type__app_label="core")
    # Besides the demo's own records, the modules' company set-up numbers its journals and documents.
    module_sequences = Sequence.objects.filter(code__regex=r"^((accounting|inventory)\..*|sales\.order|purchasing\.order)$")
    manufactured = Product.objects.filter(sku__regex=r"^(SA-|FX-KIT-|ST-OFFCUT)").count()  # the manufacturing demo's own
    assert manufactured == 12
    assert created.count() == result.created + module_sequences.count() + manufactured
    assert result.created == 475  # the sales and purchasing set-ups number orders before the demo would


def test_output_lists_what_was_created_and_the_logins(loaded):
    _result, output = loaded
    assert "Ferrano Metaalmeubelen NV" in output
    for user in USERS:
        assert f"{user.username} " in output
        assert user.password in output
    assert "Sales / Manager" in output


def test_the_command_prints_what_it_found_and_the_logins(loaded):
    stdout = io.StringIO()
    call_command("demo", stdout=stdout)
    output = stdout.getvalue()
    assert "Products            0        200" in output
    assert "sales       sales-demo       Sales / Manager" in output


def test_a_second_run_creates_and_changes_nothing(loaded):
    before = counts()
    stdout = io.StringIO()
    result = load_demo(stdout)
    assert result.created == 0
    assert counts() == before
    assert sum(tally.found for tally in result.tallies.values()) == 476


def test_a_second_run_completes_a_partial_load(loaded):
    Product.objects.filter(sku__startswith="TR-").delete()
    PartnerBankAccount.objects.filter(partner__ref="S0001").delete()
    audit_entries = AuditEntry.objects.count()
    result = load_demo(io.StringIO())
    assert {model.__name__: tally.created for model, tally in result.tallies.items() if tally.created} == {
        "Product": 12,
        "PartnerBankAccount": 1,
    }
    assert Product.objects.count() == 212
    assert AuditEntry.objects.count() == audit_entries + 13


def test_partners_are_the_same_on_every_load():
    assert partner_specs() == partner_specs()


def test_exchange_rates_are_on_month_starts_and_depend_only_on_the_day():
    assert month_starts(datetime.date(2026, 2, 14), 3) == [
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]
    assert rate_on("USD", datetime.date(2026, 1, 1)) == rate_on("USD", datetime.date(2026, 1, 1))
    assert Decimal("0.8") < rate_on("USD", datetime.date(2026, 1, 1)) < Decimal("0.9")
