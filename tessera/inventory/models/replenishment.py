from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import QuantityField
from tessera.core.models import CompanyOwned, Product, ScopedUnique

from ..states import NeedState
from .locations import Location, Warehouse
from .stock import ZERO, Move


class ReorderingRule(CompanyOwned):
    """Keep a product's forecast stock in a warehouse between a minimum and a maximum."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+", verbose_name=_("product"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.CASCADE, related_name="reordering_rules", verbose_name=_("warehouse")
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    min_quantity = QuantityField(_("minimum"), validators=[MinValueValidator(ZERO)])
    max_quantity = QuantityField(_("maximum"), validators=[MinValueValidator(ZERO)])
    multiple = QuantityField(_("order in multiples of"), default=Decimal(1), validators=[MinValueValidator(ZERO)],
                             help_text=_("0 or 1: any quantity."))  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["warehouse", "product"]
        verbose_name = _("reordering rule")
        verbose_name_plural = _("reordering rules")
        constraints = [
            ScopedUnique(fields=["company", "warehouse", "location", "product"], name="reordering_rule_unique",
                         violation_error_message=_("This product already has a rule for this location.")),
            models.CheckConstraint(condition=Q(min_quantity__gte=0) & Q(max_quantity__gte=models.F("min_quantity")),
                                   name="reordering_rule_min_max"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.product} @ {self.warehouse}: {self.min_quantity}–{self.max_quantity}"

    def clean(self) -> None:
        if self.min_quantity is not None and self.max_quantity is not None and self.max_quantity < self.min_quantity:
            raise ValidationError({"max_quantity": _("The maximum cannot be below the minimum.")})


class ProcurementNeed(CompanyOwned):
    """Goods needed at a location by a date, raised by a reordering rule or a make-to-order move and
    handed to the product's route, whose document (purchase or manufacturing order) fills it."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = QuantityField(_("quantity"), help_text=_("In the product's unit."))
    date_needed = models.DateField(_("needed by"))
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    route = models.CharField(_("route"), max_length=32)
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    rule = models.ForeignKey(ReorderingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="needs",
                             verbose_name=_("reordering rule"))  # fmt: skip
    move = models.ForeignKey(Move, on_delete=models.SET_NULL, null=True, blank=True, related_name="procurement_needs",
                             verbose_name=_("for the move"))  # fmt: skip
    state = models.CharField(_("state"), max_length=12, choices=NeedState.choices, default=NeedState.OPEN, editable=False)
    fulfilled_by = models.CharField(_("filled by"), max_length=100, blank=True, help_text=_("The document the route created."))

    class Meta:
        ordering = ["date_needed", "id"]
        verbose_name = _("procurement need")
        verbose_name_plural = _("procurement needs")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="procurement_need_quantity_positive")]
        indexes = [models.Index(fields=["company", "state", "route"])]

    def __str__(self) -> str:
        return f"{self.product}: {self.quantity} by {self.date_needed}"
