"""Listeners the modules that make invoices register, to follow what becomes of them (a sales order
gives back what a cancelled draft invoiced), from their AppConfig.ready()."""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tessera.core.models import User

    from .models import Invoice

InvoiceListener = Callable[["Invoice", "User"], None]

_invoice_cancelled: list[InvoiceListener] = []


def register_invoice_cancelled(listener: InvoiceListener) -> None:
    """`listener(invoice, by)` runs in the transaction that cancels a draft invoice, after it is cancelled."""
    if listener not in _invoice_cancelled:
        _invoice_cancelled.append(listener)


def run_invoice_cancelled(invoice: "Invoice", by: "User") -> None:
    for listener in _invoice_cancelled:
        listener(invoice, by)
