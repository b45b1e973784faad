"""Invoicing a sales order: what it can invoice now (by ordered or delivered quantities) becomes a
draft customer invoice of accounting, and the order's invoice status follows."""

import datetime
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.accounting.models import Invoice, InvoiceKind, InvoiceLine, Journal, JournalType
from tessera.accounting.services import DraftLine, invoice_line_defaults, invoice_save
from tessera.core.bulk import rows_update
from tessera.core.errors import BusinessError
from tessera.core.models import User
from tessera.core.services import require_company, require_permission

from ..models import InvoicePolicy, SaleOrder, SaleOrderLine
from ..states import InvoiceStatus, OrderState


def _invoiceable(order: SaleOrder, line: SaleOrderLine) -> Decimal:
    basis = line.quantity if order.invoice_policy == InvoicePolicy.ORDERED else line.qty_delivered
    return basis - line.qty_invoiced


def invoice_status_of(order: SaleOrder, lines: Sequence[SaleOrderLine]) -> str:
    if order.state != OrderState.SALE:
        return InvoiceStatus.NOTHING
    if any(_invoiceable(order, line) > 0 for line in lines):
        return InvoiceStatus.TO_INVOICE
    if lines and all(line.qty_invoiced >= line.quantity for line in lines):
        return InvoiceStatus.INVOICED
    return InvoiceStatus.NOTHING


def sale_order_invoice(order: SaleOrder, *, by: User, on: datetime.date | None = None) -> Invoice:
    """A draft customer invoice for what the order can invoice now: the ordered quantities not yet
    invoiced, or (policy "delivered") the delivered ones. Post it with accounting's invoice_post."""
    require_permission(by, Invoice, "add")
    require_company(by, order)
    with transaction.atomic():
        order = SaleOrder.objects.select_for_update().select_related("company", "partner", "currency").get(pk=order.pk)
        if order.state != OrderState.SALE:
            raise BusinessError(_("Only a confirmed order can be invoiced."), code="order_not_confirmed")
        # Delivered quantities are current: inventory's moves-done hook keeps them (decision 12).
        lines = list(order.lines.select_related("product", "uom").prefetch_related("taxes").order_by("position", "id"))
        due = [(line, _invoiceable(order, line)) for line in lines]
        due = [(line, quantity) for line, quantity in due if quantity > 0]
        if not due:
            reason = _("nothing was delivered since the last invoice") if order.invoice_policy == InvoicePolicy.DELIVERED else _(
                "everything ordered is invoiced"
            )  # fmt: skip
            raise BusinessError(_("Nothing to invoice: %(reason)s.") % {"reason": reason}, code="nothing_to_invoice")
        invoice = Invoice(
            company=order.company, kind=InvoiceKind.CUSTOMER_INVOICE, partner=order.partner,
            journal=Journal.objects.filter(company=order.company, type=JournalType.SALE).order_by("id").first(),
            date=on or timezone.localdate(), payment_term=order.payment_term, fiscal_position=order.fiscal_position,
            currency=order.currency, ref=order.client_order_ref or order.number,
        )  # fmt: skip
        drafts = []
        for line, quantity in due:
            account, _taxes = invoice_line_defaults(invoice, line.product)
            drafts.append(DraftLine(InvoiceLine(product=line.product, description=line.description, quantity=quantity,
                                                uom=line.uom, price_unit=line.price_unit, discount=line.discount,
                                                account=account), list(line.taxes.all())))  # fmt: skip
        invoice = invoice_save(invoice, drafts, by=by)
        rows_update(SaleOrderLine, ["qty_invoiced"], {line.pk: (quantity,) for line, quantity in due}, add=True)
        for line, quantity in due:
            line.qty_invoiced += quantity
        order.invoices.add(invoice)
        order.invoice_status = invoice_status_of(order, lines)
        SaleOrder.objects.filter(pk=order.pk).update(invoice_status=order.invoice_status)
    return invoice
