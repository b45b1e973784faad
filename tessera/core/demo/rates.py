"""Exchange rates of the foreign currencies the demo company trades in, on the first day of recent months."""

import datetime
from decimal import Decimal
from functools import partial
from itertools import product
from operator import attrgetter
from random import Random

from ..models import Company, Currency, CurrencyRate
from .loader import Loader, index

# Euros for one unit of the currency, around which the monthly rates vary.
BASE_RATES = {"USD": Decimal("0.8600"), "GBP": Decimal("1.1500"), "CHF": Decimal("1.0700")}
MONTHS = 6


def load_exchange_rates(loader: Loader, company: Company, *, today: datetime.date) -> None:
    currencies = index(Currency.objects.filter(code__in=BASE_RATES), attrgetter("code"))
    existing = index(CurrencyRate.objects.filter(company=company).select_related("currency"), lambda r: (r.currency.code, r.date))
    for code, day in product(BASE_RATES, month_starts(today, MONTHS)):
        loader.ensure(existing, (code, day), partial(_create, loader, company, currencies[code], day))


def month_starts(today: datetime.date, count: int) -> list[datetime.date]:
    """The first days of the `count` months up to this one, oldest first."""
    months = [today.year * 12 + today.month - 1 - back for back in reversed(range(count))]
    return [datetime.date(month // 12, month % 12 + 1, 1) for month in months]


def rate_on(code: str, day: datetime.date) -> Decimal:
    """A plausible rate that depends only on the currency and the day, so reloading never changes it."""
    variation = Decimal(Random(f"{code}{day.isoformat()}").randint(-250, 250)) / 10000
    return (BASE_RATES[code] * (1 + variation)).quantize(Decimal("0.000001"))


def _create(loader: Loader, company: Company, currency: Currency, day: datetime.date) -> CurrencyRate:
    return loader.save(CurrencyRate(company=company, currency=currency, date=day, rate=rate_on(currency.code, day)))
