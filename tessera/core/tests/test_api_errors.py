"""Bad input through the API: an exact problem+json answer (RFC 9457), a field-level message, nothing written.

Every test states the status, the problem code, the field the message is on and what the message says, and
checks with `nothing_written()` that no row of any core table (audit trail and idempotency keys included)
was added or removed.
"""

import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tessera.core.models import (
    ApiToken,
    AuditEntry,
    Company,
    CurrencyRate,
    IdempotencyKey,
    Partner,
    PartnerBankAccount,
    PaymentTerm,
    PaymentTermLine,
    Product,
    ProductCategory,
    Sequence,
    Uom,
    UomCategory,
    User,
)
from tessera.core.rest.exceptions import PayloadTooLarge
from tessera.core.rest.parsers import BoundedJSONParser

from .factories import (
    CompanyFactory,
    PartnerBankAccountFactory,
    PartnerFactory,
    PaymentTermFactory,
    ProductCategoryFactory,
    ProductFactory,
    UserFactory,
    unit,
)

API = "/api/v1/core"
PROBLEM = "application/problem+json"
HUGE = 99999999999999999999999  # more than a 64-bit integer: no database can hold it as an id

MODELS = (
    Company, User, Partner, PartnerBankAccount, PaymentTerm, PaymentTermLine, Product, ProductCategory, CurrencyRate,
    Uom, UomCategory, Sequence, ApiToken, IdempotencyKey, AuditEntry,
)  # fmt: skip


def row_counts() -> dict[str, int]:
    """Rows per core table, in one query (the fuzz tests take it twice per example)."""
    quote = connection.ops.quote_name
    counts = ", ".join(f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})" for model in MODELS)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        row = cursor.fetchone()
    return {model.__name__: count for model, count in zip(MODELS, row, strict=True)}


@contextmanager
def nothing_written() -> Iterator[None]:
    """Asserts that the block adds or deletes no row in any core table, the audit trail included."""
    before = row_counts()
    yield
    assert row_counts() == before


def assert_problem(response: Any, status: int, code: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """The response is RFC 9457 problem+json with this status and code and, when given, exactly these field errors."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = json.loads(response.content)
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:tessera:problem:{code}"
    assert body["title"]
    assert body["detail"]
    if errors is not None:
        assert body.get("errors") == errors
    return body


def post(client: APIClient, resource: str, data: Any, **extra: Any) -> Any:
    return client.post(f"{API}/{resource}/", data, format="json", **extra)


@pytest.fixture
def category(company):
    return ProductCategoryFactory(company=company, name="Furniture")


@pytest.fixture
def no_throttle_history():
    """Token requests are throttled per client in the cache; start every test with a clean count."""
    cache.clear()
    yield
    cache.clear()


# --- partners: VAT numbers, bank accounts, other companies' ids ----------------------------------


def test_partner_with_an_invalid_vat_number_is_refused_on_vat(api, company):
    with nothing_written():
        response = post(api, "partners", {"name": "Brouwerij Test", "country": "BE", "vat": "BE0123456788"})
    assert_problem(response, 400, "invalid", {"vat": ["BE0123456788 is not a valid VAT number for BE."]})


def test_partner_with_the_vat_number_of_another_country_is_refused_on_vat(api, company):
    with nothing_written():
        response = post(api, "partners", {"name": "Brouwerij Test", "country": "BE", "vat": "FR40303265045"})
    assert_problem(response, 400, "invalid", {"vat": ["This VAT number belongs to country FR, not BE."]})


def test_partner_with_a_valid_vat_number_is_saved_compact(api, company):
    response = post(api, "partners", {"name": "Brouwerij Test", "country": "BE", "vat": "be 0477.472.701"})
    assert response.status_code == 201, response.content
    assert response.json()["vat"] == "BE0477472701"
    assert Partner.objects.get(company=company).vat == "BE0477472701"


def test_partner_with_an_unknown_country_is_refused_on_country(api, company):
    with nothing_written():
        response = post(api, "partners", {"name": "Nowhere Ltd", "country": "ZZ"})
    assert_problem(response, 400, "invalid", {"country": ['"ZZ" is not a valid choice.']})


def test_bank_account_with_an_invalid_iban_is_refused_on_iban(api, company):
    partner = PartnerFactory(company=company)
    with nothing_written():
        response = post(api, "partner-bank-accounts", {"partner": partner.pk, "iban": "BE00 5390 0754 7034"})
    assert_problem(response, 400, "invalid", {"iban": ["BE00 5390 0754 7034 is not a valid IBAN."]})


def test_bank_account_with_a_valid_iban_is_saved_compact(api, company):
    partner = PartnerFactory(company=company)
    response = post(api, "partner-bank-accounts", {"partner": partner.pk, "iban": "be68 5390 0754 7034"})
    assert response.status_code == 201, response.content
    assert response.json()["iban"] == "BE68539007547034"
    assert list(PartnerBankAccount.objects.values_list("iban", flat=True)) == ["BE68539007547034"]


def test_bank_account_with_an_invalid_bic_is_refused_on_bic(api, company):
    partner = PartnerFactory(company=company)
    with nothing_written():
        response = post(api, "partner-bank-accounts", {"partner": partner.pk, "iban": "BE68539007547034", "bic": "NOPE"})
    assert_problem(response, 400, "invalid", {"bic": ["NOPE is not a valid BIC."]})


def test_bank_account_for_a_partner_of_another_company_is_refused_on_partner(api, company, other_company):
    foreign = PartnerFactory(company=other_company)
    with nothing_written():
        response = post(api, "partner-bank-accounts", {"partner": foreign.pk, "iban": "BE68539007547034"})
    assert_problem(response, 400, "invalid", {"partner": [f'Invalid pk "{foreign.pk}" - object does not exist.']})


@pytest.mark.parametrize("field", ["parent", "customer_payment_term", "supplier_payment_term"])
def test_partner_pointing_at_a_record_of_another_company_is_refused_on_that_field(api, company, other_company, field):
    foreign = PartnerFactory(company=other_company) if field == "parent" else PaymentTermFactory(company=other_company)
    body = {"name": "Jan Peeters", "is_company": False, "country": "BE", field: foreign.pk}
    with nothing_written():
        response = post(api, "partners", body)
    assert_problem(response, 400, "invalid", {field: [f'Invalid pk "{foreign.pk}" - object does not exist.']})


def test_partner_pointing_at_a_record_of_its_own_company_is_saved(api, company):
    parent = PartnerFactory(company=company, name="Brouwerij Test")
    term = PaymentTermFactory(company=company)
    body = {"name": "Jan Peeters", "is_company": False, "country": "BE", "parent": parent.pk, "customer_payment_term": term.pk}
    response = post(api, "partners", body)
    assert response.status_code == 201, response.content
    child = Partner.objects.get(pk=response.json()["id"])
    assert (child.parent, child.customer_payment_term, child.company) == (parent, term, company)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HUGE, f'Invalid pk "{HUGE}" - object does not exist.'),
        (-1, 'Invalid pk "-1" - object does not exist.'),
        ("abc", "Incorrect type. Expected pk value, received str."),
        (True, "Incorrect type. Expected pk value, received bool."),
        ([1], "Incorrect type. Expected pk value, received list."),
        ({"id": 1}, "Incorrect type. Expected pk value, received dict."),
    ],
)
def test_partner_parent_that_is_no_id_is_refused_on_parent(api, company, value, message):
    with nothing_written():
        response = post(api, "partners", {"name": "Jan Peeters", "is_company": False, "country": "BE", "parent": value})
    assert_problem(response, 400, "invalid", {"parent": [message]})


# --- another company's record in the URL: 404, and it is left alone -----------------------------


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_partner_of_another_company_in_the_url_is_not_found(api, company, other_company, method):
    foreign = PartnerFactory(company=other_company, name="Société Sud Client")
    with nothing_written():
        data = {"name": "Renamed", "country": "BE"} if method in ("put", "patch") else None
        response = getattr(api, method)(f"{API}/partners/{foreign.pk}/", data, format="json")
    body = assert_problem(response, 404, "not_found")
    assert body["detail"] == "No such record, or not in your current company."
    assert body["instance"] == f"{API}/partners/{foreign.pk}/"
    assert Partner.objects.get(pk=foreign.pk).name == "Société Sud Client"


def test_history_of_a_partner_of_another_company_is_not_found(api, company, other_company):
    foreign = PartnerFactory(company=other_company)
    assert_problem(api.get(f"{API}/partners/{foreign.pk}/history/"), 404, "not_found")


@pytest.mark.parametrize("pk", ["abc", str(HUGE), "-1", "1.5", "0x10", "%00", "1e400"])
@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_id_that_is_no_number_or_too_big_is_not_found(api, company, method, pk):
    PartnerFactory(company=company)
    with nothing_written():
        response = getattr(api, method)(
            f"{API}/partners/{pk}/", {"name": "Renamed"} if method == "patch" else None, format="json"
        )
    assert_problem(response, 404, "not_found")


def test_filter_on_an_id_that_is_too_big_is_refused_on_the_filter(api, company):
    response = api.get(f"{API}/partners/?parent={HUGE}")
    assert_problem(
        response, 400, "invalid", {"parent": ["Select a valid choice. That choice is not one of the available choices."]}
    )


# --- products: SKUs, units, prices ---------------------------------------------------------------


def product_body(category: ProductCategory, **fields: Any) -> dict[str, Any]:
    return {"name": "Oak chair", "category": category.pk, "uom": unit().pk, "purchase_uom": unit().pk, **fields}


@pytest.mark.parametrize("sku", ["CHAIR-01", "  CHAIR-01 "])
def test_product_with_a_sku_taken_in_the_company_is_refused_on_sku(api, company, category, sku):
    ProductFactory(company=company, category=category, sku="CHAIR-01")
    with nothing_written():
        response = post(api, "products", product_body(category, sku=sku))
    assert_problem(response, 400, "invalid", {"sku": ["Another product of this company already has this internal reference."]})


def test_product_with_a_sku_taken_only_in_another_company_is_saved(api, company, other_company, category):
    ProductFactory(company=other_company, sku="CHAIR-01")
    response = post(api, "products", product_body(category, sku="CHAIR-01"))
    assert response.status_code == 201, response.content
    assert sorted(Product.objects.filter(sku="CHAIR-01").values_list("company__name", flat=True)) == [
        "Atelier Nord NV",
        "Société Sud SA",
    ]


def test_product_bought_in_a_unit_of_another_category_is_refused_on_purchase_uom(api, company, category):
    with nothing_written():
        response = post(api, "products", product_body(category, sku="CHAIR-02", purchase_uom=unit("kg").pk))
    assert_problem(
        response,
        400,
        "invalid",
        {"purchase_uom": ["The purchase unit must measure the same thing as the unit of measure (Unit)."]},
    )


def test_product_bought_by_the_dozen_is_saved(api, company, category):
    response = post(api, "products", product_body(category, sku="CHAIR-03", purchase_uom=unit("Dozen").pk))
    assert response.status_code == 201, response.content
    assert Product.objects.get(sku="CHAIR-03").purchase_uom.name == "Dozen"


def test_product_with_negative_price_and_cost_is_refused_on_both(api, company, category):
    with nothing_written():
        response = post(api, "products", product_body(category, sku="CHAIR-04", sale_price="-0.01", cost=-5))
    assert_problem(
        response,
        400,
        "invalid",
        {
            "sale_price": ["Ensure this value is greater than or equal to 0."],
            "cost": ["Ensure this value is greater than or equal to 0."],
        },
    )


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("1e999999999", "Ensure that there are no more than 20 digits in total."),
        (1e300, "Ensure that there are no more than 20 digits in total."),
        ("12.1234567", "Ensure that there are no more than 6 decimal places."),
        ("abc", "A valid number is required."),
        ("NaN", "A valid number is required."),
        ("Infinity", "A valid number is required."),
    ],
)
def test_product_with_a_price_out_of_range_is_refused_on_sale_price(api, company, category, price, message):
    with nothing_written():
        response = post(api, "products", product_body(category, sku="CHAIR-05", sale_price=price))
    assert_problem(response, 400, "invalid", {"sale_price": [message]})


def test_patching_a_product_to_a_negative_price_changes_nothing(api, company, category):
    product = ProductFactory(company=company, category=category, sale_price=Decimal("10.00"))
    with nothing_written():
        response = api.patch(f"{API}/products/{product.pk}/", {"sale_price": "-1"}, format="json")
    assert_problem(response, 400, "invalid", {"sale_price": ["Ensure this value is greater than or equal to 0."]})
    product.refresh_from_db()
    assert product.sale_price == Decimal("10.00")


# --- currencies and rates -------------------------------------------------------------------------


def test_rate_of_a_currency_that_does_not_exist_is_refused_on_currency(api, company):
    with nothing_written():
        response = post(api, "currency-rates", {"currency": "XYZ", "date": "2026-03-02", "rate": "1.0842"})
    assert_problem(response, 400, "invalid", {"currency": ["There is no currency with the code XYZ: use an ISO 4217 code."]})


def test_rate_of_the_company_currency_is_refused_on_currency(api, company):
    with nothing_written():
        response = post(api, "currency-rates", {"currency": "EUR", "date": "2026-03-02", "rate": "1"})
    assert_problem(response, 400, "invalid", {"currency": ["The company's own currency has no exchange rate: it is always 1."]})


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"rate": "0"}, {"rate": ["Ensure this value is greater than or equal to 1E-12."]}),
        ({"rate": "-1.2"}, {"rate": ["Ensure this value is greater than or equal to 1E-12."]}),
        ({"date": "2026-02-30"}, {"date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ({"currency": None}, {"currency": ["This field may not be null."]}),
    ],
)
def test_rate_with_a_wrong_value_is_refused_on_that_field(api, company, fields, errors):
    with nothing_written():
        response = post(api, "currency-rates", {"currency": "USD", "date": "2026-03-02", "rate": "0.9211", **fields})
    assert_problem(response, 400, "invalid", errors)


def test_second_rate_of_a_currency_on_the_same_day_is_refused_on_date(api, company):
    assert post(api, "currency-rates", {"currency": "USD", "date": "2026-03-02", "rate": "0.9211"}).status_code == 201
    with nothing_written():
        response = post(api, "currency-rates", {"currency": "USD", "date": "2026-03-02", "rate": "0.93"})
    assert_problem(response, 400, "invalid", {"date": ["This currency already has a rate on this date."]})
    assert list(CurrencyRate.objects.values_list("rate", flat=True)) == [Decimal("0.921100000000")]


# --- payment terms ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([{"kind": "percent", "percent": "30", "days": 0}], "The last instalment must be the balance."),
        ([], "The last instalment must be the balance."),
        ([{"kind": "balance"}, {"kind": "balance", "days": 30}], "Only the last instalment can be the balance."),
        ([{"kind": "percent", "percent": "0"}, {"kind": "balance"}], "Each percentage must be more than 0 and at most 100."),
        (
            [{"kind": "percent", "percent": "60"}, {"kind": "percent", "percent": "40"}, {"kind": "balance"}],
            "The percentages add up to 100 or more: nothing is left for the balance.",
        ),
    ],
)
def test_payment_term_whose_instalments_do_not_end_with_a_balance_is_refused_on_lines(api, company, lines, message):
    with nothing_written():
        response = post(api, "payment-terms", {"name": "30% now, rest in 30 days", "lines": lines})
    assert_problem(response, 400, "invalid", {"lines": [message]})


def test_payment_term_with_a_wrong_instalment_is_refused_on_that_instalment(api, company):
    lines = [{"kind": "percent", "percent": "30", "days": -1}, {"kind": "later", "days": HUGE}]
    with nothing_written():
        response = post(api, "payment-terms", {"name": "Odd", "lines": lines})
    assert_problem(
        response,
        400,
        "invalid",
        {
            "lines.0.days": ["Ensure this value is greater than or equal to 0."],
            "lines.1.kind": ['"later" is not a valid choice.'],
            "lines.1.days": ["Ensure this value is less than or equal to 32767."],
        },
    )


@pytest.mark.parametrize(
    ("lines", "errors"),
    [
        ([{}], {"lines.0.kind": ["This field is required."]}),
        ([{"percent": "30"}, {"kind": "balance"}], {"lines.0.kind": ["This field is required."]}),
        ([{"kind": "percent", "percent": "30"}, {"kind": "later"}], {"lines.1.kind": ['"later" is not a valid choice.']}),
        ([{"kind": "percent", "percent": "30"}], {"lines": ["The last instalment must be the balance."]}),
    ],
)
def test_patching_instalments_validates_each_one_in_full(api, company, lines, errors):
    response = post(api, "payment-terms", {"name": "Cash", "lines": [{"kind": "balance", "days": 8}]})
    term_id = response.json()["id"]
    with nothing_written():
        response = api.patch(f"{API}/payment-terms/{term_id}/", {"lines": lines}, format="json")
    assert_problem(response, 400, "invalid", errors)
    assert [(line.kind, line.days) for line in PaymentTermLine.objects.filter(term_id=term_id)] == [("balance", 8)]


def test_patching_instalments_applies_their_defaults(api, company):
    response = post(api, "payment-terms", {"name": "Cash", "lines": [{"kind": "balance", "days": 8}]})
    term_id = response.json()["id"]
    lines = [{"kind": "percent", "percent": "25"}, {"kind": "balance", "end_of_month": True}]
    response = api.patch(f"{API}/payment-terms/{term_id}/", {"lines": lines}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["lines"] == [
        {"kind": "percent", "percent": "25.0000", "days": 0, "end_of_month": False},
        {"kind": "balance", "percent": "0.0000", "days": 0, "end_of_month": True},
    ]


def test_payment_term_with_a_balance_at_the_end_is_saved_with_its_instalments(api, company):
    lines = [{"kind": "percent", "percent": "30", "days": 0}, {"kind": "balance", "days": 30, "end_of_month": True}]
    response = post(api, "payment-terms", {"name": "30% now, rest in 30 days", "lines": lines})
    assert response.status_code == 201, response.content
    term = PaymentTerm.objects.get(company=company)
    assert [(line.kind, line.percent, line.days, line.end_of_month) for line in term.lines.all()] == [
        ("percent", Decimal("30.0000"), 0, False),
        ("balance", Decimal("0.0000"), 30, True),
    ]


def test_deleting_a_payment_term_used_by_a_partner_is_a_conflict(api, company):
    term = PaymentTermFactory(company=company, name="30 days")
    PartnerFactory(company=company, customer_payment_term=term)
    with nothing_written():
        response = api.delete(f"{API}/payment-terms/{term.pk}/")
    body = assert_problem(response, 409, "in_use")
    assert body["detail"] == "30 days is used by partners and cannot be deleted. Archive it instead."
    assert PaymentTerm.objects.filter(pk=term.pk).exists()


def test_deleting_an_unused_payment_term_deletes_it_and_its_instalments(api, company):
    response = post(api, "payment-terms", {"name": "Cash", "lines": [{"kind": "balance"}]})
    term_id = response.json()["id"]
    audit_before = AuditEntry.objects.count()
    assert api.delete(f"{API}/payment-terms/{term_id}/").status_code == 204
    assert (PaymentTerm.objects.count(), PaymentTermLine.objects.count()) == (0, 0)
    assert AuditEntry.objects.count() == audit_before + 1


# --- other master data ----------------------------------------------------------------------------


def test_duplicate_iban_of_a_partner_is_refused_on_iban_however_it_is_typed(api, company):
    partner = PartnerFactory(company=company)
    PartnerBankAccountFactory(partner=partner, iban="BE68539007547034")
    for typed in ("BE68539007547034", "be68 5390 0754 7034"):
        with nothing_written():
            response = post(api, "partner-bank-accounts", {"partner": partner.pk, "iban": typed})
        assert_problem(response, 400, "invalid", {"iban": ["This partner already has this IBAN."]})


@pytest.mark.parametrize(
    ("resource", "body", "errors"),
    [
        ("uom-categories", {"name": "Unit"}, {"name": ["unit of measure category with this name already exists."]}),
        ("uoms", {"category": "Weight", "name": "lb"}, {"category": ["Incorrect type. Expected pk value, received str."]}),
        (
            "uoms",
            {"name": "lb", "ratio": "0"},
            {"category": ["This field is required."], "ratio": ["Ensure this value is greater than or equal to 1E-12."]},
        ),
        (
            "uoms",
            {"category": HUGE, "name": "kg"},
            {
                "category": [f'Invalid pk "{HUGE}" - object does not exist.'],
                "name": ["unit of measure with this name already exists."],
            },
        ),
        ("product-categories", {"name": "Chairs/Stools"}, {"name": ["A category name cannot contain '/'."]}),
        ("product-categories", {"name": "Chairs", "parent": HUGE}, {"parent": [f'Invalid pk "{HUGE}" - object does not exist.']}),
        (
            "sequences",
            {"code": "Sales Invoice", "name": "Invoices"},
            {"code": ["Use lower-case letters, digits, '.', '_' and '-'."]},
        ),
        (
            "sequences",
            {"code": "sales.invoice", "name": "Invoices", "pattern": "INV/{year}"},
            {"pattern": ["The pattern must contain {number} exactly once."]},
        ),
        (
            "sequences",
            {"code": "sales.invoice", "name": "Invoices", "pattern": "INV/{number:>8}"},
            {"pattern": ["Write fields without a format, as {number}; set the digits separately."]},
        ),
        (
            "sequences",
            {"code": "sales.invoice", "name": "Invoices", "padding": HUGE},
            {"padding": ["Ensure this value is less than or equal to 12."]},
        ),
    ],
)
def test_master_data_with_a_wrong_value_is_refused_on_that_field(api, company, resource, body, errors):
    with nothing_written():
        response = post(api, resource, body)
    assert_problem(response, 400, "invalid", errors)


def test_second_reference_unit_of_a_category_is_refused(api, company):
    weight = UomCategory.objects.get(name="Weight")
    with nothing_written():
        response = post(api, "uoms", {"category": weight.pk, "name": "lb", "is_reference": True, "ratio": "1"})
    assert response.status_code == 400


def test_second_reference_unit_of_a_category_is_refused_on_is_reference_with_a_clear_message(api, company):
    weight = UomCategory.objects.get(name="Weight")
    response = post(api, "uoms", {"category": weight.pk, "name": "lb", "is_reference": True, "ratio": "1"})
    body = assert_problem(response, 400, "invalid")
    assert list(body["errors"]) == ["is_reference"]
    assert "reference" in body["errors"]["is_reference"][0]


def test_vat_number_longer_than_the_column_is_refused_on_vat(api, company):
    with nothing_written():
        response = post(api, "partners", {"name": "Acme Inc", "country": "US", "vat": "1" * 32})
    assert_problem(response, 400, "invalid")
    assert list(json.loads(response.content)["errors"]) == ["vat"]


def test_category_path_longer_than_the_column_is_refused(api, company):
    parent = None
    for depth in range(4):  # 4 names of 100 characters: a path of 409
        response = post(api, "product-categories", {"name": str(depth) * 100, "parent": parent})
        assert response.status_code == 201, response.content
        parent = response.json()["id"]
    with nothing_written():
        response = post(api, "product-categories", {"name": "4" * 100, "parent": parent})  # 512 characters
    assert_problem(response, 400, "invalid")


# --- bodies that are not JSON, or too big, or too deep ---------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("{bad", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        ('{"name": NaN, "country": "BE"}', "NaN is not valid JSON"),
        ('{"name": "x", "country": "BE", "is_customer": Infinity}', "Infinity is not valid JSON"),
        ('{"name": "x", "country": "BE", "parent": -Infinity}', "-Infinity is not valid JSON"),
        ('{"name": "x", "country": "BE", "parent": 1e400}', "the number 1e400 is out of range"),
        ("[" * 100_000, "maximum recursion depth exceeded while decoding a JSON array from a unicode string"),
        ('{"name": "x"' + "}" * 10, "Extra data: line 1 column 14 (char 13)"),
    ],
)
def test_body_that_is_not_json_is_a_parse_error(api, company, body, reason):
    with nothing_written():
        response = api.post(f"{API}/partners/", body, content_type="application/json")
    problem = assert_problem(response, 400, "parse_error")
    assert problem["detail"] == f"The body is not valid JSON: {reason}"


def test_empty_body_is_refused_on_each_required_field(api, company):
    with nothing_written():
        response = api.post(f"{API}/partners/", "", content_type="application/json")
    assert_problem(response, 400, "invalid", {"name": ["This field is required."], "country": ["This field is required."]})


@pytest.mark.parametrize("charset", ["hex", "utf-16", "no-such-charset"])
def test_body_in_a_charset_that_is_not_its_own_is_a_parse_error_or_ignored(api, company, charset):
    body = json.dumps({"name": "Brouwerij Test", "country": "BE"})
    response = api.post(f"{API}/partners/", body, content_type=f"application/json; charset={charset}")
    if charset == "no-such-charset":  # Django ignores a charset it does not know and reads UTF-8
        assert response.status_code == 201, response.content
    else:
        assert_problem(response, 400, "parse_error")
        assert Partner.objects.count() == 0


def test_json_nested_deeper_than_the_parser_allows_but_valid_is_refused_on_the_field(api, company):
    nested = "[" * 500 + "]" * 500
    with nothing_written():
        response = api.post(f"{API}/partners/", f'{{"name": {nested}, "country": "BE"}}', content_type="application/json")
    assert_problem(response, 400, "invalid", {"name": ["Not a valid string."]})


def test_body_larger_than_the_upload_limit_is_413(api, company):
    body = json.dumps({"name": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "country": "BE"})
    with nothing_written():
        response = api.post(f"{API}/partners/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="big-1")
    problem = assert_problem(response, 413, "payload_too_large")
    assert problem["detail"] == "The request body is too large."


def test_body_of_unknown_length_is_not_read_by_a_wsgi_server(api, company):
    """Without a Content-Length (chunked transfer), WSGI hands Django no body: the API sees an empty one."""
    body = json.dumps({"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "country": "BE"})
    with nothing_written():
        response = api.generic(
            "POST", f"{API}/partners/", body, content_type="application/json", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
        )
    assert_problem(response, 400, "invalid", {"name": ["This field is required."], "country": ["This field is required."]})


def test_body_longer_than_its_content_length_is_cut_there(api, company):
    body = json.dumps({"name": "Brouwerij Test", "country": "BE"})
    with nothing_written():
        response = api.generic("POST", f"{API}/partners/", body, content_type="application/json", CONTENT_LENGTH="10")
    assert_problem(response, 400, "parse_error")


@pytest.mark.parametrize("size", ["limit", "limit + 1"])
def test_parser_bounds_a_stream_of_unknown_length(rf, size):
    """Under ASGI a chunked body reaches the parser as a stream with no Content-Length: it reads one byte past the limit."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    padding = limit - len('{"name": ""}') + (1 if size == "limit + 1" else 0)
    stream = io.BytesIO(b'{"name": "' + b"x" * padding + b'"}')
    request = rf.post("/", content_type="application/json")
    del request.META["CONTENT_LENGTH"]
    parser = BoundedJSONParser()
    if size == "limit":
        assert len(parser.parse(stream, "application/json", {"request": request})["name"]) == padding
    else:
        with pytest.raises(PayloadTooLarge):
            parser.parse(stream, "application/json", {"request": request})


@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml"])
def test_body_that_is_not_json_by_type_is_415(api, company, content_type):
    with nothing_written():
        response = api.post(f"{API}/partners/", "name=Brouwerij+Test&country=BE", content_type=content_type)
    problem = assert_problem(response, 415, "unsupported_media_type")
    assert problem["detail"] == f'Unsupported media type "{content_type}" in request.'


def test_multipart_body_is_415(api, company):
    with nothing_written():
        response = api.post(f"{API}/partners/", {"name": "Brouwerij Test", "country": "BE"}, format="multipart")
    assert_problem(response, 415, "unsupported_media_type")


# --- URLs, pages and filters ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/core/nothing/", "/api/v2/", "/api/v1/core/partners/1/nothing/", "/api/whatever"])
def test_unknown_url_under_api_is_a_problem_not_html(api, company, path):
    problem = assert_problem(api.get(path), 404, "not_found")
    assert problem["detail"] == "No such resource."
    assert problem["instance"] == path


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("page=abc", "Invalid page 'abc': That page number is not an integer."),
        ("page=999", "Invalid page '999': That page contains no results."),
        ("page=0", "Invalid page '0': That page number is less than 1."),
        (f"page={HUGE}", f"Invalid page '{HUGE}': That page contains no results."),
    ],
)
def test_page_that_does_not_exist_is_not_found_and_says_why(api, company, query, detail):
    PartnerFactory(company=company)
    problem = assert_problem(api.get(f"{API}/partners/?{query}"), 404, "not_found")
    assert problem["detail"] == detail


@pytest.mark.parametrize("page_size", ["abc", "-1", "0", str(HUGE)])
def test_page_size_that_is_no_positive_number_falls_back_to_a_valid_one(api, company, page_size):
    PartnerFactory.create_batch(3, company=company)
    response = api.get(f"{API}/partners/?page_size={page_size}")
    assert response.status_code == 200, response.content
    assert (response.json()["count"], len(response.json()["results"])) == (3, 3)


@pytest.mark.parametrize(
    ("url", "errors"),
    [
        (f"{API}/products/?sale_price__gte=abc", {"sale_price__gte": ["Enter a number."]}),
        (f"{API}/products/?sale_price__lte=NaN", {"sale_price__lte": ["Enter a number."]}),
        (f"{API}/products/?sale_price__gte=1e400", {"sale_price__gte": ["Ensure this value is less than or equal to 1e+50."]}),
        (
            f"{API}/products/?category=abc",
            {"category": ["Select a valid choice. That choice is not one of the available choices."]},
        ),
        (f"{API}/products/?type=gadget", {"type": ["Select a valid choice. gadget is not one of the available choices."]}),
        (f"{API}/partners/?country=ZZZ", {"country": ["Select a valid choice. ZZZ is not one of the available choices."]}),
        (f"{API}/partners/?vat=BE%000", {"vat": ["Null characters are not allowed."]}),
        (f"{API}/partners/?search=a%00b", {"search": ["Null characters are not allowed."]}),
        (f"{API}/partners/?search=" + "+".join(f"w{i}" for i in range(21)), {"search": ["Search for at most 20 words."]}),
        (f"{API}/currency-rates/?date__gte=2026-02-30", {"date__gte": ["Enter a valid date."]}),
        (f"{API}/audit-entries/?at__gte=yesterday", {"at__gte": ["Enter a valid date/time."]}),
        (
            f"{API}/audit-entries/?at__lte=9999-12-31T23:59:59-01:00",
            {"at__lte": ["Enter a date and time between the years 1 and 9999 (UTC)."]},
        ),
        (
            f"{API}/audit-entries/?at__gte=0001-01-01T00:00:00%2B01:00",
            {"at__gte": ["Enter a date and time between the years 1 and 9999 (UTC)."]},
        ),
    ],
)
def test_filter_with_a_value_of_the_wrong_type_is_refused_on_the_filter(api, company, url, errors):
    assert_problem(api.get(url), 400, "invalid", errors)


def test_search_with_twenty_words_is_answered(api, company):
    PartnerFactory(company=company, name="w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19")
    response = api.get(f"{API}/partners/?search=" + "+".join(f"w{i}" for i in range(20)))
    assert response.status_code == 200, response.content
    assert response.json()["count"] == 1


def test_too_many_query_parameters_is_a_problem_not_html(api, company):
    query = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    problem = assert_problem(api.get(f"{API}/partners/?{query}"), 400, "bad_request")
    assert problem["detail"] == "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS."


def test_request_for_an_unknown_host_is_a_problem_not_html(api, company):
    assert_problem(api.get(f"{API}/partners/", HTTP_HOST="evil.example"), 400, "bad_request")


def test_method_the_resource_does_not_have_is_405(api, company):
    response = api.post(f"{API}/currencies/", {"code": "XYZ", "name": "Nothing", "minor_unit": 2}, format="json")
    problem = assert_problem(response, 405, "method_not_allowed")
    assert problem["detail"] == 'Method "POST" not allowed.'


# --- authentication and permissions ----------------------------------------------------------------


def test_unauthenticated_request_is_401_with_a_challenge(company):
    with nothing_written():
        response = APIClient().post(f"{API}/partners/", {"name": "Brouwerij Test", "country": "BE"}, format="json")
    problem = assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == "Token"
    assert problem["detail"] == "Authentication credentials were not provided."


@pytest.mark.parametrize("header", ["Token not-a-token", "Token ", "Token a b", "Bearer abc"])
def test_wrong_token_is_401(company, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(f"{API}/partners/")
    if header == "Bearer abc":  # another scheme: no credentials for us
        assert_problem(response, 401, "not_authenticated")
    else:
        assert_problem(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_user_without_the_add_permission_is_403_and_nothing_is_written(company):
    auditor = UserFactory(companies=[company], roles=["Auditor"])
    client = APIClient()
    client.force_authenticate(auditor)
    assert client.get(f"{API}/partners/").status_code == 200
    with nothing_written():
        response = client.post(f"{API}/partners/", {"name": "Brouwerij Test", "country": "BE"}, format="json")
    problem = assert_problem(response, 403, "permission_denied")
    assert problem["detail"] == "You do not have permission to perform this action."


def test_user_without_the_delete_permission_is_403_and_the_record_stays(company):
    partner = PartnerFactory(company=company)
    seller = UserFactory(companies=[company], roles=["Sales / User"])
    client = APIClient()
    client.force_authenticate(seller)
    with nothing_written():
        response = client.delete(f"{API}/partners/{partner.pk}/")
    assert_problem(response, 403, "permission_denied")


def test_user_without_any_role_cannot_even_list(company):
    nobody = UserFactory(companies=[company])
    client = APIClient()
    client.force_authenticate(nobody)
    assert_problem(client.get(f"{API}/partners/"), 403, "permission_denied")


@pytest.mark.usefixtures("no_throttle_history")
class TestTokens:
    def issue(self, username: str = "manager", password: str = "secret-pass-1", name: str = "web shop") -> Any:
        return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, "name": name}, format="json")

    def test_good_credentials_give_a_token_that_works_until_it_is_revoked(self, manager, company):
        response = self.issue()
        assert response.status_code == 201, response.content
        assert set(response.json()) == {"token", "id"}
        key, token_id = response.json()["token"], response.json()["id"]
        assert len(key) == 40
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        assert client.get(f"{API}/partners/").status_code == 200

        listing = client.get("/api/v1/auth/tokens/")
        assert listing.status_code == 200
        [token] = listing.json()["results"]
        assert (token["id"], token["name"], token["prefix"]) == (token_id, "web shop", key[:8])
        assert key not in listing.content.decode()
        assert ApiToken.objects.get(pk=token_id).key_hash != key

        assert client.delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 204
        assert ApiToken.objects.count() == 0
        problem = assert_problem(client.get(f"{API}/partners/"), 401, "authentication_failed")
        assert problem["detail"] == "Invalid token."

    @pytest.mark.parametrize(("username", "password"), [("manager", "wrong-pass"), ("nobody", "secret-pass-1")])
    def test_wrong_credentials_are_400_and_give_no_token(self, manager, username, password):
        with nothing_written():
            response = self.issue(username, password)
        assert_problem(response, 400, "invalid", {"non_field_errors": ["Unable to log in with these credentials."]})

    def test_missing_credentials_are_refused_on_each_field(self, manager):
        with nothing_written():
            response = APIClient().post("/api/v1/auth/token/", {}, format="json")
        assert_problem(
            response, 400, "invalid", {"username": ["This field is required."], "password": ["This field is required."]}
        )

    def test_inactive_user_gets_no_token(self, manager):
        User.objects.filter(pk=manager.pk).update(is_active=False)
        with nothing_written():
            response = self.issue()
        assert_problem(response, 400, "invalid", {"non_field_errors": ["Unable to log in with these credentials."]})

    def test_another_users_token_is_not_found_and_survives(self, manager, company):
        other = UserFactory(username="other", companies=[company], roles=["Settings / Manager"])
        token_id = self.issue("other").json()["id"]
        client = APIClient()
        client.force_authenticate(manager)
        with nothing_written():
            for method in ("get", "delete"):
                assert_problem(getattr(client, method)(f"/api/v1/auth/tokens/{token_id}/"), 404, "not_found")
        assert client.get("/api/v1/auth/tokens/").json()["count"] == 0
        assert ApiToken.objects.get(pk=token_id).user == other

    def test_token_requests_are_throttled(self, manager, monkeypatch):
        monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "token", "3/minute")
        statuses = [self.issue(password="wrong-pass").status_code for _attempt in range(3)]
        assert statuses == [400, 400, 400]
        response = self.issue()
        problem = assert_problem(response, 429, "throttled")
        assert problem["detail"].startswith("Request was throttled. Expected available in ")
        assert 1 <= int(response["Retry-After"]) <= 60
        assert ApiToken.objects.count() == 0


@pytest.mark.parametrize("target", ["other", "huge", "text"])
def test_switching_to_a_company_one_may_not_open_is_refused_without_naming_it(api, company, other_company, target):
    value = {"other": other_company.pk, "huge": HUGE, "text": "Société Sud SA"}[target]
    with nothing_written():
        response = api.patch("/api/v1/auth/me/", {"current_company": value}, format="json")
    message = (
        "Incorrect type. Expected pk value, received str."
        if target == "text"
        else f'Invalid pk "{value}" - object does not exist.'
    )
    assert_problem(response, 400, "invalid", {"current_company": [message]})
    assert User.objects.get(username="manager").current_company == company


def test_switching_to_an_allowed_company_works(api, company, manager):
    second = CompanyFactory(name="Atelier Zuid BV")
    manager.companies.add(second)
    response = api.patch("/api/v1/auth/me/", {"current_company": second.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["current_company"] == second.pk
    assert User.objects.get(pk=manager.pk).current_company == second


def test_uom_conversion_across_categories_is_refused_on_the_target_unit(api, company):
    response = api.get(f"{API}/uoms/{unit().pk}/convert/?quantity=2&to={unit('kg').pk}")
    assert_problem(response, 400, "invalid", {"to": ["Cannot convert Unit to kg: they measure different things."]})


# --- the OpenAPI schema ----------------------------------------------------------------------------


@pytest.fixture
def schema(db) -> dict[str, Any]:
    response = APIClient().get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    return json.loads(response.content)


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield path, method, operation


def test_schema_is_a_valid_openapi_3_document(schema):
    validate_schema(schema)  # drf-spectacular's JSON Schema of OpenAPI 3.0
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Tessera API"
    assert all(path.startswith("/api/v1/") for path in schema["paths"])
    assert {"/api/v1/core/partners/", "/api/v1/core/partners/{id}/", "/api/v1/auth/token/", "/api/v1/auth/tokens/{id}/"} <= set(
        schema["paths"]
    )
    documented = {(method, path) for path, method, _operation in operations(schema)}
    for resource in ("partners", "partner-bank-accounts", "products", "product-categories", "payment-terms", "sequences"):
        assert {("get", f"/api/v1/core/{resource}/"), ("post", f"/api/v1/core/{resource}/")} <= documented
        for method in ("get", "put", "patch", "delete"):
            assert (method, f"/api/v1/core/{resource}/{{id}}/") in documented


def test_schema_documents_request_and_response_bodies_of_every_operation(schema):
    for path, method, operation in operations(schema):
        success = [code for code in operation["responses"] if code.startswith("2")]
        assert len(success) == 1, (method, path)
        [code] = success
        if method == "delete":
            assert code == "204" and "content" not in operation["responses"][code], path
        elif code == "204":  # an action that answers with no body, such as …/unreconcile/
            assert "content" not in operation["responses"][code], path
        else:  # JSON, or a document such as an invoice's PDF or a payment run's SEPA file
            content = operation["responses"][code]["content"]
            document = content.get("application/json") or content.get("application/pdf") or content.get("application/xml")
            assert document["schema"], (method, path)
        is_workflow_action = method == "post" and path.rstrip("/").rsplit("/", 2)[-2] == "{id}"  # such as …/{id}/post/
        if method in ("post", "put", "patch") and not is_workflow_action:
            body = operation["requestBody"]["content"]  # JSON, or a file upload (a bank statement)
            assert body.get("application/json", body.get("multipart/form-data"))["schema"], (method, path)


def test_schema_documents_idempotency_key_and_problem_responses(schema):
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path, method, operation in operations(schema):
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        assert headers == (["Idempotency-Key"] if method == "post" else []), (method, path)
        errors = {code: response for code, response in operation["responses"].items() if code[0] in "45"}
        expected = {
            "get": {"400", "401", "403", "404"},
            "post": {"400", "401", "403", "404", "409", "413", "415", "422"},
            "put": {"400", "401", "403", "404", "409", "413", "415"},
            "patch": {"400", "401", "403", "404", "409", "413", "415"},
            "delete": {"401", "403", "404", "409"},
        }[method]
        assert set(errors) == expected, (method, path)
        for response in errors.values():
            assert response["content"] == {PROBLEM: {"schema": problem_ref}}, (method, path)
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "code", "instance", "errors"}
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}


def test_schema_generation_has_no_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert target.read_text().startswith("openapi: 3.0.3\n")


def test_an_address_without_its_trailing_slash_is_not_redirected(api, company):
    with nothing_written():
        response = api.post(f"{API}/partners", {"name": "Acme", "country": "BE"}, format="json")
    problem = assert_problem(response, 404, "not_found")
    assert problem["detail"] == "No such resource. API addresses end with a slash: /api/v1/core/partners/"
