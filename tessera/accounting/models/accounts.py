from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.identifiers import normalize_iban
from tessera.core.models import CompanyOwned, Currency, ScopedUnique


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    RECEIVABLE = "receivable", _("Receivable")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    LIABILITY = "liability", _("Liability")
    PAYABLE = "payable", _("Payable")
    EQUITY = "equity", _("Equity")
    INCOME = "income", _("Income")
    EXPENSE = "expense", _("Expense")
    OFF_BALANCE = "off_balance", _("Off balance")


BALANCE_SHEET_TYPES = frozenset(
    {AccountType.ASSET, AccountType.RECEIVABLE, AccountType.BANK, AccountType.CASH, AccountType.LIABILITY,
     AccountType.PAYABLE, AccountType.EQUITY}
)  # fmt: skip
PROFIT_AND_LOSS_TYPES = frozenset({AccountType.INCOME, AccountType.EXPENSE})
ALWAYS_RECONCILED = frozenset({AccountType.RECEIVABLE, AccountType.PAYABLE})


class Account(CompanyOwned):
    """An account of the company's chart of accounts."""

    code = models.CharField(
        _("code"), max_length=20, validators=[RegexValidator(r"^[0-9A-Za-z.]+$", _("Use digits, letters and dots."))]
    )
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=16, choices=AccountType.choices)
    reconcile = models.BooleanField(
        _("reconcilable"), default=False, help_text=_("Its items are matched with payments (receivables, payables, suspense).")
    )
    currency = models.ForeignKey(
        Currency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("currency"),
        help_text=_("Only for accounts kept in one foreign currency, such as a USD bank account."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("account")
        verbose_name_plural = _("accounts")
        constraints = [
            ScopedUnique(fields=["company", "code"], name="account_unique_code",
                         violation_error_message=_("Another account of this company has this code.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        if self.type in ALWAYS_RECONCILED and not self.reconcile:
            raise ValidationError({"reconcile": _("Receivable and payable accounts are always reconcilable.")})

    @property
    def is_balance_sheet(self) -> bool:
        return self.type in BALANCE_SHEET_TYPES


class JournalType(models.TextChoices):
    SALE = "sale", _("Sales")
    PURCHASE = "purchase", _("Purchases")
    BANK = "bank", _("Bank")
    CASH = "cash", _("Cash")
    GENERAL = "general", _("Miscellaneous")


class Journal(CompanyOwned):
    """A book of entries of one kind; each journal numbers its posted entries gaplessly per year."""

    code = models.CharField(
        _("code"), max_length=8, validators=[RegexValidator(r"^[A-Z0-9]+$", _("Use capital letters and digits."))]
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=10, choices=JournalType.choices)
    default_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("default account"),
        help_text=_("The bank or cash account of a bank or cash journal."),
    )  # fmt: skip
    bank_iban = models.CharField(
        _("IBAN"),
        max_length=42,
        blank=True,
        help_text=_("The bank account of a bank journal: statements must be of this account."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("journal")
        verbose_name_plural = _("journals")
        constraints = [
            ScopedUnique(fields=["company", "code"], name="journal_unique_code",
                         violation_error_message=_("Another journal of this company has this code.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def sequence_code(self) -> str:
        return f"accounting.journal.{self.code.lower()}"

    def clean(self) -> None:
        if self.type in (JournalType.BANK, JournalType.CASH) and self.default_account_id is None:
            raise ValidationError({"default_account": _("A bank or cash journal needs its bank or cash account.")})
        if self.bank_iban:
            try:
                self.bank_iban = normalize_iban(self.bank_iban)
            except ValueError as exc:
                raise ValidationError({"bank_iban": str(exc)}) from None


class AccountRole(CompanyOwned):
    """Which account the application uses for a purpose (the receivable account, VAT due…)."""

    role = models.CharField(_("role"), max_length=40)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="roles", verbose_name=_("account"))

    class Meta:
        ordering = ["role"]
        verbose_name = _("account role")
        verbose_name_plural = _("account roles")
        constraints = [
            ScopedUnique(fields=["company", "role"], name="account_role_unique",
                         violation_error_message=_("This role already has an account.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.role}: {self.account_id}"
