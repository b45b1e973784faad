"""Receipts of purchase orders: received quantities and dates follow the done moves of their lines;
a receipt of more than ordered beyond the company's tolerance is refused."""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import User
from tessera.core.services import require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.uom import convert_exact, convert_quantity, quantity_text
from tessera.inventory.models import LocationUsage, Move, Transfer, TransferKind
from tessera.inventory.services import DoneQuantity, transfer_validate
from tessera.inventory.states import OPEN_MOVE_STATES, MoveState

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
        received = convert_exact(done[key], line.product.uom, line.uom)
        if received > line.qty_received and received > line.quantity * (1 + tolerance / HUNDRED):
            raise BusinessError(
                _("%(product)s: %(received)s received for %(ordered)s ordered on %(order)s, more than the %(tolerance)s %% "
                  "the company tolerates. Receive at most %(most)s, or change the order first.")
                % {"product": line.product, "received": quantity_text(received), "ordered": quantity_text(line.quantity),
                   "order": order, "tolerance": quantity_text(tolerance),
                   "most": quantity_text(line.quantity * (1 + tolerance / HUNDRED))},
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


def purchase_order_receive(
    order: PurchaseOrder,
    *,
    by: User,
    quantities: Mapping[int, Decimal] | None = None,
    backorder: bool = True,
    when: datetime.datetime | None = None,
) -> list[Transfer]:
    """Receive goods of an order without opening its receipts: `quantities` gives, per order line id,
    how much came in (in the line's unit); everything still expected when omitted. The open receipts
    are validated through inventory (lots and bins are given there); what is left stays expected in a
    backorder, or is cancelled when `backorder` is false. `when`: the moment the goods came in, now by
    default. Returns the receipts validated."""
    require_permission(by, PurchaseOrder, "change")
    require_company(by, order)
    # read again, not locked: the receipts are locked first, then the order by the follow-up, as any validation does
    order = PurchaseOrder.objects.get(pk=order.pk)
    if order.state != OrderState.PURCHASE:
        raise BusinessError(_("Only a confirmed purchase order can be received."), code="order_not_confirmed")
    lines = {f"{LINE_KEY}{line.pk}": line for line in order.lines.select_related("product__uom", "uom")}
    unknown = set(quantities or {}) - {line.pk for line in lines.values()}
    if unknown:
        raise InvalidInput(_("These are not lines of this order: %(ids)s.") % {"ids": sorted(unknown)}, field="lines")
    if quantities is not None and any(quantity is None or quantity < 0 for quantity in quantities.values()):
        raise InvalidInput(_("A received quantity cannot be negative."), field="lines")
    if quantities is not None and not any(quantities.values()):
        raise InvalidInput(_("Give the quantities received."), code="nothing_received", field="lines")
    # what is left to place, per line, in the product's unit: backorders count in it
    left = {line.pk: convert_quantity(quantities[line.pk], line.uom, line.product.uom, rounded=False)
            for line in lines.values() if quantities and line.pk in quantities}  # fmt: skip
    validated = []
    with operation():
        open_moves = list(
            Move.objects.filter(origin_key__in=lines, state__in=OPEN_MOVE_STATES, transfer__kind=TransferKind.RECEIPT)
            .select_related("transfer", "uom")
            .order_by("transfer_id", "id")
        )
        by_transfer: dict[Transfer, dict[int, list[DoneQuantity]]] = defaultdict(dict)
        for move in open_moves:
            line = lines[move.origin_key]
            if quantities is None:
                by_transfer[move.transfer][move.pk] = [DoneQuantity(move.quantity)]
                continue
            take = min(left.get(line.pk, ZERO), move.product_quantity)
            if take > 0:
                by_transfer[move.transfer][move.pk] = [DoneQuantity(convert_exact(take, line.product.uom, move.uom))]
                left[line.pk] -= take
        if not by_transfer:
            raise InvalidInput(_("Nothing is expected on this order any more."), code="nothing_expected", field="lines")
        for move in reversed(open_moves):  # more than expected goes on the line's last move, for the tolerance to judge
            line = lines[move.origin_key]
            if left.get(line.pk, ZERO) > 0:
                done = by_transfer[move.transfer].get(move.pk, [DoneQuantity(ZERO)])[0].quantity
                extra = convert_exact(left.pop(line.pk), line.product.uom, move.uom)
                by_transfer[move.transfer][move.pk] = [DoneQuantity(done + extra)]
        extra = sorted(pk for pk, quantity in left.items() if quantity > 0)
        if extra:
            raise InvalidInput(_("Nothing more is expected of these lines: %(ids)s.") % {"ids": extra},
                               code="nothing_expected", field="lines")  # fmt: skip
        for transfer, done in by_transfer.items():
            transfer_validate(transfer, by=by, done=done, backorder=backorder, when=when)
            validated.append(transfer)
    return validated
