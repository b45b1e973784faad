from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import QuantityField
from tessera.core.models import CompanyOwned, Product, Uom

from .routings import Routing

ZERO = Decimal(0)


class BomKind(models.TextChoices):
    MANUFACTURE = "manufacture", _("Manufacture this product")
    KIT = "kit", _("Kit (phantom): sold or used as its components")


class Bom(CompanyOwned):
    """A bill of materials: what makes a quantity of a product, in which version and between which
    dates, with the routing that makes it. A kit is never made: it is replaced by its components."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    version = models.CharField(_("version"), max_length=20, default="1")
    kind = models.CharField(_("kind"), max_length=12, choices=BomKind.choices, default=BomKind.MANUFACTURE)
    quantity = QuantityField(_("for a quantity of"), default=Decimal(1), validators=[MinValueValidator(Decimal("0.000001"))])
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    routing = models.ForeignKey(Routing, on_delete=models.PROTECT, null=True, blank=True, related_name="boms",
                                verbose_name=_("routing"))  # fmt: skip
    date_start = models.DateField(_("valid from"), null=True, blank=True)
    date_end = models.DateField(_("valid until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["product", "-date_start", "version", "id"]
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_quantity_positive"),
            models.CheckConstraint(
                condition=Q(date_end__isnull=True) | Q(date_start__isnull=True) | Q(date_end__gte=models.F("date_start")),
                name="bom_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["company", "product"])]

    def __str__(self) -> str:
        return f"{self.product} v{self.version}"

    def clean(self) -> None:
        errors = {}
        if self.date_start and self.date_end and self.date_end < self.date_start:
            errors["date_end"] = _("The end of validity cannot be before its start.")
        if self.uom_id and self.product_id and self.uom.category_id != self.product.uom.category_id:
            errors["uom"] = _("%(product)s is counted in %(unit)s; this unit measures something else.") % {
                "product": self.product, "unit": self.product.uom,
            }  # fmt: skip
        if errors:
            raise ValidationError(errors)


class BomLine(CompanyOwned):
    """A component: how much of it the BOM's quantity takes, and how much more is lost to scrap."""

    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="lines", verbose_name=_("bill of materials"))
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("component"))
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(Decimal("0.000001"))])
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    scrap_percent = models.DecimalField(_("scrap (%)"), max_digits=7, decimal_places=4, default=ZERO,
                                        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(99))])  # fmt: skip

    class Meta:
        ordering = ["bom", "position", "id"]
        verbose_name = _("component")
        verbose_name_plural = _("components")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_line_quantity_positive"),
            models.CheckConstraint(condition=Q(scrap_percent__gte=0) & Q(scrap_percent__lt=100), name="bom_line_scrap_range"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


class BomByProduct(CompanyOwned):
    """Something else the BOM's quantity yields besides the product (offcuts, a second grade)."""

    bom = models.ForeignKey(Bom, on_delete=models.CASCADE, related_name="by_products", verbose_name=_("bill of materials"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("by-product"))
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(Decimal("0.000001"))])
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))

    class Meta:
        ordering = ["bom", "id"]
        verbose_name = _("by-product")
        verbose_name_plural = _("by-products")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="bom_by_product_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"
