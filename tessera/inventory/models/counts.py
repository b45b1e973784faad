from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import QuantityField
from tessera.core.models import CompanyOwned, Product, Uom

from ..states import CountState
from .locations import Location
from .products import Lot
from .stock import ZERO, Move


class InventoryCount(CompanyOwned):
    """A physical count of a location (and its bins): expected quantities are frozen when counting
    starts; the differences are posted as adjustment moves when it is done."""

    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    date = models.DateField(_("date"))
    state = models.CharField(_("state"), max_length=12, choices=CountState.choices, default=CountState.DRAFT, editable=False)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("inventory count")
        verbose_name_plural = _("inventory counts")

    def __str__(self) -> str:
        return self.number or _("Draft count %(id)s") % {"id": self.pk}


class InventoryCountLine(CompanyOwned):
    count = models.ForeignKey(InventoryCount, on_delete=models.CASCADE, related_name="lines", verbose_name=_("count"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("location"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    expected_quantity = QuantityField(_("expected"), default=ZERO, editable=False)
    counted_quantity = QuantityField(_("counted"), null=True, blank=True, validators=[MinValueValidator(ZERO)])
    move = models.ForeignKey(Move, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False,
                             verbose_name=_("adjustment"))  # fmt: skip

    class Meta:
        ordering = ["location", "product", "id"]
        verbose_name = _("count line")
        verbose_name_plural = _("count lines")
        constraints = [
            models.CheckConstraint(condition=Q(counted_quantity__isnull=True) | Q(counted_quantity__gte=0),
                                   name="count_line_counted_not_negative"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.product} @ {self.location}"


class Scrap(CompanyOwned):
    """Goods thrown away, with the reason: a move from a stock location to the scrap location."""

    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = QuantityField(_("quantity"), validators=[MinValueValidator(ZERO)])
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("lot"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    reason = models.CharField(_("reason"), max_length=200)
    date = models.DateTimeField(_("date"), null=True, blank=True, editable=False)
    move = models.OneToOneField(Move, on_delete=models.PROTECT, null=True, blank=True, related_name="scrap", editable=False,
                                verbose_name=_("move"))  # fmt: skip

    class Meta:
        ordering = ["-id"]
        verbose_name = _("scrap")
        verbose_name_plural = _("scrap")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="scrap_quantity_positive")]

    def __str__(self) -> str:
        return self.number or _("Draft scrap %(id)s") % {"id": self.pk}
