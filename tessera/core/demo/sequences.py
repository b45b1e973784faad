"""Numbering of the documents the sales and purchasing modules issue."""

from functools import partial
from operator import attrgetter

from ..models import Company, Sequence, SequenceReset
from .loader import Loader, index

# (code, name, pattern)
SEQUENCES = (
    ("sales.quotation", "Quotations", "QUO/{year}/{number}"),
    ("sales.order", "Sales orders", "SO/{year}/{number}"),
    ("sales.invoice", "Customer invoices", "INV/{year}/{number}"),
    ("purchase.order", "Purchase orders", "PO/{year}/{number}"),
    ("purchase.bill", "Supplier bills", "BILL/{year}/{number}"),
)


def load_sequences(loader: Loader, company: Company) -> None:
    existing = index(Sequence.objects.filter(company=company), attrgetter("code"))
    for code, name, pattern in SEQUENCES:
        loader.ensure(existing, code, partial(_create, loader, company, code, name, pattern))


def _create(loader: Loader, company: Company, code: str, name: str, pattern: str) -> Sequence:
    return loader.save(Sequence(company=company, code=code, name=name, pattern=pattern, padding=5, reset=SequenceReset.YEARLY))
