"""The back office saves through the services: validation, audit trail, history, export."""

import pytest

from tessera.core.models import AuditEntry, Partner, PartnerBankAccount, PaymentTerm, Product, ProductCategory

from .factories import PartnerFactory, ProductCategoryFactory, ProductFactory, unit

PARTNER_FORM = {
    "name": "Gent Staal NV", "is_company": "on", "kind": "contact", "country": "BE", "language": "nl", "vat": "BE 0477.472.701",
    "bank_accounts-TOTAL_FORMS": "1", "bank_accounts-INITIAL_FORMS": "0", "bank_accounts-MIN_NUM_FORMS": "0",
    "bank_accounts-MAX_NUM_FORMS": "1000", "bank_accounts-0-iban": "BE68 5390 0754 7034", "bank_accounts-0-bic": "",
    "bank_accounts-0-holder_name": "",
}  # fmt: skip


@pytest.fixture
def browser(client, manager):
    client.force_login(manager)
    return client


def product_form(category, **values):
    return {
        "name": "Trolley", "sku": "TR-1", "type": "stockable", "category": category.pk, "uom": unit().pk,
        "purchase_uom": unit().pk, "sale_price": "120.00", "cost": "80.00", "can_be_sold": "on", **values,
    }  # fmt: skip


def test_adding_a_partner_with_a_bank_account(browser, company, manager):
    response = browser.post("/admin/core/partner/add/", PARTNER_FORM)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    partner = Partner.objects.get(name="Gent Staal NV")
    assert (partner.company, partner.vat) == (company, "BE0477472701")
    account = PartnerBankAccount.objects.get(partner=partner)
    assert (account.company, account.iban) == (company, "BE68539007547034")
    assert sorted(AuditEntry.objects.values_list("content_type__model", "action", "source")) == [
        ("partner", "create", "ui"),
        ("partnerbankaccount", "create", "ui"),
    ]


def test_invalid_vat_and_iban_are_form_errors(browser):
    response = browser.post(
        "/admin/core/partner/add/", {**PARTNER_FORM, "vat": "BE0477472702", "bank_accounts-0-iban": "BE68 5390 0754 7035"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["vat"] == ["BE0477472702 is not a valid VAT number for BE."]
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["iban"] == ["BE68 5390 0754 7035 is not a valid IBAN."]
    assert not Partner.objects.exists() and not AuditEntry.objects.exists()


def test_a_duplicate_sku_is_a_form_error_on_the_sku(browser, company, other_company):
    category = ProductCategoryFactory(company=company)
    ProductFactory(company=company, sku="TR-1")
    ProductFactory(company=other_company, sku="TR-2")
    response = browser.post("/admin/core/product/add/", product_form(category))
    assert response.context["adminform"].form.errors["sku"] == [
        "Another product of this company already has this internal reference."
    ]
    response = browser.post("/admin/core/product/add/", product_form(category, sku="TR-2"))
    assert response.status_code == 302  # another company's SKU is no conflict
    assert Product.objects.filter(sku="TR-2").count() == 2


def test_purchase_unit_of_another_kind_and_negative_prices(browser, company):
    category = ProductCategoryFactory(company=company)
    response = browser.post("/admin/core/product/add/", product_form(category, purchase_uom=unit("kg").pk, sale_price="-1"))
    errors = response.context["adminform"].form.errors
    assert errors["purchase_uom"] == ["The purchase unit must measure the same thing as the unit of measure (Unit)."]
    assert errors["sale_price"] == ["Ensure this value is greater than or equal to 0."]
    assert not Product.objects.exists()


def test_changing_a_product_shows_in_its_history(browser, company):
    category = ProductCategoryFactory(company=company)
    browser.post("/admin/core/product/add/", product_form(category))
    product = Product.objects.get(sku="TR-1")
    response = browser.post(f"/admin/core/product/{product.pk}/change/", product_form(category, sale_price="135.50"))
    assert response.status_code == 302
    page = browser.get(f"/admin/core/product/{product.pk}/history/").content.decode()
    assert 'id="record-history"' in page
    assert "Sale price" in page and "120.000000" in page and "135.50" in page
    created = browser.get(f"/admin/core/product/{product.pk}/history/").context["entries"][-1][1]
    assert ("Type", "—", "Stockable") in created  # choices read as their names, not their codes
    assert [entry.action for entry in AuditEntry.objects.filter(object_id=str(product.pk))] == ["update", "create"]


def test_deleting_a_record_in_use_shows_why(browser, company):
    term = PaymentTerm.objects.create(company=company, name="30 days")
    PartnerFactory(company=company, customer_payment_term=term)
    response = browser.post(f"/admin/core/paymentterm/{term.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200  # Django's confirmation page lists the partner that protects it
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert PaymentTerm.objects.filter(pk=term.pk).exists()


def test_payment_term_instalments_are_checked(browser):
    form = {
        "name": "Half now", "active": "on", "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000", "lines-0-position": "0", "lines-0-kind": "percent", "lines-0-percent": "50",
        "lines-0-days": "0",
    }  # fmt: skip
    response = browser.post("/admin/core/paymentterm/add/", form)
    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == ["The last instalment must be the balance."]
    form.update(
        {
            "lines-TOTAL_FORMS": "2",
            "lines-1-position": "1",
            "lines-1-kind": "balance",
            "lines-1-percent": "0",
            "lines-1-days": "30",
        }
    )
    assert browser.post("/admin/core/paymentterm/add/", form).status_code == 302
    term = PaymentTerm.objects.get(name="Half now")
    assert [str(line) for line in term.lines.all()] == ["50% after 0 days", "balance after 30 days"]


def test_category_paths_through_the_back_office(browser, company):
    assert browser.post("/admin/core/productcategory/add/", {"name": "Raw"}).status_code == 302
    raw = ProductCategory.objects.get(name="Raw")
    assert browser.post("/admin/core/productcategory/add/", {"name": "Steel", "parent": raw.pk}).status_code == 302
    assert ProductCategory.objects.get(name="Steel").full_name == "Raw / Steel"
    duplicate = browser.post("/admin/core/productcategory/add/", {"name": "Steel", "parent": raw.pk})
    assert duplicate.context["adminform"].form.errors["name"] == ["This category already exists."]


def test_exporting_the_list_to_csv(browser, company):
    PartnerFactory(company=company, name="Zeta BV", ref="C2", city="Gent")
    PartnerFactory(company=company, name="Alpha NV", ref="C1", city="Leuven")
    ids = list(Partner.objects.values_list("pk", flat=True))
    response = browser.post("/admin/core/partner/", {"action": "export_csv", "_selected_action": ids})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "Name,Reference,Company partner,City,Country,VAT number,Customer,Supplier,Active"
    assert lines[1:] == ["Alpha NV,C1,,Leuven,Belgium,,Yes,No,Yes", "Zeta BV,C2,,Gent,Belgium,,Yes,No,Yes"]


@pytest.mark.parametrize(
    "url",
    ["/admin/", "/admin/core/partner/", "/admin/core/product/?q=trolley", "/admin/core/auditentry/", "/admin/core/user/",
     "/admin/core/partner/add/", "/admin/core/product/add/", "/admin/core/paymentterm/add/"],
)  # fmt: skip
def test_pages_render(browser, company, url):
    ProductFactory(company=company)
    assert browser.get(url).status_code == 200


def test_only_superusers_make_superusers(browser, manager, company):
    from tessera.core.models import User

    from .factories import UserFactory

    clerk = UserFactory(username="clerk", companies=[company])
    form = {
        "username": "clerk", "first_name": "", "last_name": "", "email": "", "language": "en", "companies": [company.pk],
        "current_company": company.pk, "is_active": "on", "is_staff": "on", "is_superuser": "on",
    }  # fmt: skip
    assert browser.post(f"/admin/core/user/{clerk.pk}/change/", form).status_code == 302
    assert not User.objects.get(pk=clerk.pk).is_superuser
    boss = UserFactory(username="boss", is_superuser=True)
    assert browser.get(f"/admin/core/user/{boss.pk}/change/").status_code == 200  # view only
    assert browser.post(f"/admin/core/user/{boss.pk}/change/", {**form, "username": "boss"}).status_code == 403
