"""Perpetual stock valuation: valuation layers for moves into and out of stock, and their entries.

Goods entering stock add a layer at their cost; goods leaving take value out, the oldest layers'
cost first (FIFO) or the running average (AVCO). Each batch of moves posts one journal entry in the
stock journal: valuation account against the category's input account (receipts) or output account
(deliveries, scrap, losses), or the virtual location's own counterpart account when it has one.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounting.models import Account, Journal, JournalEntry, JournalLine
from tessera.accounting.services import journal_entry_post_generated
from tessera.core.bulk import rows_update
from tessera.core.errors import BusinessError
from tessera.core.models import Currency, Product, ProductType, User
from tessera.core.money import round_amount
from tessera.core.transactions import remembered

from ..models import CategoryValuation, CostMethod, Move, ValuationLayer
from ..states import MoveState
from .setup import STOCK_JOURNAL, category_valuation

ZERO = Decimal(0)
COST_PLACES = Decimal("0.000001")
AMOUNT_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class _Posting:
    debit_account: Account
    credit_account: Account
    value: Decimal
    label: str


@dataclass(slots=True)
class _OpenLayer:
    """What FIFO needs of a stored layer: what is left of it (read as values: a product may hold many)."""

    pk: int
    remaining_quantity: Decimal
    remaining_value: Decimal


class _ProductStock:
    """What a batch knows of one product's valuation: its layers that still hold stock or still owe
    some, in FIFO order, and the totals of all its layers. New layers join them in memory, so that
    the next move of the same product in the batch sees them."""

    def __init__(self, product: Product, layers: list[_OpenLayer | ValuationLayer], quantity: Decimal, value: Decimal):
        self.product, self.layers, self.quantity, self.value = product, layers, quantity, value
        self.changed: set[int] = set()  # stored layers whose remaining quantity changed

    def add(self, layer: ValuationLayer) -> None:
        self.quantity += layer.quantity
        self.value += layer.value
        if layer.remaining_quantity:
            self.layers.append(layer)

    def touch(self, layer: _OpenLayer | ValuationLayer) -> None:
        if layer.pk:
            self.changed.add(layer.pk)


def _load_stocks(products: Sequence[Product]) -> dict[int, _ProductStock]:
    """The products' open layers (locked) and totals, in two queries for the whole batch."""
    ids = [product.pk for product in products]
    layers: dict[int, list[_OpenLayer | ValuationLayer]] = defaultdict(list)
    open_layers = ValuationLayer.objects.select_for_update().filter(product_id__in=ids).exclude(remaining_quantity=0)
    for pk, product_id, quantity, value in open_layers.order_by("date", "id").values_list(
        "pk", "product_id", "remaining_quantity", "remaining_value"
    ):
        layers[product_id].append(_OpenLayer(pk, quantity, value))
    totals = {
        row["product_id"]: row
        for row in ValuationLayer.objects.filter(product_id__in=ids)
        .values("product_id")
        .annotate(q=Sum("quantity"), v=Sum("value"))
    }
    stocks = {}
    for product in products:
        row = totals.get(product.pk, {})
        quantity, value = _rounded(row.get("q"), COST_PLACES), _rounded(row.get("v"), AMOUNT_PLACES)
        stocks[product.pk] = _ProductStock(product, layers[product.pk], quantity, value)
    return stocks


def moves_value(moves: Sequence[Move], *, by: User) -> JournalEntry | None:
    """Value done moves that cross the boundary of the company's stock and post their entry.

    The layers are computed in memory per product and written with a few statements for the batch."""
    postings: list[_Posting] = []
    created: list[ValuationLayer] = []
    currency = None
    valued = [move for move in moves if move.product.type == ProductType.STOCKABLE and _crosses_stock_boundary(move)]
    stocks = _load_stocks(list({move.product_id: move.product for move in valued}.values())) if valued else {}
    for move in valued:
        entering = not move.source_location.holds_stock
        valuation = _valuation_of(move.product)
        if currency is None:
            currency = move.company.currency
        stock = stocks[move.product_id]
        if entering:
            layer = _layer_in(move, stock, currency)
            correction = _fill_negative(move, stock, layer, currency)
        else:
            layer, correction = _layer_out(move, stock, valuation, currency), None
        for new in (layer, correction):
            if new is not None:
                stock.add(new)
                created.append(new)
        if layer.value:
            postings.append(_posting(move, layer, valuation, entering))
        if correction is not None:
            postings.append(_correction_posting(move, correction, valuation))
        if valuation.cost_method == CostMethod.AVERAGE and entering and stock.quantity > 0:
            stock.product.cost = (stock.value / stock.quantity).quantize(COST_PLACES)
            Product.objects.filter(pk=stock.product.pk).update(cost=stock.product.cost)
    if not created:
        return None
    entry = _post(moves[0], postings, by) if postings else None
    for layer in created:
        layer.entry = entry
    ValuationLayer.objects.bulk_create(created)
    remaining = {
        layer.pk: (layer.remaining_quantity, layer.remaining_value)
        for stock in stocks.values()
        for layer in stock.layers
        if layer.pk in stock.changed
    }
    rows_update(ValuationLayer, ["remaining_quantity", "remaining_value"], remaining)  # the layers are locked
    return entry


def _crosses_stock_boundary(move: Move) -> bool:
    """Goods entering or leaving the company's stock; moves inside it (or outside altogether) change no value."""
    return move.source_location.holds_stock != move.destination_location.holds_stock


def _unit_cost_in(move: Move, product: Product) -> Decimal:
    if move.unit_cost is not None:
        return move.unit_cost
    if move.returned_move_id:
        quantity, value = _totals(ValuationLayer.objects.filter(move_id=move.returned_move_id))
        if quantity:
            return (value / quantity).quantize(COST_PLACES)
    return product.cost


def _layer_in(move: Move, stock: _ProductStock, currency: Currency) -> ValuationLayer:
    quantity = move.product_quantity
    unit_cost = _unit_cost_in(move, stock.product)
    value = round_amount(quantity * unit_cost, currency)
    return ValuationLayer(
        company_id=move.company_id, product=stock.product, move=move, date=move.date, quantity=quantity, unit_cost=unit_cost,
        value=value, remaining_quantity=quantity, remaining_value=value,
        description=_("%(reference)s received") % {"reference": move.reference or stock.product},
    )  # fmt: skip


def _fill_negative(move: Move, stock: _ProductStock, layer: ValuationLayer, currency: Currency) -> ValuationLayer | None:
    """Goods that left before they were in stock were valued at the product's cost; now that they
    arrive, they take their place out of this receipt and the difference to their real cost is booked."""
    difference = ZERO
    for owed in [candidate for candidate in stock.layers if candidate.remaining_quantity < 0]:
        if layer.remaining_quantity <= 0:
            break
        cover = min(layer.remaining_quantity, -owed.remaining_quantity)
        valued_at = round_amount(owed.remaining_value * cover / owed.remaining_quantity, currency)
        costs = layer.remaining_value if cover == layer.remaining_quantity else round_amount(
            layer.remaining_value * cover / layer.remaining_quantity, currency
        )  # fmt: skip
        owed.remaining_quantity += cover
        owed.remaining_value = ZERO if owed.remaining_quantity == 0 else owed.remaining_value + valued_at
        stock.touch(owed)
        layer.remaining_quantity -= cover
        layer.remaining_value -= costs
        difference += costs - valued_at
    if not difference:
        return None
    return ValuationLayer(
        company_id=move.company_id, product=stock.product, move=move, date=move.date, quantity=ZERO, unit_cost=ZERO,
        value=-difference, description=_("%(reference)s: goods sent before they were received, at their real cost")
        % {"reference": move.reference or stock.product},
    )  # fmt: skip


def _layer_out(move: Move, stock: _ProductStock, valuation: CategoryValuation, currency: Currency) -> ValuationLayer:
    """Goods beyond what is in stock (stock going negative) are valued at the product's cost, and
    kept as a negative remaining quantity that the next receipt fills."""
    quantity, product = move.product_quantity, stock.product
    if valuation.cost_method == CostMethod.AVERAGE:
        in_stock, worth = max(stock.quantity, ZERO), stock.value
        covered = min(quantity, in_stock)
        value = ZERO
        if covered:
            value = worth if covered == in_stock else round_amount(worth * covered / in_stock, currency)
        _consume(stock, covered, currency)
    else:
        covered, value = _consume(stock, quantity, currency)
    uncovered = quantity - covered
    owed = round_amount(uncovered * product.cost, currency)
    value += owed
    return ValuationLayer(
        company_id=move.company_id, product=product, move=move, date=move.date, quantity=-quantity,
        unit_cost=(value / quantity).quantize(COST_PLACES), value=-value, remaining_quantity=-uncovered,
        remaining_value=-owed, description=_("%(reference)s sent") % {"reference": move.reference or product},
    )  # fmt: skip


def _totals(layers: QuerySet[ValuationLayer]) -> tuple[Decimal, Decimal]:
    """Quantity and value of the layers."""
    totals = layers.aggregate(q=Sum("quantity"), v=Sum("value"))
    return _rounded(totals["q"], COST_PLACES), _rounded(totals["v"], AMOUNT_PLACES)


def _rounded(total: Decimal | float | None, places: Decimal) -> Decimal:
    """A sum rounded to its column's places: SQLite sums decimals as floats."""
    return Decimal(str(total or 0)).quantize(places)


def _consume(stock: _ProductStock, quantity: Decimal, currency: Currency) -> tuple[Decimal, Decimal]:
    """Take up to `quantity` from the oldest layers still holding some; return how much they held and its value."""
    left, value = quantity, ZERO
    for layer in stock.layers:
        if left <= 0:
            break
        if layer.remaining_quantity <= 0:
            continue
        take = min(left, layer.remaining_quantity)
        taken = (
            layer.remaining_value
            if take == layer.remaining_quantity
            else round_amount(layer.remaining_value * take / layer.remaining_quantity, currency)
        )
        layer.remaining_quantity -= take
        layer.remaining_value -= taken
        stock.touch(layer)
        value += taken
        left -= take
    return quantity - left, value


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


def _correction_posting(move: Move, correction: ValuationLayer, valuation: CategoryValuation) -> _Posting:
    """A receipt revalues goods that left before it: the difference goes to the output account."""
    label = f"{move.reference or ''} {move.product}".strip()
    debit, credit, value = valuation.output_account, valuation.valuation_account, -correction.value
    if value < 0:
        debit, credit, value = credit, debit, -value
    return _Posting(debit, credit, value, label)


def _valuation_of(product: Product) -> CategoryValuation:
    """The valuation settings of the product's category, read once per configuration version."""
    return remembered(CategoryValuation, product.category_id, lambda: category_valuation(product.category))


def _post(
    first: Move, postings: Sequence[_Posting], by: User, *, on: datetime.date | None = None, ref: str | None = None
) -> JournalEntry:
    day = on or (timezone.localdate(first.date) if isinstance(first.date, datetime.datetime) else first.date)
    stock_journal = Journal.objects.filter(company_id=first.company_id, code=STOCK_JOURNAL)
    journal = remembered(Journal, (first.company_id, STOCK_JOURNAL), stock_journal.get)
    entry = JournalEntry(company=first.company, journal=journal, date=day, ref=ref or first.reference or "")
    lines = []
    for posting in postings:
        lines.append(JournalLine(account=posting.debit_account, debit=posting.value, label=posting.label))
        lines.append(JournalLine(account=posting.credit_account, credit=posting.value, label=posting.label))
    return journal_entry_post_generated(entry, lines, by=by)


def moves_add_cost(
    costs: Mapping[Move, Decimal], *, account: Account, on: datetime.date, label: str, by: User
) -> JournalEntry | None:
    """Landed costs: value added to done receipts' moves after the fact (freight, duties, insurance),
    `costs` giving each move its share in the company's currency. What of the move's goods is still
    in stock takes its share into the stock value (its FIFO layer, or the average cost); what left
    since goes to the category's output account. `account` is where the cost was booked (the
    freight bill's expense), which the entry credits."""
    postings: list[_Posting] = []
    created: list[ValuationLayer] = []
    moves = [move for move, amount in costs.items() if amount]
    stocks = _load_stocks(list({move.product_id: move.product for move in moves}.values())) if moves else {}
    layers = {
        layer.move_id: layer
        for layer in ValuationLayer.objects.select_for_update().filter(move__in=moves, quantity__gt=0).order_by("id")
    }
    currency = moves[0].company.currency if moves else None
    for move in moves:
        share, layer = costs[move], layers.get(move.pk)
        if layer is None or move.state != MoveState.DONE:
            raise BusinessError(_("%(move)s has not come into stock: it cannot carry a landed cost.") % {"move": move},
                                code="move_not_received")  # fmt: skip
        valuation, stock = _valuation_of(move.product), stocks[move.product_id]
        if valuation.cost_method == CostMethod.AVERAGE:
            held = min(max(stock.quantity, ZERO), layer.quantity)
        else:
            held = next((kept.remaining_quantity for kept in stock.layers if kept.pk == layer.pk), ZERO)
        kept = share if held == layer.quantity else round_amount(share * held / layer.quantity, currency)
        if kept:
            created.append(ValuationLayer(company_id=move.company_id, product=move.product, move=move, date=timezone.now(),
                                          quantity=ZERO, unit_cost=ZERO, value=kept, description=label[:200]))  # fmt: skip
            stock.value += kept
            for open_layer in stock.layers:
                if open_layer.pk == layer.pk:
                    open_layer.remaining_value += kept
                    stock.touch(open_layer)
            if valuation.cost_method == CostMethod.AVERAGE and stock.quantity > 0:
                Product.objects.filter(pk=move.product_id).update(cost=(stock.value / stock.quantity).quantize(COST_PLACES))
            postings.append(_Posting(valuation.valuation_account, account, kept, label))
        if share - kept:
            postings.append(_Posting(valuation.output_account, account, share - kept, label))
    if not postings:
        return None
    entry = _post(moves[0], postings, by, on=on, ref=label)
    for layer in created:
        layer.entry = entry
    ValuationLayer.objects.bulk_create(created)
    remaining = {
        layer.pk: (layer.remaining_quantity, layer.remaining_value)
        for stock in stocks.values()
        for layer in stock.layers
        if layer.pk in stock.changed
    }
    rows_update(ValuationLayer, ["remaining_quantity", "remaining_value"], remaining)
    return entry
