"""Physical inventory counts and scrap: stock corrected by moves to and from virtual locations."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Product, User
from tessera.core.services import record_save, require_company, require_permission, sequence_next_number
from tessera.core.transactions import operation
from tessera.core.workflow import apply_transition

from ..models import InventoryCount, InventoryCountLine, Location, LocationUsage, Lot, Move, MoveLine, Quant, Scrap
from ..states import COUNT_TRANSITIONS, CountState, MoveState
from . import moves as ledger
from .setup import virtual_location
from .valuation import moves_value

ZERO = Decimal(0)


def move_done_now(
    product: Product, quantity: Decimal, source: Location, destination: Location, *, lot: Lot | None, reference: str,
    when: datetime.datetime, by: User, allow_negative: bool = False,
) -> Move:  # fmt: skip
    """Record a move that happened (no reservation step): an adjustment or a scrap. Not valued here."""
    move = Move(
        company_id=product.company_id, product=product, quantity=quantity, uom=product.uom, source_location=source,
        destination_location=destination, date=when, reference=reference, state=MoveState.DONE,
    )  # fmt: skip
    ledger.check_move(move)
    move.save()
    line = MoveLine(
        company_id=move.company_id, move=move, product=product, lot=lot, source_location=source, destination_location=destination,
        quantity=move.product_quantity,
    )  # fmt: skip
    ledger.lines_done(move, [line], when=when, allow_negative=allow_negative)
    return move


# --- counts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counted:
    """A quantity counted (in the product's unit) of a product, at a location inside the count's, of a lot."""

    product: Product
    quantity: Decimal
    location: Location | None = None
    lot: str = ""


def count_create(location: Location, *, by: User, day: datetime.date | None = None, note: str = "") -> InventoryCount:
    require_permission(by, InventoryCount, "add")
    if not location.holds_stock:
        raise InvalidInput(_("Only a stock location can be counted."), field="location")
    count = InventoryCount(company_id=location.company_id, location=location, date=day or timezone.localdate(), note=note)
    with operation():
        count.number = sequence_next_number(location.company, "inventory.count", on=count.date)
        return record_save(count, by=by)


def count_start(count: InventoryCount, *, by: User) -> InventoryCount:
    """Freeze what the books expect at the location and its bins: one line per product and lot."""
    require_permission(by, InventoryCount, "change")
    require_company(by, count)
    with operation():
        locations = ledger.internal_locations_under(count.location)
        quants = (
            Quant.objects.filter(location_id__in=locations).exclude(quantity=0).order_by("location_id", "product_id", "lot_id")
        )
        InventoryCountLine.objects.bulk_create(
            InventoryCountLine(company_id=count.company_id, count=count, product_id=quant.product_id,
                               location_id=quant.location_id, lot_id=quant.lot_id, expected_quantity=quant.quantity)
            for quant in quants
        )  # fmt: skip
        apply_transition(count, CountState.IN_PROGRESS, transitions=COUNT_TRANSITIONS, by=by)
    return count


def count_record(count: InventoryCount, counted: Sequence[Counted], *, by: User) -> InventoryCount:
    """Write counted quantities on the count's lines, adding lines for what the books did not expect."""
    require_permission(by, InventoryCount, "change")
    require_company(by, count)
    if count.state != CountState.IN_PROGRESS:
        raise BusinessError(_("Start the count before recording quantities."), code="count_not_started")
    inside = set(ledger.internal_locations_under(count.location))
    with operation():
        for position, item in enumerate(counted):
            if item.quantity is None or item.quantity < 0:
                raise InvalidInput(
                    _("Line %(n)s: a counted quantity cannot be negative.") % {"n": position + 1},
                    code="negative_count",
                    errors={f"lines.{position}.quantity": [_("Count zero or more.")]},
                )
            location = item.location or count.location
            if location.pk not in inside:
                raise InvalidInput(_("%(location)s is not inside %(parent)s.") % {"location": location, "parent": count.location},
                                   errors={f"lines.{position}.location": [_("Not in this count.")]})  # fmt: skip
            lot = _count_lot(item, position)
            line = InventoryCountLine.objects.filter(count=count, product=item.product, location=location, lot=lot).first()
            if line is None:
                line = InventoryCountLine(
                    company_id=count.company_id, count=count, product=item.product, location=location, lot=lot
                )
            line.counted_quantity = item.quantity
            line.save()
    return count


def _count_lot(item: Counted, position: int) -> Lot | None:
    tracking, _use_expiry = ledger.tracking_of(item.product.pk)
    if tracking == "none":
        return None
    if not item.lot:
        raise InvalidInput(_("Line %(n)s: %(product)s is tracked: give the lot.") % {"n": position + 1, "product": item.product},
                           errors={f"lines.{position}.lot": [_("Give the lot or serial number.")]})  # fmt: skip
    lot, _created = Lot.objects.get_or_create(company_id=item.product.company_id, product=item.product, name=item.lot.strip())
    return lot


def count_validate(count: InventoryCount, *, by: User, when: datetime.datetime | None = None) -> list[Move]:
    """Post the differences between counted and on-hand quantities as adjustment moves, at `when`
    (now by default)."""
    require_permission(by, InventoryCount, "change")
    require_company(by, count)
    now = ledger.effective_moment(when)
    with operation():
        count = InventoryCount.objects.select_for_update().get(pk=count.pk)
        if count.state != CountState.IN_PROGRESS:
            raise BusinessError(_("Only a count in progress can be validated."), code="count_not_started")
        adjustment = virtual_location(count.company_id, LocationUsage.INVENTORY)
        moves = []
        lines = count.lines.filter(counted_quantity__isnull=False).select_related("product__uom", "location", "lot")
        for line in lines:
            quant = Quant.objects.select_for_update().filter(product=line.product, location=line.location, lot=line.lot).first()
            on_hand = quant.quantity if quant else ZERO
            difference = line.counted_quantity - on_hand
            if quant is not None and line.counted_quantity < quant.reserved_quantity:
                raise BusinessError(
                    _("%(product)s at %(location)s: %(reserved)s are reserved, more than the %(counted)s counted. "
                      "Unreserve the transfers first.") % {
                        "product": line.product, "location": line.location, "reserved": quant.reserved_quantity.normalize(),
                        "counted": line.counted_quantity.normalize(),
                    },
                    code="count_below_reserved",
                )  # fmt: skip
            if difference == 0:
                continue
            source, destination = (adjustment, line.location) if difference > 0 else (line.location, adjustment)
            move = move_done_now(line.product, abs(difference), source, destination, lot=line.lot, reference=count.number,
                                 when=now, by=by)  # fmt: skip
            InventoryCountLine.objects.filter(pk=line.pk).update(move=move)
            moves.append(move)
        moves_value(moves, by=by)
        apply_transition(count, CountState.DONE, transitions=COUNT_TRANSITIONS, by=by)
    return moves


def count_cancel(count: InventoryCount, *, by: User) -> InventoryCount:
    require_permission(by, InventoryCount, "change")
    require_company(by, count)
    apply_transition(count, CountState.CANCELLED, transitions=COUNT_TRANSITIONS, by=by)
    return count


# --- scrap -----------------------------------------------------------------------------------------


def scrap_validate(scrap: Scrap, *, by: User, when: datetime.datetime | None = None) -> Scrap:
    """Throw goods away: a move from the location to the scrap location, valued as a loss."""
    require_permission(by, Scrap, "add")
    require_company(by, scrap)
    if not (scrap.reason or "").strip():
        raise InvalidInput(_("Say why the goods are scrapped."), field="reason")
    if not scrap.location.holds_stock:
        raise InvalidInput(_("Goods are scrapped from a stock location."), field="location")
    quantity = ledger.to_product_unit(scrap.product, scrap.quantity, scrap.uom)
    tracking, _use_expiry = ledger.tracking_of(scrap.product_id)
    if tracking != "none" and scrap.lot_id is None:
        raise InvalidInput(_("%(product)s is tracked: give the lot.") % {"product": scrap.product}, field="lot")
    now = ledger.effective_moment(when)
    with operation():
        quants = Quant.objects.select_for_update().filter(product=scrap.product, location=scrap.location, lot=scrap.lot)
        free = sum((quant.quantity - quant.reserved_quantity for quant in quants), ZERO)
        if quantity > free:
            raise BusinessError(
                _("Only %(free)s of %(product)s are free at %(location)s.")
                % {"free": free.normalize(), "product": scrap.product, "location": scrap.location},
                code="not_enough_stock",
            )
        scrap.number = sequence_next_number(scrap.company, "inventory.scrap", on=timezone.localdate(now))
        scrap.date = now
        record_save(scrap, by=by)
        move = move_done_now(scrap.product, quantity, scrap.location, virtual_location(scrap.company_id, LocationUsage.SCRAP),
                             lot=scrap.lot, reference=scrap.number, when=now, by=by)  # fmt: skip
        Scrap.objects.filter(pk=scrap.pk).update(move=move)
        scrap.move = move
        moves_value([move], by=by)
    return scrap
