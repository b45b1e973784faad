"""Requests for quotation and purchase orders: supplier prices and taxes, approval above the company's
amount, confirmation into an inventory receipt, cancellation."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tessera.accounting.models import Tax, TaxUse
from tessera.accounting.services import document_totals, fiscal_position_for, products_taxes
from tessera.core.bulk import many_to_many_add
from tessera.core.errors import BusinessError, InvalidInput, MissingExchangeRate, NotAllowed
from tessera.core.models import Company, Product, ProductType, Uom, User
from tessera.core.moments import past_moment
from tessera.core.queries import convert_amount, exchange_rate
from tessera.core.services import (
    invalid_input_from,
    record_save,
    require_company,
    require_permission,
    sequence_next_number,
    sequences_ensure,
)
from tessera.core.transactions import operation, remembered
from tessera.core.uom import convert_quantity
from tessera.core.workflow import apply_transition
from tessera.inventory.models import ProcurementNeed, Transfer, TransferKind, Warehouse
from tessera.inventory.services import (
    MoveDraft,
    procurement_need_cancel,
    procurement_need_done,
    transfer_cancel,
    transfer_create_confirmed,
)
from tessera.inventory.states import NeedState, TransferState

from ..models import PurchaseOrder, PurchaseOrderLine, PurchaseSettings, SupplierPrice
from ..states import ORDER_TRANSITIONS, OrderState, ReceiptStatus
from .prices import best_offer, called_off, valid_prices
from .status import bill_status_of

ZERO = Decimal(0)
ORDER_SEQUENCE = "purchasing.order"
LINE_KEY = "purchasing.purchaseorderline:"
EDITABLE = (OrderState.DRAFT, OrderState.SENT)


def company_purchasing_setup(company: Company, by: User) -> None:
    """Registered with core: a new company numbers its orders PO/2026/00001 and gets default rules."""
    sequences_ensure(company, [(ORDER_SEQUENCE, gettext_lazy("Purchase orders"), "PO/{year}/{number}")], by=by)
    if not PurchaseSettings.objects.filter(company=company).exists():
        record_save(PurchaseSettings(company=company), by=by)


def purchase_settings(company: Company) -> PurchaseSettings:
    """The company's purchasing rules (the defaults when none were saved); read once per configuration version."""
    return remembered(
        PurchaseSettings, (company.pk, "settings"),
        lambda: PurchaseSettings.objects.filter(company=company).first() or PurchaseSettings(company=company),
    )  # fmt: skip


@dataclass(frozen=True)
class PurchaseLineDraft:
    """A line of an RFQ as typed: what is left empty comes from the supplier's price for the quantity
    (price, unit, expected date from its lead time), else from the product (its purchase unit and
    taxes, mapped by the order's fiscal position). `need`: the procurement need the line covers."""

    product: Product
    quantity: Decimal
    price_unit: Decimal | None = None
    uom: Uom | None = None
    taxes: Sequence[Tax] | None = None
    description: str = ""
    date_planned: datetime.date | None = None
    need: ProcurementNeed | None = None
    supplier_price: SupplierPrice | None = None  # the agreement a typed price still calls off


def line_drafts(order: PurchaseOrder) -> list[PurchaseLineDraft]:
    """The order's lines as drafts, links included: what to save again with a line added or a field changed."""
    return [
        PurchaseLineDraft(line.product, line.quantity, price_unit=line.price_unit, uom=line.uom, taxes=list(line.taxes.all()),
                          description=line.description, date_planned=line.date_planned, need=line.need,
                          supplier_price=line.supplier_price)
        for line in order.lines.select_related("product__uom", "uom", "need", "supplier_price").prefetch_related("taxes")
        .order_by("position", "id")
    ]  # fmt: skip


def purchase_order_save(order: PurchaseOrder, lines: Sequence[PurchaseLineDraft], *, by: User) -> PurchaseOrder:
    """Save an RFQ with its lines (replacing the previous ones) and its totals."""
    require_permission(by, PurchaseOrder, "add" if order._state.adding else "change")
    require_company(by, order)
    return save_rfq(order, lines, by=by)


def save_rfq(order: PurchaseOrder, lines: Sequence[PurchaseLineDraft], *, by: User) -> PurchaseOrder:
    """purchase_order_save without the permission check, for the buy route: whoever may raise a
    procurement need has the RFQ that fills it written."""
    if order.pk and PurchaseOrder.objects.filter(pk=order.pk).exclude(state__in=EDITABLE).exists():
        raise BusinessError(_("Only an RFQ can be changed; this order is confirmed or cancelled."), code="order_not_draft")
    with operation():
        _fill_defaults(order, by)
        kept = [] if order._state.adding else list(order.lines.select_related("need", "supplier_price"))
        lines = _with_links_kept(lines, kept)
        default_taxes = products_taxes(
            order.company, [draft.product for draft in lines if draft.taxes is None], sale=False, position=order.fiscal_position
        )
        priced = _priced(order, lines)
        drafts = [_line(order, position, draft, priced[position], default_taxes) for position, draft in enumerate(lines)]
        totals = document_totals(
            order.company, order.currency, [(line.price_unit, line.quantity, ZERO, taxes) for line, taxes in drafts]
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
            _release_needs(kept, lines, by)
        for line, _taxes in drafts:
            line.order = order
        PurchaseOrderLine.objects.bulk_create([line for line, _taxes in drafts])
        many_to_many_add([line for line, _taxes in drafts], "taxes", [taxes for _line, taxes in drafts])
    return order


def _with_links_kept(lines: Sequence[PurchaseLineDraft], old: Sequence[PurchaseOrderLine]) -> list[PurchaseLineDraft]:
    """An edited RFQ keeps what its lines were linked to: a line of the same product keeps the need it
    covered, and the agreement it called off while its price stays the agreement's."""
    left = {line.pk: line for line in old}
    result = []
    for draft in lines:
        same = next((line for line in left.values() if line.product_id == draft.product.pk), None)
        if same is not None:
            del left[same.pk]
            keeps_price = draft.price_unit == same.price_unit and (draft.uom or same.uom).pk == same.uom_id
            draft = replace(draft, need=draft.need or same.need,
                            supplier_price=draft.supplier_price or (same.supplier_price if keeps_price else None))  # fmt: skip
        result.append(draft)
    return result


def _release_needs(old: Sequence[PurchaseOrderLine], lines: Sequence[PurchaseLineDraft], by: User) -> None:
    """Needs whose line was removed from the RFQ are cancelled; the next replenishment run raises them again."""
    covered = {draft.need.pk for draft in lines if draft.need is not None}
    for line in old:
        if line.need is not None and line.need.pk not in covered and line.need.state in (NeedState.OPEN, NeedState.IN_PROGRESS):
            procurement_need_cancel(line.need, by=by)


def _fill_defaults(order: PurchaseOrder, by: User) -> None:
    company = order.company
    order.date_order = order.date_order or timezone.localdate()
    if not order.currency_id:
        order.currency_id = company.currency_id
    if not order.buyer_id:
        order.buyer = by
    if not order.warehouse_id:
        first_active = Warehouse.objects.filter(company=company, active=True).order_by("id")
        warehouse = remembered(Warehouse, (company.pk, "default"), first_active.first)
        if warehouse is None:
            raise InvalidInput(_("This company has no warehouse to receive in."), field="warehouse")
        order.warehouse = warehouse
    if order.partner_id:
        if not order.partner.is_supplier:
            raise InvalidInput(_("%(partner)s is not marked as a supplier.") % {"partner": order.partner}, field="partner")
        if order.fiscal_position_id is None:
            order.fiscal_position = fiscal_position_for(company, order.partner)
        if order.payment_term_id is None:
            order.payment_term_id = order.partner.supplier_payment_term_id


def _priced(order: PurchaseOrder, lines: Sequence[PurchaseLineDraft]) -> dict[int, SupplierPrice | None]:
    """The supplier's best price for each line that gives no price of its own, in one read."""
    wanted = [(position, draft) for position, draft in enumerate(lines) if draft.price_unit is None]
    result: dict[int, SupplierPrice | None] = dict.fromkeys(range(len(lines)))
    if not wanted or not order.partner_id:
        return result
    prices = valid_prices(order.company, {draft.product for _position, draft in wanted}, order.date_order, order.partner)
    taken = called_off(prices)
    for position, draft in wanted:
        quantity = draft.quantity
        if draft.uom is not None and draft.uom.category_id == draft.product.uom.category_id:
            quantity = convert_quantity(draft.quantity, draft.uom, draft.product.uom, rounded=False)
        offer = best_offer(order.company, prices, draft.product, quantity, order.date_order, taken=taken)
        result[position] = offer.price if offer else None
    return result


def _line(
    order: PurchaseOrder,
    position: int,
    draft: PurchaseLineDraft,
    price: SupplierPrice | None,
    default_taxes: dict[int | None, list[Tax]],
) -> tuple[PurchaseOrderLine, list[Tax]]:
    product = draft.product
    uom = draft.uom or (price.uom if price else product.purchase_uom or product.uom)

    def refuse(field: str, message: str) -> InvalidInput:
        return InvalidInput(_("Line %(n)s: %(message)s") % {"n": position + 1, "message": message},
                            errors={f"lines.{position}.{field}": [message]})  # fmt: skip

    price_unit = draft.price_unit
    if price_unit is None:
        if price is None:
            raise refuse("price_unit", _("%(supplier)s has no price for %(product)s in this quantity on %(date)s: "
                                         "type the unit price.") % {"supplier": order.partner, "product": product,
                                                                    "date": order.date_order.isoformat()})  # fmt: skip
        if uom.category_id != product.uom.category_id:
            raise refuse("uom", _("%(product)s is counted in %(unit)s; %(other)s measures something else.")
                         % {"product": product, "unit": product.uom, "other": uom})  # fmt: skip
        try:
            per_price_unit = convert_amount(price.price, price.currency, order.currency, company=order.company,
                                            on=order.date_order, rounded=False)  # fmt: skip
        except MissingExchangeRate as exc:
            raise refuse("price_unit", str(exc)) from None
        price_unit = per_price_unit * uom.ratio / price.uom.ratio
    lead_days = price.lead_days if price else 0
    line = PurchaseOrderLine(
        company_id=order.company_id, position=position, product=product, description=draft.description or product.name,
        quantity=draft.quantity, uom=uom, price_unit=Decimal(price_unit).quantize(Decimal("0.000001")),
        date_planned=draft.date_planned or order.date_order + datetime.timedelta(days=lead_days),
        supplier_price=price if price and price.committed_quantity is not None else draft.supplier_price, need=draft.need,
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
        name, messages = next(iter(errors.items()))
        raise refuse(name, messages[0])
    if draft.taxes is None:
        taxes = default_taxes[product.pk]
    else:
        taxes = list(draft.taxes)
        for tax in taxes:
            if tax.company_id != order.company_id or tax.use != TaxUse.PURCHASE:
                raise refuse("taxes", _("%(tax)s is not a purchase tax of this company.") % {"tax": tax})
    return line, taxes


def _line_changes(order: PurchaseOrder, drafts: Sequence[tuple[PurchaseOrderLine, list[Tax]]]) -> dict:
    described = [f"{line.product_id} {line.quantity} × {line.price_unit}" for line, _taxes in drafts]
    old = [] if order._state.adding else [f"{line.product_id} {line.quantity} × {line.price_unit}" for line in order.lines.all()]
    return {} if old == described else {"lines": {"old": old, "new": described}}


# --- sending, confirming, approving ------------------------------------------------------------------


def _locked(order: PurchaseOrder) -> PurchaseOrder:
    return (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .select_related("company", "partner", "warehouse", "currency")
        .get(pk=order.pk)
    )


def purchase_order_mark_sent(order: PurchaseOrder, *, by: User) -> PurchaseOrder:
    """The RFQ went to the supplier (by e-mail or otherwise); it stays editable until confirmed."""
    require_permission(by, PurchaseOrder, "change")
    require_company(by, order)
    with operation():
        order = _locked(order)
        if order.state not in EDITABLE:
            raise BusinessError(_("Order %(order)s is already confirmed or cancelled.") % {"order": order},
                                code="order_not_draft")  # fmt: skip
        if order.state == OrderState.DRAFT:
            apply_transition(order, OrderState.SENT, transitions=ORDER_TRANSITIONS, by=by)
    return order


def needs_approval(order: PurchaseOrder) -> bool:
    """Above the company's approval amount (its untaxed total in the company's currency)."""
    limit = purchase_settings(order.company).approval_amount
    try:
        untaxed = convert_amount(order.amount_untaxed, order.currency, order.company.currency, company=order.company,
                                 on=order.date_order)  # fmt: skip
    except MissingExchangeRate as exc:
        raise InvalidInput(str(exc), code="missing_exchange_rate", field="currency") from None
    return untaxed > limit


def can_approve(by: User) -> bool:
    return by.has_perm("purchasing.approve_purchaseorder")


def purchase_order_confirm(order: PurchaseOrder, *, by: User, when: datetime.datetime | None = None) -> PurchaseOrder:
    """Confirm an RFQ into a purchase order: its goods are expected in a receipt. An order above the
    company's approval amount waits for a purchasing manager's approval first (unless the one
    confirming is one). `when`: the moment the order was placed, now if omitted, or earlier (an order
    phoned in and typed later; never in the future nor before the order's date)."""
    require_permission(by, PurchaseOrder, "change")
    require_company(by, order)
    moment = past_moment(
        when, field="when", future=_("An order cannot be confirmed in the future: %(when)s is later than now."),
        naive=_("Give the confirmation's moment with its time zone."),
    )  # fmt: skip
    with operation():
        order = _locked(order)
        if order.state not in EDITABLE:
            raise BusinessError(_("Order %(order)s is already confirmed or cancelled.") % {"order": order},
                                code="order_not_draft")  # fmt: skip
        if when is not None and timezone.localdate(moment) < order.date_order:
            raise InvalidInput(
                _("Order %(order)s is dated %(date)s: it cannot be confirmed before that day.")
                % {"order": order, "date": formats.localize(order.date_order)},
                code="before_order_date",
                field="when",
            )
        lines = _lines(order)
        _check_confirmable(order, lines)
        above = needs_approval(order)
        if above and not can_approve(by):
            apply_transition(order, OrderState.TO_APPROVE, transitions=ORDER_TRANSITIONS, by=by)
            return order
        _place(order, lines, by, approved_by=by if above else None, moment=moment)
    return order


def purchase_order_approve(order: PurchaseOrder, *, by: User) -> PurchaseOrder:
    """A purchasing manager approves an order waiting for approval: it is placed."""
    require_company(by, order)
    if not can_approve(by):
        raise NotAllowed(_("Only a purchasing manager can approve this order."))
    with operation():
        order = _locked(order)
        if order.state != OrderState.TO_APPROVE:
            raise BusinessError(_("Order %(order)s is not waiting for approval.") % {"order": order}, code="not_to_approve")
        _place(order, _lines(order), by, approved_by=by)
    return order


def _lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(order.lines.select_related("product__uom", "uom", "need").order_by("position", "id"))


def _check_confirmable(order: PurchaseOrder, lines: Sequence[PurchaseOrderLine]) -> None:
    if not lines:
        raise InvalidInput(_("Add at least one product before confirming."), code="empty_order", field="lines")
    if not order.partner.active:
        raise InvalidInput(_("%(supplier)s is archived.") % {"supplier": order.partner}, code="supplier_archived",
                           field="partner")  # fmt: skip
    for position, line in enumerate(lines):
        if not line.product.active or not line.product.can_be_purchased:
            raise InvalidInput(
                _("Line %(n)s: %(product)s is archived or not purchasable.") % {"n": position + 1, "product": line.product},
                code="product_not_purchasable",
                errors={f"lines.{position}.product": [_("Archived or not purchasable.")]},
            )


def _place(
    order: PurchaseOrder,
    lines: Sequence[PurchaseOrderLine],
    by: User,
    *,
    approved_by: User | None,
    moment: datetime.datetime | None = None,
) -> None:
    """The order goes to the supplier: its goods are expected in a receipt, valued at the order's
    price in the company's currency; the needs its lines cover are now covered by that receipt."""
    goods = [line for line in lines if line.product.type != ProductType.SERVICE]
    if goods:
        rate = _rate(order)
        moves = transfer_create_confirmed(
            Transfer(company=order.company, kind=TransferKind.RECEIPT, warehouse=order.warehouse, partner=order.partner,
                     scheduled_date=_moment(min(line.date_planned for line in goods)), origin=order.number),
            [MoveDraft(line.product, line.quantity, line.uom, unit_cost=_unit_cost(line, rate), origin_key=f"{LINE_KEY}{line.pk}")
             for line in goods],
            by=by,
        )  # fmt: skip
        order.transfers.add(*{move.transfer_id for move in moves})
    also = {"confirmed_at": moment or timezone.now(), "bill_status": bill_status_of(lines)}
    if approved_by is not None:
        also["approved_by"] = approved_by
    apply_transition(order, OrderState.PURCHASE, transitions=ORDER_TRANSITIONS, by=by, also=also)
    for line in lines:
        if line.need is not None and line.need.state in (NeedState.OPEN, NeedState.IN_PROGRESS):
            procurement_need_done(line.need, by=by, document=order.number)


def _rate(order: PurchaseOrder) -> Decimal:
    try:
        return exchange_rate(order.company, order.currency, order.date_order)
    except MissingExchangeRate as exc:
        raise InvalidInput(str(exc), code="missing_exchange_rate", field="currency") from None


def _unit_cost(line: PurchaseOrderLine, rate: Decimal) -> Decimal:
    """The line's price per unit of the product, in the company's currency: what the receipt values stock at."""
    return (line.price_unit * rate * line.product.uom.ratio / line.uom.ratio).quantize(Decimal("0.000001"))


def _moment(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


# --- cancelling ------------------------------------------------------------------------------------


def purchase_order_cancel(order: PurchaseOrder, *, by: User) -> PurchaseOrder:
    """Cancel an RFQ, or what is not received yet of an order (its open receipts are cancelled). A
    fully received order is returned to the supplier instead; a billed one needs its bills credited."""
    require_permission(by, PurchaseOrder, "change")
    require_company(by, order)
    with operation():
        order = _locked(order)
        if order.state == OrderState.PURCHASE:
            if order.receipt_status == ReceiptStatus.FULL:
                raise BusinessError(
                    _("Order %(order)s is fully received: return the goods to the supplier instead of cancelling it.")
                    % {"order": order},
                    code="order_received",
                )
            for transfer in order.transfers.exclude(state__in=(TransferState.DONE, TransferState.CANCELLED)):
                transfer_cancel(transfer, by=by)
        else:
            for line in order.lines.select_related("need").exclude(need=None):
                if line.need.state in (NeedState.OPEN, NeedState.IN_PROGRESS):
                    procurement_need_cancel(line.need, by=by)
        apply_transition(order, OrderState.CANCELLED, transitions=ORDER_TRANSITIONS, by=by)
    return order
