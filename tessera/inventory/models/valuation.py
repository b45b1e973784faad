from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import JournalEntry
from tessera.core.fields import AmountField, PriceField, QuantityField
from tessera.core.models import CompanyOwned, Product

from .stock import ZERO, Move


class ValuationLayer(CompanyOwned):
    """The value a done move added to (positive) or took from (negative) the stock of a product.

    Incoming layers keep what is left of them for FIFO; the sum of all layers up to a date is the
    stock value at that date, and equals the stock valuation accounts' balance."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    move = models.ForeignKey(Move, on_delete=models.PROTECT, null=True, blank=True, related_name="valuation_layers",
                             verbose_name=_("move"))  # fmt: skip
    date = models.DateTimeField(_("date"))
    quantity = QuantityField(_("quantity"))
    unit_cost = PriceField(_("unit cost"))
    value = AmountField(_("value"))
    remaining_quantity = QuantityField(_("remaining quantity"), default=ZERO)
    remaining_value = AmountField(_("remaining value"), default=ZERO)
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("journal entry"))  # fmt: skip
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        ordering = ["date", "id"]
        verbose_name = _("valuation layer")
        verbose_name_plural = _("valuation layers")
        indexes = [
            models.Index(fields=["company", "product", "date"]),
            models.Index(fields=["product", "date"], condition=models.Q(remaining_quantity__gt=0), name="valuation_layer_open"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.quantity} × {self.unit_cost}"
