"""Back office of the price lists: a price list with its items, the customer groups with their
members, and the customers' price lists and groups."""

from typing import Any

from django.contrib import admin
from django.db.models import Count
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import LinesInline, RecordAdmin, RecordInline

from .models import CustomerPricelist, Pricelist, PricelistItem
from .models.pricelists import CustomerGroup


class PricelistItemInline(LinesInline):
    model = PricelistItem
    fields = ["product", "category", "min_quantity", "fixed_price", "percent_discount", "date_start", "date_end"]
    autocomplete_fields = ["product"]
    extra = 1


@admin.register(Pricelist)
class PricelistAdmin(RecordAdmin):
    list_display = ["name", "currency", "is_default", "active"]
    list_filter = ["active", "is_default", "currency"]
    fields = ["name", "currency", "is_default", "active"]
    search_fields = ["name"]
    inlines = [PricelistItemInline]


class CustomerGroupMemberInline(RecordInline):
    """The group's customers, each with its own price list if it has one (that list comes first).
    Their records have their own permissions (customer price lists)."""

    model = CustomerPricelist
    fk_name = "group"
    fields = ["partner", "pricelist"]
    autocomplete_fields = ["partner", "pricelist"]
    verbose_name = _("customer")
    verbose_name_plural = _("customers")
    extra = 1

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("partner", "pricelist")


@admin.register(CustomerGroup)
class CustomerGroupAdmin(RecordAdmin):
    list_display = ["name", "pricelist", "member_count"]
    list_filter = ["pricelist"]
    list_select_related = ["pricelist"]
    fields = ["name", "pricelist"]
    search_fields = ["name"]
    autocomplete_fields = ["pricelist"]
    inlines = [CustomerGroupMemberInline]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).annotate(member_count=Count("members"))

    @admin.display(description=_("customers"), ordering="member_count")
    def member_count(self, obj: CustomerGroup) -> int:
        return obj.member_count


@admin.register(CustomerPricelist)
class CustomerPricelistAdmin(RecordAdmin):
    list_display = ["partner", "pricelist", "group"]
    list_filter = ["group", "pricelist"]
    list_select_related = ["partner", "pricelist", "group"]
    fields = ["partner", "pricelist", "group"]
    search_fields = ["partner__name", "pricelist__name", "group__name"]
    autocomplete_fields = ["partner", "pricelist", "group"]
