"""An order's receipt and billing status from its lines."""

from collections.abc import Sequence
from decimal import Decimal

from tessera.core.models import ProductType

from ..models import PurchaseOrderLine
from ..states import BillStatus, ReceiptStatus

ZERO = Decimal(0)


def billable(line: PurchaseOrderLine) -> Decimal:
    """What a line can be billed for now: what was received (goods) or ordered (services), less what
    posted bills billed; below zero when goods went back to the supplier after being billed."""
    basis = line.quantity if line.product.type == ProductType.SERVICE else line.qty_received
    return basis - line.qty_billed


def bill_status_of(lines: Sequence[PurchaseOrderLine]) -> str:
    """Of a confirmed order: waiting for bills while something received is not billed, fully billed
    once everything ordered is, else nothing to bill (yet)."""
    if any(billable(line) != 0 for line in lines):
        return BillStatus.TO_BILL
    if lines and all(line.qty_billed >= line.quantity for line in lines):
        return BillStatus.BILLED
    return BillStatus.NOTHING


def receipt_status_of(lines: Sequence[PurchaseOrderLine]) -> str:
    goods = [line for line in lines if line.product.type != ProductType.SERVICE]
    if goods and all(line.qty_received >= line.quantity for line in goods):
        return ReceiptStatus.FULL
    if any(line.qty_received > 0 for line in goods):
        return ReceiptStatus.PARTIAL
    return ReceiptStatus.NOTHING
