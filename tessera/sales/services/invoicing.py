"""Invoicing a sales order: what it can invoice now (by ordered or delivered quantities) becomes a
draft customer invoice of accounting, or a credit note when delivered goods came back after being
invoiced; down payments are invoiced on their own and deducted from the later invoices (decision 13).
The order's invoice status follows."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal, JournalType, Tax
from tessera.accounting.services import DraftLine, account_for_role, invoice_lines_defaults, invoice_save
from tessera.accounting.states import InvoiceState
from tessera.accounting.tax_computation import gross_amount
from tessera.core import audit
from tessera.core.bulk import rows_update
from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import AuditAction, Company, User
from tessera.core.money import round_amount
from tessera.core.services import require_company, require_permission
from tessera.core.transactions import operation, remembered

from ..models import InvoicePolicy, SaleDownPayment, SaleDownPaymentDeduction, SaleLineInvoicing, SaleOrder, SaleOrderLine
from ..states import InvoiceStatus, OrderState

ZERO = Decimal(0)
HUNDRED = Decimal(100)
DOWN_PAYMENT_ROLE = "down_payment"
TaxKey = frozenset[int]


def _invoiceable(order: SaleOrder, line: SaleOrderLine) -> Decimal:
    """What the line can invoice now; below zero when delivered goods came back after being invoiced."""
    basis = line.quantity if order.invoice_policy == InvoicePolicy.ORDERED else line.qty_delivered
    return basis - line.qty_invoiced


def _net(line: SaleOrderLine, quantity: Decimal) -> Decimal:
    return gross_amount(line.price_unit, quantity, line.discount)


def invoice_status_of(order: SaleOrder, lines: Sequence[SaleOrderLine]) -> str:
    """To invoice while something is due, a credit note to issue when what is due comes to less than
    zero (goods returned after being invoiced), fully invoiced once every line's ordered quantity is."""
    if order.state != OrderState.SALE:
        return InvoiceStatus.NOTHING
    due = [(line, quantity) for line in lines if (quantity := _invoiceable(order, line))]
    if due:
        return InvoiceStatus.TO_CREDIT if sum((_net(line, q) for line, q in due), ZERO) < 0 else InvoiceStatus.TO_INVOICE
    if lines and all(line.qty_invoiced >= line.quantity for line in lines):
        return InvoiceStatus.INVOICED
    return InvoiceStatus.NOTHING


def _new_invoice(order: SaleOrder, kind: str, on: datetime.date | None) -> Invoice:
    return Invoice(
        company=order.company, kind=kind, partner=order.partner,
        journal=_sales_journal(order.company),
        date=on or timezone.localdate(), payment_term=order.payment_term, fiscal_position=order.fiscal_position,
        currency=order.currency, ref=order.client_order_ref or order.number,
    )  # fmt: skip


def _sales_journal(company: Company) -> Journal | None:
    first = Journal.objects.filter(company=company, type=JournalType.SALE).order_by("id")
    return remembered(Journal, (company.pk, JournalType.SALE), first.first)


def _locked_order(order: SaleOrder) -> SaleOrder:
    return SaleOrder.objects.select_for_update(of=("self",)).select_related("company", "partner", "currency").get(pk=order.pk)


def _lines_of(order: SaleOrder) -> list[SaleOrderLine]:
    return list(order.lines.select_related("product", "uom").prefetch_related("taxes").order_by("position", "id"))


def sale_order_invoice(order: SaleOrder, *, by: User, on: datetime.date | None = None) -> Invoice:
    """A draft customer invoice for what the order can invoice now: the ordered quantities not yet
    invoiced, or (policy "delivered") the delivered ones, less the posted down payments not deducted
    yet (up to the invoice's amount in each tax group). When goods came back after being invoiced and
    what is due comes to less than zero, a draft customer credit note of it. Post it with accounting's
    invoice_post."""
    require_permission(by, Invoice, "add")
    require_company(by, order)
    with operation():
        order = _locked_order(order)
        if order.state != OrderState.SALE:
            raise BusinessError(_("Only a confirmed order can be invoiced."), code="order_not_confirmed")
        # Delivered quantities are current: inventory's moves-done hook keeps them (decision 12).
        lines = _lines_of(order)
        due = [(line, quantity) for line in lines if (quantity := _invoiceable(order, line))]
        if not due:
            reason = _("nothing was delivered since the last invoice") if order.invoice_policy == InvoicePolicy.DELIVERED else _(
                "everything ordered is invoiced"
            )  # fmt: skip
            raise BusinessError(_("Nothing to invoice: %(reason)s.") % {"reason": reason}, code="nothing_to_invoice")
        credit = sum((_net(line, quantity) for line, quantity in due), ZERO) < 0
        down_payments = [] if credit else _down_payments(order)
        _refuse_draft_down_payments(down_payments)
        invoice = _new_invoice(order, InvoiceKind.CUSTOMER_CREDIT_NOTE if credit else InvoiceKind.CUSTOMER_INVOICE, on)
        sign = Decimal(-1) if credit else Decimal(1)
        drafts = []
        defaults = invoice_lines_defaults(invoice, [line.product for line, _quantity in due])
        for line, quantity in due:
            account, _taxes = defaults[line.product_id]
            drafts.append(DraftLine(InvoiceLine(product=line.product, description=line.description, quantity=sign * quantity,
                                                uom=line.uom, price_unit=line.price_unit, discount=line.discount,
                                                account=account), list(line.taxes.all())))  # fmt: skip
        deductions = _deductions(order, drafts, [dp for dp in down_payments if dp.invoice.state == InvoiceState.POSTED])
        for down_payment, source, amount in deductions:
            description = _("Down payment deducted: %(description)s (%(invoice)s)") % {
                "description": source.description, "invoice": down_payment.invoice,
            }  # fmt: skip
            drafts.append(DraftLine(InvoiceLine(description=description[:500], account=source.account, quantity=Decimal(-1),
                                                price_unit=amount), list(source.taxes.all())))  # fmt: skip
        invoice = invoice_save(invoice, drafts, by=by)
        SaleDownPaymentDeduction.objects.bulk_create(
            SaleDownPaymentDeduction(company_id=order.company_id, down_payment=down_payment, source_line=source, invoice=invoice,
                                     amount=amount)
            for down_payment, source, amount in deductions
        )  # fmt: skip
        SaleLineInvoicing.objects.bulk_create(
            SaleLineInvoicing(company_id=order.company_id, order_line=line, invoice=invoice, quantity=quantity)
            for line, quantity in due
        )
        rows_update(SaleOrderLine, ["qty_invoiced"], {line.pk: (quantity,) for line, quantity in due}, add=True)
        for line, quantity in due:
            line.qty_invoiced += quantity
        order.invoices.add(invoice)
        order.invoice_status = invoice_status_of(order, lines)
        SaleOrder.objects.filter(pk=order.pk).update(invoice_status=order.invoice_status)
    return invoice


def sale_orders_follow_cancelled_invoice(invoice: Invoice, by: User) -> None:
    """Registered with accounting: a cancelled draft invoice gives back what it invoiced of order lines,
    which the orders can invoice again."""
    line_ids = set(SaleLineInvoicing.objects.filter(invoice=invoice).values_list("order_line_id", flat=True))
    if not line_ids:
        return
    # the orders first, as invoicing locks them before their lines
    orders = SaleOrder.objects.filter(pk__in=SaleOrderLine.objects.filter(pk__in=line_ids).values("order_id"))
    orders = list(orders.select_for_update(of=("self",)).order_by("id"))
    counted = SaleLineInvoicing.objects.filter(order_line_id__in=line_ids).exclude(invoice__state=InvoiceState.CANCELLED)
    invoiced = dict(counted.values("order_line_id").annotate(total=Sum("quantity")).values_list("order_line_id", "total"))
    rows_update(SaleOrderLine, ["qty_invoiced"], {pk: (invoiced.get(pk, ZERO),) for pk in line_ids})
    for order in orders:
        status = invoice_status_of(order, _lines_of(order))
        if status != order.invoice_status:
            SaleOrder.objects.filter(pk=order.pk).update(invoice_status=status)


# --- down payments ---------------------------------------------------------------------------------


def _down_payments(order: SaleOrder) -> list[SaleDownPayment]:
    """The order's down payments not cancelled, with their invoices, oldest first."""
    return list(order.down_payments.exclude(invoice__state=InvoiceState.CANCELLED).select_related("invoice").order_by("id"))


def _refuse_draft_down_payments(down_payments: Sequence[SaleDownPayment]) -> None:
    """A down payment still in draft could be posted after the invoice that should deduct it: refused."""
    draft = next((dp for dp in down_payments if dp.invoice.state == InvoiceState.DRAFT), None)
    if draft is not None:
        raise BusinessError(
            _("The down payment invoice %(invoice)s is still a draft: post it, or cancel it, before invoicing the order.")
            % {"invoice": draft.invoice},
            code="down_payment_draft",
        )


def _deducted(lines: Sequence[InvoiceLine]) -> dict[int, Decimal]:
    """What invoices not cancelled have deducted of each down payment line (drafts deleted are gone)."""
    rows = (
        SaleDownPaymentDeduction.objects.filter(source_line__in=lines)
        .exclude(invoice__state=InvoiceState.CANCELLED)
        .values("source_line_id")
        .annotate(total=Sum("amount"))
    )
    return {row["source_line_id"]: Decimal(row["total"]) for row in rows}


def _tax_key(taxes: Sequence[Tax]) -> TaxKey:
    return frozenset(tax.pk for tax in taxes)


def _deductions(
    order: SaleOrder, drafts: Sequence[DraftLine], posted: Sequence[SaleDownPayment]
) -> list[tuple[SaleDownPayment, InvoiceLine, Decimal]]:
    """For each line of the posted down payments, what this invoice deducts: what is left of it, up to
    what the invoice's lines with the same taxes come to (net of what earlier down payments took)."""
    if not posted:
        return []
    room: dict[TaxKey, Decimal] = defaultdict(lambda: ZERO)
    for draft in drafts:
        line = draft.line
        room[_tax_key(draft.taxes)] += round_amount(gross_amount(line.price_unit, line.quantity, line.discount), order.currency)
    down_payments = {dp.invoice_id: dp for dp in posted}
    sources = list(
        InvoiceLine.objects.filter(invoice_id__in=down_payments).prefetch_related("taxes").select_related("account")
        .order_by("invoice__date", "invoice_id", "position", "id")
    )  # fmt: skip
    deducted = _deducted(sources)
    result = []
    for source in sources:
        left = round_amount(gross_amount(source.price_unit, source.quantity, source.discount), order.currency)
        left -= deducted.get(source.pk, ZERO)
        key = _tax_key(list(source.taxes.all()))
        amount = min(left, room[key])
        if amount > 0:
            room[key] -= amount
            result.append((down_payments[source.invoice_id], source, amount))
    return result


def _outstanding_down_payments(order: SaleOrder) -> Decimal:
    """Down payments invoiced (in draft or posted) and not deducted yet, untaxed."""
    active = order.down_payments.exclude(invoice__state=InvoiceState.CANCELLED)
    lines = list(InvoiceLine.objects.filter(invoice__in=active.values("invoice_id")))
    invoiced = sum((round_amount(gross_amount(line.price_unit, line.quantity, line.discount), order.currency) for line in lines),
                   ZERO)  # fmt: skip
    return invoiced - sum(_deducted(lines).values(), ZERO)


def sale_order_down_payment(
    order: SaleOrder,
    *,
    by: User,
    amount: Decimal | None = None,
    percentage: Decimal | None = None,
    on: datetime.date | None = None,
) -> Invoice:
    """A draft customer invoice of a down payment on a confirmed order: a percentage of the order, or
    an amount (untaxed, in the order's currency), posted to the customer-advances account (role
    `down_payment`) with the taxes of the order's lines, one line per set of taxes in proportion to
    what those lines come to. The order's later invoices deduct it once it is posted."""
    require_permission(by, Invoice, "add")
    require_company(by, order)
    if (amount is None) == (percentage is None):
        raise InvalidInput(_("Give either an amount or a percentage of the order."), code="down_payment_amount",
                           errors={"amount": [_("Give an amount or a percentage, not both.")]})  # fmt: skip
    if percentage is not None and not ZERO < percentage <= HUNDRED:
        raise InvalidInput(_("A down payment is a percentage above 0 and at most 100."), code="down_payment_amount",
                           field="percentage")  # fmt: skip
    if amount is not None and amount <= 0:
        raise InvalidInput(_("A down payment is an amount above zero."), code="down_payment_amount", field="amount")
    with operation():
        order = _locked_order(order)
        if order.state != OrderState.SALE:
            raise BusinessError(_("Only a confirmed order can receive a down payment."), code="order_not_confirmed")
        groups: dict[TaxKey, tuple[list[Tax], Decimal]] = {}
        invoiced = ZERO
        lines = _lines_of(order)
        for line in lines:
            taxes = list(line.taxes.all())
            key = _tax_key(taxes)
            groups[key] = (taxes, groups.get(key, (taxes, ZERO))[1] + round_amount(_net(line, line.quantity), order.currency))
            invoiced += round_amount(_net(line, line.qty_invoiced), order.currency)
        total = sum((value for _taxes, value in groups.values()), ZERO)
        if total <= 0:
            raise BusinessError(_("This order comes to nothing: there is nothing to pay in advance."), code="down_payment_amount")
        asked = round_amount(total * percentage / HUNDRED if percentage is not None else amount, order.currency)
        left = total - invoiced - _outstanding_down_payments(order)
        if asked > left:
            raise InvalidInput(
                _("A down payment of %(asked)s %(currency)s is more than the %(left)s %(currency)s of the order not yet "
                  "invoiced or paid in advance (untaxed).")
                % {"asked": formats.number_format(asked, 2), "left": formats.number_format(max(left, ZERO), 2),
                   "currency": order.currency.code},
                code="down_payment_too_large", field="percentage" if percentage is not None else "amount",
            )  # fmt: skip
        if asked <= 0:
            raise InvalidInput(_("This down payment rounds to nothing."), code="down_payment_amount",
                               field="percentage" if percentage is not None else "amount")  # fmt: skip
        account = account_for_role(order.company, DOWN_PAYMENT_ROLE)
        invoice = _new_invoice(order, InvoiceKind.CUSTOMER_INVOICE, on)
        if percentage is not None:
            description = _("Down payment of %(percentage)s%%") % {"percentage": formats.number_format(percentage.normalize())}
        else:
            description = _("Down payment of %(amount)s %(currency)s") % {
                "amount": formats.number_format(asked, 2), "currency": order.currency.code,
            }  # fmt: skip
        drafts = [
            DraftLine(InvoiceLine(description=description, account=account, quantity=Decimal(1), price_unit=part), taxes)
            for taxes, part in _split(asked, list(groups.values()), order)
        ]
        invoice = invoice_save(invoice, drafts, by=by)
        down_payment = SaleDownPayment(company_id=order.company_id, order=order, invoice=invoice, percentage=percentage,
                                       amount=asked)  # fmt: skip
        down_payment.save()
        audit.record_entry(down_payment, AuditAction.CREATE, by=by, changes=audit.field_changes(down_payment, created=True))
        order.invoices.add(invoice)
    return invoice


def _split(amount: Decimal, groups: list[tuple[list[Tax], Decimal]], order: SaleOrder) -> list[tuple[list[Tax], Decimal]]:
    """The amount shared among the sets of taxes in proportion to their totals; the largest takes the cents."""
    total = sum((value for _taxes, value in groups), ZERO)
    parts = [(taxes, round_amount(amount * value / total, order.currency)) for taxes, value in groups if value > 0]
    largest = max(range(len(parts)), key=lambda index: parts[index][1])
    taxes, part = parts[largest]
    parts[largest] = (taxes, part + amount - sum((value for _taxes, value in parts), ZERO))
    return [(taxes, part) for taxes, part in parts if part > 0]
