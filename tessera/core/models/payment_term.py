from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..payment_terms import BALANCE, PERCENT, Instalment
from .base import CompanyOwned, ScopedUnique


class PaymentTerm(CompanyOwned):
    """When an invoice is due: one or more instalments, the last one taking the balance."""

    name = models.CharField(_("name"), max_length=100)
    note = models.TextField(_("text on invoices"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("payment term")
        verbose_name_plural = _("payment terms")
        constraints = [
            ScopedUnique(
                fields=["company", "name"],
                name="payment_term_unique_name",
                violation_error_message=_("A payment term with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class InstalmentKind(models.TextChoices):
    PERCENT = PERCENT, _("Percentage")
    BALANCE = BALANCE, _("Balance")


class PaymentTermLine(models.Model):
    """One instalment of a payment term. It belongs to its term's company."""

    term = models.ForeignKey(PaymentTerm, on_delete=models.CASCADE, related_name="lines", verbose_name=_("payment term"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=InstalmentKind.choices, default=InstalmentKind.BALANCE)
    percent = models.DecimalField(
        _("percentage"),
        max_digits=7,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )
    days = models.PositiveSmallIntegerField(_("days after invoice date"), default=0)
    end_of_month = models.BooleanField(_("then end of month"), default=False)

    class Meta:
        ordering = ["term", "position", "id"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.CheckConstraint(condition=Q(percent__gte=0) & Q(percent__lte=100), name="payment_term_line_percent_range")
        ]

    def __str__(self) -> str:
        return str(self.as_instalment())

    def as_instalment(self) -> Instalment:
        return Instalment(kind=self.kind, percent=self.percent, days=self.days, end_of_month=self.end_of_month)
