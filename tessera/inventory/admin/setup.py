"""Warehouses, locations, product stock settings and category valuations."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import ScopedRelatedFilter
from tessera.core.services import record_save

from .. import hooks
from ..models import (
    CategoryValuation,
    Location,
    ProductStock,
    Warehouse,
)
from ..services import (
    location_save,
    warehouse_create,
)
from .base import InventoryAdmin

# --- set-up ----------------------------------------------------------------------------------------


@admin.register(Warehouse)
class WarehouseAdmin(InventoryAdmin):
    list_display = ["code", "name", "partner", "view_location", "stock_location", "active"]
    list_filter = ["active"]
    list_select_related = ["partner", "view_location", "stock_location"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["partner"]
    fields = ["name", "code", "partner", "active"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, "view_location", "stock_location"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["view_location", "stock_location"]

    def save_record(self, request: HttpRequest, obj: Warehouse, m2m: dict[str, Any]) -> None:
        if obj.pk is None:
            warehouse_create(obj, by=request.user)
        else:
            record_save(obj, by=request.user)


@admin.register(Location)
class LocationAdmin(InventoryAdmin):
    list_display = ["full_name", "usage", "warehouse", "valuation_account", "barcode", "active"]
    list_filter = ["usage", ("warehouse", ScopedRelatedFilter), "active"]
    list_select_related = ["warehouse", "valuation_account"]
    search_fields = ["full_name", "barcode"]
    ordering = ["full_name"]
    fields = ["name", "parent", "usage", "barcode", "valuation_account", "active"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, "full_name", "warehouse"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["full_name", "warehouse"]

    def save_record(self, request: HttpRequest, obj: Location, m2m: dict[str, Any]) -> None:
        location_save(obj, by=request.user)


def _route_choices() -> list[tuple[str, Any]]:
    return [(route.name, route.label) for route in hooks.routes()]


class ProductStockForm(forms.ModelForm):
    route = forms.ChoiceField(label=_("route"), choices=_route_choices, help_text=_("How needs for this product are filled."))

    class Meta:
        model = ProductStock
        fields = ["product", "tracking", "use_expiry", "route", "procurement_method", "lead_days"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        current = self.instance.route if self.instance.pk else None
        if current and current not in dict(_route_choices()):  # a route whose module is gone: keep it visible
            self.fields["route"].choices = [*_route_choices(), (current, current)]


@admin.register(ProductStock)
class ProductStockAdmin(InventoryAdmin):
    form = ProductStockForm
    list_display = ["product", "tracking", "use_expiry", "route", "procurement_method", "lead_days"]
    list_filter = ["tracking", "use_expiry", "route", "procurement_method"]
    list_select_related = ["product"]
    search_fields = ["product__sku", "product__name"]
    autocomplete_fields = ["product"]


@admin.register(CategoryValuation)
class CategoryValuationAdmin(InventoryAdmin):
    list_display = ["category", "cost_method", "valuation_account", "input_account", "output_account"]
    list_filter = ["cost_method"]
    list_select_related = ["category", "valuation_account", "input_account", "output_account"]
