from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import FiscalPosition, Invoice, Tax
from tessera.core.fields import AmountField, PriceField, QuantityField
from tessera.core.models import CompanyOwned, Currency, Partner, PaymentTerm, Product, Uom
from tessera.inventory.models import ProcurementNeed, Transfer, Warehouse

from ..states import BillStatus, OrderState, ReceiptStatus
from .prices import SupplierPrice

ZERO = Decimal(0)


class PurchaseOrder(CompanyOwned):
    """A request for quotation, then, once confirmed (and approved where its amount asks for it), a
    purchase order: its receipts go through inventory and its bills through accounting."""

    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier"))
    partner_ref = models.CharField(_("supplier's reference"), max_length=100, blank=True,
                                   help_text=_("The supplier's quotation or order confirmation number."))  # fmt: skip
    date_order = models.DateField(_("order date"))
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    fiscal_position = models.ForeignKey(
        FiscalPosition, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("fiscal position"),
        help_text=_("Empty: found from the supplier's country and VAT number."),
    )  # fmt: skip
    payment_term = models.ForeignKey(
        PaymentTerm, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("payment term")
    )
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name=_("buyer"))  # fmt: skip
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+", verbose_name=_("deliver to"))
    note = models.TextField(_("terms and notes"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=OrderState.choices, default=OrderState.DRAFT, editable=False)
    receipt_status = models.CharField(
        _("receipt"), max_length=10, choices=ReceiptStatus.choices, default=ReceiptStatus.NOTHING, editable=False
    )
    bill_status = models.CharField(_("billing"), max_length=10, choices=BillStatus.choices, default=BillStatus.NOTHING,
                                   editable=False)  # fmt: skip
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", editable=False, verbose_name=_("approved by"))  # fmt: skip
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True, editable=False)
    amount_untaxed = AmountField(_("untaxed"), default=ZERO, editable=False)
    amount_tax = AmountField(_("tax"), default=ZERO, editable=False)
    amount_total = AmountField(_("total"), default=ZERO, editable=False)
    transfers = models.ManyToManyField(Transfer, blank=True, related_name="purchase_orders", editable=False,
                                       verbose_name=_("receipts"))  # fmt: skip
    invoices = models.ManyToManyField(Invoice, blank=True, related_name="purchase_orders", editable=False,
                                      verbose_name=_("bills"))  # fmt: skip

    class Meta:
        ordering = ["-date_order", "-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        permissions = [("approve_purchaseorder", _("Can approve purchase orders above the approval amount"))]
        indexes = [models.Index(fields=["company", "state", "date_order"]), models.Index(fields=["company", "partner"])]

    def __str__(self) -> str:
        return self.number or str(_("Draft RFQ %(id)s") % {"id": self.pk})


class PurchaseOrderLine(CompanyOwned):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(ZERO)])
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    price_unit = PriceField(_("unit price"), validators=[MinValueValidator(ZERO)])
    taxes = models.ManyToManyField(Tax, blank=True, related_name="+", verbose_name=_("taxes"))
    amount_untaxed = AmountField(_("subtotal"), default=ZERO, editable=False)
    date_planned = models.DateField(_("expected on"))
    supplier_price = models.ForeignKey(SupplierPrice, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                       editable=False, verbose_name=_("supplier price"))  # fmt: skip
    need = models.ForeignKey(ProcurementNeed, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             editable=False, verbose_name=_("for the need"))  # fmt: skip
    qty_received = QuantityField(_("received"), default=ZERO, editable=False)
    qty_billed = QuantityField(_("billed"), default=ZERO, editable=False)
    received_date = models.DateField(_("received on"), null=True, blank=True, editable=False,
                                     help_text=_("When the last of the ordered quantity came in."))  # fmt: skip

    class Meta:
        ordering = ["order", "position", "id"]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchase_line_quantity_positive"),
            models.CheckConstraint(condition=Q(price_unit__gte=0), name="purchase_line_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"

    @property
    def origin_key(self) -> str:
        """How the inventory moves of this line name it."""
        return f"purchasing.purchaseorderline:{self.pk}"
