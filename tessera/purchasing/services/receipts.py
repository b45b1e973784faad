"""Receipts of purchase orders: received quantities and dates follow the done moves of their lines;
a receipt of more than ordered beyond the company's tolerance is refused."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError
from tessera.core.models import User
from tessera.core.uom import convert_quantity
from tessera.inventory.models import LocationUsage, Move
from tessera.inventory.states import MoveState

from ..models import PurchaseOrder, PurchaseOrderLine
from ..states import OrderState
from .orders import LINE_KEY, purchase_settings
from .status import bill_status_of, receipt_status_of

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def purchase_orders_follow_moves(moves: Sequence[Move], by: User) -> None:
    """Registered with inventory: done moves of purchase lines update what those lines received,
    their orders' receipt and billing status, and link backorders and returns to the order."""
    line_ids = {int(move.origin_key.removeprefix(LINE_KEY)) for move in moves if move.origin_key.startswith(LINE_KEY)}
    if not line_ids:
        return
    orders = PurchaseOrder.objects.filter(pk__in=PurchaseOrderLine.objects.filter(pk__in=line_ids).values("order_id"))
    for order in orders.select_for_update(of=("self",)).select_related("company"):
        follow_receipts(order)


def follow_receipts(order: PurchaseOrder) -> None:
    """Received quantities of the order's lines from their done moves (in from the supplier, less what
    went back), the transfers serving the order (linked when new), and the order's statuses."""
    lines = list(order.lines.select_related("product__uom", "uom"))
    keys = {f"{LINE_KEY}{line.pk}": line for line in lines}
    linked = PurchaseOrder.transfers.through.objects.filter(purchaseorder_id=order.pk, transfer_id=OuterRef("transfer_id"))
    moves = Move.objects.filter(company_id=order.company_id, origin_key__in=keys).annotate(linked=Exists(linked))
    unlinked, done, last = set(), defaultdict(lambda: ZERO), {}
    for transfer_id, is_linked, key, from_supplier, quantity, day, state in moves.values_list(
        "transfer_id", "linked", "origin_key", "source_location__usage", "product_quantity", "date", "state"
    ):
        if transfer_id is not None and not is_linked:
            unlinked.add(transfer_id)
        if state == MoveState.DONE:
            done[key] += quantity if from_supplier == LocationUsage.SUPPLIER else -quantity
            last[key] = max(last.get(key, day), day)
    if unlinked:
        order.transfers.add(*unlinked)
    tolerance = purchase_settings(order.company).quantity_tolerance
    changed = []
    for key, line in keys.items():
        received = convert_quantity(done[key], line.product.uom, line.uom)
        if received > line.qty_received and received > line.quantity * (1 + tolerance / HUNDRED):
            raise BusinessError(
                _("%(product)s: %(received)s received for %(ordered)s ordered on %(order)s, more than the %(tolerance)s %% "
                  "the company tolerates. Receive at most %(most)s, or change the order first.")
                % {"product": line.product, "received": received.normalize(), "ordered": line.quantity.normalize(),
                   "order": order, "tolerance": tolerance.normalize(),
                   "most": (line.quantity * (1 + tolerance / HUNDRED)).normalize()},
                code="received_beyond_tolerance",
            )  # fmt: skip
        day = timezone.localdate(last[key]) if key in last and received >= line.quantity else None
        if (line.qty_received, line.received_date) != (received, day):
            line.qty_received, line.received_date = received, day
            changed.append(line)
    PurchaseOrderLine.objects.bulk_update(changed, ["qty_received", "received_date"])
    statuses = (receipt_status_of(lines), bill_status_of(lines) if order.state == OrderState.PURCHASE else order.bill_status)
    if (order.receipt_status, order.bill_status) != statuses:
        order.receipt_status, order.bill_status = statuses
        PurchaseOrder.objects.filter(pk=order.pk).update(receipt_status=statuses[0], bill_status=statuses[1])
