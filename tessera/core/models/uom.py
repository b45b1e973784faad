from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import AuditedModel, ScopedUnique

_SMALLEST = Decimal("0.000000000001")


class UomCategory(AuditedModel):
    """What a unit measures (count, weight, length, time…). Units convert only inside one category."""

    name = models.CharField(_("name"), max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit of measure category")
        verbose_name_plural = _("unit of measure categories")

    def __str__(self) -> str:
        return self.name


class Uom(AuditedModel):
    """A unit of measure, defined by how many reference units of its category it holds."""

    category = models.ForeignKey(UomCategory, on_delete=models.PROTECT, related_name="units", verbose_name=_("category"))
    name = models.CharField(_("name"), max_length=50, unique=True)
    is_reference = models.BooleanField(_("reference unit"), default=False)
    ratio = models.DecimalField(
        _("ratio"),
        max_digits=24,
        decimal_places=12,
        default=Decimal(1),
        validators=[MinValueValidator(_SMALLEST)],
        help_text=_("Reference units in one of this unit: 12 for a dozen, 0.001 for a gram when the kilogram is the reference."),
    )
    rounding = models.DecimalField(
        _("rounding"),
        max_digits=20,
        decimal_places=6,
        default=Decimal("0.01"),
        validators=[MinValueValidator(Decimal("0.000001"))],
        help_text=_("The smallest quantity counted in this unit, such as 1 or 0.001."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["category__name", "ratio"]
        verbose_name = _("unit of measure")
        verbose_name_plural = _("units of measure")
        constraints = [
            ScopedUnique(
                fields=["category", "is_reference"],
                condition=Q(is_reference=True),
                name="uom_one_reference_per_category",
                violation_error_message=_("This category already has a reference unit."),
            ),
            models.CheckConstraint(condition=Q(ratio__gt=0), name="uom_ratio_positive"),
            models.CheckConstraint(condition=Q(rounding__gt=0), name="uom_rounding_positive"),
            models.CheckConstraint(condition=Q(is_reference=False) | Q(ratio=1), name="uom_reference_ratio_is_one"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.is_reference and self.ratio != 1:
            raise ValidationError({"ratio": _("The reference unit of a category has a ratio of 1.")})
