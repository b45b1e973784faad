from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned, Currency, Partner, ScopedUnique

from ..states import EntryState
from .accounts import Account, Journal
from .periods import Period


class JournalEntry(CompanyOwned):
    """A double-entry accounting record. Drafts can be edited; a posted entry never changes again
    (the database refuses it on PostgreSQL) and is corrected only by a reversing entry."""

    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries", verbose_name=_("journal"))
    date = models.DateField(_("accounting date"))
    ref = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("The source document's reference."))
    narration = models.TextField(_("memo"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=EntryState.choices, default=EntryState.DRAFT, editable=False)
    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    reverses = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals", editable=False,
        verbose_name=_("reverses"),
    )  # fmt: skip
    period = models.ForeignKey(Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False)
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True, editable=False)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
        verbose_name=_("posted by"),
    )  # fmt: skip
    chain_position = models.PositiveBigIntegerField(_("position in the ledger chain"), null=True, blank=True, editable=False)
    hash = models.CharField(_("hash"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        permissions = [("post_journalentry", _("Can post and reverse journal entries"))]
        constraints = [
            ScopedUnique(fields=["company", "number"], condition=~Q(number=""), name="journal_entry_unique_number",
                         violation_error_message=_("Another entry of this company has this number.")),
            models.UniqueConstraint(fields=["company", "chain_position"], name="journal_entry_unique_chain_position"),
            models.CheckConstraint(
                condition=Q(state=EntryState.DRAFT) | (~Q(number="") & Q(chain_position__isnull=False) & ~Q(hash="")),
                name="journal_entry_posted_is_numbered_and_chained",
            ),
        ]  # fmt: skip
        indexes = [models.Index(fields=["company", "journal", "date"])]

    def __str__(self) -> str:
        return self.number or str(_("Draft entry #%(id)s") % {"id": self.pk})

    @property
    def is_posted(self) -> bool:
        return self.state == EntryState.POSTED


class JournalLine(CompanyOwned):
    """One line of an entry: an amount on the debit or the credit side of an account."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines", verbose_name=_("entry"))
    position = models.PositiveIntegerField(_("position"), default=0)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines", verbose_name=_("account"))
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="journal_lines", verbose_name=_("partner")
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    debit = AmountField(_("debit"), default=Decimal(0))
    credit = AmountField(_("credit"), default=Decimal(0))
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("currency"),
        help_text=_("For an amount in a foreign currency."),
    )  # fmt: skip
    amount_currency = AmountField(
        _("amount in currency"), default=Decimal(0), help_text=_("Positive on the debit side, negative on the credit side.")
    )
    date_maturity = models.DateField(_("due date"), null=True, blank=True, help_text=_("For receivables and payables."))
    tax = models.ForeignKey(
        "accounting.Tax", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("tax"),
        help_text=_("The tax whose amount this line carries."),
    )  # fmt: skip
    vat_grids = models.CharField(
        _("VAT grids"),
        max_length=50,
        blank=True,
        default="",
        db_default="",
        help_text=_("The VAT return grids this line counts in."),
    )
    # Copied from the entry when it is posted, so that reports read lines alone.
    date = models.DateField(_("date"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False)
    posted = models.BooleanField(_("posted"), default=False, editable=False)

    class Meta:
        ordering = ["entry_id", "position", "id"]
        verbose_name = _("journal item")
        verbose_name_plural = _("journal items")
        constraints = [
            models.CheckConstraint(condition=Q(debit__gte=0), name="journal_line_debit_not_negative"),
            models.CheckConstraint(condition=Q(credit__gte=0), name="journal_line_credit_not_negative"),
            models.CheckConstraint(condition=Q(debit=0) | Q(credit=0), name="journal_line_one_side_only"),
        ]
        indexes = [
            models.Index(fields=["account", "date", "id"], condition=Q(posted=True), name="journal_line_ledger"),
            models.Index(fields=["company", "date"], name="journal_line_company_date"),
            models.Index(fields=["partner", "account"], condition=Q(posted=True), name="journal_line_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.debit} / {self.credit}"

    def clean(self) -> None:
        errors = {}
        if self.debit < 0:
            errors["debit"] = _("Debit cannot be negative: put the amount on the credit side.")
        if self.credit < 0:
            errors["credit"] = _("Credit cannot be negative: put the amount on the debit side.")
        if self.debit and self.credit:
            errors["credit"] = _("A line has a debit or a credit, not both.")
        if self.currency_id and self.company_id and self.currency_id == self.company.currency_id:
            errors["currency"] = _("Leave the currency empty for amounts in the company's currency.")
        if errors:
            raise ValidationError(errors)

    @property
    def balance(self) -> Decimal:
        return self.debit - self.credit


class AccountBalance(models.Model):
    """Debit and credit of an account in a period, kept up to date by posting (never recomputed on a
    hot path); a test and verify_ledger check it equals the sum of the posted lines."""

    company = models.ForeignKey("core.Company", on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="balances")
    debit = AmountField(default=Decimal(0))
    credit = AmountField(default=Decimal(0))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "period"], name="account_balance_unique_period")]
        indexes = [models.Index(fields=["company", "period"])]
        verbose_name = _("account balance")

    def __str__(self) -> str:
        return f"{self.account_id}@{self.period_id}: {self.debit}/{self.credit}"


class LedgerChain(models.Model):
    """The head of a company's hash chain of posted entries; locked while an entry is posted."""

    company = models.OneToOneField("core.Company", on_delete=models.PROTECT, related_name="+")
    length = models.PositiveBigIntegerField(default=0)
    head = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.company_id}: {self.length}"


class TaxRounding(models.TextChoices):
    PER_LINE = "line", _("Per line")
    PER_DOCUMENT = "document", _("Once per document")


class AccountingSettings(CompanyOwned):
    """A company's accounting settings: lock date, tax rounding, default taxes."""

    lock_date = models.DateField(
        _("lock date"), null=True, blank=True, help_text=_("Nothing can be posted on or before this day.")
    )
    tax_rounding = models.CharField(_("round taxes"), max_length=10, choices=TaxRounding.choices, default=TaxRounding.PER_LINE)
    default_sale_tax = models.ForeignKey(
        "accounting.Tax", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("default sales tax")
    )
    default_purchase_tax = models.ForeignKey(
        "accounting.Tax",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default purchase tax"),
    )

    class Meta:
        verbose_name = _("accounting settings")
        verbose_name_plural = _("accounting settings")
        constraints = [models.UniqueConstraint(fields=["company"], name="accounting_settings_one_per_company")]

    def __str__(self) -> str:
        return str(_("Accounting settings of %(company)s") % {"company": self.company})
