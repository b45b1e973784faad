from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import PriceField, QuantityField
from tessera.core.models import CompanyOwned, Partner, Product, Uom

from ..states import MoveState, TransferState
from .locations import Location, Warehouse
from .products import Lot

ZERO = Decimal(0)


class Quant(CompanyOwned):
    """How much of a product (in its unit) is at a location, per lot, and how much of it is reserved.

    Maintained by the move services in the transaction that moves the goods, never recomputed."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="quants", verbose_name=_("location"))
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="quants", verbose_name=_("lot"))
    quantity = QuantityField(_("on hand"), default=ZERO)
    reserved_quantity = QuantityField(_("reserved"), default=ZERO)
    in_date = models.DateTimeField(_("first received"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock quant")
        verbose_name_plural = _("on hand")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "location"], condition=Q(lot__isnull=True), name="quant_unique_without_lot"
            ),
            models.UniqueConstraint(
                fields=["product", "location", "lot"], condition=Q(lot__isnull=False), name="quant_unique_lot"
            ),
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0), name="quant_reserved_not_negative"),
            # Reserved stock is stock there: nothing can be reserved beyond what is on hand.
            models.CheckConstraint(
                condition=Q(reserved_quantity=0) | Q(reserved_quantity__lte=F("quantity")), name="quant_reserved_within_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["location", "product"]), models.Index(fields=["product", "location"])]

    def __str__(self) -> str:
        return f"{self.product} @ {self.location}: {self.quantity}"

    @property
    def available_quantity(self) -> Decimal:
        return self.quantity - self.reserved_quantity


class TransferKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt")
    DELIVERY = "delivery", _("Delivery")
    INTERNAL = "internal", _("Internal transfer")


class Transfer(CompanyOwned):
    """Goods moved together: a receipt, a delivery or an internal transfer."""

    kind = models.CharField(_("kind"), max_length=10, choices=TransferKind.choices)
    number = models.CharField(_("number"), max_length=64, blank=True, editable=False)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("warehouse"))
    source_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    destination_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers", verbose_name=_("partner")
    )
    scheduled_date = models.DateTimeField(_("scheduled for"))
    date_done = models.DateTimeField(_("done on"), null=True, blank=True, editable=False)
    origin = models.CharField(_("source document"), max_length=100, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=TransferState.choices, default=TransferState.DRAFT, editable=False
    )
    backorder_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="backorders", editable=False,
        verbose_name=_("backorder of"),
    )  # fmt: skip
    return_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="returns", editable=False,
        verbose_name=_("return of"),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-scheduled_date", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        permissions = [("validate_transfer", _("Can validate transfers"))]
        indexes = [models.Index(fields=["company", "state", "scheduled_date"])]

    def __str__(self) -> str:
        return self.number or _("Draft transfer %(id)s") % {"id": self.pk}


class Move(CompanyOwned):
    """A quantity of a product going from one location to another: the quantity ledger's entry.

    Its lines say from which exact location and lot the goods come; a done move never changes."""

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, null=True, blank=True, related_name="moves", verbose_name=_("transfer")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = QuantityField(_("quantity"))
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit"))
    product_quantity = QuantityField(_("quantity in the product's unit"), default=ZERO, editable=False)
    reserved_quantity = QuantityField(_("reserved"), default=ZERO, editable=False)
    source_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    destination_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    state = models.CharField(_("state"), max_length=10, choices=MoveState.choices, default=MoveState.DRAFT, editable=False)
    date = models.DateTimeField(_("date"), help_text=_("Planned until done, then when it was done."))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    unit_cost = PriceField(
        _("unit cost"),
        null=True,
        blank=True,
        help_text=_("Cost of one unit received (in the product's unit); empty: the product's cost."),
    )
    origin_key = models.CharField(
        _("origin"), max_length=64, blank=True, db_index=True, editable=False,
        help_text=_("The document line this move serves, as app.model:id (such as a sales order line); "
                    "its backorders and returns keep it."),
    )  # fmt: skip
    returned_move = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="returns", editable=False,
        verbose_name=_("return of"),
    )  # fmt: skip

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="move_quantity_positive"),
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0), name="move_reserved_not_negative"),
        ]
        indexes = [
            models.Index(fields=["company", "product", "state"]),
            models.Index(fields=["product", "state", "date"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.reference or self.product}: {self.quantity} {self.uom} {self.source_location} → {self.destination_location}"
        )


class MoveLine(CompanyOwned):
    """The detail of a move: from which location and lot, how much reserved and how much moved."""

    move = models.ForeignKey(Move, on_delete=models.CASCADE, related_name="lines", verbose_name=_("move"))
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    lot = models.ForeignKey(
        Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="move_lines", verbose_name=_("lot")
    )
    source_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("from"))
    destination_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+", verbose_name=_("to"))
    reserved_quantity = QuantityField(_("reserved"), default=ZERO)
    quantity = QuantityField(_("done"), default=ZERO, help_text=_("In the product's unit."))
    done = models.BooleanField(_("done"), default=False, editable=False)
    date = models.DateTimeField(_("date"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        verbose_name = _("move line")
        verbose_name_plural = _("move lines")
        constraints = [
            models.CheckConstraint(condition=Q(reserved_quantity__gte=0), name="move_line_reserved_not_negative"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="move_line_quantity_not_negative"),
        ]
        indexes = [
            models.Index(fields=["product", "date"], condition=Q(done=True), name="move_line_done_by_product"),
            models.Index(fields=["lot"], condition=Q(lot__isnull=False), name="move_line_by_lot"),
        ]

    def __str__(self) -> str:
        return f"{self.product} {self.quantity} {self.source_location} → {self.destination_location}"
