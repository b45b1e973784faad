from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import PriceField
from tessera.core.models import CompanyOwned, ScopedUnique

ZERO = Decimal(0)
WEEKDAYS = "1234567"  # ISO weekday numbers, Monday = 1


class WorkCentre(CompanyOwned):
    """A machine, a line or a team that operations run on: its capacity, efficiency and cost per hour."""

    code = models.CharField(_("code"), max_length=16)
    name = models.CharField(_("name"), max_length=100)
    hours_per_day = models.DecimalField(_("hours per working day"), max_digits=5, decimal_places=2, default=Decimal(8),
                                        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(24))])  # fmt: skip
    working_days = models.CharField(
        _("working days"), max_length=7, default="12345",
        help_text=_("The ISO weekdays it works: 1 is Monday, 7 Sunday; 12345 is Monday to Friday."),
    )  # fmt: skip
    efficiency = models.DecimalField(
        _("efficiency (%)"), max_digits=6, decimal_places=2, default=Decimal(100),
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(1000))],
        help_text=_("Planned times are divided by it: at 80 %, an hour of work takes 1 h 15."),
    )  # fmt: skip
    labour_cost_per_hour = PriceField(_("labour cost per hour"), default=ZERO, validators=[MinValueValidator(ZERO)])
    machine_cost_per_hour = PriceField(_("machine cost per hour"), default=ZERO, validators=[MinValueValidator(ZERO)])
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("work centre")
        verbose_name_plural = _("work centres")
        constraints = [
            ScopedUnique(fields=["company", "code"], name="work_centre_unique_code",
                         violation_error_message=_("Another work centre has this code.")),
            models.CheckConstraint(condition=Q(efficiency__gt=0), name="work_centre_efficiency_positive"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"[{self.code}] {self.name}"

    @property
    def cost_per_hour(self) -> Decimal:
        return self.labour_cost_per_hour + self.machine_cost_per_hour

    def clean(self) -> None:
        days = self.working_days or ""
        if not days or any(day not in WEEKDAYS for day in days) or len(set(days)) != len(days):
            raise ValidationError({"working_days": _("Give the working weekdays as digits 1 (Monday) to 7 (Sunday), each once.")})
