"""Random input through the API (hypothesis): never a 5xx, every 4xx is problem+json, and a 4xx writes nothing.

Each example runs in its own savepoint that is rolled back at its end, so every example starts from the same
records (built once per test by the `world` fixture, hence the suppressed function-scoped-fixture check).
"""

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import models, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from tessera.core import api as core_api
from tessera.core.models import (
    CompanyOwned,
    Currency,
    CurrencyRate,
    Partner,
    PaymentTerm,
    Product,
    ProductCategory,
    Sequence,
    Uom,
    UomCategory,
)
from tessera.core.payment_terms import Instalment
from tessera.core.services import payment_term_save

from .factories import (
    PartnerBankAccountFactory,
    PartnerFactory,
    PaymentTermFactory,
    ProductCategoryFactory,
    ProductFactory,
    SequenceFactory,
    unit,
)
from .test_api_errors import PROBLEM, row_counts

API = "/api/v1/core"
FUZZ = settings(
    max_examples=60,
    deadline=None,
    # `world` is built once per test and only read: each example rolls its own writes back (see exchange()).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)

VIEWSETS = {
    "partners": core_api.PartnerViewSet,
    "products": core_api.ProductViewSet,
    "currency-rates": core_api.CurrencyRateViewSet,
    "payment-terms": core_api.PaymentTermViewSet,
    "product-categories": core_api.ProductCategoryViewSet,
    "uoms": core_api.UomViewSet,
    "sequences": core_api.SequenceViewSet,
}
# the related records a field of each resource points at (kinds of World.ids)
RELATIONS = {
    "parent": {"partners": "partner", "product-categories": "category"},
    "customer_payment_term": {"partners": "term"},
    "supplier_payment_term": {"partners": "term"},
    "category": {"products": "category", "uoms": "uom_category"},
    "uom": {"products": "uom"},
    "purchase_uom": {"products": "uom"},
}

HUGE_INTEGERS = st.sampled_from([2**31, 2**63, -(2**63) - 1, 10**30, -(10**30), 10**300])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | HUGE_INTEGERS
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=10,
)
NUMBERS = [
    "0",
    "-1",
    "1.5",
    "0.000000000001",
    "1e-30",
    "1e400",
    "123456789012345678901",
    "NaN",
    "Infinity",
    "12.5",
    12.5,
    -3,
    0,
    100,
]
PLAUSIBLE: dict[str, list[Any]] = {
    "name": ["Brouwerij Test", "", " ", "x" * 201, "Chairs/Stools", "a\x00b"],
    "country": ["BE", "FR", "NL", "US", "ZZ", "be", ""],
    "currency": ["EUR", "USD", "GBP", "JPY", "XYZ", "usd", ""],
    "vat": ["BE0477472701", "be 0477.472.701", "FR40303265045", "BE0123456788", "NL123", ""],
    "date": ["2026-03-02", "2026-02-30", "0001-01-01", "9999-12-31", "02/03/2026", ""],
    "sku": ["CHAIR-01", " CHAIR-01 ", "", "x" * 65],
    "barcode": ["5449000000996", "5449000000997", "ABC-1", ""],
    "pattern": [
        "{number}",
        "INV/{year}/{number}",
        "{",
        "}",
        "{number:>5}",
        "{number!r}",
        "{number}{number}",
        "{0}",
        "{number[0]}",
    ],
    "code": ["sales.invoice", "Sales Invoice", "a" * 51, ""],
    "kind": ["contact", "invoice", "delivery", "other", "percent", "balance", "x"],
    "type": ["stockable", "consumable", "service", "gadget"],
    "language": ["en", "fr", "nl", "de", "xx"],
    "reset": ["yearly", "never", "monthly"],
    "padding": [0, 1, 12, 13, -1],
    "days": [0, 30, -1, 32767, 32768],
    "email": ["a@example.com", "@", "not an address"],
    "website": ["https://example.com", "example.com", "not a url", "javascript:alert(1)"],
    "ref": ["C-001", "", "x" * 33],
    "is_reference": [True, False, "yes"],
    **dict.fromkeys(("rate", "sale_price", "cost", "ratio", "rounding", "percent"), NUMBERS),
}


@dataclass
class World:
    client: APIClient
    ids: dict[str, list[Any]]  # per kind: own ids, then another company's, then ids that exist nowhere
    targets: dict[str, models.Model]  # the record of each resource that PATCH changes


@pytest.fixture
def world(api, company, other_company, manager) -> World:
    own_partner = PartnerFactory(company=company, name="Brouwerij Test")
    foreign_partner = PartnerFactory(company=other_company)
    own_term = payment_term_save(
        PaymentTerm(company=company, name="30% now"),
        [Instalment("percent", Decimal(30)), Instalment("balance", days=30)],
        by=manager,
    )
    foreign_term = PaymentTermFactory(company=other_company, name="Cash")
    own_category = ProductCategoryFactory(company=company, name="Furniture")
    foreign_category = ProductCategoryFactory(company=other_company, name="Tools")
    product = ProductFactory(company=company, category=own_category, sku="TABLE-01")
    ProductFactory(company=other_company, sku="CHAIR-01")
    PartnerBankAccountFactory(partner=own_partner)
    rate = CurrencyRate.objects.create(
        company=company, currency=Currency.objects.get(code="USD"), date="2026-03-01", rate=Decimal("0.92")
    )
    sequence = SequenceFactory(company=company)
    pack = Uom.objects.create(category=UomCategory.objects.get(name="Unit"), name="Pack of 6", ratio=Decimal(6))
    absent = [0, -1, 2**63]
    return World(
        client=api,
        ids={
            "partner": [own_partner.pk, foreign_partner.pk, *absent],
            "term": [own_term.pk, foreign_term.pk, *absent],
            "category": [own_category.pk, foreign_category.pk, *absent],
            "uom": [unit().pk, unit("Dozen").pk, unit("kg").pk, pack.pk, *absent],
            "uom_category": [UomCategory.objects.get(name="Unit").pk, UomCategory.objects.get(name="Weight").pk, *absent],
        },
        targets={
            "partners": own_partner,
            "products": product,
            "currency-rates": rate,
            "payment-terms": own_term,
            "product-categories": own_category,
            "uoms": pack,
            "sequences": sequence,
        },
    )


def writable_fields(resource: str) -> list[str]:
    serializer = VIEWSETS[resource].serializer_class()
    return [name for name, field in serializer.fields.items() if not field.read_only]


def value_strategy(resource: str, field: str, world: World) -> st.SearchStrategy:
    if field == "lines":
        instalment = st.fixed_dictionaries(
            {},
            optional={
                "kind": st.sampled_from(["percent", "balance", "x"]) | JSON,
                "percent": st.sampled_from(NUMBERS) | JSON,
                "days": st.sampled_from(PLAUSIBLE["days"]) | JSON,
                "end_of_month": st.booleans() | JSON,
            },
        )
        return st.lists(instalment, max_size=5) | JSON
    kind = RELATIONS.get(field, {}).get(resource)
    if kind:
        return st.sampled_from([*world.ids[kind], str(world.ids[kind][0])]) | JSON
    plausible = st.sampled_from(PLAUSIBLE[field]) if field in PLAUSIBLE else st.nothing()
    return plausible | JSON


def body_strategy(resource: str, world: World) -> st.SearchStrategy:
    fields = {field: value_strategy(resource, field, world) for field in writable_fields(resource)}
    return st.fixed_dictionaries({}, optional=fields) | JSON


def snapshot(record: models.Model) -> dict[str, Any]:
    values = type(record).objects.filter(pk=record.pk).values().get()
    if isinstance(record, PaymentTerm):
        values["lines"] = list(record.lines.order_by("position").values("kind", "percent", "days", "end_of_month"))
    return values


def exchange(world: World, method: str, url: str, body: bytes, resource: str, target: models.Model | None = None) -> None:
    """Send one request in a savepoint, check the invariants, roll its writes back."""
    model = VIEWSETS[resource].queryset.model
    with transaction.atomic():
        before = row_counts()
        record = snapshot(target) if target is not None else None
        response = world.client.generic(method, url, body, content_type="application/json")
        status = response.status_code
        assert status < 500, response.content
        if status >= 400:
            assert response["Content-Type"] == PROBLEM, response.content
            problem = json.loads(response.content)
            assert (problem["status"], problem["type"]) == (status, f"urn:tessera:problem:{problem['code']}")
            assert row_counts() == before
            if target is not None:
                assert snapshot(target) == record
        elif method == "POST":
            assert status == 201, response.content
            assert row_counts()[model.__name__] == before[model.__name__] + 1
            created = model.objects.get(pk=response.json()["id"])
            if isinstance(created, CompanyOwned):
                assert created.company_id == world.targets["partners"].company_id
        else:
            assert status == 200, response.content
            assert row_counts()[model.__name__] == before[model.__name__]
        transaction.set_rollback(True)


@pytest.mark.parametrize("resource", list(VIEWSETS))
@FUZZ
@given(data=st.data())
def test_random_post(world, resource, data):
    body = data.draw(body_strategy(resource, world), label="body")
    exchange(world, "POST", f"{API}/{resource}/", json.dumps(body).encode(), resource)


@pytest.mark.parametrize("resource", list(VIEWSETS))
@FUZZ
@given(data=st.data())
def test_random_patch(world, resource, data):
    body = data.draw(body_strategy(resource, world), label="body")
    target = world.targets[resource]
    exchange(world, "PATCH", f"{API}/{resource}/{target.pk}/", json.dumps(body).encode(), resource, target)


@FUZZ
@given(data=st.data())
def test_random_bytes_as_json_body(world, data):
    resource = data.draw(st.sampled_from(list(VIEWSETS)), label="resource")
    nasty = [
        b'{"name": "\\ud800", "country": "BE"}',
        b"[" * 5000,
        b'{"name": 1e400}',
        b'{"lines": [{}], "name": "x"}',
        b"\xff\xfe{}",
        b"null",
        b'"text"',
        b"",
    ]
    raw = data.draw(
        st.sampled_from(nasty)
        | st.binary(max_size=300)
        | st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass"))
        | JSON.map(lambda value: json.dumps(value).encode()[: len(json.dumps(value)) // 2]),
        label="raw",
    )
    exchange(world, "POST", f"{API}/{resource}/", raw, resource)


FILTERABLE = {**VIEWSETS, "audit-entries": core_api.AuditEntryViewSet}


def query_parameters(resource: str) -> list[str]:
    viewset = FILTERABLE[resource]
    fields = viewset.filterset_fields
    names = (
        [f"{field}__{lookup}" if lookup != "exact" else field for field, lookups in fields.items() for lookup in lookups]
        if isinstance(fields, dict)
        else list(fields or [])
    )
    return [*names, "search", "ordering", "page", "page_size"]


@pytest.mark.parametrize("resource", list(FILTERABLE))
@FUZZ
@given(data=st.data())
def test_random_list_filters(world, resource, data):
    names = query_parameters(resource)
    values = (
        st.text(max_size=30)
        | st.integers().map(str)
        | HUGE_INTEGERS.map(str)
        | st.sampled_from(
            ["abc", "NaN", "1e400", "-1", "2026-02-30", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00", "true", "none"]
        )
    )
    params = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=4), label="query")
    with transaction.atomic():
        before = row_counts()
        response = world.client.get(f"{API}/{resource}/?{urlencode(params)}")
        assert response.status_code < 500, response.content
        if response.status_code >= 400:
            assert response["Content-Type"] == PROBLEM
            assert json.loads(response.content)["status"] == response.status_code
        else:
            assert response.status_code == 200
            assert set(response.json()) == {"count", "next", "previous", "results"}
        # a read writes nothing (the audit trail included)
        assert row_counts() == before
        transaction.set_rollback(True)


def test_world_is_what_the_fuzz_tests_assume(world, company, other_company):
    """The fuzz tests draw ids from `world`: the first of each kind is the current company's, the second not."""
    assert Partner.objects.get(pk=world.ids["partner"][0]).company == company
    assert Partner.objects.get(pk=world.ids["partner"][1]).company == other_company
    assert PaymentTerm.objects.get(pk=world.ids["term"][1]).company == other_company
    assert ProductCategory.objects.get(pk=world.ids["category"][1]).company == other_company
    assert [line.kind for line in world.targets["payment-terms"].lines.all()] == ["percent", "balance"]
    assert {name: len(writable_fields(name)) for name in VIEWSETS} == {
        "partners": 21,
        "products": 13,
        "currency-rates": 3,
        "payment-terms": 4,
        "product-categories": 2,
        "uoms": 6,
        "sequences": 5,
    }
    assert (Product.objects.count(), Sequence.objects.count(), CurrencyRate.objects.count()) == (2, 1, 1)
