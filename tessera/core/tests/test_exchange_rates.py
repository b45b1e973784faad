import datetime
from decimal import Decimal

import pytest

from tessera.core.errors import MissingExchangeRate
from tessera.core.models import Currency, CurrencyRate
from tessera.core.queries import convert_amount, exchange_rate

USD_RATES = [(datetime.date(2026, 1, 1), "0.900000"), (datetime.date(2026, 2, 1), "0.950000")]


@pytest.fixture
def currencies(company):
    usd, gbp, eur = (Currency.objects.get(code=code) for code in ("USD", "GBP", "EUR"))
    for day, rate in USD_RATES:
        CurrencyRate.objects.create(company=company, currency=usd, date=day, rate=Decimal(rate))
    CurrencyRate.objects.create(company=company, currency=gbp, date=datetime.date(2026, 1, 1), rate=Decimal("1.150000"))
    return usd, gbp, eur


def test_the_rate_in_force_on_a_day(company, currencies):
    usd, _gbp, eur = currencies
    assert exchange_rate(company, usd, datetime.date(2026, 1, 31)) == Decimal("0.9")
    assert exchange_rate(company, usd, datetime.date(2026, 2, 1)) == Decimal("0.95")
    assert exchange_rate(company, eur, datetime.date(2020, 1, 1)) == Decimal(1)


def test_no_rate_before_the_first_one(company, currencies):
    usd, _gbp, _eur = currencies
    with pytest.raises(MissingExchangeRate, match="no exchange rate for USD on or before 2025-12-31"):
        exchange_rate(company, usd, datetime.date(2025, 12, 31))


def test_conversions_go_through_the_company_currency(company, currencies):
    usd, gbp, eur = currencies
    day = datetime.date(2026, 2, 10)
    assert convert_amount(Decimal("100.00"), usd, eur, company=company, on=day) == Decimal("95.00")
    assert convert_amount(Decimal("95.00"), eur, usd, company=company, on=day) == Decimal("100.00")
    assert convert_amount(Decimal("100.00"), usd, gbp, company=company, on=day) == Decimal("82.61")  # 95 / 1.15
    assert convert_amount(Decimal("1.005"), eur, eur, company=company, on=day) == Decimal("1.01")


def test_rates_are_per_company(company, other_company, currencies):
    usd, _gbp, _eur = currencies
    with pytest.raises(MissingExchangeRate):
        exchange_rate(other_company, usd, datetime.date(2026, 2, 10))


def test_unit_conversion_through_the_api(api):
    from tessera.core.models import Uom

    dozen, unit, kg = (Uom.objects.get(name=name) for name in ("Dozen", "Unit", "kg"))
    response = api.get(f"/api/v1/core/uoms/{dozen.pk}/convert/", {"quantity": "2.5", "to": unit.pk})
    assert response.status_code == 200
    assert response.json() == {"quantity": "30.000000", "uom": unit.pk}
    refused = api.get(f"/api/v1/core/uoms/{dozen.pk}/convert/", {"quantity": "2", "to": kg.pk})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"] == {"to": ["Cannot convert Dozen to kg: they measure different things."]}
    assert api.get(f"/api/v1/core/uoms/{dozen.pk}/convert/", {"quantity": "x", "to": unit.pk}).json()["errors"] == {
        "quantity": ["A valid number is required."]
    }
