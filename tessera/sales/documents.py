"""Printed documents: the quotation / order confirmation PDF (HTML rendered by WeasyPrint)."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from tessera.accounting.services import document_totals

from .models import SaleOrder, down_payments_with_deducted
from .states import OrderState

QUOTATION_STATES = (OrderState.DRAFT, OrderState.SENT)


def order_title(order: SaleOrder) -> str:
    """What the document is: a quotation until it is confirmed, then an order confirmation."""
    return _("Quotation") if order.state in QUOTATION_STATES else _("Order confirmation")


def order_pdf(order: SaleOrder) -> bytes:
    """The quotation or order confirmation as a PDF, in the customer's language, fit to send."""
    return HTML(string=order_html(order)).write_pdf()


def order_html(order: SaleOrder) -> str:
    """The HTML the PDF is printed from; down payments invoiced are listed under the totals."""
    lines = list(order.lines.select_related("product", "uom").prefetch_related("taxes").order_by("position", "id"))
    totals = document_totals(
        order.company, order.currency, [(line.price_unit, line.quantity, line.discount, list(line.taxes.all())) for line in lines]
    )
    taxes = {tax.pk: tax for line in lines for tax in line.taxes.all()}
    bases = {tax_id: sum((line.base for line in totals.lines if tax_id in line.taxes), Decimal(0)) for tax_id in taxes}
    with translation.override(order.partner.language or "en"):
        context = {
            "order": order, "title": order_title(order), "company": order.company, "partner": order.partner, "lines": lines,
            "taxes": [(taxes[tax_id], bases[tax_id], amount * totals.charged.get(tax_id, Decimal(1)))
                      for tax_id, amount in sorted(totals.taxes.items(), key=lambda item: taxes[item[0]].name)],
            "promised": any(line.promised_date for line in lines),
            "cancelled": order.state == OrderState.CANCELLED,
            "down_payments": list(down_payments_with_deducted().filter(order=order).exclude(invoice__state="cancelled")),
        }  # fmt: skip
        return render_to_string("sales/order_pdf.html", context)


def order_pdf_filename(order: SaleOrder) -> str:
    return f"{(order.number or 'quotation').replace('/', '-')}.pdf"
