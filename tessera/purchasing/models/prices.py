from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import PriceField, QuantityField
from tessera.core.models import CompanyOwned, Currency, Partner, Product, Uom

ZERO = Decimal(0)


class SupplierPrice(CompanyOwned):
    """What a supplier charges for a product from a quantity on, between two dates; with a committed
    quantity it is a framework agreement, whose orders call the quantity off."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    supplier_code = models.CharField(_("supplier's product code"), max_length=64, blank=True)
    supplier_name = models.CharField(_("supplier's product name"), max_length=200, blank=True)
    min_quantity = QuantityField(_("from quantity"), default=ZERO, validators=[MinValueValidator(ZERO)],
                                 help_text=_("In the price's unit."))  # fmt: skip
    price = PriceField(_("unit price"), validators=[MinValueValidator(ZERO)])
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"),
                            help_text=_("The unit the supplier sells in; its price is per this unit."))  # fmt: skip
    lead_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    date_start = models.DateField(_("valid from"), null=True, blank=True)
    date_end = models.DateField(_("valid until"), null=True, blank=True)
    committed_quantity = QuantityField(
        _("committed quantity"), null=True, blank=True, validators=[MinValueValidator(ZERO)],
        help_text=_("Framework agreement: the quantity promised over the period, in the price's unit. Empty: a plain price."),
    )  # fmt: skip
    priority = models.PositiveIntegerField(_("priority"), default=10, help_text=_("Lower comes first when prices are equal."))

    class Meta:
        ordering = ["product", "priority", "price", "id"]
        verbose_name = _("supplier price")
        verbose_name_plural = _("supplier prices")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="supplier_price_not_negative"),
            models.CheckConstraint(
                condition=Q(date_end__isnull=True) | Q(date_start__isnull=True) | Q(date_end__gte=models.F("date_start")),
                name="supplier_price_dates_ordered",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["company", "product"])]

    def __str__(self) -> str:
        return f"{self.partner} · {self.product}: {self.price} {self.currency.code} / {self.uom}"

    def clean(self) -> None:
        errors = {}
        if self.date_start and self.date_end and self.date_end < self.date_start:
            errors["date_end"] = _("The end of validity cannot be before its start.")
        if self.uom_id and self.product_id and self.uom.category_id != self.product.uom.category_id:
            errors["uom"] = _("%(product)s is counted in %(unit)s; this unit measures something else.") % {
                "product": self.product, "unit": self.product.uom,
            }  # fmt: skip
        if self.partner_id and not self.partner.is_supplier:
            errors["partner"] = _("%(partner)s is not marked as a supplier.") % {"partner": self.partner}
        if errors:
            raise ValidationError(errors)
