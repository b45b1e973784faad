from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Invoice
from tessera.core.fields import PriceField, QuantityField
from tessera.core.models import CompanyOwned

from ..states import MatchState
from .orders import PurchaseOrderLine

ZERO = Decimal(0)


class BillMatch(CompanyOwned):
    """The three-way match of a posted vendor bill with its purchase orders: ordered, received and
    billed quantities and prices. Outside the tolerance the bill is blocked for payment until a
    purchasing manager accepts it."""

    invoice = models.OneToOneField(Invoice, on_delete=models.CASCADE, related_name="purchase_match", verbose_name=_("bill"))
    state = models.CharField(_("state"), max_length=10, choices=MatchState.choices, editable=False)
    reason = models.TextField(_("why it is blocked"), blank=True, editable=False)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", editable=False, verbose_name=_("accepted by"))  # fmt: skip
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("bill match")
        verbose_name_plural = _("bill matches")
        permissions = [("accept_billmatch", _("Can accept a bill outside the matching tolerance"))]

    def __str__(self) -> str:
        return f"{self.invoice}: {self.get_state_display()}"


class BillMatchLine(CompanyOwned):
    """What a posted bill billed of one order line, in the line's unit, at which unit price."""

    match = models.ForeignKey(BillMatch, on_delete=models.CASCADE, related_name="lines", verbose_name=_("match"))
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, related_name="billings",
                                   verbose_name=_("order line"))  # fmt: skip
    quantity = QuantityField(_("billed"))
    price_unit = PriceField(_("billed unit price"))
    received = QuantityField(_("received when billed"), default=ZERO)

    class Meta:
        ordering = ["match", "id"]
        verbose_name = _("bill match line")
        verbose_name_plural = _("bill match lines")

    def __str__(self) -> str:
        return f"{self.order_line}: {self.quantity} × {self.price_unit}"
