from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import FiscalPosition, Invoice, Tax
from tessera.core.fields import AmountField, PriceField, QuantityField
from tessera.core.models import CompanyOwned, Currency, Partner, PaymentTerm, Product, Uom
from tessera.inventory.models import Transfer, Warehouse

from ..states import DeliveryStatus, InvoiceStatus, OrderState
from .pricelists import Pricelist

ZERO = Decimal(0)


class InvoicePolicy(models.TextChoices):
    ORDERED = "ordered", _("Ordered quantities")
    DELIVERED = "delivered", _("Delivered quantities")


class SaleOrder(CompanyOwned):
    """A quotation, then, once confirmed, a sales order: its delivery goes through inventory and its
    invoices through accounting."""

    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="sale_orders", verbose_name=_("customer"))
    date_order = models.DateField(_("order date"))
    validity_date = models.DateField(_("valid until"), null=True, blank=True)
    client_order_ref = models.CharField(_("customer reference"), max_length=100, blank=True)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    pricelist = models.ForeignKey(
        Pricelist, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("price list"),
        help_text=_("Empty: the customer's price list, else the company's default one."),
    )  # fmt: skip
    fiscal_position = models.ForeignKey(
        FiscalPosition, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("fiscal position"),
        help_text=_("Empty: found from the customer's country and VAT number."),
    )  # fmt: skip
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment term")
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("salesperson"),
    )  # fmt: skip
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("warehouse"))
    invoice_policy = models.CharField(_("invoice"), max_length=10, choices=InvoicePolicy.choices, default=InvoicePolicy.ORDERED)
    commitment_date = models.DateField(
        _("delivery date asked"), null=True, blank=True, help_text=_("The date the customer wants the goods.")
    )
    note = models.TextField(_("terms and notes"), blank=True)
    state = models.CharField(_("state"), max_length=10, choices=OrderState.choices, default=OrderState.DRAFT, editable=False)
    delivery_status = models.CharField(
        _("delivery"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.NOTHING, editable=False
    )
    invoice_status = models.CharField(
        _("invoicing"), max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.NOTHING, editable=False
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    amount_untaxed = AmountField(_("untaxed"), default=ZERO, editable=False)
    amount_tax = AmountField(_("tax"), default=ZERO, editable=False)
    amount_total = AmountField(_("total"), default=ZERO, editable=False)
    transfers = models.ManyToManyField(Transfer, blank=True, related_name="sale_orders", editable=False,
                                       verbose_name=_("deliveries"))  # fmt: skip
    invoices = models.ManyToManyField(Invoice, blank=True, related_name="sale_orders", editable=False,
                                      verbose_name=_("invoices"))  # fmt: skip

    class Meta:
        ordering = ["-date_order", "-id"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [models.Index(fields=["company", "state", "date_order"])]

    def __str__(self) -> str:
        return self.number or _("Draft quotation %(id)s") % {"id": self.pk}


class SaleOrderLine(CompanyOwned):
    order = models.ForeignKey(SaleOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(ZERO)])
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    price_unit = PriceField(_("unit price"), validators=[MinValueValidator(ZERO)])
    discount = models.DecimalField(
        _("discount (%)"), max_digits=7, decimal_places=4, default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
    )  # fmt: skip
    taxes = models.ManyToManyField(Tax, blank=True, related_name="+", verbose_name=_("taxes"))
    amount_untaxed = AmountField(_("subtotal"), default=ZERO, editable=False)
    qty_delivered = QuantityField(_("delivered"), default=ZERO, editable=False)
    qty_invoiced = QuantityField(_("invoiced"), default=ZERO, editable=False)
    promised_date = models.DateField(_("promised for"), null=True, blank=True, editable=False)
    delivered_date = models.DateField(_("delivered on"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sale_line_quantity_positive"),
            models.CheckConstraint(condition=Q(discount__gte=0) & Q(discount__lte=100), name="sale_line_discount_range"),
            models.CheckConstraint(condition=Q(price_unit__gte=0), name="sale_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def origin_key(self) -> str:
        """How the inventory moves of this line name it."""
        return f"sales.saleorderline:{self.pk}"
