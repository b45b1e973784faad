from decimal import Decimal

import pytest

from tessera.core.errors import BusinessError, InvalidInput, NotAllowed
from tessera.core.models import AuditEntry, Company, Currency, Partner, PaymentTerm, ProductCategory, User
from tessera.core.payment_terms import BALANCE, PERCENT, Instalment
from tessera.core.services import (
    company_create,
    payment_term_save,
    product_category_save,
    record_delete,
    record_save,
    system_user,
    user_switch_company,
)

from .factories import CompanyFactory, PartnerFactory, UserFactory


def test_a_user_without_the_permission_is_refused(company):
    clerk = UserFactory(username="clerk", companies=[company], roles=["Inventory / User"])
    with pytest.raises(NotAllowed, match="not allowed to add partners"):
        record_save(Partner(company=company, name="Acme", country="BE"), by=clerk)
    assert not Partner.objects.exists()
    assert not AuditEntry.objects.exists()


def test_records_of_a_company_not_allowed_are_refused(manager, other_company):
    with pytest.raises(NotAllowed, match="do not have access to this company"):
        record_save(Partner(company=other_company, name="Acme", country="BE"), by=manager)
    assert not Partner.objects.exists()


def test_invalid_values_are_refused_field_by_field(company, manager):
    with pytest.raises(InvalidInput) as error:
        record_save(Partner(company=company, name="", country="BE", vat="BE0123", email="not-an-email"), by=manager)
    assert set(error.value.field_errors()) == {"name", "vat", "email"}
    assert "BE0123 is not a valid VAT number for BE." in error.value.field_errors()["vat"]
    assert not Partner.objects.exists()


def test_a_record_in_use_cannot_be_deleted(company, manager):
    term = PaymentTerm.objects.create(company=company, name="30 days")
    partner = PartnerFactory(company=company, customer_payment_term=term)
    with pytest.raises(BusinessError, match="30 days is used by partners and cannot be deleted") as error:
        record_delete(term, by=manager)
    assert error.value.code == "in_use"
    assert PaymentTerm.objects.filter(pk=term.pk).exists()
    partner.refresh_from_db()
    assert partner.customer_payment_term == term


def test_renaming_a_category_renames_the_paths_below(company, manager):
    root = product_category_save(ProductCategory(company=company, name="Raw"), by=manager)
    steel = product_category_save(ProductCategory(company=company, name="Steel", parent=root), by=manager)
    sheet = product_category_save(ProductCategory(company=company, name="Sheet", parent=steel), by=manager)
    assert sheet.full_name == "Raw / Steel / Sheet"
    root = ProductCategory.objects.get(pk=root.pk)
    root.name = "Raw materials"
    product_category_save(root, by=manager)
    assert list(ProductCategory.objects.order_by("full_name").values_list("full_name", flat=True)) == [
        "Raw materials",
        "Raw materials / Steel",
        "Raw materials / Steel / Sheet",
    ]


def test_a_category_cannot_be_inside_itself(company, manager):
    root = product_category_save(ProductCategory(company=company, name="Raw"), by=manager)
    child = product_category_save(ProductCategory(company=company, name="Steel", parent=root), by=manager)
    root = ProductCategory.objects.get(pk=root.pk)
    root.parent = child
    with pytest.raises(InvalidInput, match="cannot be inside itself"):
        product_category_save(root, by=manager)


def test_duplicate_category_paths_are_refused_on_the_name(company, manager):
    product_category_save(ProductCategory(company=company, name="Raw"), by=manager)
    with pytest.raises(InvalidInput) as error:
        product_category_save(ProductCategory(company=company, name="Raw"), by=manager)
    assert error.value.field_errors() == {"name": ["This category already exists."]}


def test_payment_terms_keep_their_instalments_in_order(company, manager):
    term = payment_term_save(
        PaymentTerm(company=company, name="30/70"),
        [Instalment(PERCENT, Decimal("30")), Instalment(BALANCE, days=60)],
        by=manager,
    )
    assert [line.as_instalment() for line in term.lines.all()] == [
        Instalment(PERCENT, Decimal("30")),
        Instalment(BALANCE, days=60),
    ]
    payment_term_save(PaymentTerm.objects.get(pk=term.pk), [Instalment(BALANCE, days=30, end_of_month=True)], by=manager)
    assert [str(line) for line in term.lines.all()] == ["balance after 30 days, end of month"]
    latest = AuditEntry.objects.filter(object_id=str(term.pk)).first()
    assert latest.changes == {
        "lines": {"old": ["30% after 0 days", "balance after 60 days"], "new": ["balance after 30 days, end of month"]}
    }


def test_payment_terms_without_a_balance_are_refused(company, manager):
    with pytest.raises(InvalidInput, match="last instalment must be the balance"):
        payment_term_save(PaymentTerm(company=company, name="Bad"), [Instalment(PERCENT, Decimal("50"))], by=manager)
    assert not PaymentTerm.objects.exists()


def test_the_creator_of_a_company_may_open_it(manager):
    created = company_create(Company(name="New Branch BV", country="NL", currency=Currency.objects.get(code="EUR")), by=manager)
    assert list(manager.companies.order_by("name")) == [Company.objects.get(name="Atelier Nord NV"), created]
    assert AuditEntry.objects.get(object_id=str(created.pk), content_type__model="company").action == "create"


def test_companies_validate_their_vat_and_fiscal_year(manager):
    company = Company(
        name="Wrong NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472702", fiscal_year_start_month=2,
        fiscal_year_start_day=29,
    )  # fmt: skip
    with pytest.raises(InvalidInput) as error:
        company_create(company, by=manager)
    assert set(error.value.field_errors()) == {"vat", "fiscal_year_start_day"}


def test_fiscal_years(db):
    import datetime

    company = CompanyFactory(name="July NV", fiscal_year_start_month=7, fiscal_year_start_day=1)
    assert company.fiscal_year_of(datetime.date(2026, 3, 1)) == (datetime.date(2025, 7, 1), datetime.date(2026, 6, 30))
    assert company.fiscal_year_of(datetime.date(2026, 7, 1)) == (datetime.date(2026, 7, 1), datetime.date(2027, 6, 30))


def test_users_switch_only_to_their_companies(manager, company, other_company):
    with pytest.raises(InvalidInput, match="do not have access to Société Sud SA"):
        user_switch_company(manager, other_company, by=manager)
    someone = UserFactory(username="someone", companies=[company, other_company])
    with pytest.raises(NotAllowed):
        user_switch_company(someone, other_company, by=manager)
    user_switch_company(someone, other_company, by=someone)
    assert User.objects.get(pk=someone.pk).current_company == other_company


def test_the_system_user_cannot_sign_in(db):
    user = system_user()
    assert user.is_superuser and not user.has_usable_password()
    assert system_user().pk == user.pk


def test_saving_a_payment_term_unchanged_keeps_its_lines(company, manager):
    instalments = [Instalment(PERCENT, Decimal("30")), Instalment(BALANCE, days=60)]
    term = payment_term_save(PaymentTerm(company=company, name="30/70"), instalments, by=manager)
    line_ids = list(term.lines.values_list("pk", flat=True))
    term = PaymentTerm.objects.get(pk=term.pk)
    term.name = "30 now, 70 in 60 days"
    payment_term_save(term, instalments, by=manager)
    assert list(term.lines.values_list("pk", flat=True)) == line_ids
    entries = AuditEntry.objects.filter(object_id=str(term.pk), content_type__model="paymentterm")
    assert [(e.action, sorted(e.changes)) for e in entries] == [
        ("update", ["name"]),
        ("create", ["active", "company", "lines", "name"]),
    ]


def test_renaming_a_category_refuses_paths_that_become_too_long(company, manager):
    parent = None
    for depth in range(4):
        parent = product_category_save(ProductCategory(company=company, name=str(depth) * 100, parent=parent), by=manager)
    root = ProductCategory.objects.get(name="0" * 100)
    root.parent = product_category_save(ProductCategory(company=company, name="z" * 100), by=manager)
    with pytest.raises(InvalidInput, match="would become too long") as error:
        product_category_save(root, by=manager)
    assert list(error.value.field_errors()) == ["name"]
    assert ProductCategory.objects.get(pk=root.pk).full_name == "0" * 100
    assert max(len(c.full_name) for c in ProductCategory.objects.all()) == 409
