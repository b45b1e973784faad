import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..identifiers import normalize_vat
from .base import AuditedModel
from .currency import Currency


class Company(AuditedModel):
    """A legal entity keeping its own books. Every business record belongs to one."""

    name = models.CharField(_("legal name"), max_length=200, unique=True)
    country = CountryField(_("country"))
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("base currency"))
    vat = models.CharField(_("VAT number"), max_length=32, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    zip = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year starts (month)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    fiscal_year_start_day = models.PositiveSmallIntegerField(
        _("fiscal year starts (day)"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.vat and self.country:
            try:
                self.vat = normalize_vat(self.vat, str(self.country))
            except ValueError as exc:
                errors["vat"] = str(exc)
        try:
            # A fiscal year must start on a day that exists every year (no 29 February).
            datetime.date(2001, self.fiscal_year_start_month, self.fiscal_year_start_day)
        except (TypeError, ValueError):
            errors["fiscal_year_start_day"] = _("This day does not exist in that month every year.")
        if errors:
            raise ValidationError(errors)

    def fiscal_year_of(self, day: datetime.date) -> tuple[datetime.date, datetime.date]:
        """First and last day of the fiscal year that contains `day`."""
        start = datetime.date(day.year, self.fiscal_year_start_month, self.fiscal_year_start_day)
        if start > day:
            start = start.replace(year=day.year - 1)
        next_start = start.replace(year=start.year + 1)
        return start, next_start - datetime.timedelta(days=1)
