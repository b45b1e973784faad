from django.db import models
from django.utils.translation import gettext_lazy as _


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


ENTRY_TRANSITIONS = {EntryState.DRAFT: frozenset({EntryState.POSTED})}


class InvoiceState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")
    CANCELLED = "cancelled", _("Cancelled")


INVOICE_TRANSITIONS = {InvoiceState.DRAFT: frozenset({InvoiceState.POSTED, InvoiceState.CANCELLED})}


class PaymentState(models.TextChoices):
    NOT_PAID = "not_paid", _("Not paid")
    PARTIAL = "partial", _("Partially paid")
    PAID = "paid", _("Paid")
    REVERSED = "reversed", _("Reversed")


class PaymentDocState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    POSTED = "posted", _("Posted")


class FiscalYearState(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


FISCAL_YEAR_TRANSITIONS = {FiscalYearState.OPEN: frozenset({FiscalYearState.CLOSED})}
