"""Vendor bills of purchase orders: a draft bill for what was received and not billed, bills that
arrive by other ways linked to their orders, and the three-way match of every posted bill with its
orders (ordered, received, billed; quantities and prices). A bill outside the company's tolerance
is blocked for payment, with the reason, until a purchasing manager accepts it."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal, JournalType
from tessera.accounting.services import (
    DraftLine,
    invoice_hold_payment,
    invoice_lines_defaults,
    invoice_release_payment,
    invoice_save,
)
from tessera.accounting.states import InvoiceState
from tessera.core.errors import BusinessError, InvalidInput, NotAllowed
from tessera.core.models import Company, ProductType, Uom, User
from tessera.core.queries import convert_amount
from tessera.core.services import require_company, require_permission
from tessera.core.transactions import operation, remembered
from tessera.core.uom import convert_exact, convert_quantity, quantity_text
from tessera.core.workflow import apply_transition

from ..models import BillMatch, BillMatchLine, PurchaseOrder, PurchaseOrderLine
from ..states import MatchState, OrderState
from .orders import purchase_settings
from .status import bill_status_of, billable

ZERO = Decimal(0)
HUNDRED = Decimal(100)
VENDOR_KINDS = (InvoiceKind.VENDOR_BILL, InvoiceKind.VENDOR_REFUND)
MATCH_TRANSITIONS = {MatchState.BLOCKED: frozenset({MatchState.ACCEPTED})}


def _purchase_journal(company: Company) -> Journal | None:
    first = Journal.objects.filter(company=company, type=JournalType.PURCHASE).order_by("id")
    return remembered(Journal, (company.pk, JournalType.PURCHASE), first.first)


def _order_lines(orders: Sequence[PurchaseOrder]) -> list[PurchaseOrderLine]:
    return list(
        PurchaseOrderLine.objects.filter(order__in=orders)
        .select_related("product__uom", "uom", "order__currency")
        .prefetch_related("taxes")
        .order_by("order__date_order", "order_id", "position", "id")
    )


def purchase_order_bill(order: PurchaseOrder, *, by: User, on: datetime.date | None = None, ref: str = "") -> Invoice:
    """A draft vendor bill for what the order received (services: ordered) and no posted bill billed
    yet, at the order's prices; a draft vendor refund when goods went back after being billed. `ref`:
    the supplier's bill number. Post it with accounting's invoice_post, which matches it."""
    require_permission(by, Invoice, "add")
    require_company(by, order)
    with operation():
        order = (
            PurchaseOrder.objects.select_for_update(of=("self",))
            .select_related("company", "partner", "currency")
            .get(pk=order.pk)
        )
        if order.state != OrderState.PURCHASE:
            raise BusinessError(_("Only a confirmed purchase order can be billed."), code="order_not_confirmed")
        waiting = order.invoices.filter(kind__in=VENDOR_KINDS, state=InvoiceState.DRAFT).first()
        if waiting is not None:
            raise BusinessError(
                _("A draft bill of this order is waiting (%(bill)s): post or cancel it first.") % {"bill": waiting},
                code="draft_bill_waiting",
            )
        due = [(line, quantity) for line in _order_lines([order]) if (quantity := billable(line))]
        if not due:
            raise BusinessError(_("Nothing to bill: nothing was received since the last bill."), code="nothing_to_bill")
        refund = sum((line.price_unit * quantity for line, quantity in due), ZERO) < 0
        bill = Invoice(
            company=order.company, kind=InvoiceKind.VENDOR_REFUND if refund else InvoiceKind.VENDOR_BILL, partner=order.partner,
            journal=_purchase_journal(order.company), date=on or timezone.localdate(), payment_term=order.payment_term,
            fiscal_position=order.fiscal_position, currency=order.currency, ref=ref,
        )  # fmt: skip
        defaults = invoice_lines_defaults(bill, [line.product for line, _quantity in due])
        sign = Decimal(-1) if refund else Decimal(1)
        drafts = [
            DraftLine(InvoiceLine(product=line.product, description=f"{order.number}: {line.description}"[:500],
                                  quantity=sign * quantity, uom=line.uom, price_unit=line.price_unit,
                                  account=defaults[line.product_id][0]), list(line.taxes.all()))
            for line, quantity in due
        ]  # fmt: skip
        bill = invoice_save(bill, drafts, by=by)
        order.invoices.add(bill)
    return bill


def purchase_bill_link(bill: Invoice, orders: Sequence[PurchaseOrder], *, by: User) -> Invoice:
    """Link a draft vendor bill that came by other ways (typed, scanned, e-invoice) to the purchase
    orders it bills; posting it matches it with them."""
    require_permission(by, Invoice, "change")
    require_company(by, bill)
    if not orders:
        raise InvalidInput(_("Choose the purchase orders this bill is for."), field="orders")
    with operation():
        bill = Invoice.objects.select_for_update().get(pk=bill.pk)
        orders = list(PurchaseOrder.objects.select_for_update(of=("self",)).filter(pk__in=[order.pk for order in orders]))
        if bill.kind not in VENDOR_KINDS or bill.state != InvoiceState.DRAFT:
            raise InvalidInput(_("Only a draft vendor bill or refund can be linked to purchase orders."), field="bill")
        for order in orders:
            require_company(by, order)
            if order.state == OrderState.CANCELLED:
                raise InvalidInput(_("Order %(order)s is cancelled: a bill cannot refer to it.") % {"order": order},
                                   code="order_cancelled", field="orders")  # fmt: skip
            if order.state != OrderState.PURCHASE:
                raise InvalidInput(_("Order %(order)s is not confirmed yet.") % {"order": order}, code="order_not_confirmed",
                                   field="orders")  # fmt: skip
            if order.partner_id != bill.partner_id:
                raise InvalidInput(_("Order %(order)s is from another supplier than the bill.") % {"order": order},
                                   field="orders")  # fmt: skip
        bill.purchase_orders.add(*orders)
    return bill


def purchase_bills_follow_posted(bill: Invoice, by: User) -> None:
    """Registered with accounting: a posted vendor bill or refund linked to purchase orders is matched
    with them. What it bills of each order line is recorded and the orders' billing status follows;
    outside the tolerance the bill is blocked for payment with the reasons."""
    if bill.kind not in VENDOR_KINDS:
        return
    orders = list(PurchaseOrder.objects.select_for_update(of=("self",)).filter(invoices=bill).select_related("company"))
    if not orders:
        return
    for order in orders:
        if order.state == OrderState.CANCELLED:
            raise BusinessError(_("This bill refers to %(order)s, which is cancelled.") % {"order": order},
                                code="order_cancelled")  # fmt: skip
    settings = purchase_settings(bill.company)
    lines = _order_lines(orders)
    billed, reasons = _allocate(bill, lines)
    reasons += _tolerance_reasons(bill, billed, settings.quantity_tolerance, settings.price_tolerance)
    match = BillMatch.objects.create(
        company_id=bill.company_id, invoice=bill, state=MatchState.BLOCKED if reasons else MatchState.MATCHED,
        reason="\n".join(reasons),
    )  # fmt: skip
    BillMatchLine.objects.bulk_create(
        BillMatchLine(company_id=bill.company_id, match=match, order_line=line, quantity=quantity, price_unit=price,
                      received=line.qty_received)
        for line, (quantity, price) in billed.items()
    )  # fmt: skip
    for line, (quantity, _price) in billed.items():
        line.qty_billed += quantity
    PurchaseOrderLine.objects.bulk_update(list(billed), ["qty_billed"])
    for order in orders:
        status = bill_status_of([line for line in lines if line.order_id == order.pk])
        if status != order.bill_status:
            PurchaseOrder.objects.filter(pk=order.pk).update(bill_status=status)
    if reasons:
        invoice_hold_payment(bill, "; ".join(reasons), by=by)


def _allocate(
    bill: Invoice, lines: Sequence[PurchaseOrderLine]
) -> tuple[dict[PurchaseOrderLine, tuple[Decimal, Decimal]], list[str]]:
    """Spread each bill line over the order lines of its product, what is billable first; returns, per
    order line, the quantity billed (in the line's unit; negative on a refund) and the billed unit
    price in the order's currency and the line's unit, and the bill lines that match no order line."""
    sign = Decimal(-1) if bill.kind == InvoiceKind.VENDOR_REFUND else Decimal(1)
    by_product: dict[int, list[PurchaseOrderLine]] = defaultdict(list)
    for line in lines:
        by_product[line.product_id].append(line)
    left = {line.pk: billable(line) for line in lines}
    billed: dict[PurchaseOrderLine, tuple[Decimal, Decimal]] = {}
    reasons = []
    for bill_line in bill.lines.select_related("product__uom", "uom"):
        candidates = by_product.get(bill_line.product_id or 0)
        if not candidates:
            if bill_line.product_id:
                reasons.append(_("%(product)s is on none of the bill's purchase orders.") % {"product": bill_line.product})
            continue
        unit = bill_line.uom or candidates[0].uom
        price = bill_line.price_unit * (1 - bill_line.discount / HUNDRED)
        remaining = sign * bill_line.quantity
        for position, line in enumerate(candidates):
            wanted = convert_exact(remaining, unit, line.uom)
            last = position == len(candidates) - 1
            take = wanted if last or wanted < 0 else min(wanted, max(left[line.pk], ZERO))
            if take == 0:
                continue
            before = billed.get(line, (ZERO, ZERO))[0]
            billed[line] = (before + take, _price_in_line_terms(bill, price, unit, line))
            left[line.pk] -= take
            remaining -= convert_quantity(take, line.uom, unit, rounded=False)
            if remaining == 0:
                break
    return billed, reasons


def _price_in_line_terms(bill: Invoice, price: Decimal, unit: Uom, line: PurchaseOrderLine) -> Decimal:
    if unit.pk != line.uom_id:
        price = price * line.uom.ratio / unit.ratio
    if bill.currency_id != line.order.currency_id:
        price = convert_amount(price, bill.currency, line.order.currency, company=bill.company, on=bill.date, rounded=False)
    return price


def _tolerance_reasons(
    bill: Invoice, billed: dict[PurchaseOrderLine, tuple[Decimal, Decimal]], quantity_tolerance: Decimal, price_tolerance: Decimal
) -> list[str]:
    reasons = []
    for line, (quantity, price) in billed.items():
        received = line.quantity if line.product.type == ProductType.SERVICE else line.qty_received
        total = line.qty_billed + quantity
        if quantity > 0 and total > received * (1 + quantity_tolerance / HUNDRED):
            reasons.append(
                _("%(product)s (%(order)s): %(billed)s billed in all for %(received)s received.")
                % {"product": line.product, "order": line.order.number, "billed": quantity_text(total),
                   "received": quantity_text(received)}
            )  # fmt: skip
        if price > line.price_unit * (1 + price_tolerance / HUNDRED):
            reasons.append(
                _("%(product)s (%(order)s): billed at %(price)s, ordered at %(ordered)s.")
                % {"product": line.product, "order": line.order.number,
                   "price": formats.localize(price.quantize(Decimal("0.01"))),
                   "ordered": formats.localize(line.price_unit.quantize(Decimal("0.01")))}
            )  # fmt: skip
    return reasons


def bill_match_accept(match: BillMatch, *, by: User) -> BillMatch:
    """A purchasing manager accepts a bill blocked by its match: it can be paid."""
    require_company(by, match)
    if not by.has_perm("purchasing.accept_billmatch"):
        raise NotAllowed(_("Only a purchasing manager can accept a bill outside the tolerance."))
    with operation():
        match = BillMatch.objects.select_for_update(of=("self",)).select_related("invoice").get(pk=match.pk)
        if match.state != MatchState.BLOCKED:
            raise BusinessError(_("This bill is not blocked."), code="match_not_blocked")
        apply_transition(match, MatchState.ACCEPTED, transitions=MATCH_TRANSITIONS, by=by,
                         also={"accepted_by": by, "accepted_at": timezone.now()})  # fmt: skip
        invoice_release_payment(match.invoice, by=by)
    return match
