from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned, Currency, Partner

from ..states import PaymentDocState
from .accounts import Journal
from .entries import JournalEntry, JournalLine


class PaymentDirection(models.TextChoices):
    INBOUND = "inbound", _("Received")
    OUTBOUND = "outbound", _("Sent")


class Payment(CompanyOwned):
    """Money received from a customer or paid to a supplier, through a bank or cash journal."""

    direction = models.CharField(_("direction"), max_length=10, choices=PaymentDirection.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="payments", verbose_name=_("partner"))
    journal = models.ForeignKey(
        Journal, on_delete=models.PROTECT, related_name="payments", verbose_name=_("bank or cash journal")
    )
    date = models.DateField(_("date"))
    amount = AmountField(_("amount"))
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    memo = models.CharField(_("memo"), max_length=200, blank=True, help_text=_("The communication of the transfer."))
    state = models.CharField(
        _("state"), max_length=10, choices=PaymentDocState.choices, default=PaymentDocState.DRAFT, editable=False
    )
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="payment", editable=False,
        verbose_name=_("journal entry"),
    )  # fmt: skip

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return self.entry.number if self.entry_id else str(_("Draft payment #%(id)s") % {"id": self.pk})


class Matching(models.Model):
    """Part of a debit line paid by part of a credit line of the same reconcilable account (an invoice
    by a payment, a credit note…). A line's residual is its amount less its matchings."""

    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, related_name="+")
    debit_line = models.ForeignKey(JournalLine, on_delete=models.PROTECT, related_name="matched_debits")
    credit_line = models.ForeignKey(JournalLine, on_delete=models.PROTECT, related_name="matched_credits")
    amount = AmountField(_("amount"), help_text=_("In the company's currency."))
    amount_currency = AmountField(_("amount in currency"), default=Decimal(0))
    date = models.DateField(_("date"), help_text=_("The later of the two lines' dates: from then on both are paid this much."))
    exchange_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("exchange difference")
    )

    class Meta:
        verbose_name = _("matching")
        verbose_name_plural = _("matchings")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(amount_currency__gte=0), name="matching_amounts_not_negative"),
            models.CheckConstraint(condition=~Q(debit_line=models.F("credit_line")), name="matching_two_lines"),
        ]
        indexes = [models.Index(fields=["company", "date"])]

    def __str__(self) -> str:
        return f"{self.debit_line_id} ↔ {self.credit_line_id}: {self.amount}"
