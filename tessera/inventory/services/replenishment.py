"""Replenishment: reordering rules raise procurement needs, which the products' routes fill."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import ROUND_CEILING, Decimal

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError
from tessera.core.models import Company, User
from tessera.core.services import require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from .. import hooks
from ..models import Move, ProcurementMethod, ProcurementNeed, ProductStock, Quant, ReorderingRule, Warehouse
from ..routes import MANUAL
from ..states import NEED_TRANSITIONS, OPEN_MOVE_STATES, NeedState
from .moves import internal_locations_under

ZERO = Decimal(0)
PENDING_NEEDS = (NeedState.OPEN, NeedState.IN_PROGRESS)


def forecast_quantity(rule: ReorderingRule) -> Decimal:
    """What the rule's location will have once planned moves and pending needs are through:
    on hand + incoming − outgoing + needs not yet filled."""
    inside = internal_locations_under(rule.location)
    on_hand = Quant.objects.filter(product_id=rule.product_id, location_id__in=inside).aggregate(q=Sum("quantity"))["q"] or ZERO
    open_moves = Move.objects.filter(product_id=rule.product_id, state__in=OPEN_MOVE_STATES)
    incoming = (
        open_moves.filter(destination_location_id__in=inside)
        .exclude(source_location_id__in=inside)
        .aggregate(q=Sum("product_quantity"))["q"]
        or ZERO
    )
    outgoing = (
        open_moves.filter(source_location_id__in=inside)
        .exclude(destination_location_id__in=inside)
        .aggregate(q=Sum("product_quantity"))["q"]
        or ZERO
    )
    pending = (
        ProcurementNeed.objects.filter(product_id=rule.product_id, location_id__in=inside, state__in=PENDING_NEEDS).aggregate(
            q=Sum("quantity")
        )["q"]
        or ZERO
    )
    # Rounded to the quantity columns' places: SQLite sums decimals as floats.
    return (on_hand + incoming - outgoing + pending).quantize(Decimal("0.000001"))


def reorder_quantity(forecast: Decimal, minimum: Decimal, maximum: Decimal, multiple: Decimal) -> Decimal:
    """How much to order so the forecast reaches the maximum, in whole multiples; nothing at or above the minimum."""
    if forecast >= minimum:
        return ZERO
    wanted = maximum - forecast
    if multiple and multiple != 1:
        wanted = (wanted / multiple).to_integral_value(rounding=ROUND_CEILING) * multiple
    return wanted


def replenishment_run(company: Company, *, by: User, warehouse: Warehouse | None = None) -> list[ProcurementNeed]:
    """Check every active reordering rule and raise a need where the forecast is below the minimum;
    hand the new needs to their routes."""
    require_permission(by, ProcurementNeed, "add")
    rules = ReorderingRule.objects.filter(company=company, active=True).select_related("product", "location", "warehouse")
    if warehouse is not None:
        rules = rules.filter(warehouse=warehouse)
    settings = dict(ProductStock.objects.filter(company=company).values_list("product_id", "route"))
    lead_days = dict(ProductStock.objects.filter(company=company).values_list("product_id", "lead_days"))
    today = timezone.localdate()
    needs = []
    with operation():
        for rule in rules:
            quantity = reorder_quantity(forecast_quantity(rule), rule.min_quantity, rule.max_quantity, rule.multiple)
            if quantity <= 0:
                continue
            needs.append(
                ProcurementNeed.objects.create(
                    company=company,
                    product=rule.product,
                    quantity=quantity,
                    warehouse=rule.warehouse,
                    location=rule.location,
                    date_needed=today + datetime.timedelta(days=lead_days.get(rule.product_id, 0)),
                    route=settings.get(rule.product_id, MANUAL),
                    origin=_("Reordering rule"),
                    rule=rule,
                )
            )
        needs_dispatch(needs, by=by)
    return needs


def move_procure(move: Move, missing: Decimal, *, by: User) -> ProcurementNeed | None:
    """A make-to-order product's move lacks stock: raise a need pegged to the move."""
    if missing <= 0 or not move.source_location.holds_stock:
        return None  # goods coming into stock need none
    settings = ProductStock.objects.filter(product_id=move.product_id).first()
    if settings is None or settings.procurement_method != ProcurementMethod.MAKE_TO_ORDER:
        return None
    if ProcurementNeed.objects.filter(move=move, state__in=PENDING_NEEDS).exists():
        return None
    warehouse = move.transfer.warehouse if move.transfer_id else Warehouse.objects.filter(company_id=move.company_id).first()
    need = ProcurementNeed.objects.create(
        company_id=move.company_id, product_id=move.product_id, quantity=missing, warehouse=warehouse,
        location=move.source_location, date_needed=timezone.localdate(move.date), route=settings.route,
        origin=move.reference, move=move,
    )  # fmt: skip
    needs_dispatch([need], by=by)
    return need


def needs_dispatch(needs: Sequence[ProcurementNeed], *, by: User) -> None:
    """Hand open needs to their routes, grouped per route. A route nobody registered is refused."""
    by_route: dict[str, list[ProcurementNeed]] = defaultdict(list)
    for need in needs:
        by_route[need.route].append(need)
    for name, group in by_route.items():
        route = hooks.route(name)
        if route is None:
            raise BusinessError(
                _("No module provides the route %(route)s: install it or choose another route for %(product)s.")
                % {"route": name, "product": group[0].product},
                code="unknown_route",
            )
        route.handler(group, by)


def procurement_need_assign(need: ProcurementNeed, document: str, *, by: User) -> ProcurementNeed:
    """A route took the need on: record the document that fills it (pegging)."""
    require_company(by, need)
    apply_transition(need, NeedState.IN_PROGRESS, transitions=NEED_TRANSITIONS, by=by, also={"fulfilled_by": document})
    return need


def procurement_need_done(need: ProcurementNeed, *, by: User, document: str = "") -> ProcurementNeed:
    require_permission(by, ProcurementNeed, "change")
    require_company(by, need)
    also = {"fulfilled_by": document} if document else {}
    apply_transition(need, NeedState.DONE, transitions=NEED_TRANSITIONS, by=by, also=also)
    return need


def procurement_need_cancel(need: ProcurementNeed, *, by: User) -> ProcurementNeed:
    require_permission(by, ProcurementNeed, "change")
    require_company(by, need)
    apply_transition(need, NeedState.CANCELLED, transitions=NEED_TRANSITIONS, by=by)
    return need
