from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Quotation")
    SENT = "sent", _("Quotation sent")
    SALE = "sale", _("Sales order")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_TRANSITIONS = {
    OrderState.DRAFT: frozenset({OrderState.SENT, OrderState.SALE, OrderState.CANCELLED}),
    OrderState.SENT: frozenset({OrderState.SALE, OrderState.CANCELLED}),
    OrderState.SALE: frozenset({OrderState.CANCELLED}),
}


class DeliveryStatus(models.TextChoices):
    NOTHING = "nothing", _("Nothing delivered")
    PARTIAL = "partial", _("Partially delivered")
    FULL = "full", _("Fully delivered")


class InvoiceStatus(models.TextChoices):
    NOTHING = "nothing", _("Nothing to invoice")
    TO_INVOICE = "to_invoice", _("To invoice")
    TO_CREDIT = "to_credit", _("Credit note to issue")
    INVOICED = "invoiced", _("Fully invoiced")
