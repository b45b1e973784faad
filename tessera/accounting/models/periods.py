from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.models import CompanyOwned, ScopedUnique

from ..states import FiscalYearState


class FiscalYear(CompanyOwned):
    """A fiscal year and its periods; created when the first entry of a year is posted."""

    name = models.CharField(_("name"), max_length=20)
    date_start = models.DateField(_("first day"))
    date_end = models.DateField(_("last day"))
    state = models.CharField(
        _("state"), max_length=10, choices=FiscalYearState.choices, default=FiscalYearState.OPEN, editable=False
    )
    closing_entry = models.OneToOneField(
        "accounting.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="closed_year", editable=False,
        verbose_name=_("closing entry"),
    )  # fmt: skip

    class Meta:
        ordering = ["-date_start"]
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        constraints = [
            ScopedUnique(fields=["company", "date_start"], name="fiscal_year_unique_start",
                         violation_error_message=_("A fiscal year already starts on this day.")),
            models.CheckConstraint(condition=models.Q(date_end__gt=models.F("date_start")), name="fiscal_year_ends_after_start"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    @property
    def closed(self) -> bool:
        return self.state == FiscalYearState.CLOSED


class Period(CompanyOwned):
    """A month of a fiscal year: the unit account balances are kept per."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="periods", verbose_name=_("fiscal year"))
    number = models.PositiveSmallIntegerField(_("number"))
    date_start = models.DateField(_("first day"))
    date_end = models.DateField(_("last day"))

    class Meta:
        ordering = ["date_start"]
        verbose_name = _("period")
        verbose_name_plural = _("periods")
        constraints = [models.UniqueConstraint(fields=["company", "date_start"], name="period_unique_start")]
        indexes = [models.Index(fields=["company", "date_start", "date_end"])]

    def __str__(self) -> str:
        return f"{self.fiscal_year.name}/{self.number:02d}"
