"""The demo company: a Belgian maker of metal furniture and industrial shelving (about 80 people)."""

from operator import attrgetter

from .. import services
from ..models import Company, Currency
from .loader import Loader, index

NAME = "Ferrano Metaalmeubelen NV"
DOMAIN = "ferrano.be"


def load_company(loader: Loader) -> Company:
    return loader.ensure(index(Company.objects.filter(name=NAME), attrgetter("name")), NAME, lambda: _create(loader))


def _create(loader: Loader) -> Company:
    company = Company(
        name=NAME,
        country="BE",
        currency=Currency.objects.get(code="EUR"),
        vat="BE0456781215",
        street="Kortrijksesteenweg 212",
        zip="8530",
        city="Harelbeke",
        email=f"info@{DOMAIN}",
        phone="+32 56 71 20 00",
        fiscal_year_start_month=1,
        fiscal_year_start_day=1,
    )
    return services.company_create(company, by=loader.by)
