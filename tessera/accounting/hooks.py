"""Listeners the modules that make invoices register, to follow what becomes of them (a sales order
gives back what a cancelled draft invoiced, purchasing matches a posted bill with its orders), from
their AppConfig.ready()."""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tessera.core.models import User

    from .models import Invoice

InvoiceListener = Callable[["Invoice", "User"], None]

_invoice_cancelled: list[InvoiceListener] = []
_invoice_posted: list[InvoiceListener] = []


def register_invoice_cancelled(listener: InvoiceListener) -> None:
    """`listener(invoice, by)` runs in the transaction that cancels a draft invoice, after it is cancelled."""
    if listener not in _invoice_cancelled:
        _invoice_cancelled.append(listener)


def run_invoice_cancelled(invoice: "Invoice", by: "User") -> None:
    for listener in _invoice_cancelled:
        listener(invoice, by)


def register_invoice_posted(listener: InvoiceListener) -> None:
    """`listener(invoice, by)` runs in the transaction that posts an invoice or bill, after it is posted."""
    if listener not in _invoice_posted:
        _invoice_posted.append(listener)


def run_invoice_posted(invoice: "Invoice", by: "User") -> None:
    for listener in _invoice_posted:
        listener(invoice, by)
