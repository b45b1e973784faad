"""Transfers: receipts, deliveries and internal transfers from draft to done, backorders and returns."""

import datetime
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Product, Uom, User
from tessera.core.services import record_save, require_company, require_permission, sequence_next_number
from tessera.core.transactions import operation, remembered
from tessera.core.workflow import apply_transition

from .. import hooks
from ..models import Location, LocationUsage, Lot, Move, MoveLine, Transfer, TransferKind, Warehouse
from ..states import OPEN_MOVE_STATES, TRANSFER_TRANSITIONS, MoveState, TransferState
from . import moves as ledger
from .replenishment import move_procure
from .setup import virtual_location
from .valuation import moves_value

ZERO = Decimal(0)
SEQUENCE_OF_KIND = {
    TransferKind.RECEIPT: "inventory.receipt",
    TransferKind.DELIVERY: "inventory.delivery",
    TransferKind.INTERNAL: "inventory.internal",
}


@dataclass(frozen=True)
class MoveDraft:
    """A line of a draft transfer: a quantity of a product in some unit."""

    product: Product
    quantity: Decimal
    uom: Uom | None = None
    unit_cost: Decimal | None = None
    origin_key: str = ""  # the document line it serves, such as "sales.saleorderline:12"


@dataclass(frozen=True)
class DoneQuantity:
    """What was actually moved for a move: a quantity in the move's unit, from or into a lot.

    `location` narrows where goods come from (outgoing) or go to (incoming), such as a bin."""

    quantity: Decimal
    lot: str = ""
    expiry_date: datetime.date | None = None
    location: Location | None = None


@dataclass
class ValidationResult:
    transfer: Transfer
    backorder: Transfer | None = None
    moves_done: list[Move] = field(default_factory=list)


def default_locations(warehouse: Warehouse, kind: str) -> tuple[Location, Location]:
    """Where a transfer of this kind goes by default: supplier → stock, stock → customer, stock → stock;
    read once per configuration version."""
    return remembered(Location, ("defaults", warehouse.pk, kind), lambda: _default_locations(warehouse, kind))


def _default_locations(warehouse: Warehouse, kind: str) -> tuple[Location, Location]:
    stock = warehouse.stock_location
    if kind == TransferKind.RECEIPT:
        return virtual_location(warehouse.company_id, LocationUsage.SUPPLIER), stock
    if kind == TransferKind.DELIVERY:
        return stock, virtual_location(warehouse.company_id, LocationUsage.CUSTOMER)
    return stock, stock


def transfer_save(transfer: Transfer, lines: Sequence[MoveDraft], *, by: User) -> Transfer:
    """Save a draft transfer and its moves (replacing the previous ones)."""
    _save(transfer, lines, by)
    return transfer


def transfer_create_confirmed(transfer: Transfer, lines: Sequence[MoveDraft], *, by: User) -> list[Move]:
    """Create a transfer and confirm it at once, such as the delivery of a confirmed sales order; its
    confirmed moves are returned. They are neither locked nor read again: no one else sees them
    before the commit."""
    require_permission(by, Transfer, "change")
    with operation():
        moves = _save(transfer, lines, by)
        _confirm(transfer, moves, by)
    return moves


def _save(transfer: Transfer, lines: Sequence[MoveDraft], by: User) -> list[Move]:
    require_permission(by, Transfer, "add" if transfer._state.adding else "change")
    require_company(by, transfer)
    if transfer.pk and Transfer.objects.filter(pk=transfer.pk).exclude(state=TransferState.DRAFT).exists():
        raise BusinessError(_("Only a draft transfer can be changed."), code="transfer_not_draft")
    if transfer.warehouse_id and not (transfer.source_location_id and transfer.destination_location_id):
        source, destination = default_locations(transfer.warehouse, transfer.kind)
        if not transfer.source_location_id:
            transfer.source_location = source
        if not transfer.destination_location_id:
            transfer.destination_location = destination
    if not transfer.scheduled_date:
        transfer.scheduled_date = timezone.now()
    _check_direction(transfer)
    moves = [_draft_move(transfer, position, line) for position, line in enumerate(lines)]
    with operation():
        if transfer._state.adding and not transfer.number:
            transfer.number = sequence_next_number(
                transfer.company, SEQUENCE_OF_KIND[transfer.kind], on=timezone.localdate(transfer.scheduled_date)
            )
        adding = transfer._state.adding
        record_save(transfer, by=by)
        if not adding:
            transfer.moves.all().delete()
        for move in moves:
            move.transfer, move.reference = transfer, transfer.number  # numbered only now for a new transfer
        Move.objects.bulk_create(moves)
    return moves


def _check_direction(transfer: Transfer) -> None:
    source, destination = transfer.source_location, transfer.destination_location
    expected = {
        TransferKind.RECEIPT: (not source.holds_stock and destination.holds_stock, _("A receipt brings goods into stock.")),
        TransferKind.DELIVERY: (source.holds_stock and not destination.holds_stock, _("A delivery takes goods out of stock.")),
        TransferKind.INTERNAL: (source.holds_stock and destination.holds_stock, _("An internal transfer stays in stock.")),
    }
    fits, message = expected[transfer.kind]
    if not fits:
        raise InvalidInput(message, code="transfer_direction", field="destination_location")


def _draft_move(transfer: Transfer, position: int, line: MoveDraft) -> Move:
    move = Move(
        company_id=transfer.company_id, product=line.product, quantity=line.quantity, uom=line.uom or line.product.uom,
        source_location=transfer.source_location, destination_location=transfer.destination_location,
        date=transfer.scheduled_date, reference=transfer.number, unit_cost=line.unit_cost, origin_key=line.origin_key,
    )  # fmt: skip
    if line.product.company_id != transfer.company_id:
        raise InvalidInput(_("Line %(n)s: this product belongs to another company.") % {"n": position + 1},
                           errors={f"lines.{position}.product": [_("Unknown product.")]})  # fmt: skip
    try:
        ledger.check_move(move)
    except InvalidInput as exc:
        raise InvalidInput(
            _("Line %(n)s: %(message)s") % {"n": position + 1, "message": exc.message},
            code=exc.code,
            errors={f"lines.{position}.{exc.field or 'product'}": [exc.message]},
        ) from None
    return move


def _locked(transfer: Transfer) -> Transfer:
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("source_location", "destination_location", "company")
        .get(pk=transfer.pk)
    )


def _open_moves(transfer: Transfer) -> list[Move]:
    return list(
        transfer.moves.select_for_update(of=("self",))
        .filter(state__in=(MoveState.DRAFT, *OPEN_MOVE_STATES))
        .select_related("product__uom", "uom", "source_location", "destination_location", "company__currency")
        .order_by("id")
    )


def transfer_confirm(transfer: Transfer, *, by: User) -> Transfer:
    """Confirm a draft: its moves wait for goods, and stock is reserved for outgoing ones."""
    require_permission(by, Transfer, "change")
    require_company(by, transfer)
    with operation():
        transfer = _locked(transfer)
        if transfer.state != TransferState.DRAFT:
            raise BusinessError(_("Transfer %(t)s is already confirmed.") % {"t": transfer}, code="transfer_not_draft")
        _confirm(transfer, _open_moves(transfer), by)
    return transfer


def _confirm(transfer: Transfer, moves: Sequence[Move], by: User) -> None:
    if not moves:
        raise InvalidInput(_("Add at least one product to move."), code="empty_transfer")
    for move in moves:
        move.state = MoveState.WAITING if move.source_location.holds_stock else MoveState.READY
    ledger.moves_reserve(moves)
    for move in moves:
        move_procure(move, move.product_quantity - move.reserved_quantity, by=by)
    apply_transition(transfer, _state_of(moves), transitions=TRANSFER_TRANSITIONS, by=by)


def _state_of(moves: Sequence[Move]) -> str:
    return TransferState.READY if all(move.state == MoveState.READY for move in moves) else TransferState.WAITING


def transfer_reserve(transfer: Transfer, *, by: User) -> Transfer:
    """Reserve what has become available for a waiting transfer."""
    return _on_open_moves(transfer, ledger.move_reserve, by=by)


def transfer_unreserve(transfer: Transfer, *, by: User) -> Transfer:
    """Give a transfer's reserved stock back to others."""
    return _on_open_moves(transfer, ledger.move_unreserve, by=by)


def _on_open_moves(transfer: Transfer, action: Callable[[Move], object], *, by: User) -> Transfer:
    """Apply `action` to each open move of a confirmed transfer, which then follows its moves' state."""
    require_permission(by, Transfer, "change")
    require_company(by, transfer)
    with operation():
        transfer = _locked(transfer)
        _require_open(transfer)
        moves = _open_moves(transfer)
        for move in moves:
            action(move)
        _follow(transfer, moves, by)
    return transfer


def _require_open(transfer: Transfer) -> None:
    if transfer.state not in (TransferState.WAITING, TransferState.READY):
        raise BusinessError(
            _("Transfer %(t)s is %(state)s: confirm it first, or it is over.")
            % {"t": transfer, "state": transfer.get_state_display()},
            code="transfer_not_open",
        )


def _follow(transfer: Transfer, moves: Sequence[Move], by: User) -> None:
    state = _state_of(moves)
    if state != transfer.state:
        apply_transition(transfer, state, transitions=TRANSFER_TRANSITIONS, by=by)


def transfer_cancel(transfer: Transfer, *, by: User) -> Transfer:
    """Cancel a transfer that is not done: its reservations are released."""
    require_permission(by, Transfer, "change")
    require_company(by, transfer)
    with operation():
        transfer = _locked(transfer)
        for move in _open_moves(transfer):
            ledger.move_unreserve(move)
        transfer.moves.exclude(state=MoveState.DONE).update(state=MoveState.CANCELLED)
        apply_transition(transfer, TransferState.CANCELLED, transitions=TRANSFER_TRANSITIONS, by=by)
    return transfer


# --- validation ------------------------------------------------------------------------------------


def transfer_validate(
    transfer: Transfer,
    *,
    by: User,
    done: Mapping[int, Sequence[DoneQuantity]] | None = None,
    force: bool = False,
    backorder: bool = True,
    when: datetime.datetime | None = None,
) -> ValidationResult:
    """Record what was moved. `done` gives, per move id, the quantities (and lots) actually moved;
    without it, everything reserved goes (or, into stock, everything planned). Moving more than was
    reserved, or more than is on hand, needs `force`. What is left becomes a backorder, or is
    cancelled when `backorder` is false. `when` is the moment the goods moved (now by default; the
    accounting lock date bounds how far back it can go)."""
    require_permission(by, Transfer, "validate")
    require_company(by, transfer)
    now = ledger.effective_moment(when)
    with operation():
        transfer = _locked(transfer)
        _require_open(transfer)
        moves = _open_moves(transfer)
        unknown = set(done or {}) - {move.pk for move in moves}
        if unknown:
            raise InvalidInput(_("These moves are not open moves of this transfer: %(ids)s.") % {"ids": sorted(unknown)},
                               field="moves")  # fmt: skip
        reserved = _reserved_lines(moves)
        trackings = ledger.trackings_of(move.product_id for move in moves)
        leftovers: list[tuple[Move, Decimal]] = []
        batch: list[tuple[Move, list[MoveLine]]] = []
        for move in moves:
            given = None if done is None else done.get(move.pk, ())
            lines = _done_lines(move, given, reserved.get(move.pk, []), trackings[move.product_id][0], force=force)
            moved = sum((line.quantity for line in lines), ZERO)
            if moved < move.product_quantity:
                leftovers.append((move, move.product_quantity - moved))
            if moved > 0:
                batch.append((move, lines))
        if not batch:
            raise InvalidInput(_("Nothing was moved: give the quantities done."), code="nothing_done", field="moves")
        ledger.moves_done(batch, when=now, allow_negative=force, reserved=reserved)
        done_moves = _mark_done(batch, when=now)
        moves_value(done_moves, by=by)
        result = ValidationResult(transfer=transfer, moves_done=done_moves)
        if leftovers and backorder:
            result.backorder = _create_backorder(transfer, leftovers, by, on=timezone.localdate(now))
        else:
            for move, _left in leftovers:
                if move.state != MoveState.DONE:
                    ledger.move_unreserve(move)
                    Move.objects.filter(pk=move.pk).update(state=MoveState.CANCELLED)
        apply_transition(transfer, TransferState.DONE, transitions=TRANSFER_TRANSITIONS, by=by, also={"date_done": now})
        hooks.run_moves_done(done_moves, by)
    return result


def _reserved_lines(moves: Sequence[Move]) -> dict[int, list[MoveLine]]:
    """The open moves' reserved lines, in the order they were reserved, read once."""
    by_move: dict[int, list[MoveLine]] = defaultdict(list)
    lines = MoveLine.objects.filter(move__in=moves, done=False, reserved_quantity__gt=0).select_related("lot", "source_location")
    for line in lines.order_by("id"):
        by_move[line.move_id].append(line)
    return by_move


def _mark_done(batch: Sequence[tuple[Move, list[MoveLine]]], *, when: datetime.datetime) -> list[Move]:
    """The moves keep what was done; the rest goes to the backorder, expressed in the product's unit."""
    moves, whole = [], []
    for move, lines in batch:
        moved = sum((line.quantity for line in lines), ZERO)
        move.state, move.date, move.reserved_quantity = MoveState.DONE, when, ZERO
        if moved == move.product_quantity:
            whole.append(move.pk)
        else:
            move.quantity, move.uom_id, move.product_quantity = moved, move.product.uom_id, moved
            Move.objects.filter(pk=move.pk).update(
                state=move.state, date=when, reserved_quantity=ZERO, quantity=moved, uom_id=move.uom_id, product_quantity=moved
            )
        moves.append(move)
    Move.objects.filter(pk__in=whole).update(state=MoveState.DONE, date=when, reserved_quantity=ZERO)
    return moves


def _done_lines(
    move: Move, given: Sequence[DoneQuantity] | None, reserved: list[MoveLine], tracking: str, *, force: bool
) -> list[MoveLine]:
    incoming = not move.source_location.holds_stock
    in_product_unit = given is None  # the defaults are in the product's unit, what is given in the move's
    if given is None:
        given = _default_done(move, reserved, tracking, incoming)
    lines: list[MoveLine] = []
    taken: dict[int, Decimal] = {}  # how much of each reserved line the items before took
    for item in given:
        if item.quantity is None or item.quantity < 0:
            raise InvalidInput(_("A done quantity cannot be negative."), field="moves")
        if item.quantity == 0:
            continue
        quantity = item.quantity if in_product_unit else ledger.to_product_unit(move.product, item.quantity, move.uom)
        lot = None
        if tracking != "none":
            if not item.lot:
                raise InvalidInput(
                    _("%(product)s is tracked: give the lot or serial number of what was moved.") % {"product": move.product},
                    code="lot_required",
                    field="lots",
                )
            lot = ledger.lot_for(move, item.lot, expiry_date=item.expiry_date) if incoming else _existing_lot(move, item.lot)
        if incoming:
            destination = item.location or move.destination_location
            lines.append(_line(move, quantity, lot, move.source_location, _inside(destination, move.destination_location)))
        else:
            lines.extend(_allocate(move, quantity, lot, item.location, reserved, taken, force=force))
    if tracking == "serial":
        ledger.check_serials(move.product, lines, incoming=incoming)
    return lines


def _default_done(move: Move, reserved: list[MoveLine], tracking: str, incoming: bool) -> list[DoneQuantity]:
    if not incoming:
        return [DoneQuantity(line.reserved_quantity, line.lot.name if line.lot_id else "", location=line.source_location)
                for line in reserved]  # fmt: skip
    if move.returned_move_id:
        # The lots that left, less what earlier returns of the same move already brought back.
        back: dict[int | None, Decimal] = defaultdict(Decimal)
        for lot_id, quantity in MoveLine.objects.filter(move__returned_move_id=move.returned_move_id, done=True).values_list(
            "lot_id", "quantity"
        ):
            back[lot_id] += quantity
        returned = MoveLine.objects.filter(move_id=move.returned_move_id, done=True).select_related("lot").order_by("id")
        left, items = move.product_quantity, []
        for line in returned:
            already = min(back[line.lot_id], line.quantity)
            back[line.lot_id] -= already
            take = min(left, line.quantity - already)
            if take > 0:
                items.append(DoneQuantity(take, line.lot.name if line.lot_id else ""))
                left -= take
        return items
    if tracking != "none":
        raise InvalidInput(
            _("%(product)s is tracked: give the lot or serial number of what was received.") % {"product": move.product},
            code="lot_required",
            field="lots",
        )
    return [DoneQuantity(move.product_quantity)]


def _existing_lot(move: Move, name: str) -> Lot:
    lot = move.product.lots.filter(name=name.strip()).first()
    if lot is None:
        raise InvalidInput(
            _("%(product)s has no lot or serial number %(lot)s.") % {"product": move.product, "lot": name}, field="lots"
        )
    return lot


def _inside(location: Location, parent: Location) -> Location:
    if location.pk != parent.pk and not location.full_name.startswith(f"{parent.full_name}/"):
        raise InvalidInput(
            _("%(location)s is not inside %(parent)s.") % {"location": location, "parent": parent}, field="location"
        )
    return location


def _line(move: Move, quantity: Decimal, lot: Lot | None, source: Location, destination: Location) -> MoveLine:
    return MoveLine(
        company_id=move.company_id, move=move, product_id=move.product_id, product=move.product, lot=lot, quantity=quantity,
        source_location=source, destination_location=destination,
    )  # fmt: skip


def _allocate(
    move: Move,
    quantity: Decimal,
    lot: Lot | None,
    location: Location | None,
    reserved: list[MoveLine],
    taken: dict[int, Decimal],
    *,
    force: bool,
) -> list[MoveLine]:
    """Where `quantity` (of `lot`) leaves from: the move's own reservations first, then free stock,
    then (only when forced) the source location itself, which may go below zero."""
    lines, left = [], quantity
    candidates = [
        line for line in reserved
        if (lot is None or line.lot_id == lot.pk) and (location is None or line.source_location_id == location.pk)
    ]  # fmt: skip
    for line in candidates:
        free = line.reserved_quantity - taken.get(line.pk, ZERO)
        take = min(free, left)
        if take > 0:
            taken[line.pk] = taken.get(line.pk, ZERO) + take
            lines.append(_line(move, take, lot, line.source_location, move.destination_location))
            left -= take
    if left > 0 and force:
        origin = _inside(location, move.source_location) if location else move.source_location
        for quant in ledger.available_quants(move.product_id, origin, lot_id=lot.pk if lot else None):
            take = min(quant.quantity - quant.reserved_quantity, left)
            if take > 0:
                lines.append(_line(move, take, quant.lot if lot is None else lot, quant.location, move.destination_location))
                left -= take
        if left > 0:
            lines.append(_line(move, left, lot, origin, move.destination_location))
            left = ZERO
    if left > 0:
        raise BusinessError(
            _("Only %(reserved)s of %(product)s%(lot)s are reserved for this move: reserve more, or confirm the override.")
            % {"reserved": (quantity - left).normalize(), "product": move.product, "lot": f" ({lot})" if lot else ""},
            code="more_than_reserved",
        )
    return lines


def _create_backorder(transfer: Transfer, leftovers: Sequence[tuple[Move, Decimal]], by: User, *, on: datetime.date) -> Transfer:
    backorder = Transfer(
        company=transfer.company, kind=transfer.kind, warehouse_id=transfer.warehouse_id, partner_id=transfer.partner_id,
        source_location=transfer.source_location, destination_location=transfer.destination_location,
        scheduled_date=transfer.scheduled_date, origin=transfer.origin, backorder_of=transfer,
    )  # fmt: skip
    backorder.number = sequence_next_number(transfer.company, SEQUENCE_OF_KIND[transfer.kind], on=on)
    record_save(backorder, by=by)
    moves = []
    for move, left in leftovers:
        if move.state != MoveState.DONE:
            # Nothing of it was done: the whole move, with its reservation, goes to the backorder.
            Move.objects.filter(pk=move.pk).update(transfer=backorder, reference=backorder.number)
            move.transfer = backorder
        else:
            move = Move.objects.create(
                company_id=move.company_id, transfer=backorder, product_id=move.product_id, quantity=left,
                uom_id=move.product.uom_id, product_quantity=left, source_location_id=move.source_location_id,
                destination_location_id=move.destination_location_id, date=backorder.scheduled_date,
                reference=backorder.number, unit_cost=move.unit_cost, returned_move_id=move.returned_move_id,
                origin_key=move.origin_key,
                state=MoveState.WAITING if move.source_location.holds_stock else MoveState.READY,
            )  # fmt: skip
            move = Move.objects.select_related("source_location", "product__uom").get(pk=move.pk)
            ledger.move_reserve(move)
        moves.append(move)
    Transfer.objects.filter(pk=backorder.pk).update(state=_state_of(moves))
    backorder.state = _state_of(moves)
    return backorder


# --- returns ---------------------------------------------------------------------------------------


def transfer_return(transfer: Transfer, *, by: User, quantities: Mapping[int, Decimal] | None = None) -> Transfer:
    """Create and confirm the return of a done transfer: the goods go back where they came from.
    `quantities` gives, per done move id, how much (in the product's unit) comes back; by default
    everything not returned yet. The returned transfer is locked, so two returns cannot both take
    what is left."""
    require_permission(by, Transfer, "add")
    require_company(by, transfer)
    with operation():
        transfer = Transfer.objects.select_for_update(of=("self",)).select_related("company").get(pk=transfer.pk)
        if transfer.state != TransferState.DONE:
            raise BusinessError(_("Only a done transfer can be returned."), code="transfer_not_done")
        drafts = _returnable(transfer, quantities)
        kind = {TransferKind.RECEIPT: TransferKind.DELIVERY, TransferKind.DELIVERY: TransferKind.RECEIPT}.get(
            transfer.kind, TransferKind.INTERNAL
        )
        back = Transfer(
            company=transfer.company, kind=kind, warehouse_id=transfer.warehouse_id, partner_id=transfer.partner_id,
            source_location_id=transfer.destination_location_id, destination_location_id=transfer.source_location_id,
            scheduled_date=timezone.now(), origin=transfer.number, return_of=transfer,
        )  # fmt: skip
        coming_back = [MoveDraft(move.product, amount, move.product.uom, origin_key=move.origin_key) for move, amount in drafts]
        transfer_save(back, coming_back, by=by)
        for (move, _quantity), new in zip(drafts, back.moves.order_by("id"), strict=True):
            Move.objects.filter(pk=new.pk).update(returned_move=move)
        return transfer_confirm(back, by=by)


def _returnable(transfer: Transfer, quantities: Mapping[int, Decimal] | None) -> list[tuple[Move, Decimal]]:
    done_moves = {move.pk: move for move in transfer.moves.filter(state=MoveState.DONE).select_related("product__uom")}
    unknown = set(quantities or {}) - set(done_moves)
    if unknown:
        raise InvalidInput(_("These are not done moves of this transfer: %(ids)s.") % {"ids": sorted(unknown)}, field="moves")
    drafts: list[tuple[Move, Decimal]] = []
    for move in done_moves.values():
        returnable = move.product_quantity - sum(
            (ret.product_quantity for ret in move.returns.exclude(state=MoveState.CANCELLED)), ZERO
        )
        wanted = returnable if quantities is None else Decimal(quantities.get(move.pk, ZERO))
        if wanted < 0 or wanted > returnable:
            raise InvalidInput(
                _("At most %(max)s of %(product)s can still be returned.")
                % {"max": returnable.normalize(), "product": move.product},
                field="moves",
            )
        if wanted > 0:
            drafts.append((move, wanted))
    if not drafts:
        raise InvalidInput(_("Nothing is left to return."), code="nothing_to_return")
    return drafts
