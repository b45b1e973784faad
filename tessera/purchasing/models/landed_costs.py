from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Account, Invoice, JournalEntry
from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned
from tessera.inventory.models import Transfer

from ..states import LandedCostState

ZERO = Decimal(0)


class SplitMethod(models.TextChoices):
    QUANTITY = "quantity", _("By quantity")
    VALUE = "value", _("By value")
    EQUAL = "equal", _("Equally per line")


class LandedCost(CompanyOwned):
    """A cost of bringing goods in (freight, duties, insurance) added to a receipt: posting it spreads
    the amount over the receipt's goods and into the stock valuation."""

    receipt = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="landed_costs", verbose_name=_("receipt"))
    description = models.CharField(_("description"), max_length=200)
    amount = AmountField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))],
                         help_text=_("In the company's currency, without VAT."))  # fmt: skip
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("booked on"),
        help_text=_("The account the cost's bill was booked on; the landed cost moves it into stock."),
    )  # fmt: skip
    split = models.CharField(_("spread"), max_length=10, choices=SplitMethod.choices, default=SplitMethod.VALUE)
    bill = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                             verbose_name=_("bill of the cost"))  # fmt: skip
    date = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=10, choices=LandedCostState.choices, default=LandedCostState.DRAFT,
                             editable=False)  # fmt: skip
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
                              verbose_name=_("journal entry"))  # fmt: skip

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("landed cost")
        verbose_name_plural = _("landed costs")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="landed_cost_amount_positive")]

    def __str__(self) -> str:
        return f"{self.description}: {self.amount}"
