from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import AmountField, PriceField, QuantityField
from tessera.core.models import CompanyOwned, Currency, Partner, PaymentTerm, Product, ScopedUnique, Uom

from ..states import InvoiceState, PaymentState
from .accounts import Account, Journal
from .entries import JournalEntry
from .taxes import FiscalPosition, Tax


class InvoiceKind(models.TextChoices):
    CUSTOMER_INVOICE = "out_invoice", _("Customer invoice")
    CUSTOMER_CREDIT_NOTE = "out_refund", _("Customer credit note")
    VENDOR_BILL = "in_invoice", _("Vendor bill")
    VENDOR_REFUND = "in_refund", _("Vendor refund")


SALE_KINDS = frozenset({InvoiceKind.CUSTOMER_INVOICE, InvoiceKind.CUSTOMER_CREDIT_NOTE})
REFUND_KINDS = frozenset({InvoiceKind.CUSTOMER_CREDIT_NOTE, InvoiceKind.VENDOR_REFUND})


class Invoice(CompanyOwned):
    """A customer invoice or credit note, or a vendor bill or refund. Posting it writes its journal
    entry; its number is the entry's."""

    kind = models.CharField(_("kind"), max_length=12, choices=InvoiceKind.choices)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("partner"))
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("journal"))
    date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"), null=True, blank=True, help_text=_("Set from the payment term when posted."))
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment term")
    )
    fiscal_position = models.ForeignKey(
        FiscalPosition, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("fiscal position")
    )
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    exchange_rate = models.DecimalField(_("exchange rate"), max_digits=24, decimal_places=12, default=Decimal(1), editable=False)
    ref = models.CharField(
        _("reference"), max_length=100, blank=True, help_text=_("The supplier's bill number, or the customer's order.")
    )
    payment_reference = models.CharField(
        _("payment reference"), max_length=40, blank=True,
        help_text=_("The structured communication (+++123/4567/89002+++) customers pay with."),
    )  # fmt: skip
    narration = models.TextField(_("terms and notes"), blank=True)
    origin = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes", verbose_name=_("credit note of")
    )
    state = models.CharField(_("state"), max_length=10, choices=InvoiceState.choices, default=InvoiceState.DRAFT, editable=False)
    payment_state = models.CharField(
        _("payment"), max_length=10, choices=PaymentState.choices, default=PaymentState.NOT_PAID, editable=False
    )
    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    entry = models.OneToOneField(
        JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="invoice", editable=False,
        verbose_name=_("journal entry"),
    )  # fmt: skip
    amount_untaxed = AmountField(_("untaxed"), default=Decimal(0), editable=False)
    amount_tax = AmountField(_("tax"), default=Decimal(0), editable=False)
    amount_total = AmountField(_("total"), default=Decimal(0), editable=False)
    amount_residual = AmountField(_("still due"), default=Decimal(0), editable=False)
    payment_hold = models.CharField(
        _("payment blocked"), max_length=500, blank=True, editable=False,
        help_text=_("Why this bill may not be paid yet (such as a purchase order match outside tolerance)."),
    )  # fmt: skip

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        permissions = [("post_invoice", _("Can post and cancel invoices"))]
        constraints = [
            ScopedUnique(
                fields=["company", "partner", "kind", "ref"],
                condition=Q(kind__in=["in_invoice", "in_refund"]) & ~Q(ref="") & ~Q(state="cancelled"),
                name="invoice_unique_vendor_reference",
                violation_error_message=_("This supplier's bill with this reference is already recorded."),
            ),
        ]
        indexes = [models.Index(fields=["company", "kind", "state", "date"]), models.Index(fields=["company", "partner"])]

    def __str__(self) -> str:
        return self.number or str(_("Draft %(kind)s #%(id)s") % {"kind": self.get_kind_display().lower(), "id": self.pk})

    @property
    def is_sale(self) -> bool:
        return self.kind in SALE_KINDS

    @property
    def is_refund(self) -> bool:
        return self.kind in REFUND_KINDS

    def clean(self) -> None:
        errors = {}
        if self.partner_id and self.partner.parent_id:
            errors["partner"] = _("Invoice the company partner, not one of its contacts or addresses.")
        if self.journal_id and self.kind and self.journal.type != ("sale" if self.kind in SALE_KINDS else "purchase"):
            errors["journal"] = _("Use a sales journal for customer documents and a purchase journal for vendor bills.")
        if errors:
            raise ValidationError(errors)


class InvoiceLine(CompanyOwned):
    """A line of an invoice: a product or a description, quantity, price, discount and taxes."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines", verbose_name=_("invoice"))
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("product")
    )
    description = models.CharField(_("description"), max_length=500)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("account"))
    quantity = QuantityField(_("quantity"), default=Decimal(1))
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("unit"))
    price_unit = PriceField(_("unit price"), default=Decimal(0))
    discount = models.DecimalField(
        _("discount (%)"), max_digits=7, decimal_places=4, default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    taxes = models.ManyToManyField(Tax, blank=True, related_name="+", verbose_name=_("taxes"))
    subtotal = AmountField(_("amount"), default=Decimal(0), editable=False)

    class Meta:
        ordering = ["invoice_id", "position", "id"]
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        constraints = [
            models.CheckConstraint(condition=Q(discount__gte=0) & Q(discount__lte=100), name="invoice_line_discount_percentage"),
        ]

    def __str__(self) -> str:
        return self.description
