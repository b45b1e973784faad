from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderState(models.TextChoices):
    DRAFT = "draft", _("Request for quotation")
    SENT = "sent", _("RFQ sent")
    TO_APPROVE = "to_approve", _("To approve")
    PURCHASE = "purchase", _("Purchase order")
    CANCELLED = "cancelled", _("Cancelled")


ORDER_TRANSITIONS = {
    OrderState.DRAFT: frozenset({OrderState.SENT, OrderState.TO_APPROVE, OrderState.PURCHASE, OrderState.CANCELLED}),
    OrderState.SENT: frozenset({OrderState.TO_APPROVE, OrderState.PURCHASE, OrderState.CANCELLED}),
    OrderState.TO_APPROVE: frozenset({OrderState.PURCHASE, OrderState.CANCELLED}),
    OrderState.PURCHASE: frozenset({OrderState.CANCELLED}),
}


class ReceiptStatus(models.TextChoices):
    NOTHING = "nothing", _("Nothing received")
    PARTIAL = "partial", _("Partially received")
    FULL = "full", _("Fully received")


class BillStatus(models.TextChoices):
    NOTHING = "nothing", _("Nothing to bill")
    TO_BILL = "to_bill", _("Waiting for bills")
    BILLED = "billed", _("Fully billed")


class MatchState(models.TextChoices):
    MATCHED = "matched", _("Matched")
    BLOCKED = "blocked", _("Blocked for payment")
    ACCEPTED = "accepted", _("Accepted by a manager")


class PaymentRunState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the bank")
    CANCELLED = "cancelled", _("Cancelled")


PAYMENT_RUN_TRANSITIONS = {
    PaymentRunState.DRAFT: frozenset({PaymentRunState.SENT, PaymentRunState.CANCELLED}),
}


class LandedCostState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


LANDED_COST_TRANSITIONS = {LandedCostState.DRAFT: frozenset({LandedCostState.POSTED})}
