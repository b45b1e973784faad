"""The demo data: a Belgian maker of metal furniture, with its people, partners and catalogue.

`load_demo` creates what is missing and leaves alone what is there, so it can run on every start.
"""

from io import TextIOBase

from django.db import transaction
from django.utils import timezone

from .. import hooks, services
from .categories import load_categories
from .company import load_company
from .loader import Loader
from .partners import load_partners
from .payment_terms import load_payment_terms
from .products import load_products
from .rates import load_exchange_rates
from .report import DemoResult, write_report
from .sequences import load_sequences
from .users import load_users


def load_demo(stdout: TextIOBase) -> DemoResult:
    with transaction.atomic():
        loader = Loader(services.system_user())
        company = load_company(loader)
        load_exchange_rates(loader, company, today=timezone.localdate())
        load_sequences(loader, company)
        users = load_users(loader, company)
        terms = load_payment_terms(loader, company)
        load_partners(loader, company, terms)
        load_products(loader, company, load_categories(loader, company))
        hooks.run_demo_loaders(company, loader.by)
    result = DemoResult(company=company, tallies=loader.tallies, users=users)
    write_report(result, stdout)
    return result


__all__ = ["DemoResult", "load_demo"]
