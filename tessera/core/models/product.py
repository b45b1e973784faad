from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..fields import PriceField
from ..identifiers import normalize_barcode
from .base import CompanyOwned, ScopedUnique
from .uom import Uom

FULL_NAME_LENGTH = 500


class ProductCategory(CompanyOwned):
    """A node in the product category tree. `full_name` holds the whole path, kept by the services."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent category")
    )
    full_name = models.CharField(_("full name"), max_length=FULL_NAME_LENGTH, editable=False)

    validated_computed_fields = ("company", "full_name")
    constraint_error_fields = {"full_name": "name"}

    class Meta:
        ordering = ["full_name"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        constraints = [
            ScopedUnique(
                fields=["company", "full_name"],
                name="product_category_unique_path",
                violation_error_message=_("This category already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.full_name or self.name

    def clean(self) -> None:
        if "/" in self.name:
            raise ValidationError({"name": _("A category name cannot contain '/'.")})
        self.full_name = self.path_name()
        if len(self.full_name) > FULL_NAME_LENGTH:
            raise ValidationError(
                {"name": _("The path of this category is too long (%(count)d characters at most).") % {"count": FULL_NAME_LENGTH}}
            )
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A category cannot be inside itself.")})
            ancestor = ancestor.parent

    def path_name(self) -> str:
        return f"{self.parent.full_name} / {self.name}" if self.parent_id else self.name


class ProductType(models.TextChoices):
    STOCKABLE = "stockable", _("Stockable")
    CONSUMABLE = "consumable", _("Consumable")
    SERVICE = "service", _("Service")


class Product(CompanyOwned):
    """Something the company buys, makes, stocks or sells."""

    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("internal reference"), max_length=64, blank=True, help_text=_("SKU, unique in the company."))
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=ProductType.choices, default=ProductType.STOCKABLE)
    category = models.ForeignKey(ProductCategory, on_delete=models.PROTECT, related_name="products", verbose_name=_("category"))
    uom = models.ForeignKey(Uom, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit of measure"))
    purchase_uom = models.ForeignKey(
        Uom,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("purchase unit"),
        help_text=_("Same category as the unit of measure."),
    )
    sale_price = PriceField(_("sale price"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    cost = PriceField(_("cost"), default=Decimal(0), validators=[MinValueValidator(Decimal(0))])
    can_be_sold = models.BooleanField(_("can be sold"), default=True)
    can_be_purchased = models.BooleanField(_("can be purchased"), default=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sku", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            ScopedUnique(
                fields=["company", "sku"],
                condition=~Q(sku=""),
                name="product_sku_unique_per_company",
                violation_error_message=_("Another product of this company already has this internal reference."),
            ),
            ScopedUnique(
                fields=["company", "barcode"],
                condition=~Q(barcode=""),
                name="product_barcode_unique_per_company",
                violation_error_message=_("Another product of this company already has this barcode."),
            ),
            models.CheckConstraint(condition=Q(sale_price__gte=0), name="product_sale_price_not_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_not_negative"),
        ]
        indexes = [models.Index(fields=["company", "name"])]

    def __str__(self) -> str:
        return f"[{self.sku}] {self.name}" if self.sku else self.name

    def clean(self) -> None:
        errors = {}
        self.sku = self.sku.strip()
        if self.barcode:
            try:
                self.barcode = normalize_barcode(self.barcode)
            except ValueError as exc:
                errors["barcode"] = str(exc)
        if self.uom_id and self.purchase_uom_id and self.uom.category_id != self.purchase_uom.category_id:
            errors["purchase_uom"] = _("The purchase unit must measure the same thing as the unit of measure (%(category)s).") % {
                "category": self.uom.category
            }
        if errors:
            raise ValidationError(errors)
