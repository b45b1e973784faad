"""The quantity ledger: checking moves, keeping quants, reserving stock and recording done moves.

Quants change only here, inside the transaction that reserves or moves the goods. Rows are locked
in a stable order (quants by id) so that concurrent reservations wait for each other instead of
both taking the same stock; the database's CHECK constraints stop anything that slips through.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from tessera.core.bulk import rows_update
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Product, ProductType, Uom
from tessera.core.moments import past_moment
from tessera.core.transactions import remembered, remembered_each
from tessera.core.uom import convert_quantity

from ..models import STOCK_USAGES, Location, Lot, Move, MoveLine, ProductStock, Quant, Tracking
from ..states import MoveState

ZERO = Decimal(0)


def to_product_unit(product: Product, quantity: Decimal, uom: Uom) -> Decimal:
    """A quantity in `uom` expressed in the product's own unit (units of another category are refused)."""
    if uom.category_id != product.uom.category_id:
        raise InvalidInput(
            _("%(product)s is counted in %(unit)s: %(other)s measures something else.")
            % {"product": product, "unit": product.uom, "other": uom},
            code="uom_category",
            field="uom",
        )
    return convert_quantity(quantity, uom, product.uom)


def check_move(move: Move) -> None:
    """The rules every move obeys before it is confirmed."""
    if move.product.type == ProductType.SERVICE:
        raise InvalidInput(_("%(product)s is a service: it is not stocked.") % {"product": move.product}, field="product")
    if move.quantity is None or move.quantity <= 0:
        raise InvalidInput(_("The quantity must be more than zero."), field="quantity")
    source, destination = move.source_location, move.destination_location
    if source.pk == destination.pk:
        raise InvalidInput(_("A move must go from one location to another."), field="destination_location")
    if not (source.holds_stock or destination.holds_stock):
        raise InvalidInput(
            _("A move between %(from)s and %(to)s would not touch any stock: one side must be a stock location.")
            % {"from": source, "to": destination},
            code="virtual_to_virtual",
            field="destination_location",
        )
    for location in (source, destination):
        if location.usage == "view":
            raise InvalidInput(
                _("%(location)s only groups other locations: choose one inside it.") % {"location": location},
                field="source_location" if location is source else "destination_location",
            )
    move.product_quantity = to_product_unit(move.product, move.quantity, move.uom)
    if move.product_quantity <= 0:
        raise InvalidInput(_("The quantity is too small for the product's unit."), field="quantity")


def tracking_of(product_id: int) -> tuple[str, bool]:
    """(tracking, lots expire) of a product; untracked when it has no stock settings."""
    return trackings_of({product_id})[product_id]


def trackings_of(product_ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """(tracking, lots expire) of each product, in one query."""

    def read(missing: list[int]) -> dict[int, tuple[str, bool]]:
        rows = ProductStock.objects.filter(product_id__in=missing).values_list("product_id", "tracking", "use_expiry")
        return {product_id: (tracking, use_expiry) for product_id, tracking, use_expiry in rows}

    return remembered_each(ProductStock, "tracking", product_ids, read, default=(Tracking.NONE, False))


def internal_locations_under(location: Location) -> list[int]:
    """The stock locations inside `location` (itself included), whose quants it may take from."""
    inside = Location.objects.under(location).filter(usage__in=STOCK_USAGES).values_list("pk", flat=True)
    return remembered(Location, ("under", location.pk), lambda: list(inside))


# --- quants ----------------------------------------------------------------------------------------


def quant_add(
    company_id: int, product_id: int, location_id: int, lot_id: int | None, quantity: Decimal, *, when: datetime.datetime
) -> None:
    """Add (or with a negative quantity, take) stock at a location, creating its quant if needed."""
    updated = Quant.objects.filter(product_id=product_id, location_id=location_id, lot_id=lot_id).update(
        quantity=F("quantity") + quantity
    )
    if updated:
        return
    try:
        with transaction.atomic():
            Quant.objects.create(
                company_id=company_id, product_id=product_id, location_id=location_id, lot_id=lot_id, quantity=quantity,
                in_date=when,
            )  # fmt: skip
    except IntegrityError:
        # Created meanwhile by a concurrent move: add to it.
        Quant.objects.filter(product_id=product_id, location_id=location_id, lot_id=lot_id).update(
            quantity=F("quantity") + quantity
        )


def _quant_order(use_expiry: bool) -> list:
    """FEFO for lots that expire (earliest expiry first), then FIFO: oldest stock first."""
    order = [F("in_date").asc(nulls_last=True), "id"]
    if use_expiry:
        order.insert(0, F("lot__expiry_date").asc(nulls_last=True))
    return order


def available_quants(product_id: int, location: Location, *, lot_id: int | None = None, lock: bool = False) -> list[Quant]:
    """Quants of the product at the location (and inside it) with stock free to reserve, in the order
    they are taken. With `lock`, the rows stay locked until the transaction ends."""
    _tracking, use_expiry = tracking_of(product_id)
    quants = Quant.objects.filter(
        product_id=product_id, location_id__in=internal_locations_under(location), quantity__gt=F("reserved_quantity")
    )
    if lot_id is not None:
        quants = quants.filter(lot_id=lot_id)
    if lock:
        # Lock in id order so concurrent reservations queue instead of deadlocking, then sort.
        locked = {quant.pk: quant for quant in quants.select_for_update(of=("self",)).order_by("id")}
        quants = Quant.objects.filter(pk__in=locked)
    return list(quants.select_related("lot").order_by(*_quant_order(use_expiry)))


# --- reservation -----------------------------------------------------------------------------------


def move_reserve(move: Move) -> Decimal:
    """Reserve what is free of the move's product at its source, up to what the move still needs.

    Returns the quantity reserved now. Call inside a transaction with the move locked."""
    return moves_reserve([move])[move.pk]


def moves_reserve(moves: Sequence[Move]) -> dict[int, Decimal]:
    """`move_reserve` for several moves with a handful of statements whatever their number: the free
    quants of all their products are locked at once (in id order, so that concurrent reservations
    queue instead of deadlocking) and shared out move by move, oldest (or first expiring) stock first.

    Writes every given move's reserved quantity and state, so a caller may set the states first."""
    reserved = {move.pk: ZERO for move in moves}
    open_states = (MoveState.WAITING, MoveState.PARTIAL)
    needing = [move for move in moves if move.state in open_states and move.source_location.holds_stock]
    had_lines = {move.pk for move in needing if move.reserved_quantity > 0}  # a move's open lines hold what it reserved
    free = _free_quants(needing)
    taken: dict[int, Decimal] = defaultdict(lambda: ZERO)
    lines: dict[tuple[int, int, int | None], Decimal] = defaultdict(lambda: ZERO)
    for move in needing:
        missing = move.product_quantity - move.reserved_quantity
        for quant in free.get((move.product_id, move.source_location_id), []):
            available = quant.quantity - quant.reserved_quantity - taken[quant.pk]
            if missing <= 0:
                break
            if available <= 0:
                continue
            take = min(available, missing)
            taken[quant.pk] += take
            lines[(move.pk, quant.location_id, quant.lot_id)] += take
            missing -= take
            reserved[move.pk] += take
        if reserved[move.pk]:
            move.reserved_quantity += reserved[move.pk]
            move.state = MoveState.READY if missing <= 0 else MoveState.PARTIAL
    rows_update(Quant, ["reserved_quantity"], {pk: (quantity,) for pk, quantity in taken.items()}, add=True)
    _add_reserved_lines({move.pk: move for move in needing}, lines, had_lines)
    rows_update(Move, ["reserved_quantity", "state"], {move.pk: (move.reserved_quantity, move.state) for move in moves})
    return reserved


def _free_quants(moves: Sequence[Move]) -> dict[tuple[int, int], list[Quant]]:
    """The quants with free stock for each (product, source location) of the moves, locked, in the
    order they are taken."""
    if not moves:
        return {}
    trackings = trackings_of({move.product_id for move in moves})
    result = {}
    for source in {move.source_location_id: move.source_location for move in moves}.values():
        under = internal_locations_under(source)
        products = {move.product_id for move in moves if move.source_location_id == source.pk}
        quants = list(
            Quant.objects.filter(product_id__in=products, location_id__in=under, quantity__gt=F("reserved_quantity"))
            .select_related("lot").select_for_update(of=("self",)).order_by("id")
        )  # fmt: skip
        for product in products:
            mine = [quant for quant in quants if quant.product_id == product]
            mine.sort(key=_taking_order(trackings[product][1]))
            result[(product, source.pk)] = mine
    return result


def _taking_order(use_expiry: bool) -> Callable[[Quant], tuple]:
    """FEFO for lots that expire (earliest expiry first), then FIFO: oldest stock first (as _quant_order)."""

    def key(quant: Quant) -> tuple:
        expiry = quant.lot.expiry_date if use_expiry and quant.lot_id else None
        return (use_expiry and expiry is None, expiry or datetime.date.min, quant.in_date is None,
                quant.in_date or datetime.datetime.min.replace(tzinfo=datetime.UTC), quant.pk)  # fmt: skip

    return key


def _add_reserved_lines(moves: dict[int, Move], lines: dict[tuple[int, int, int | None], Decimal], had_lines: set[int]) -> None:
    """Reserved move lines per (move, source location, lot): added to an open line there, else new.
    `had_lines`: the moves that reserved something before, the only ones with open lines."""
    if not lines:
        return
    with_lines = {move_id for move_id, _location, _lot in lines} & had_lines
    existing = {
        (line.move_id, line.source_location_id, line.lot_id): line.pk
        for line in (MoveLine.objects.filter(move_id__in=with_lines, done=False) if with_lines else [])
    }
    added = {existing[key]: (quantity,) for key, quantity in lines.items() if key in existing}
    rows_update(MoveLine, ["reserved_quantity"], added, add=True)
    MoveLine.objects.bulk_create(
        MoveLine(
            company_id=moves[move_id].company_id, move_id=move_id, product_id=moves[move_id].product_id, lot_id=lot_id,
            source_location_id=location_id, destination_location_id=moves[move_id].destination_location_id,
            reserved_quantity=quantity,
        )
        for (move_id, location_id, lot_id), quantity in lines.items()
        if (move_id, location_id, lot_id) not in existing
    )  # fmt: skip


def move_unreserve(move: Move) -> None:
    """Give the move's reserved stock back; its lines are dropped."""
    lines = list(MoveLine.objects.filter(move=move, done=False, reserved_quantity__gt=0))
    for line in lines:
        Quant.objects.filter(product_id=line.product_id, location_id=line.source_location_id, lot_id=line.lot_id).update(
            reserved_quantity=F("reserved_quantity") - line.reserved_quantity
        )
    MoveLine.objects.filter(move=move, done=False).delete()
    if move.state in (MoveState.PARTIAL, MoveState.READY) and move.source_location.holds_stock:
        move.state = MoveState.WAITING  # goods coming from outside stock need no reservation: they stay ready
    move.reserved_quantity = ZERO
    Move.objects.filter(pk=move.pk).update(reserved_quantity=ZERO, state=move.state)


# --- done moves ------------------------------------------------------------------------------------


def effective_moment(when: datetime.datetime | None) -> datetime.datetime:
    """When goods moved: now, or a moment in the past that the user gives (never in the future).
    The accounting lock date bounds how far back: the valuation entry cannot be posted before it."""
    return past_moment(when, future=_("Goods cannot be moved in the future."), field="date")


def lot_for(move: Move, name: str, *, expiry_date: datetime.date | None = None) -> Lot:
    """The product's lot of this name, created when goods arrive under a new number."""
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the lot or serial number."), field="lot")
    lot, created = Lot.objects.get_or_create(
        company_id=move.company_id, product_id=move.product_id, name=name, defaults={"expiry_date": expiry_date}
    )
    if not created and expiry_date and lot.expiry_date != expiry_date:
        Lot.objects.filter(pk=lot.pk).update(expiry_date=expiry_date)
        lot.expiry_date = expiry_date
    return lot


def check_serials(product: Product, lines: Iterable[MoveLine], *, incoming: bool) -> None:
    """A serial number is one unit, used once: not twice in a move, and not received while in stock."""
    seen: set[int] = set()
    for line in lines:
        if line.quantity and line.quantity != 1:
            raise InvalidInput(
                _("Serial number %(serial)s of %(product)s is one unit, not %(quantity)s.")
                % {"serial": line.lot, "product": product, "quantity": line.quantity.normalize()},
                code="serial_quantity",
                field="lots",
            )
        if line.lot_id in seen:
            raise InvalidInput(
                _("Serial number %(serial)s is used twice.") % {"serial": line.lot}, code="serial_twice", field="lots"
            )
        seen.add(line.lot_id)
    if incoming and seen:
        in_stock = (
            Quant.objects.filter(lot_id__in=seen, quantity__gt=0, location__usage__in=("internal", "transit"))
            .select_related("lot")
            .first()
        )
        if in_stock is not None:
            raise InvalidInput(
                _("Serial number %(serial)s of %(product)s is already in stock at %(location)s.")
                % {"serial": in_stock.lot, "product": product, "location": in_stock.location},
                code="serial_twice",
                field="lots",
            )


def lines_done(move: Move, lines: Sequence[MoveLine], *, when: datetime.datetime, allow_negative: bool) -> None:
    """Record one move as done with these lines (new, unsaved); see `moves_done`."""
    moves_done([(move, lines)], when=when, allow_negative=allow_negative)


def moves_done(
    batch: Sequence[tuple[Move, Sequence[MoveLine]]],
    *,
    when: datetime.datetime,
    allow_negative: bool,
    reserved: Mapping[int, Sequence[MoveLine]] | None = None,
) -> None:
    """Record moves as done with their lines (new, unsaved): release what the moves had reserved
    (their open lines, read here unless the caller already has them in `reserved`), take the goods
    from their source quants and put them in the destination's.

    The source quants are locked once for the whole batch (in id order, as reservations lock them)
    and changed by one relative UPDATE, so a delivery of many lines costs a handful of statements."""
    move_ids = [move.pk for move, _lines in batch]
    lines = [line for _move, move_lines in batch for line in move_lines]
    if reserved is None:
        open_lines = MoveLine.objects.filter(move_id__in=move_ids, done=False, reserved_quantity__gt=0)
    else:
        open_lines = [line for move_id in move_ids for line in reserved.get(move_id, ())]
    release = defaultdict(Decimal)
    for line in open_lines:
        release[(line.product_id, line.source_location_id, line.lot_id)] += line.reserved_quantity
    leaving = [line for line in lines if line.source_location.holds_stock]
    quants = _lock_quants({*release, *(_key(line) for line in leaving)})
    taken = defaultdict(Decimal)
    for line in leaving:
        quant = quants.get(_key(line))
        _check_can_leave(line, quant, release[_key(line)] + ZERO, taken[_key(line)], allow_negative)
        taken[_key(line)] += line.quantity
    _change_quants(quants, taken, release)
    for line in leaving:
        if _key(line) not in quants:  # stock that was never there goes negative (allowed above)
            quant_add(line.company_id, line.product_id, line.source_location_id, line.lot_id, -line.quantity, when=when)
    for line in lines:
        if line.destination_location.holds_stock:
            quant_add(line.company_id, line.product_id, line.destination_location_id, line.lot_id, line.quantity, when=when)
    MoveLine.objects.filter(move_id__in=move_ids, done=False).delete()
    for move, move_lines in batch:
        for line in move_lines:
            line.move, line.done, line.date, line.reserved_quantity = move, True, when, ZERO
    MoveLine.objects.bulk_create(lines)


QuantKey = tuple[int, int, int | None]


def _key(line: MoveLine) -> QuantKey:
    return (line.product_id, line.source_location_id, line.lot_id)


def _lock_quants(keys: set[QuantKey]) -> dict[QuantKey, Quant]:
    if not keys:
        return {}
    candidates = (
        Quant.objects.select_for_update()
        .filter(product_id__in={key[0] for key in keys}, location_id__in={key[1] for key in keys})
        .order_by("id")
    )
    return {key: quant for quant in candidates if (key := (quant.product_id, quant.location_id, quant.lot_id)) in keys}


def _check_can_leave(line: MoveLine, quant: Quant | None, own_reserved: Decimal, before: Decimal, allow_negative: bool) -> None:
    """The line may take the quant's stock less what other moves reserved, and below zero only when forced."""
    on_hand = (quant.quantity if quant else ZERO) - before
    others = (quant.reserved_quantity if quant else ZERO) - own_reserved
    names = {
        "product": line.product, "location": line.source_location, "quantity": line.quantity.normalize(),
        "available": max(on_hand - others, ZERO).normalize(), "lot": f" ({line.lot})" if line.lot_id else "",
    }  # fmt: skip
    if on_hand - line.quantity < 0 and not allow_negative:
        raise BusinessError(
            _("Only %(available)s of %(product)s%(lot)s are free at %(location)s: %(quantity)s cannot leave it.") % names,
            code="not_enough_stock",
        )
    if others > 0 and on_hand - line.quantity < others:
        raise BusinessError(
            _("Only %(available)s of %(product)s%(lot)s at %(location)s are not reserved for other transfers: "
              "%(quantity)s cannot leave it. Unreserve the others first.") % names,
            code="reserved_elsewhere",
        )  # fmt: skip


def _change_quants(quants: dict[QuantKey, Quant], taken: dict[QuantKey, Decimal], released: dict[QuantKey, Decimal]) -> None:
    """One UPDATE for every quant the batch touches, relative to what is stored."""
    changes = {
        quant.pk: (-taken.get(key, ZERO), -released.get(key, ZERO))
        for key, quant in quants.items()
        if taken.get(key) or released.get(key)
    }
    rows_update(Quant, ["quantity", "reserved_quantity"], changes, add=True)
