"""Nobody sees or touches another company's rows, in the back office or the API."""

import datetime
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tessera.core.models import CompanyOwned, Currency, CurrencyRate, Partner, Product
from tessera.core.urls import router

from .factories import (
    PartnerBankAccountFactory,
    PartnerFactory,
    PaymentTermFactory,
    ProductCategoryFactory,
    ProductFactory,
    SequenceFactory,
    UserFactory,
)


@pytest.fixture
def foreign_rows(other_company):
    """One row of every company-owned kind, in a company the manager may not open."""
    partner = PartnerFactory(company=other_company, name="Foreign Partner")
    return {
        Partner: partner,
        Product: ProductFactory(company=other_company, name="Foreign Product"),
        "paymentterm": PaymentTermFactory(company=other_company),
        "sequence": SequenceFactory(company=other_company),
        "bank": PartnerBankAccountFactory(partner=partner),
        "rate": CurrencyRate.objects.create(
            company=other_company, currency=Currency.objects.get(code="USD"), date=datetime.date(2026, 1, 2), rate=Decimal("0.91")
        ),
    }


def company_owned_resources():
    return [(prefix, viewset) for prefix, viewset, _name in router.registry if issubclass(viewset.queryset.model, CompanyOwned)]


@pytest.mark.parametrize(("prefix", "viewset"), company_owned_resources(), ids=lambda v: v if isinstance(v, str) else "")
def test_api_lists_and_details_hide_other_companies(api, company, foreign_rows, prefix, viewset):
    foreign = viewset.queryset.model.objects.exclude(company=company)
    assert foreign.exists(), f"the fixture has no foreign {prefix}"
    listing = api.get(f"/api/v1/core/{prefix}/")
    assert listing.status_code == 200
    assert listing.json()["count"] == viewset.queryset.model.objects.filter(company=company).count() == 0
    for row in foreign:
        for method in ("get", "patch", "delete"):
            response = getattr(api, method)(f"/api/v1/core/{prefix}/{row.pk}/")
            assert response.status_code == 404, (prefix, method, response.content)
            assert response["Content-Type"] == "application/problem+json"
    assert foreign.count() == viewset.queryset.model.objects.exclude(company=company).count()


def test_api_refuses_another_companys_ids_in_the_body(api, company, other_company):
    foreign_category = ProductCategoryFactory(company=other_company)
    response = api.post(
        "/api/v1/core/products/",
        {"name": "Stolen", "sku": "X1", "category": foreign_category.pk, "uom": 1, "purchase_uom": 1},
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["category"]
    assert not Product.objects.filter(name="Stolen").exists()


def test_api_sees_the_company_the_user_switches_to(company, other_company):
    user = UserFactory(username="both", companies=[company, other_company], roles=["Settings / Manager"])
    PartnerFactory(company=company, name="Home Partner")
    PartnerFactory(company=other_company, name="Away Partner")
    api = APIClient()
    api.force_authenticate(user)
    assert [p["name"] for p in api.get("/api/v1/core/partners/").json()["results"]] == ["Home Partner"]
    me = api.patch("/api/v1/auth/me/", {"current_company": other_company.pk})
    assert me.status_code == 200
    assert me.json()["current_company"] == other_company.pk
    assert [c["name"] for c in me.json()["allowed_companies"]] == ["Atelier Nord NV", "Société Sud SA"]
    assert [p["name"] for p in api.get("/api/v1/core/partners/").json()["results"]] == ["Away Partner"]
    created = api.post("/api/v1/core/partners/", {"name": "New Away", "country": "FR"})
    assert Partner.objects.get(pk=created.json()["id"]).company == other_company


def test_api_refuses_switching_to_a_company_not_allowed(api, manager, other_company):
    response = api.patch("/api/v1/auth/me/", {"current_company": other_company.pk})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["current_company"]
    manager.refresh_from_db()
    assert manager.current_company.name == "Atelier Nord NV"


def test_api_companies_are_the_allowed_ones(api, company, other_company):
    listing = api.get("/api/v1/core/companies/").json()
    assert [row["name"] for row in listing["results"]] == ["Atelier Nord NV"]
    assert api.get(f"/api/v1/core/companies/{other_company.pk}/").status_code == 404


def test_a_user_without_companies_sees_nothing(db, foreign_rows):
    user = UserFactory(username="lonely", roles=["Settings / Manager"])
    api = APIClient()
    api.force_authenticate(user)
    assert api.get("/api/v1/core/partners/").json()["count"] == 0
    assert api.get("/api/v1/core/companies/").json()["count"] == 0


class TestBackOffice:
    @pytest.fixture
    def browser(self, client, manager):
        client.force_login(manager)
        return client

    def test_lists_show_only_the_current_company(self, browser, company, foreign_rows):
        PartnerFactory(company=company, name="Home Partner")
        page = browser.get("/admin/core/partner/").content.decode()
        assert "Home Partner" in page
        assert "Foreign Partner" not in page

    def test_another_companys_record_cannot_be_opened(self, browser, foreign_rows):
        partner = foreign_rows[Partner]
        response = browser.get(f"/admin/core/partner/{partner.pk}/change/")
        assert response.status_code == 302  # the admin says it does not exist and goes back
        response = browser.post(f"/admin/core/partner/{partner.pk}/change/", {"name": "Hijacked", "country": "BE"})
        assert response.status_code == 302
        partner.refresh_from_db()
        assert partner.name == "Foreign Partner"

    def test_choices_only_offer_the_current_company(self, browser, company, other_company):
        mine = ProductCategoryFactory(company=company, name="Mine")
        theirs = ProductCategoryFactory(company=other_company, name="Theirs")
        response = browser.post(
            "/admin/core/product/add/",
            {"name": "Stolen", "sku": "X1", "type": "stockable", "category": theirs.pk, "uom": 1, "purchase_uom": 1,
             "sale_price": "1", "cost": "1"},
        )  # fmt: skip
        assert response.status_code == 200
        assert "category" in response.context["adminform"].form.errors
        assert not Product.objects.filter(name="Stolen").exists()
        response = browser.post(
            "/admin/core/product/add/",
            {"name": "Fine", "sku": "X1", "type": "stockable", "category": mine.pk, "uom": 1, "purchase_uom": 1,
             "sale_price": "1", "cost": "1"},
        )  # fmt: skip
        assert response.status_code == 302
        assert Product.objects.get(name="Fine").company == company

    def test_switching_company_in_the_header(self, client, company, other_company):
        user = UserFactory(username="both", companies=[company, other_company], roles=["Settings / Manager"])
        client.force_login(user)
        PartnerFactory(company=other_company, name="Away Partner")
        assert "Away Partner" not in client.get("/admin/core/partner/").content.decode()
        response = client.post("/company/switch/", {"company": other_company.pk, "next": "/admin/core/partner/"})
        assert response.status_code == 302 and response["Location"] == "/admin/core/partner/"
        assert "Away Partner" in client.get("/admin/core/partner/").content.decode()

    def test_switching_to_a_company_not_allowed_is_refused(self, browser, manager, other_company):
        response = browser.post("/company/switch/", {"company": other_company.pk, "next": "https://evil.example/"}, follow=True)
        assert response.redirect_chain[0] == ("/admin/", 302)
        manager.refresh_from_db()
        assert manager.current_company.name == "Atelier Nord NV"
        assert "You do not have access to Société Sud SA." in response.content.decode()
