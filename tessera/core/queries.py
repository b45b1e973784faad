"""Read-side helpers of the core. They never write."""

import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from .errors import MissingExchangeRate
from .models import Company, Currency, CurrencyRate
from .money import round_amount


def exchange_rate(company: Company, currency: Currency, on: datetime.date) -> Decimal:
    """Company-currency amount for one unit of `currency` on a day: the latest rate on or before it."""
    if currency.pk == company.currency_id:
        return Decimal(1)
    rate = (
        CurrencyRate.objects.filter(company=company, currency=currency, date__lte=on)
        .order_by("-date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingExchangeRate(
            _("%(company)s has no exchange rate for %(currency)s on or before %(date)s.")
            % {"company": company, "currency": currency.code, "date": on.isoformat()}
        )
    return rate


def convert_amount(
    amount: Decimal, from_currency: Currency, to_currency: Currency, *, company: Company, on: datetime.date, rounded: bool = True
) -> Decimal:
    """An amount in another currency, through the company's currency, rounded to the target's minor unit."""
    if from_currency.pk == to_currency.pk:
        result = amount
    else:
        result = amount * exchange_rate(company, from_currency, on) / exchange_rate(company, to_currency, on)
    return round_amount(result, to_currency) if rounded else result
