from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.models import CompanyOwned, Product, ScopedUnique

from .accounts import Account


class TaxUse(models.TextChoices):
    SALE = "sale", _("Sales")
    PURCHASE = "purchase", _("Purchases")


class Tax(CompanyOwned):
    """A percentage tax such as Belgian VAT 21%, with where its amounts go (accounts and VAT grids)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200, help_text=_("As printed on invoices."))
    use = models.CharField(_("used on"), max_length=10, choices=TaxUse.choices)
    rate = models.DecimalField(
        _("rate (%)"), max_digits=7, decimal_places=4, validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]
    )
    price_include = models.BooleanField(_("included in the price"), default=False)
    invoice_base_grids = models.CharField(_("grids of the base (invoices)"), max_length=50, blank=True)
    refund_base_grids = models.CharField(_("grids of the base (credit notes)"), max_length=50, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["use", "code"]
        verbose_name = _("tax")
        verbose_name_plural = _("taxes")
        constraints = [
            ScopedUnique(fields=["company", "code"], name="tax_unique_code",
                         violation_error_message=_("Another tax of this company has this code.")),
            models.CheckConstraint(condition=models.Q(rate__gte=0) & models.Q(rate__lte=100), name="tax_rate_percentage"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def base_grids(self, refund: bool) -> str:
        return self.refund_base_grids if refund else self.invoice_base_grids


class TaxDistribution(models.Model):
    """Where a share of a tax's amount goes: `factor` percent of it to `account`, counted in `grid`.
    A self-assessed tax has two: +100% deductible and −100% due."""

    tax = models.ForeignKey(Tax, on_delete=models.CASCADE, related_name="distribution", verbose_name=_("tax"))
    refund = models.BooleanField(_("for credit notes"), default=False)
    factor = models.DecimalField(_("factor (%)"), max_digits=7, decimal_places=4, default=Decimal(100))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    grid = models.CharField(_("VAT grid"), max_length=10, blank=True)

    class Meta:
        ordering = ["tax", "refund", "id"]
        verbose_name = _("tax distribution")
        verbose_name_plural = _("tax distribution")

    def __str__(self) -> str:
        return f"{self.tax_id} {self.factor}% → {self.account_id} [{self.grid}]"

    def clean(self) -> None:
        if self.tax_id and self.account_id and self.account.company_id != self.tax.company_id:
            raise ValidationError({"account": _("The account belongs to another company.")})


class FiscalPositionKind(models.TextChoices):
    INTRA_EU = "intra_eu", _("Another EU country, with a VAT number")
    EXPORT = "export", _("Outside the EU")
    COCONTRACTOR = "cocontractor", _("Domestic reverse charge (by hand)")


class FiscalPosition(CompanyOwned):
    """Replaces taxes for some partners: intra-EU B2B reverse charge, export outside the EU."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("applies to"), max_length=20, choices=FiscalPositionKind.choices)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("fiscal position")
        verbose_name_plural = _("fiscal positions")
        constraints = [
            ScopedUnique(fields=["company", "code"], name="fiscal_position_unique_code",
                         violation_error_message=_("Another fiscal position of this company has this code.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class TaxMapping(models.Model):
    """In a fiscal position: use `target` instead of `source` (no target: the tax is dropped)."""

    position = models.ForeignKey(
        FiscalPosition, on_delete=models.CASCADE, related_name="mappings", verbose_name=_("fiscal position")
    )
    source = models.ForeignKey(Tax, on_delete=models.PROTECT, related_name="+", verbose_name=_("tax"))
    target = models.ForeignKey(
        Tax, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("replaced by")
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["position", "source"], name="tax_mapping_unique_source")]
        verbose_name = _("tax mapping")
        verbose_name_plural = _("tax mappings")

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"


class ProductTaxes(CompanyOwned):
    """A product's default taxes on sales and purchases (decision 6: accounting owns them)."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="accounting_taxes", verbose_name=_("product"))
    sale_taxes = models.ManyToManyField(Tax, blank=True, related_name="+", verbose_name=_("sales taxes"))
    purchase_taxes = models.ManyToManyField(Tax, blank=True, related_name="+", verbose_name=_("purchase taxes"))
    income_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("income account")
    )
    expense_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("expense account")
    )

    class Meta:
        verbose_name = _("product taxes and accounts")
        verbose_name_plural = _("product taxes and accounts")

    def __str__(self) -> str:
        return str(self.product)
