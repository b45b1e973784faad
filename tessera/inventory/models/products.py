from django.db import models
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Account
from tessera.core.models import CompanyOwned, Product, ProductCategory, ScopedUnique


class Tracking(models.TextChoices):
    NONE = "none", _("Not tracked")
    LOT = "lot", _("By lot")
    SERIAL = "serial", _("By unique serial number")


class ProcurementMethod(models.TextChoices):
    MAKE_TO_STOCK = "mts", _("Make to stock")
    MAKE_TO_ORDER = "mto", _("Make to order")


class ProductStock(CompanyOwned):
    """How inventory handles a product: tracking, expiry, and the route that obtains it."""

    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="stock", verbose_name=_("product"))
    tracking = models.CharField(_("tracking"), max_length=8, choices=Tracking.choices, default=Tracking.NONE)
    use_expiry = models.BooleanField(_("lots expire"), default=False, help_text=_("Lots carry an expiry date; FEFO applies."))
    route = models.CharField(
        _("route"),
        max_length=32,
        default="manual",
        help_text=_("How needs for this product are filled: buy, manufacture, manual…"),
    )
    procurement_method = models.CharField(
        _("procurement"), max_length=3, choices=ProcurementMethod.choices, default=ProcurementMethod.MAKE_TO_STOCK
    )
    lead_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=0)

    class Meta:
        verbose_name = _("product stock settings")
        verbose_name_plural = _("product stock settings")

    def __str__(self) -> str:
        return str(self.product)


class CostMethod(models.TextChoices):
    FIFO = "fifo", _("First in, first out (FIFO)")
    AVERAGE = "average", _("Weighted average cost (AVCO)")


class CategoryValuation(CompanyOwned):
    """Perpetual valuation of a product category: its cost method and the accounts it posts to.

    Receipts debit the valuation account and credit the input account; deliveries, scrap and
    count differences credit the valuation account and debit the output account (see decision 11)."""

    category = models.OneToOneField(
        ProductCategory, on_delete=models.CASCADE, related_name="valuation", verbose_name=_("category")
    )
    cost_method = models.CharField(_("costing method"), max_length=8, choices=CostMethod.choices, default=CostMethod.FIFO)
    valuation_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock valuation account")
    )
    input_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock input account"))
    output_account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("stock output account (cost of goods sold)")
    )

    class Meta:
        verbose_name = _("category valuation")
        verbose_name_plural = _("category valuations")

    def __str__(self) -> str:
        return str(self.category)


class Lot(CompanyOwned):
    """A lot or serial number of a product, with its expiry date when the product's lots expire."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots", verbose_name=_("product"))
    name = models.CharField(_("lot or serial number"), max_length=100)
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    constraint_error_fields = {"name": "name"}

    class Meta:
        ordering = ["product", "name"]
        verbose_name = _("lot/serial number")
        verbose_name_plural = _("lots/serial numbers")
        constraints = [
            ScopedUnique(fields=["company", "product", "name"], name="lot_unique_per_product",
                         violation_error_message=_("This product already has a lot or serial with this number.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name
