"""The payment terms the demo company gives its customers and gets from its suppliers."""

from decimal import Decimal
from functools import partial
from operator import attrgetter

from .. import services
from ..models import Company, PaymentTerm
from ..payment_terms import BALANCE, PERCENT, Instalment
from .loader import Loader, index

IMMEDIATE = "Immediate"
DAYS_30 = "30 days"
DAYS_30_END_OF_MONTH = "30 days end of month"
DAYS_60 = "60 days"
DEPOSIT_30 = "30% now, balance 60 days"

# name: (text on invoices, instalments)
TERMS = {
    IMMEDIATE: ("Payable on receipt of the invoice.", (Instalment(BALANCE),)),
    DAYS_30: ("Payable within 30 days of the invoice date.", (Instalment(BALANCE, days=30),)),
    DAYS_30_END_OF_MONTH: (
        "Payable at the end of the month following 30 days after the invoice date.",
        (Instalment(BALANCE, days=30, end_of_month=True),),
    ),
    DAYS_60: ("Payable within 60 days of the invoice date.", (Instalment(BALANCE, days=60),)),
    DEPOSIT_30: (
        "30% payable on receipt of the invoice, the balance within 60 days.",
        (Instalment(PERCENT, percent=Decimal(30)), Instalment(BALANCE, days=60)),
    ),
}


def load_payment_terms(loader: Loader, company: Company) -> dict[str, PaymentTerm]:
    existing = index(PaymentTerm.objects.filter(company=company), attrgetter("name"))
    return {
        name: loader.ensure(existing, name, partial(_create, loader, company, name, note, instalments))
        for name, (note, instalments) in TERMS.items()
    }


def _create(loader: Loader, company: Company, name: str, note: str, instalments: tuple[Instalment, ...]) -> PaymentTerm:
    return services.payment_term_save(PaymentTerm(company=company, name=name, note=note), instalments, by=loader.by)
