"""Printed documents: the invoice PDF (HTML rendered by WeasyPrint)."""

from collections import defaultdict
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from .models import Invoice, Journal


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as a PDF, in the partner's language, fit to send."""
    lines = list(invoice.lines.select_related("product", "uom").prefetch_related("taxes"))
    taxes: dict = defaultdict(lambda: [Decimal(0), Decimal(0)])  # tax -> [base, amount]
    for line in lines:
        for tax in line.taxes.all():
            taxes[tax][0] += line.subtotal
    for tax, amounts in taxes.items():
        amounts[1] = (amounts[0] * tax.rate / 100).quantize(Decimal(1).scaleb(-invoice.currency.minor_unit))
    bank = Journal.objects.filter(company=invoice.company, type="bank").exclude(bank_iban="").first()
    context = {
        "invoice": invoice, "company": invoice.company, "partner": invoice.partner, "lines": lines,
        "taxes": [(tax, base, amount) for tax, (base, amount) in taxes.items()], "bank_iban": bank.bank_iban if bank else "",
    }  # fmt: skip
    with translation.override(invoice.partner.language or "en"):
        html = render_to_string("accounting/invoice_pdf.html", context)
    return HTML(string=html).write_pdf()


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"{(invoice.number or 'draft').replace('/', '-')}.pdf"
