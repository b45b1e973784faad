"""The quantity ledger, read only: moves, on hand (where the report pages are mounted), lots, valuation layers."""

from decimal import Decimal
from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import Sum
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import ScopedRelatedFilter

from ..models import (
    Lot,
    Move,
    MoveLine,
    Quant,
    ValuationLayer,
)
from ..views import report_urlpatterns
from .base import ZERO, InventoryAdmin, ReadOnlyAdmin

# --- the ledger ------------------------------------------------------------------------------------


class MoveLineInline(admin.TabularInline):
    model = MoveLine
    fields = ["source_location", "destination_location", "lot", "reserved_quantity", "quantity", "done", "date"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Move)
class MoveAdmin(ReadOnlyAdmin):
    """The quantity ledger: every move, done ones final."""

    list_display = ["date", "reference", "product", "quantity", "uom", "source_location", "destination_location", "state"]
    list_filter = ["state", "transfer__kind", ("product", ScopedRelatedFilter), ("source_location", ScopedRelatedFilter),
                   ("destination_location", ScopedRelatedFilter), "date"]  # fmt: skip
    list_select_related = ["product", "uom", "source_location", "destination_location"]
    search_fields = ["reference", "product__sku", "product__name"]
    date_hierarchy = "date"
    inlines = [MoveLineInline]


@admin.register(Quant)
class QuantAdmin(ReadOnlyAdmin):
    """What is on hand, per product, location and lot; the inventory reports hang off this list."""

    list_display = ["product", "location", "lot", "quantity", "reserved_quantity", "available"]
    list_filter = [("location__warehouse", ScopedRelatedFilter), ("location", ScopedRelatedFilter),
                   ("product__category", ScopedRelatedFilter), ("product", ScopedRelatedFilter)]  # fmt: skip
    list_select_related = ["product", "location", "lot"]
    search_fields = ["product__sku", "product__name", "location__full_name", "lot__name"]
    ordering = ["product__name", "location__full_name", "lot__name"]

    @admin.display(description=_("available"))
    def available(self, quant: Quant) -> Decimal:
        return quant.available_quantity

    def get_urls(self) -> list:
        return [*report_urlpatterns(self.admin_site), *super().get_urls()]


@admin.register(Lot)
class LotAdmin(InventoryAdmin):
    list_display = ["name", "product", "expiry_date", "on_hand", "traceability"]
    list_filter = [("product", ScopedRelatedFilter), "expiry_date"]
    list_select_related = ["product"]
    search_fields = ["name", "product__sku", "product__name"]
    autocomplete_fields = ["product"]
    fields = ["name", "product", "expiry_date", "note"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).annotate(on_hand=Sum("quants__quantity", default=ZERO))

    @admin.display(description=_("on hand"), ordering="on_hand")
    def on_hand(self, lot: Lot) -> Decimal:
        return lot.on_hand

    @admin.display(description=_("traceability"))
    def traceability(self, lot: Lot) -> str:
        return format_html('<a href="{}?lot={}">{}</a>', reverse("admin:inventory-report-lot-trace"), lot.pk, _("Traceability"))


@admin.register(ValuationLayer)
class ValuationLayerAdmin(ReadOnlyAdmin):
    list_display = ["date", "product", "move", "quantity", "unit_cost", "value", "remaining_quantity", "remaining_value", "entry"]
    list_filter = [("product", ScopedRelatedFilter), ("product__category", ScopedRelatedFilter), "date"]
    list_select_related = ["product", "move__product", "move__uom", "move__source_location", "move__destination_location",
                           "entry__journal"]  # fmt: skip
    search_fields = ["product__sku", "product__name", "description"]
    date_hierarchy = "date"
    ordering = ["-date", "-id"]
