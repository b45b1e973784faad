"""Perpetual stock valuation: valuation layers for moves into and out of stock, and their entries.

Goods entering stock add a layer at their cost; goods leaving take value out, the oldest layers'
cost first (FIFO) or the running average (AVCO). Each batch of moves posts one journal entry in the
stock journal: valuation account against the category's input account (receipts) or output account
(deliveries, scrap, losses), or the virtual location's own counterpart account when it has one.
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounting.models import Account, Journal, JournalEntry, JournalLine
from tessera.accounting.services import journal_entry_post_generated
from tessera.core.models import Product, ProductType, User
from tessera.core.money import round_amount

from ..models import CategoryValuation, CostMethod, Move, ValuationLayer
from .setup import STOCK_JOURNAL, category_valuation

ZERO = Decimal(0)
COST_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class _Posting:
    debit_account: Account
    credit_account: Account
    value: Decimal
    label: str


def moves_value(moves: Sequence[Move], *, by: User) -> JournalEntry | None:
    """Value done moves that cross the boundary of the company's stock and post their entry."""
    postings, layers = [], []
    valuations: dict[int, CategoryValuation] = {}
    for move in moves:
        product = move.product
        if product.type != ProductType.STOCKABLE:
            continue
        entering, leaving = not move.source_location.holds_stock, not move.destination_location.holds_stock
        if entering == leaving:
            continue  # inside the stock (or outside it altogether): no value changes hands
        if product.category_id not in valuations:
            valuations[product.category_id] = category_valuation(product.category)
        valuation = valuations[product.category_id]
        layer = _layer_in(move, valuation) if entering else _layer_out(move, valuation)
        layers.append(layer)
        if layer.value:
            postings.append(_posting(move, layer, valuation, entering))
    if not layers:
        return None
    ValuationLayer.objects.bulk_create(layers)
    if not postings:
        return None
    entry = _post(moves[0], postings, by)
    ValuationLayer.objects.filter(pk__in=[layer.pk for layer in layers]).update(entry=entry)
    return entry


def _unit_cost_in(move: Move, valuation: CategoryValuation) -> Decimal:
    if move.unit_cost is not None:
        return move.unit_cost
    if move.returned_move_id:
        returned = ValuationLayer.objects.filter(move_id=move.returned_move_id).aggregate(q=Sum("quantity"), v=Sum("value"))
        if returned["q"]:
            return (returned["v"] / returned["q"]).quantize(COST_PLACES)
    return move.product.cost


def _layer_in(move: Move, valuation: CategoryValuation) -> ValuationLayer:
    product, quantity = move.product, move.product_quantity
    unit_cost = _unit_cost_in(move, valuation)
    value = round_amount(quantity * unit_cost, move.company.currency)
    if valuation.cost_method == CostMethod.AVERAGE:
        _update_average(product, quantity, value)
    return ValuationLayer(
        company_id=move.company_id, product=product, move=move, date=move.date, quantity=quantity, unit_cost=unit_cost,
        value=value, remaining_quantity=quantity, remaining_value=value,
        description=_("%(reference)s received") % {"reference": move.reference or product},
    )  # fmt: skip


def _update_average(product: Product, quantity: Decimal, value: Decimal) -> None:
    """The new average cost after adding `quantity` worth `value` to what is in stock."""
    totals = ValuationLayer.objects.filter(product=product).aggregate(q=Sum("quantity"), v=Sum("value"))
    on_hand, worth = totals["q"] or ZERO, totals["v"] or ZERO
    if on_hand + quantity > 0 and on_hand >= 0:
        product.cost = ((worth + value) / (on_hand + quantity)).quantize(COST_PLACES)
        Product.objects.filter(pk=product.pk).update(cost=product.cost)


def _layer_out(move: Move, valuation: CategoryValuation) -> ValuationLayer:
    product, quantity = move.product, move.product_quantity
    if valuation.cost_method == CostMethod.AVERAGE:
        value = round_amount(quantity * product.cost, move.company.currency)
        _consume(product, quantity)
    else:
        value = _consume(product, quantity)
    return ValuationLayer(
        company_id=move.company_id, product=product, move=move, date=move.date, quantity=-quantity,
        unit_cost=(value / quantity).quantize(COST_PLACES), value=-value,
        description=_("%(reference)s sent") % {"reference": move.reference or product},
    )  # fmt: skip


def _consume(product: Product, quantity: Decimal) -> Decimal:
    """Take `quantity` from the oldest layers still holding some; return the value taken. Goods
    beyond what the layers hold (stock gone negative) are valued at the product's cost."""
    left, value = quantity, ZERO
    open_layers = (
        ValuationLayer.objects.select_for_update()
        .filter(product=product, remaining_quantity__gt=0)
        .order_by("date", "id")
        .only("remaining_quantity", "remaining_value")
    )
    for layer in open_layers:
        if left <= 0:
            break
        take = min(left, layer.remaining_quantity)
        taken = (
            layer.remaining_value
            if take == layer.remaining_quantity
            else round_amount(layer.remaining_value * take / layer.remaining_quantity, product.company.currency)
        )
        ValuationLayer.objects.filter(pk=layer.pk).update(
            remaining_quantity=F("remaining_quantity") - take, remaining_value=F("remaining_value") - taken
        )
        value += taken
        left -= take
    if left > 0:
        value += round_amount(left * product.cost, product.company.currency)
    return value


def _posting(move: Move, layer: ValuationLayer, valuation: CategoryValuation, entering: bool) -> _Posting:
    label = f"{move.reference or ''} {move.product}".strip()
    if entering:
        counterpart = move.source_location.valuation_account or valuation.input_account
        debit, credit, value = valuation.valuation_account, counterpart, layer.value
    else:
        counterpart = move.destination_location.valuation_account or valuation.output_account
        debit, credit, value = counterpart, valuation.valuation_account, -layer.value
    if value < 0:
        debit, credit, value = credit, debit, -value
    return _Posting(debit, credit, value, label)


def _post(first: Move, postings: Sequence[_Posting], by: User) -> JournalEntry:
    day = timezone.localdate(first.date) if isinstance(first.date, datetime.datetime) else first.date
    journal = Journal.objects.get(company_id=first.company_id, code=STOCK_JOURNAL)
    entry = JournalEntry(company_id=first.company_id, journal=journal, date=day, ref=first.reference or "")
    lines = []
    for posting in postings:
        lines.append(JournalLine(account=posting.debit_account, debit=posting.value, label=posting.label))
        lines.append(JournalLine(account=posting.credit_account, credit=posting.value, label=posting.label))
    return journal_entry_post_generated(entry, lines, by=by)
