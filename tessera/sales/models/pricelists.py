from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tessera.core.fields import PriceField, QuantityField
from tessera.core.models import CompanyOwned, Currency, Partner, Product, ProductCategory, ScopedUnique

ZERO = Decimal(0)


class Pricelist(CompanyOwned):
    """Sale prices in one currency: items by product, category or for all products, with quantity
    breaks and validity dates. A customer uses its own (CustomerPricelist), else its group's
    (CustomerGroup), else the company's default."""

    name = models.CharField(_("name"), max_length=100)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, related_name="+", verbose_name=_("currency"))
    active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default"), default=False, help_text=_("Used for customers without a price list."))

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("price list")
        verbose_name_plural = _("price lists")
        constraints = [
            models.UniqueConstraint(fields=["company"], condition=Q(is_default=True), name="sales_pricelist_one_default",
                                    violation_error_message=_("This company already has a default price list.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class PricelistItem(CompanyOwned):
    """One rule: a fixed price, or a discount on the product's sale price, from a quantity on."""

    pricelist = models.ForeignKey(Pricelist, on_delete=models.CASCADE, related_name="items", verbose_name=_("price list"))
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("product"),
        help_text=_("Empty: the category's products, or all products."),
    )  # fmt: skip
    category = models.ForeignKey(
        ProductCategory, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("category"),
        help_text=_("Its products and those of its sub-categories."),
    )  # fmt: skip
    min_quantity = QuantityField(_("from quantity"), default=ZERO, validators=[MinValueValidator(ZERO)],
                                 help_text=_("In the product's unit of measure."))  # fmt: skip
    fixed_price = PriceField(_("fixed price"), null=True, blank=True, validators=[MinValueValidator(ZERO)])
    percent_discount = models.DecimalField(
        _("discount (%)"), max_digits=7, decimal_places=4, null=True, blank=True,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal(100))],
        help_text=_("On the product's sale price."),
    )  # fmt: skip
    date_start = models.DateField(_("valid from"), null=True, blank=True)
    date_end = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["pricelist", "product", "category", "min_quantity", "id"]
        verbose_name = _("price list item")
        verbose_name_plural = _("price list items")
        constraints = [
            models.CheckConstraint(condition=Q(product__isnull=True) | Q(category__isnull=True),
                                   name="sales_pricelist_item_product_or_category"),
            models.CheckConstraint(condition=Q(fixed_price__isnull=True) ^ Q(percent_discount__isnull=True),
                                   name="sales_pricelist_item_one_rule"),
            models.CheckConstraint(condition=Q(fixed_price__isnull=True) | Q(fixed_price__gte=0),
                                   name="sales_pricelist_item_price_not_negative"),
            models.CheckConstraint(condition=Q(percent_discount__isnull=True)
                                   | (Q(percent_discount__gte=0) & Q(percent_discount__lte=100)),
                                   name="sales_pricelist_item_discount_range"),
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="sales_pricelist_item_quantity_not_negative"),
            models.CheckConstraint(condition=Q(date_start__isnull=True) | Q(date_end__isnull=True)
                                   | Q(date_end__gte=models.F("date_start")), name="sales_pricelist_item_dates"),
        ]  # fmt: skip

    def __str__(self) -> str:
        target = self.product or self.category or _("All products")
        return f"{self.pricelist} · {target} ≥ {self.min_quantity}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.product_id and self.category_id:
            errors["category"] = _("Choose a product or a category, not both.")
        if (self.fixed_price is None) == (self.percent_discount is None):
            errors["fixed_price"] = _("Give either a fixed price or a discount.")
        if self.date_start and self.date_end and self.date_end < self.date_start:
            errors["date_end"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


class CustomerGroup(CompanyOwned):
    """Customers priced alike ("Wholesale", "Retail"): the group's price list applies to its members
    that have no price list of their own. Flat: a group has no parent group."""

    name = models.CharField(_("name"), max_length=100)
    pricelist = models.ForeignKey(
        Pricelist, on_delete=models.PROTECT, null=True, blank=True, related_name="groups", verbose_name=_("price list"),
        help_text=_("Empty: the members get the company's default price list."),
    )  # fmt: skip

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        constraints = [
            ScopedUnique(fields=["company", "name"], name="sales_customer_group_unique_name",
                         violation_error_message=_("This company already has a customer group with this name.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name


class CustomerPricelist(CompanyOwned):
    """How one customer is priced: its own price list, its customer group, or both (its own list wins).
    Kept in sales: core's partners know nothing of price lists."""

    partner = models.OneToOneField(Partner, on_delete=models.CASCADE, related_name="sale_pricelist",
                                   verbose_name=_("customer"))  # fmt: skip
    pricelist = models.ForeignKey(Pricelist, on_delete=models.PROTECT, null=True, blank=True, related_name="customers",
                                  verbose_name=_("price list"),
                                  help_text=_("The customer's own price list; empty: its group's."))  # fmt: skip
    group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="members",
                              verbose_name=_("customer group"))  # fmt: skip

    class Meta:
        ordering = ["partner", "id"]
        verbose_name = _("customer price list")
        verbose_name_plural = _("customer price lists")
        constraints = [
            models.CheckConstraint(condition=Q(pricelist__isnull=False) | Q(group__isnull=False),
                                   name="sales_customer_pricelist_list_or_group",
                                   violation_error_message=_("Choose a price list, a customer group, or both.")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.partner} · {self.pricelist or self.group}"

    def clean(self) -> None:
        super().clean()
        # A member typed on a new group's page points at the group before the group is saved.
        if self.pricelist_id is None and self.group_id is None and getattr(self, "group", None) is None:
            raise ValidationError({"pricelist": _("Choose a price list, a customer group, or both.")})
