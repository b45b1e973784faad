from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .base import AuditedModel, CompanyOwned, ScopedUnique


class Currency(AuditedModel):
    """An ISO 4217 currency. The list is loaded by migration; users activate the ones they use."""

    code = models.CharField(
        _("code"),
        max_length=3,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{3}$", _("Use the three capital letters of ISO 4217."))],
    )
    name = models.CharField(_("name"), max_length=100)
    symbol = models.CharField(_("symbol"), max_length=8, blank=True)
    minor_unit = models.PositiveSmallIntegerField(
        _("decimals"), validators=[MaxValueValidator(4)], help_text=_("Digits after the decimal point (ISO 4217 minor unit).")
    )
    active = models.BooleanField(_("active"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = [models.CheckConstraint(condition=Q(minor_unit__lte=4), name="currency_minor_unit_max_4")]

    def __str__(self) -> str:
        return self.code


class CurrencyRate(CompanyOwned):
    """What one unit of a foreign currency is worth in the company's currency, from a date on."""

    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="rates", verbose_name=_("currency"))
    date = models.DateField(_("date"))
    rate = models.DecimalField(
        _("rate"),
        max_digits=24,
        decimal_places=12,
        validators=[MinValueValidator(Decimal("0.000000000001"))],
        help_text=_("Amount in company currency for 1 unit of this currency."),
    )

    class Meta:
        ordering = ["currency__code", "-date"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            ScopedUnique(
                fields=["company", "currency", "date"],
                name="currency_rate_unique_per_day",
                violation_error_message=_("This currency already has a rate on this date."),
            ),
            models.CheckConstraint(condition=Q(rate__gt=0), name="currency_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency_id and self.currency.code} {self.date}: {self.rate}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.company_id and self.currency_id and self.company.currency_id == self.currency_id:
            raise ValidationError({"currency": _("The company's own currency has no exchange rate: it is always 1.")})
