from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..fields import WebsiteField
from ..identifiers import normalize_bic, normalize_iban, normalize_vat
from .base import CompanyOwned, ScopedUnique
from .payment_term import PaymentTerm


class PartnerKind(models.TextChoices):
    CONTACT = "contact", _("Contact")
    INVOICE = "invoice", _("Invoice address")
    DELIVERY = "delivery", _("Delivery address")
    OTHER = "other", _("Other address")


class Partner(CompanyOwned):
    """A customer, a supplier, or a person or address under one of them."""

    name = models.CharField(_("name"), max_length=200)
    is_company = models.BooleanField(_("is a company"), default=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("company partner"),
        help_text=_("The company this contact or address belongs to."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PartnerKind.choices, default=PartnerKind.CONTACT)
    ref = models.CharField(_("reference"), max_length=32, blank=True, help_text=_("Your own code for this partner."))
    is_customer = models.BooleanField(_("customer"), default=False)
    is_supplier = models.BooleanField(_("supplier"), default=False)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = WebsiteField(_("website"), blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    street2 = models.CharField(_("street (2)"), max_length=200, blank=True)
    zip = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"))
    vat = models.CharField(_("VAT number"), max_length=32, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    customer_payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("customer payment term")
    )
    supplier_payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("supplier payment term")
    )
    note = models.TextField(_("note"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            ScopedUnique(
                fields=["company", "ref"],
                condition=~Q(ref=""),
                name="partner_ref_unique_per_company",
                violation_error_message=_("Another partner of this company already has this reference."),
            ),
        ]
        indexes = [models.Index(fields=["company", "name"]), models.Index(fields=["company", "vat"])]

    def __str__(self) -> str:
        if self.parent_id and self.kind == PartnerKind.CONTACT:
            return f"{self.parent.name}, {self.name}"
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.vat and self.country:
            try:
                self.vat = normalize_vat(self.vat, str(self.country))
            except ValueError as exc:
                errors["vat"] = str(exc)
        if self.parent_id:
            if not self.parent.is_company or self.parent.parent_id:
                errors["parent"] = _("Contacts and addresses go under a company partner.")
            elif self.pk and self.parent_id == self.pk:
                errors["parent"] = _("A partner cannot be its own company partner.")
            if self.is_company:
                errors["is_company"] = _("A partner under a company partner is a person or an address, not a company.")
        if errors:
            raise ValidationError(errors)


class PartnerBankAccount(CompanyOwned):
    """A bank account of a partner, to pay suppliers and collect from customers (SEPA)."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="bank_accounts", verbose_name=_("partner"))
    iban = models.CharField(_("IBAN"), max_length=42)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    holder_name = models.CharField(_("account holder"), max_length=200, blank=True)

    class Meta:
        ordering = ["partner", "id"]
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        constraints = [
            ScopedUnique(
                fields=["partner", "iban"],
                name="partner_bank_account_unique_iban",
                violation_error_message=_("This partner already has this IBAN."),
            )
        ]

    def __str__(self) -> str:
        return self.iban

    def clean(self) -> None:
        errors = {}
        try:
            self.iban = normalize_iban(self.iban)
        except ValueError as exc:
            errors["iban"] = str(exc)
        if self.bic:
            try:
                self.bic = normalize_bic(self.bic)
            except ValueError as exc:
                errors["bic"] = str(exc)
        if errors:
            raise ValidationError(errors)
