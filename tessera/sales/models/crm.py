"""The CRM: leads qualified into opportunities that move through the company's stages until they are
won (and quoted) or lost, with the activities planned on them."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned, Partner

from .orders import SaleOrder

ZERO = Decimal(0)
HUNDRED = Decimal(100)
PERCENT = [MinValueValidator(ZERO), MaxValueValidator(HUNDRED)]


def _percent(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, validators=PERCENT, **kwargs)


class Stage(CompanyOwned):
    """A column of the pipeline; an opportunity moved into it takes its probability."""

    name = models.CharField(_("name"), max_length=100)
    sequence = models.PositiveIntegerField(_("sequence"), default=10)
    probability = _percent(_("probability (%)"), default=ZERO)
    is_won = models.BooleanField(_("won stage"), default=False, help_text=_("Opportunities in this stage are won."))

    class Meta:
        ordering = ["sequence", "id"]
        verbose_name = _("pipeline stage")
        verbose_name_plural = _("pipeline stages")
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="crm_stage_name_unique"),
            models.CheckConstraint(condition=Q(probability__gte=0) & Q(probability__lte=100), name="crm_stage_probability_range"),
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(CompanyOwned):
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="crm_lost_reason_name_unique")]

    def __str__(self) -> str:
        return self.name


class LeadKind(models.TextChoices):
    LEAD = "lead", _("Lead")
    OPPORTUNITY = "opportunity", _("Opportunity")


class LeadState(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Lead(CompanyOwned):
    """A lead (someone who may buy) or, once qualified, an opportunity in the pipeline."""

    kind = models.CharField(_("kind"), max_length=12, choices=LeadKind.choices, default=LeadKind.LEAD, editable=False)
    name = models.CharField(_("subject"), max_length=200)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="leads", verbose_name=_("customer")
    )
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("salesperson"),
    )  # fmt: skip
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="leads",
                              verbose_name=_("stage"))  # fmt: skip
    expected_revenue = AmountField(_("expected revenue"), default=ZERO, validators=[MinValueValidator(ZERO)])
    probability = _percent(_("probability (%)"), default=ZERO)
    expected_closing = models.DateField(_("expected closing"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=LeadState.choices, default=LeadState.OPEN, editable=False)
    lost_reason = models.ForeignKey(LostReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    editable=False, verbose_name=_("lost reason"))  # fmt: skip
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    order = models.ForeignKey(SaleOrder, on_delete=models.SET_NULL, null=True, blank=True, related_name="opportunities",
                              editable=False, verbose_name=_("quotation"))  # fmt: skip
    description = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads and opportunities")
        indexes = [models.Index(fields=["company", "kind", "state"])]
        constraints = [
            models.CheckConstraint(condition=Q(probability__gte=0) & Q(probability__lte=100), name="crm_lead_probability_range"),
            models.CheckConstraint(condition=Q(expected_revenue__gte=0), name="crm_lead_revenue_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_revenue(self) -> Decimal:
        return (self.expected_revenue * self.probability / HUNDRED).quantize(Decimal("0.01"))


class ActivityKind(models.TextChoices):
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("E-mail")
    TODO = "todo", _("To-do")


class Activity(CompanyOwned):
    """Something to do about a lead by a due date: a call, a meeting, an e-mail, a to-do."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities", verbose_name=_("lead"))
    kind = models.CharField(_("kind"), max_length=8, choices=ActivityKind.choices, default=ActivityKind.TODO)
    summary = models.CharField(_("summary"), max_length=200)
    due_date = models.DateField(_("due date"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("assigned to"),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    done = models.BooleanField(_("done"), default=False, editable=False)
    done_on = models.DateField(_("done on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["due_date", "id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["company", "done", "due_date"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"
