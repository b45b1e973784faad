"""What each invoice invoiced of an order's lines, so that cancelling a draft invoice gives its
quantities back to the order."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Invoice
from tessera.core.fields import QuantityField
from tessera.core.models import CompanyOwned

from .orders import SaleOrderLine


class SaleLineInvoicing(CompanyOwned):
    """The quantity of an order line an invoice invoiced, in the line's unit; negative on a credit note
    for goods returned. A line's invoiced quantity is the sum over its invoices not cancelled."""

    order_line = models.ForeignKey(
        SaleOrderLine, on_delete=models.CASCADE, related_name="invoicings", verbose_name=_("order line")
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="+", verbose_name=_("invoice"))
    quantity = QuantityField(_("quantity"))

    class Meta:
        ordering = ["order_line", "id"]
        verbose_name = _("invoiced quantity")
        verbose_name_plural = _("invoiced quantities")

    def __str__(self) -> str:
        return f"{self.order_line} → {self.invoice}: {self.quantity}"
