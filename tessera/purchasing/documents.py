"""Printed documents: the request for quotation / purchase order PDF (HTML rendered by WeasyPrint)."""

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from weasyprint import HTML

from tessera.accounting.services import document_totals
from tessera.core.models import Company, Partner

from .models import PurchaseOrder, PurchaseOrderLine, SupplierPrice
from .states import OrderState

RFQ_STATES = (OrderState.DRAFT, OrderState.SENT, OrderState.TO_APPROVE)


def order_title(order: PurchaseOrder) -> str:
    """What the document is: a request for quotation until the order is placed (a cancelled one stays
    what it was when it was cancelled), then a purchase order."""
    is_rfq = order.state in RFQ_STATES or (order.state == OrderState.CANCELLED and order.confirmed_at is None)
    return _("Request for quotation") if is_rfq else _("Purchase order")


def order_pdf(order: PurchaseOrder) -> bytes:
    """The RFQ or purchase order as a PDF, in the supplier's language, fit to send."""
    return HTML(string=order_html(order)).write_pdf()


def order_html(order: PurchaseOrder) -> str:
    """The HTML the PDF is printed from: the lines with the supplier's own product codes where its
    prices give them, the expected dates, the totals and where to deliver."""
    lines = list(
        order.lines.select_related("product", "uom", "supplier_price").prefetch_related("taxes").order_by("position", "id")
    )
    totals = document_totals(
        order.company, order.currency, [(line.price_unit, line.quantity, Decimal(0), list(line.taxes.all())) for line in lines]
    )
    taxes = {tax.pk: tax for line in lines for tax in line.taxes.all()}
    bases = {tax_id: sum((line.base for line in totals.lines if tax_id in line.taxes), Decimal(0)) for tax_id in taxes}
    codes = _supplier_codes(order, lines)
    with translation.override(order.partner.language or "en"):
        context = {
            "order": order, "title": order_title(order), "company": order.company, "partner": order.partner,
            "lines": [(line, codes.get(line.pk, "")) for line in lines],
            "taxes": [(taxes[tax_id], bases[tax_id], amount * totals.charged.get(tax_id, Decimal(1)))
                      for tax_id, amount in sorted(totals.taxes.items(), key=lambda item: taxes[item[0]].name)],
            "delivery": delivery_address(order), "cancelled": order.state == OrderState.CANCELLED,
        }  # fmt: skip
        return render_to_string("purchasing/order_pdf.html", context)


def delivery_address(order: PurchaseOrder) -> Partner | Company:
    """Where the goods go: the warehouse's address, or the company's when the warehouse has none."""
    return order.warehouse.partner or order.company


def _supplier_codes(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> dict[int, str]:
    """Per line, the supplier's code for its product: from the line's agreement, else from the
    supplier's price with a code that comes first for the product (in one read)."""
    by_product: dict[int, str] = {}
    prices = (
        SupplierPrice.objects.filter(company_id=order.company_id, partner_id=order.partner_id,
                                     product_id__in={line.product_id for line in lines})
        .exclude(supplier_code="")
        .order_by("product_id", "priority", "id")
        .values_list("product_id", "supplier_code")
    )  # fmt: skip
    for product_id, code in prices:
        by_product.setdefault(product_id, code)
    codes = {}
    for line in lines:
        code = (line.supplier_price.supplier_code if line.supplier_price else "") or by_product.get(line.product_id, "")
        if code:
            codes[line.pk] = code
    return codes


def order_pdf_filename(order: PurchaseOrder) -> str:
    return f"{(order.number or 'rfq').replace('/', '-')}.pdf"
