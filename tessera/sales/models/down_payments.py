"""Down payments of sales orders (decision 13): each is a customer invoice of accounting, posted to the
customer-advances account, and deducted from the order's later invoices."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Invoice, InvoiceLine
from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned

from .orders import SaleOrder


class SaleDownPayment(CompanyOwned):
    """A down payment invoiced on an order. Deleting its draft invoice deletes it; a cancelled or
    draft invoice is never deducted."""

    order = models.ForeignKey(SaleOrder, on_delete=models.CASCADE, related_name="down_payments", verbose_name=_("order"))
    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="sale_down_payment", verbose_name=_("invoice"))
    percentage = models.DecimalField(
        _("percentage"), max_digits=7, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        help_text=_("Empty when a fixed amount was asked."),
    )  # fmt: skip
    amount = AmountField(_("amount"), help_text=_("Untaxed, in the order's currency."))

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("down payment")
        verbose_name_plural = _("down payments")

    def __str__(self) -> str:
        return str(self.invoice)


class SaleDownPaymentDeduction(CompanyOwned):
    """The part of a down payment's line that an invoice of the order deducts (untaxed, positive). Deleting
    the deducting draft deletes it; one of a cancelled invoice does not count."""

    down_payment = models.ForeignKey(
        SaleDownPayment, on_delete=models.CASCADE, related_name="deductions", verbose_name=_("down payment")
    )
    source_line = models.ForeignKey(InvoiceLine, on_delete=models.CASCADE, related_name="+", verbose_name=_("down payment line"))
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="+", verbose_name=_("deducted on"))
    amount = AmountField(_("amount"))

    class Meta:
        ordering = ["down_payment", "id"]
        verbose_name = _("down payment deduction")
        verbose_name_plural = _("down payment deductions")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="sale_down_payment_deduction_positive")]

    def __str__(self) -> str:
        return f"{self.down_payment} → {self.invoice}"


def down_payments_with_deducted() -> QuerySet[SaleDownPayment]:
    """Down payments with their invoice and what invoices not cancelled have deducted of them (`deducted`)."""
    deducted = Sum("deductions__amount", filter=~Q(deductions__invoice__state="cancelled"))
    zero = Value(Decimal(0), output_field=DecimalField(max_digits=20, decimal_places=4))
    return SaleDownPayment.objects.select_related("invoice").annotate(deducted=Coalesce(deducted, zero)).order_by("id")
