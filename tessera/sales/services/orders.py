"""Quotations and sales orders: pricing and taxes, confirmation into an inventory delivery,
delivered quantities followed from the done moves, and invoicing through accounting."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.accounting.models import Tax, TaxUse
from tessera.accounting.services import document_totals, fiscal_position_for, products_taxes
from tessera.core.bulk import many_to_many_add, rows_update
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Company, Product, ProductType, Uom, User
from tessera.core.moments import past_moment
from tessera.core.services import (
    invalid_input_from,
    record_save,
    require_company,
    require_permission,
    sequence_next_number,
    sequences_ensure,
)
from tessera.core.transactions import operation, remembered, remembered_each
from tessera.core.uom import convert_quantity
from tessera.core.workflow import apply_transition
from tessera.inventory.models import LocationUsage, Move, ProductStock, Transfer, TransferKind, Warehouse
from tessera.inventory.services import MoveDraft, transfer_cancel, transfer_create_confirmed
from tessera.inventory.states import MoveState, TransferState

from ..models import SaleOrder, SaleOrderLine
from ..states import ORDER_TRANSITIONS, DeliveryStatus, InvoiceStatus, OrderState
from .invoicing import invoice_status_of
from .pricing import price_for, pricelist_for

ZERO = Decimal(0)
ORDER_SEQUENCE = "sales.order"
LINE_KEY = "sales.saleorderline:"
EDITABLE = (OrderState.DRAFT, OrderState.SENT)


def company_sales_setup(company: Company, by: User) -> None:
    """Registered with core: a new company numbers its orders SO/2026/00001."""
    sequences_ensure(company, [(ORDER_SEQUENCE, gettext_lazy("Sales orders"), "SO/{year}/{number}")], by=by)


@dataclass(frozen=True)
class OrderLineDraft:
    """A line of a quotation as typed: what is left empty comes from the product (price, unit, taxes
    mapped by the order's fiscal position)."""

    product: Product
    quantity: Decimal
    price_unit: Decimal | None = None
    discount: Decimal = ZERO
    uom: Uom | None = None
    taxes: Sequence[Tax] | None = None
    description: str = ""


def sale_order_save(order: SaleOrder, lines: Sequence[OrderLineDraft], *, by: User) -> SaleOrder:
    """Save a quotation with its lines (replacing the previous ones) and its totals."""
    require_permission(by, SaleOrder, "add" if order._state.adding else "change")
    require_company(by, order)
    if order.pk and SaleOrder.objects.filter(pk=order.pk).exclude(state__in=EDITABLE).exists():
        raise BusinessError(_("Only a quotation can be changed; this order is confirmed or cancelled."), code="order_not_draft")
    with operation():
        _fill_defaults(order)
        default_taxes = products_taxes(
            order.company, [draft.product for draft in lines if draft.taxes is None], sale=True, position=order.fiscal_position
        )
        drafts = [_line(order, position, draft, default_taxes) for position, draft in enumerate(lines)]
        totals = document_totals(
            order.company, order.currency, [(line.price_unit, line.quantity, line.discount, taxes) for line, taxes in drafts]
        )
        for (line, _taxes), computed in zip(drafts, totals.lines, strict=True):
            line.amount_untaxed = computed.base
        order.amount_untaxed, order.amount_tax = totals.untaxed, totals.tax
        order.amount_total = totals.untaxed + totals.tax + totals.rounding
        if order._state.adding and not order.number:
            order.number = sequence_next_number(order.company, ORDER_SEQUENCE, on=order.date_order)
        adding = order._state.adding
        record_save(order, by=by, extra_changes=_line_changes(order, drafts))
        if not adding:
            order.lines.all().delete()
        for line, _taxes in drafts:
            line.order = order
        SaleOrderLine.objects.bulk_create([line for line, _taxes in drafts])
        many_to_many_add([line for line, _taxes in drafts], "taxes", [taxes for _line, taxes in drafts])
    return order


def _fill_defaults(order: SaleOrder) -> None:
    company = order.company
    order.date_order = order.date_order or timezone.localdate()
    if not order.currency_id:
        order.currency_id = company.currency_id
    if not order.warehouse_id:
        first_active = Warehouse.objects.filter(company=company, active=True).order_by("id")
        warehouse = remembered(Warehouse, (company.pk, "default"), first_active.first)
        if warehouse is None:
            raise InvalidInput(_("This company has no warehouse to deliver from."), field="warehouse")
        order.warehouse = warehouse
    if order.partner_id:
        if order.pricelist_id is None:
            order.pricelist = pricelist_for(order)
        if order.fiscal_position_id is None:
            order.fiscal_position = fiscal_position_for(company, order.partner)
        if order.payment_term_id is None:
            order.payment_term_id = order.partner.customer_payment_term_id


def _line(
    order: SaleOrder, position: int, draft: OrderLineDraft, default_taxes: dict[int | None, list[Tax]]
) -> tuple[SaleOrderLine, list[Tax]]:
    product, uom, price_unit = draft.product, draft.uom or draft.product.uom, draft.price_unit
    if price_unit is None:
        listed = price_for(order, product, draft.quantity, uom, pricelist=order.pricelist)
        price_unit = product.sale_price if listed is None else listed
    line = SaleOrderLine(
        company_id=order.company_id, position=position, product=product, description=draft.description or product.name,
        quantity=draft.quantity, uom=uom, price_unit=price_unit,
        discount=draft.discount if draft.discount is not None else ZERO,
    )  # fmt: skip
    errors = {}
    try:
        line.full_clean(exclude={"order"})
    except ValidationError as exc:
        errors = invalid_input_from(exc).errors
    if not errors and line.uom.category_id != product.uom.category_id:
        errors = {"uom": [_("%(product)s is counted in %(unit)s; %(other)s measures something else.")
                          % {"product": product, "unit": product.uom, "other": line.uom}]}  # fmt: skip
    if errors:
        first = next(iter(errors.values()))[0]
        raise InvalidInput(_("Line %(n)s: %(message)s") % {"n": position + 1, "message": first},
                           errors={f"lines.{position}.{name}": messages for name, messages in errors.items()})  # fmt: skip
    if draft.taxes is None:
        taxes = default_taxes[product.pk]
    else:
        taxes = list(draft.taxes)
        for tax in taxes:
            if tax.company_id != order.company_id or tax.use != TaxUse.SALE:
                raise InvalidInput(_("Line %(n)s: %(tax)s is not a sales tax of this company.") % {"n": position + 1, "tax": tax},
                                   errors={f"lines.{position}.taxes": [_("Not a sales tax of this company.")]})  # fmt: skip
    return line, taxes


def _line_changes(order: SaleOrder, drafts: Sequence[tuple[SaleOrderLine, list[Tax]]]) -> dict:
    described = [f"{line.product_id} {line.quantity} × {line.price_unit} -{line.discount}%" for line, _taxes in drafts]
    old = [] if order._state.adding else [
        f"{line.product_id} {line.quantity} × {line.price_unit} -{line.discount}%" for line in order.lines.all()
    ]  # fmt: skip
    return {} if old == described else {"lines": {"old": old, "new": described}}


# --- confirmation ----------------------------------------------------------------------------------


def sale_order_confirm(order: SaleOrder, *, by: User, when: datetime.datetime | None = None) -> SaleOrder:
    """Confirm a quotation: the goods are reserved in a delivery (what is missing is procured through
    the products' routes), each line gets a promised date, and the order can be invoiced.

    `when`: the moment the customer confirmed, now if omitted, or earlier (an order taken on paper and
    typed in later; never in the future). The order is confirmed at that moment, and the delivery's
    scheduled date and the lines' promised dates count from that day. What is reserved is what is in
    stock now."""
    require_permission(by, SaleOrder, "change")
    require_company(by, order)
    moment = past_moment(
        when, field="when", future=_("An order cannot be confirmed in the future: %(when)s is later than now."),
        naive=_("Give the confirmation's moment with its time zone."),
    )  # fmt: skip
    with operation():
        order = (
            SaleOrder.objects.select_for_update(of=("self",)).select_related("partner", "warehouse", "company").get(pk=order.pk)
        )
        if order.state not in EDITABLE:
            raise BusinessError(
                _("Order %(order)s is already confirmed or cancelled.") % {"order": order}, code="order_not_draft"
            )
        if when is not None and timezone.localdate(moment) < order.date_order:
            raise InvalidInput(
                _("Order %(order)s is dated %(date)s: it cannot be confirmed before that day.")
                % {"order": order, "date": formats.localize(order.date_order)},
                code="before_order_date",
                field="when",
            )
        lines = list(order.lines.select_related("product__uom", "uom").order_by("position", "id"))
        _check_confirmable(order, lines)
        goods = [line for line in lines if line.product.type != ProductType.SERVICE]
        moves: list[Move] = []
        if goods:
            moves = transfer_create_confirmed(
                Transfer(company=order.company, kind=TransferKind.DELIVERY, warehouse=order.warehouse, partner=order.partner,
                         scheduled_date=_asked_moment(order, moment), origin=order.number),
                [MoveDraft(line.product, line.quantity, line.uom, origin_key=f"{LINE_KEY}{line.pk}") for line in goods],
                by=by,
            )  # fmt: skip
            _promise(order, goods, moves, timezone.localdate(moment))
        apply_transition(order, OrderState.SALE, transitions=ORDER_TRANSITIONS, by=by, also={"confirmed_at": moment})
        _follow(order, lines, new_moves=moves)
    return order


def _check_confirmable(order: SaleOrder, lines: Sequence[SaleOrderLine]) -> None:
    if not lines:
        raise InvalidInput(_("Add at least one product before confirming."), code="empty_order", field="lines")
    for position, line in enumerate(lines):
        if not line.product.active or not line.product.can_be_sold:
            raise InvalidInput(
                _("Line %(n)s: %(product)s is archived or not for sale.") % {"n": position + 1, "product": line.product},
                code="product_not_sellable",
                errors={f"lines.{position}.product": [_("Archived or not for sale.")]},
            )
    partner, missing = order.partner, []
    if any(line.product.type != ProductType.SERVICE for line in lines):
        address = ((_("street"), partner.street), (_("city"), partner.city), (_("postcode"), partner.zip),
                   (_("country"), str(partner.country)))  # fmt: skip
        missing = [label for label, value in address if not value]
    if missing:
        raise InvalidInput(
            _("%(customer)s has no delivery address: add the %(missing)s first.")
            % {"customer": partner, "missing": ", ".join(missing)},
            code="customer_incomplete",
            field="partner",
        )


def _asked_moment(order: SaleOrder, moment: datetime.datetime) -> datetime.datetime:
    if order.commitment_date:
        return timezone.make_aware(datetime.datetime.combine(order.commitment_date, datetime.time(9)))
    return moment


def _promise(order: SaleOrder, lines: Sequence[SaleOrderLine], moves: Sequence[Move], today: datetime.date) -> None:
    """What is reserved can leave on the day of confirmation `today` (or on the day asked); the rest
    after the product's lead time from that day."""
    asked = order.commitment_date or today
    ready = {move.origin_key: move.state == MoveState.READY for move in moves}
    lead = remembered_each(
        ProductStock,
        "lead_days",
        [line.product_id for line in lines],
        lambda missing: dict(ProductStock.objects.filter(product__in=missing).values_list("product_id", "lead_days")),
        default=0,
    )

    def promised(line: SaleOrderLine) -> datetime.date:
        waiting = 0 if ready.get(f"{LINE_KEY}{line.pk}") else lead.get(line.product_id, 0)
        return max(asked, today + datetime.timedelta(days=waiting))

    dates = {line.pk: (promised(line),) for line in lines}
    rows_update(SaleOrderLine, ["promised_date"], dates)  # the order is locked


# --- delivery follow-up ----------------------------------------------------------------------------


def sale_orders_follow_moves(moves: Sequence[Move], by: User) -> None:
    """Registered with inventory: done moves of sales lines update what those lines have delivered,
    their orders' delivery and invoice status, and link backorders and returns to the order."""
    line_ids = {int(move.origin_key.removeprefix(LINE_KEY)) for move in moves if move.origin_key.startswith(LINE_KEY)}
    if not line_ids:
        return
    # A subquery rather than a join with DISTINCT, which PostgreSQL refuses FOR UPDATE.
    orders = SaleOrder.objects.filter(pk__in=SaleOrderLine.objects.filter(pk__in=line_ids).values("order_id"))
    for order in orders.select_for_update():
        _follow(order)


def _follow(order: SaleOrder, lines: Sequence[SaleOrderLine] | None = None, new_moves: Sequence[Move] | None = None) -> None:
    """Delivered quantities of the order's lines from their done moves (out to the customer, less what
    came back), the transfers serving the order (linked when new), and the order's delivery and
    invoice status. Only what changed is written. `lines`: the order's lines with their products, when
    already loaded. `new_moves`: at confirmation, the order's only moves, created just now (none done,
    their transfer not linked yet)."""
    if lines is None:
        lines = list(order.lines.select_related("product__uom", "uom"))
    keys = {f"{LINE_KEY}{line.pk}": line for line in lines}
    unlinked, done, last = set(), defaultdict(lambda: ZERO), {}
    if new_moves is not None:
        unlinked = {move.transfer_id for move in new_moves}
    else:
        linked = SaleOrder.transfers.through.objects.filter(saleorder_id=order.pk, transfer_id=OuterRef("transfer_id"))
        moves = Move.objects.filter(company_id=order.company_id, origin_key__in=keys).annotate(linked=Exists(linked))
        for transfer_id, is_linked, key, to_customer, quantity, day, state in moves.values_list(
            "transfer_id", "linked", "origin_key", "destination_location__usage", "product_quantity", "date", "state"
        ):
            if transfer_id is not None and not is_linked:
                unlinked.add(transfer_id)
            if state == MoveState.DONE:
                done[key] += quantity if to_customer == LocationUsage.CUSTOMER else -quantity
                last[key] = max(last.get(key, day), day)
    if unlinked:
        order.transfers.add(*unlinked)
    changed = []
    for key, line in keys.items():
        if line.product.type == ProductType.SERVICE:
            delivered = line.quantity if order.state == OrderState.SALE else ZERO
        else:
            delivered = convert_quantity(done[key], line.product.uom, line.uom)
        day = timezone.localdate(last[key]) if key in last and delivered >= line.quantity else None
        if (line.qty_delivered, line.delivered_date) != (delivered, day):
            line.qty_delivered, line.delivered_date = delivered, day
            changed.append(line)
    SaleOrderLine.objects.bulk_update(changed, ["qty_delivered", "delivered_date"])
    goods = [line for line in lines if line.product.type != ProductType.SERVICE]
    if goods and all(line.qty_delivered >= line.quantity for line in goods):
        delivery_status = DeliveryStatus.FULL
    elif any(line.qty_delivered > 0 for line in goods):
        delivery_status = DeliveryStatus.PARTIAL
    else:
        delivery_status = DeliveryStatus.NOTHING
    invoice_status = invoice_status_of(order, lines)
    if (order.delivery_status, order.invoice_status) != (delivery_status, invoice_status):
        order.delivery_status, order.invoice_status = delivery_status, invoice_status
        SaleOrder.objects.filter(pk=order.pk).update(delivery_status=delivery_status, invoice_status=invoice_status)


# --- cancelling ------------------------------------------------------------------------------------


def sale_order_cancel(order: SaleOrder, *, by: User) -> SaleOrder:
    """Cancel a quotation, or what is not delivered yet of an order (its open deliveries are
    cancelled). A fully delivered order is returned, not cancelled."""
    require_permission(by, SaleOrder, "change")
    require_company(by, order)
    with operation():
        order = SaleOrder.objects.select_for_update().get(pk=order.pk)
        if order.state == OrderState.SALE:
            if order.delivery_status == DeliveryStatus.FULL:
                raise BusinessError(
                    _("Order %(order)s is fully delivered: return the goods instead of cancelling it.") % {"order": order},
                    code="order_delivered",
                )
            for transfer in order.transfers.exclude(state__in=(TransferState.DONE, TransferState.CANCELLED)):
                transfer_cancel(transfer, by=by)
        apply_transition(order, OrderState.CANCELLED, transitions=ORDER_TRANSITIONS, by=by)
        SaleOrder.objects.filter(pk=order.pk).update(invoice_status=InvoiceStatus.NOTHING)
        order.invoice_status = InvoiceStatus.NOTHING
    return order
