"""The "buy" route: procurement needs become lines of draft RFQs, at the best supplier price valid for
their quantity and date, one RFQ per supplier, buyer and warehouse; each line keeps its need."""

from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from django.utils import timezone

from tessera.core.models import User
from tessera.core.uom import convert_quantity
from tessera.inventory.models import ProcurementNeed
from tessera.inventory.services import procurement_need_assign

from ..models import PurchaseOrder
from ..states import OrderState
from .orders import PurchaseLineDraft, line_drafts, save_rfq
from .prices import best_offer, called_off, valid_prices

BUY = "buy"


def buy_needs(needs: Sequence[ProcurementNeed], by: User) -> None:
    """Registered with inventory as the "buy" route. A need no supplier has a price for stays open,
    listed for a buyer to act on."""
    if not needs:
        return
    company = needs[0].company
    today = timezone.localdate()
    prices = valid_prices(company, {need.product for need in needs}, today)
    taken = called_off(prices)
    groups: dict[tuple[int, int], list[tuple[ProcurementNeed, PurchaseLineDraft]]] = defaultdict(list)
    for need in needs:
        offer = best_offer(company, prices, need.product, need.quantity, today, taken=taken)
        if offer is None:
            continue
        price = offer.price
        quantity = _in_unit(need.quantity, need.product.uom, price.uom)
        if price.committed_quantity is not None:
            taken[price.pk] = taken.get(price.pk, Decimal(0)) + quantity
        groups[(price.partner_id, need.warehouse_id)].append(
            (need, PurchaseLineDraft(need.product, quantity, uom=price.uom, need=need))
        )
    for (partner_id, warehouse_id), lines in groups.items():
        order = (
            PurchaseOrder.objects.filter(company=company, partner_id=partner_id, warehouse_id=warehouse_id, buyer=by,
                                         state=OrderState.DRAFT).order_by("id").first()
            or PurchaseOrder(company=company, partner_id=partner_id, warehouse_id=warehouse_id, buyer=by)
        )  # fmt: skip
        kept = [] if order._state.adding else line_drafts(order)
        save_rfq(order, kept + [draft for _need, draft in lines], by=by)
        for need, _draft in lines:
            procurement_need_assign(need, order.number, by=by)


def _in_unit(quantity: Decimal, product_unit, unit) -> Decimal:
    """The need's quantity in the supplier's unit, rounded up to what that unit counts: never less than needed."""
    exact = convert_quantity(quantity, product_unit, unit, rounded=False)
    return (exact / unit.rounding).to_integral_value(rounding=ROUND_CEILING) * unit.rounding
