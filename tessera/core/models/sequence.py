from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..numbering import PatternError, check_pattern
from .base import CompanyOwned, ScopedUnique


class SequenceReset(models.TextChoices):
    YEARLY = "yearly", _("Every year")
    NEVER = "never", _("Never")


class Sequence(CompanyOwned):
    """Gapless numbering of one kind of document in a company, such as INV/2026/00042."""

    code = models.CharField(
        _("document type"),
        max_length=50,
        validators=[RegexValidator(r"^[a-z0-9_.-]+$", _("Use lower-case letters, digits, '.', '_' and '-'."))],
        help_text=_("The code documents ask numbers for, such as sales.invoice."),
    )
    name = models.CharField(_("name"), max_length=100)
    pattern = models.CharField(
        _("pattern"),
        max_length=100,
        default="{year}/{number}",
        help_text=_("Text with {number} and optionally {year}, {yy} or {month}, such as INV/{year}/{number}."),
    )
    padding = models.PositiveSmallIntegerField(_("digits"), default=5, validators=[MinValueValidator(1), MaxValueValidator(12)])
    reset = models.CharField(_("restart numbering"), max_length=10, choices=SequenceReset.choices, default=SequenceReset.YEARLY)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sequence")
        verbose_name_plural = _("sequences")
        constraints = [
            ScopedUnique(
                fields=["company", "code"],
                name="sequence_unique_code",
                violation_error_message=_("This company already numbers this document type."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def clean(self) -> None:
        try:
            check_pattern(self.pattern)
        except PatternError as exc:
            raise ValidationError({"pattern": str(exc)}) from None


class SequenceCounter(models.Model):
    """The last number given by a sequence in one numbering period (a year, or 0 when it never restarts)."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="counters")
    period = models.PositiveIntegerField()
    last_number = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sequence", "period"], name="sequence_counter_unique_period")]
        verbose_name = _("sequence counter")

    def __str__(self) -> str:
        return f"{self.sequence_id}/{self.period}: {self.last_number}"
