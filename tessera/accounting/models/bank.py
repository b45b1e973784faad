from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned, Partner, ScopedUnique

from .accounts import Journal
from .entries import JournalEntry
from .payments import Payment


class BankStatement(CompanyOwned):
    """A statement of a bank account, imported from the bank's file (CAMT.053, CODA or CSV)."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="statements", verbose_name=_("bank journal"))
    identifier = models.CharField(_("statement"), max_length=100, help_text=_("The bank's number or id of the statement."))
    date = models.DateField(_("date"))
    opening_balance = AmountField(_("opening balance"))
    closing_balance = AmountField(_("closing balance"))
    source_format = models.CharField(_("format"), max_length=20)
    filename = models.CharField(_("file"), max_length=200, blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        constraints = [
            ScopedUnique(fields=["company", "journal", "identifier"], name="bank_statement_unique_identifier",
                         violation_error_message=_("This statement was already imported.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.journal.code} {self.identifier}"


class StatementLineState(models.TextChoices):
    OPEN = "open", _("To reconcile")
    RECONCILED = "reconciled", _("Reconciled")


class BankStatementLine(CompanyOwned):
    """One transaction of a statement; reconciled by a payment (of invoices) or an entry (bank fees…)."""

    statement = models.ForeignKey(BankStatement, on_delete=models.CASCADE, related_name="lines", verbose_name=_("statement"))
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+", editable=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    date = models.DateField(_("date"))
    value_date = models.DateField(_("value date"), null=True, blank=True)
    amount = AmountField(_("amount"), help_text=_("Positive when money comes in."))
    counterpart_name = models.CharField(_("counterpart"), max_length=200, blank=True)
    counterpart_iban = models.CharField(_("counterpart IBAN"), max_length=42, blank=True)
    communication = models.CharField(_("communication"), max_length=500, blank=True)
    structured_reference = models.CharField(_("structured communication"), max_length=40, blank=True)
    bank_reference = models.CharField(_("bank reference"), max_length=100, blank=True)
    unique_id = models.CharField(max_length=100, editable=False)
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("partner")
    )
    state = models.CharField(
        _("state"), max_length=12, choices=StatementLineState.choices, default=StatementLineState.OPEN, editable=False
    )
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="statement_line", editable=False
    )
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="statement_line", editable=False
    )

    class Meta:
        ordering = ["statement", "position", "id"]
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        constraints = [
            models.UniqueConstraint(fields=["journal", "unique_id"], name="bank_statement_line_imported_once"),
            models.CheckConstraint(condition=~Q(amount=Decimal(0)), name="bank_statement_line_not_zero"),
        ]
        indexes = [models.Index(fields=["company", "state"])]

    def __str__(self) -> str:
        return f"{self.date} {self.amount} {self.counterpart_name}".strip()
