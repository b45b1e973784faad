from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.models import CompanyOwned

from .work_centres import WorkCentre

ZERO = Decimal(0)
MINUTES = {"max_digits": 12, "decimal_places": 3, "validators": [MinValueValidator(ZERO)]}


class Routing(CompanyOwned):
    """The operations that make a product, in order, each on a work centre."""

    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("routing")
        verbose_name_plural = _("routings")

    def __str__(self) -> str:
        return self.name


class RoutingOperation(CompanyOwned):
    routing = models.ForeignKey(Routing, on_delete=models.CASCADE, related_name="operations", verbose_name=_("routing"))
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    name = models.CharField(_("operation"), max_length=100)
    work_centre = models.ForeignKey(WorkCentre, on_delete=models.PROTECT, related_name="operations",
                                    verbose_name=_("work centre"))  # fmt: skip
    setup_minutes = models.DecimalField(_("setup (minutes)"), default=ZERO, **MINUTES,
                                        help_text=_("Once per order, whatever its quantity."))  # fmt: skip
    run_minutes = models.DecimalField(_("run (minutes per unit)"), default=ZERO, **MINUTES,
                                      help_text=_("Per unit of the product the routing makes."))  # fmt: skip

    class Meta:
        ordering = ["routing", "sequence", "id"]
        verbose_name = _("routing operation")
        verbose_name_plural = _("routing operations")

    def __str__(self) -> str:
        return f"{self.sequence} {self.name} @ {self.work_centre_id}"
