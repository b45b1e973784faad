from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.models import CompanyOwned, ScopedUnique
from tessera.core.models.base import CompanyQuerySet

FULL_NAME_LENGTH = 500


class LocationUsage(models.TextChoices):
    VIEW = "view", _("View (groups other locations)")
    INTERNAL = "internal", _("Internal")
    SUPPLIER = "supplier", _("Supplier")
    CUSTOMER = "customer", _("Customer")
    PRODUCTION = "production", _("Production")
    INVENTORY = "inventory", _("Inventory adjustment")
    SCRAP = "scrap", _("Scrap")
    TRANSIT = "transit", _("Transit")


# Locations that hold stock the company owns and counts. Every other usage is virtual: a move from
# or to it is where goods enter or leave the company's stock.
STOCK_USAGES = frozenset({LocationUsage.INTERNAL, LocationUsage.TRANSIT})
VIRTUAL_USAGES = frozenset(
    {LocationUsage.SUPPLIER, LocationUsage.CUSTOMER, LocationUsage.PRODUCTION, LocationUsage.INVENTORY, LocationUsage.SCRAP}
)


class LocationQuerySet(CompanyQuerySet):
    def under(self, location: "Location") -> "LocationQuerySet":
        """The location and every location inside it (by path)."""
        return self.filter(company_id=location.company_id).filter(
            Q(pk=location.pk) | Q(full_name__startswith=f"{location.full_name}/")
        )


class Location(CompanyOwned):
    """A place goods are in: a warehouse's stock, a shelf or bin, or a virtual partner location."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent location")
    )
    full_name = models.CharField(_("full name"), max_length=FULL_NAME_LENGTH, editable=False)
    usage = models.CharField(_("type"), max_length=12, choices=LocationUsage.choices, default=LocationUsage.INTERNAL)
    warehouse = models.ForeignKey(
        "Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="locations", verbose_name=_("warehouse"),
        editable=False,
    )  # fmt: skip
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    valuation_account = models.ForeignKey(
        "accounting.Account", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("counterpart account"),
        help_text=_("For a virtual location: the account stock entering from it or leaving to it is booked against, "
                    "instead of the category's stock input or output account (such as an opening-balance suspense account)."),
    )  # fmt: skip
    active = models.BooleanField(_("active"), default=True)

    objects = LocationQuerySet.as_manager()

    validated_computed_fields = ("company", "full_name", "warehouse")
    constraint_error_fields = {"full_name": "name"}

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            ScopedUnique(fields=["company", "full_name"], name="location_unique_path",
                         violation_error_message=_("This location already exists.")),
            ScopedUnique(fields=["company", "barcode"], condition=~Q(barcode=""), name="location_unique_barcode",
                         violation_error_message=_("Another location already has this barcode.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.full_name or self.name

    @property
    def holds_stock(self) -> bool:
        return self.usage in STOCK_USAGES

    @property
    def is_virtual(self) -> bool:
        return self.usage in VIRTUAL_USAGES

    def clean(self) -> None:
        if "/" in self.name:
            raise ValidationError({"name": _("A location name cannot contain '/'.")})
        self.full_name = f"{self.parent.full_name}/{self.name}" if self.parent_id else self.name
        if len(self.full_name) > FULL_NAME_LENGTH:
            raise ValidationError({"name": _("The path of this location is too long.")})
        if self.parent_id:
            self.warehouse_id = self.parent.warehouse_id
            ancestor = self.parent
            while ancestor is not None:
                if self.pk is not None and ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A location cannot be inside itself.")})
                ancestor = ancestor.parent


class Warehouse(CompanyOwned):
    """A site with its own location tree: a view location above the stock location and its bins."""

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("short code"), max_length=8, help_text=_("Prefixes its locations and transfers, such as WH."))
    partner = models.ForeignKey(
        "core.Partner", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("address")
    )
    view_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, related_name="+", editable=False, verbose_name=_("view location")
    )
    stock_location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, related_name="+", editable=False, verbose_name=_("stock location")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        constraints = [
            ScopedUnique(fields=["company", "code"], name="warehouse_unique_code",
                         violation_error_message=_("Another warehouse already has this code.")),
            ScopedUnique(fields=["company", "name"], name="warehouse_unique_name",
                         violation_error_message=_("Another warehouse already has this name.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.code = self.code.strip().upper()
        if "/" in self.code or "/" in self.name:
            raise ValidationError({"code": _("A warehouse code cannot contain '/'.")})
