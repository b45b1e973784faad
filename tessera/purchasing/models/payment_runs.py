from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Invoice, Journal
from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned, Partner

from ..states import PaymentRunState

ZERO = Decimal(0)


class PaymentRun(CompanyOwned):
    """Due vendor bills paid together by one SEPA credit transfer file, from one bank journal's account.
    Sending it does not pay the bills: the bank statement does, when it shows the transfers."""

    number = models.CharField(_("number"), max_length=35, blank=True, editable=False,
                              help_text=_("Also the file's message id."))  # fmt: skip
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="+", verbose_name=_("pay from"))
    execution_date = models.DateField(_("execution date"))
    state = models.CharField(_("state"), max_length=10, choices=PaymentRunState.choices, default=PaymentRunState.DRAFT,
                             editable=False)  # fmt: skip
    amount_total = AmountField(_("total"), default=ZERO, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                editable=False, verbose_name=_("sent by"))  # fmt: skip

    class Meta:
        ordering = ["-execution_date", "-id"]
        verbose_name = _("payment run")
        verbose_name_plural = _("payment runs")

    def __str__(self) -> str:
        return self.number or str(_("Draft payment run %(id)s") % {"id": self.pk})


class PaymentRunLine(CompanyOwned):
    """One transfer of a run: what is paid of one bill, to which account, with which communication."""

    run = models.ForeignKey(PaymentRun, on_delete=models.CASCADE, related_name="lines", verbose_name=_("payment run"))
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payment_run_lines", verbose_name=_("bill"))
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="+", verbose_name=_("supplier"))
    amount = AmountField(_("amount"))
    iban = models.CharField(_("IBAN"), max_length=42)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    communication = models.CharField(_("communication"), max_length=140, blank=True)
    end_to_end_id = models.CharField(_("end-to-end id"), max_length=35)

    class Meta:
        ordering = ["run", "id"]
        verbose_name = _("payment run line")
        verbose_name_plural = _("payment run lines")

    def __str__(self) -> str:
        return f"{self.invoice}: {self.amount}"
