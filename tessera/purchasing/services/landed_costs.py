"""Landed costs: freight, duties or insurance added to a done receipt, spread over its goods by
quantity, value or equally, and moved into the stock valuation through inventory."""

from decimal import Decimal

from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Currency, User
from tessera.core.money import round_amount
from tessera.core.services import record_save, require_company, require_permission
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition
from tessera.inventory.models import STOCK_USAGES, Move, Transfer, TransferKind
from tessera.inventory.services import moves_add_cost
from tessera.inventory.states import MoveState, TransferState

from ..models import LandedCost, SplitMethod
from ..states import LANDED_COST_TRANSITIONS, LandedCostState

ZERO = Decimal(0)


def landed_cost_save(cost: LandedCost, *, by: User) -> LandedCost:
    """Save a draft landed cost on a done receipt."""
    require_permission(by, LandedCost, "add" if cost._state.adding else "change")
    require_company(by, cost)
    if cost.pk and LandedCost.objects.filter(pk=cost.pk).exclude(state=LandedCostState.DRAFT).exists():
        raise BusinessError(_("A posted landed cost cannot be changed."), code="landed_cost_posted")
    receipt = Transfer.objects.filter(pk=cost.receipt_id, company_id=cost.company_id).values_list("kind", "state").first()
    if receipt != (TransferKind.RECEIPT, TransferState.DONE):
        raise InvalidInput(_("Add landed costs to a receipt that is done."), field="receipt")
    return record_save(cost, by=by)


def landed_cost_post(cost: LandedCost, *, by: User) -> LandedCost:
    """Spread the cost over the receipt's goods (by quantity, value or equally) and post it into the
    stock valuation: what is still in stock is worth more, what left since goes to cost of goods."""
    require_permission(by, LandedCost, "change")
    require_company(by, cost)
    with operation():
        cost = LandedCost.objects.select_for_update(of=("self",)).select_related("company__currency", "account").get(pk=cost.pk)
        if cost.state != LandedCostState.DRAFT:
            raise BusinessError(_("This landed cost is already posted."), code="landed_cost_posted")
        moves = list(
            Move.objects.filter(transfer_id=cost.receipt_id, state=MoveState.DONE)
            .exclude(source_location__usage__in=STOCK_USAGES)
            .select_related("product__category", "company__currency")
            .order_by("id")
        )
        shares = spread(cost.amount, [(move.product_quantity, _value(move)) for move in moves], cost.split, cost.company.currency)
        if not moves or not any(shares):
            raise BusinessError(_("The receipt has no goods to spread the cost over."), code="nothing_to_spread")
        entry = moves_add_cost(dict(zip(moves, shares, strict=True)), account=cost.account, on=cost.date,
                               label=f"{cost.receipt.number}: {cost.description}", by=by)  # fmt: skip
        apply_transition(cost, LandedCostState.POSTED, transitions=LANDED_COST_TRANSITIONS, by=by, also={"entry": entry})
    return cost


def _value(move: Move) -> Decimal:
    return move.product_quantity * (move.unit_cost or move.product.cost)


def spread(amount: Decimal, weights: list[tuple[Decimal, Decimal]], split: str, currency: Currency) -> list[Decimal]:
    """Shares of `amount` over lines weighted (quantity, value) by the split method, rounded to the
    currency; the last line with a weight takes the rounding difference so the shares add up exactly."""
    chosen = [Decimal(1) if split == SplitMethod.EQUAL else quantity if split == SplitMethod.QUANTITY else value
              for quantity, value in weights]  # fmt: skip
    total = sum(chosen, ZERO)
    if total <= 0:
        return [ZERO for _weight in weights]
    shares = [round_amount(amount * weight / total, currency) for weight in chosen]
    last = max(index for index, weight in enumerate(chosen) if weight > 0)
    shares[last] += amount - sum(shares, ZERO)
    return shares
