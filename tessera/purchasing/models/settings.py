from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import AmountField
from tessera.core.models import CompanyOwned, ScopedUnique

PERCENT = {"max_digits": 7, "decimal_places": 4, "validators": [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]}


class PurchaseSettings(CompanyOwned):
    """A company's purchasing rules: when an order needs a manager's approval, and how far receipts
    and bills may stray from the order."""

    approval_amount = AmountField(
        _("approval above"), default=Decimal(5000), validators=[MinValueValidator(Decimal(0))],
        help_text=_("Orders whose untaxed total (in the company's currency) is above this amount need a purchasing "
                    "manager's approval before they are sent. 0: every order needs it."),
    )  # fmt: skip
    quantity_tolerance = models.DecimalField(
        _("quantity tolerance (%)"), default=Decimal(5), **PERCENT,
        help_text=_("How much more than ordered may be received, and billed beyond what was received."),
    )  # fmt: skip
    price_tolerance = models.DecimalField(
        _("price tolerance (%)"), default=Decimal(2), **PERCENT,
        help_text=_("How far a billed unit price may be above the ordered one before the bill is blocked for payment."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("purchasing settings")
        verbose_name_plural = _("purchasing settings")
        constraints = [ScopedUnique(fields=["company"], name="purchase_settings_one_per_company")]

    def __str__(self) -> str:
        return str(_("Purchasing settings"))
