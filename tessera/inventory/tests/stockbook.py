"""Small helpers the inventory tests share: receive, deliver, read on-hand, balances and row counts."""

from collections.abc import Sequence
from decimal import Decimal

from tessera.accounting.models import Account, JournalEntry, JournalLine
from tessera.inventory.models import Move, MoveLine, Quant, Transfer, TransferKind, ValuationLayer
from tessera.inventory.services import DoneQuantity, MoveDraft, transfer_confirm, transfer_save, transfer_validate

ZERO = Decimal(0)
LEDGER_MODELS = (Move, MoveLine, Quant, ValuationLayer, JournalEntry)


def on_hand(product, location, lot=None) -> Decimal:
    quants = Quant.objects.filter(product=product, location=location)
    if lot is not None:
        quants = quants.filter(lot=lot)
    return sum(quants.values_list("quantity", flat=True), ZERO)


def reserved(product, location) -> Decimal:
    return sum(Quant.objects.filter(product=product, location=location).values_list("reserved_quantity", flat=True), ZERO)


def balance(company, code: str) -> Decimal:
    account = Account.objects.get(company=company, code=code)
    lines = JournalLine.objects.filter(account=account, posted=True).values_list("debit", "credit")
    return sum((debit - credit for debit, credit in lines), ZERO)  # in Python: SQLite sums decimals as floats


def layers_value(product=None) -> Decimal:
    layers = ValuationLayer.objects.all() if product is None else ValuationLayer.objects.filter(product=product)
    return sum(layers.values_list("value", flat=True), ZERO)


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in LEDGER_MODELS}


def transfer(company, warehouse, by, kind: str, *lines: MoveDraft, **fields) -> Transfer:
    return transfer_save(Transfer(company=company, kind=kind, warehouse=warehouse, **fields), list(lines), by=by)


def receive(company, warehouse, by, product, quantity, cost=None, *, lots: Sequence[DoneQuantity] | None = None, **fields):
    """A confirmed and validated receipt of `quantity` at `cost` (lots: what was received, for tracked products)."""
    line = MoveDraft(product, Decimal(quantity), unit_cost=None if cost is None else Decimal(cost))
    receipt = transfer(company, warehouse, by, TransferKind.RECEIPT, line, **fields)
    transfer_confirm(receipt, by=by)
    done = None if lots is None else {receipt.moves.get().pk: list(lots)}
    transfer_validate(receipt, by=by, done=done)
    receipt.refresh_from_db()
    return receipt


def deliver(company, warehouse, by, product, quantity, **fields) -> Transfer:
    """A confirmed (reserved) delivery, not validated yet."""
    delivery = transfer(company, warehouse, by, TransferKind.DELIVERY, MoveDraft(product, Decimal(quantity)), **fields)
    transfer_confirm(delivery, by=by)
    delivery.refresh_from_db()
    return delivery
