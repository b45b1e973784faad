"""Physical inventory counts and scrap."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import LinesInline, RecordForm, ScopedRelatedFilter, Transition, WorkflowAdminMixin
from tessera.core.scoping import request_company

from ..models import (
    InventoryCount,
    InventoryCountLine,
    Scrap,
    Warehouse,
)
from ..services import (
    Counted,
    count_cancel,
    count_create,
    count_record,
    count_start,
    count_validate,
    scrap_validate,
)
from ..states import CountState
from .base import InventoryAdmin, ProductUnitForm, StockLocationsMixin, adopt

# --- counts and scrap ------------------------------------------------------------------------------


class CountLineInline(LinesInline):
    model = InventoryCountLine
    fields = ["product", "location", "lot", "expected_quantity", "counted_quantity", "move"]
    readonly_fields = ["product", "location", "lot", "expected_quantity", "move"]
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.state == CountState.IN_PROGRESS and self._parent_perm(request, "change")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        related = [
            "product",
            "location",
            "lot",
            "move__product",
            "move__uom",
            "move__source_location",
            "move__destination_location",
        ]
        return super().get_queryset(request).select_related(*related)


class FoundLineForm(RecordForm):
    lot_name = forms.CharField(label=_("lot or serial number"), required=False)

    class Meta:
        model = InventoryCountLine
        fields = ["product", "location", "counted_quantity"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["counted_quantity"].required = True
        self.fields["location"].required = False
        self.fields["location"].help_text = _("Empty: the counted location itself.")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("location") and self.instance.count_id:
            data["location"] = self.instance.count.location
        return data


class FoundLineInline(LinesInline):
    """Goods found that the books did not expect: typed as new lines while counting."""

    model = InventoryCountLine
    form = FoundLineForm
    fields = ["product", "location", "lot_name", "counted_quantity"]
    autocomplete_fields = ["product"]
    extra = 1
    verbose_name = _("item found")
    verbose_name_plural = _("goods found that the books did not expect")

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).none()

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and obj.state == CountState.IN_PROGRESS and self._parent_perm(request, "change")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _count_start(request: HttpRequest, count: InventoryCount) -> InventoryCount:
    return count_start(count, by=request.user)


def _count_validate(request: HttpRequest, count: InventoryCount) -> InventoryCount:
    count_validate(count, by=request.user)
    return count


def _count_cancel(request: HttpRequest, count: InventoryCount) -> InventoryCount:
    return count_cancel(count, by=request.user)


@admin.register(InventoryCount)
class InventoryCountAdmin(StockLocationsMixin, WorkflowAdminMixin, InventoryAdmin):
    list_display = ["__str__", "location", "date", "state"]
    list_filter = ["state", ("location", ScopedRelatedFilter), "date"]
    list_select_related = ["location"]
    search_fields = ["number", "location__full_name"]
    date_hierarchy = "date"
    fields = ["location", "date", "note"]
    inlines = [CountLineInline, FoundLineInline]
    transitions = (
        Transition("start", _("Start counting"), _count_start, lambda c: c.state == CountState.DRAFT,
                   _("Counting started: type the quantities counted."), "inventory.change_inventorycount"),
        Transition("validate", _("Validate"), _count_validate, lambda c: c.state == CountState.IN_PROGRESS,
                   _("The count is done: the differences are posted as adjustments."), "inventory.change_inventorycount"),
        Transition("cancel", _("Cancel"), _count_cancel, lambda c: c.state in (CountState.DRAFT, CountState.IN_PROGRESS),
                   _("The count is cancelled."), "inventory.change_inventorycount"),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else ["number", *self.fields, "state"]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        return [] if obj is None else self.inlines

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else ["number", *self.fields, "state"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        warehouse = Warehouse.objects.filter(company=request_company(request), active=True).order_by("id").first()
        return {"date": timezone.localdate(), "location": warehouse and warehouse.stock_location_id}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.state == CountState.DRAFT) and super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        count = form.instance
        if not change:
            adopt(count, count_create(count.location, by=request.user, day=count.date, note=count.note))
            return
        counted = []
        for formset in formsets:
            formset.save(commit=False)
            for line_form in formset.forms:
                data = line_form.cleaned_data or {}
                if not line_form.has_changed() or data.get("counted_quantity") is None:
                    continue
                line = line_form.instance
                lot = data.get("lot_name") or (line.lot.name if line.lot_id else "")
                counted.append(Counted(line.product, data["counted_quantity"], location=line.location, lot=lot))
        if counted:
            count_record(count, counted, by=request.user)


class ScrapForm(ProductUnitForm):
    class Meta:
        model = Scrap
        fields = ["product", "quantity", "uom", "lot", "location", "reason"]


@admin.register(Scrap)
class ScrapAdmin(StockLocationsMixin, InventoryAdmin):
    """Scrapping is done when it is saved: a move to the scrap location, read-only afterwards."""

    form = ScrapForm
    list_display = ["__str__", "date", "product", "quantity", "uom", "lot", "location", "reason"]
    list_filter = [("product", ScopedRelatedFilter), ("location", ScopedRelatedFilter), "date"]
    list_select_related = ["product", "uom", "lot", "location"]
    search_fields = ["number", "product__sku", "product__name", "reason"]
    autocomplete_fields = ["product"]
    fields = ["product", "quantity", "uom", "lot", "location", "reason"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else ["number", "date", *self.fields, "move"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        warehouse = Warehouse.objects.filter(company=request_company(request), active=True).order_by("id").first()
        return {"location": warehouse and warehouse.stock_location_id}

    def save_record(self, request: HttpRequest, obj: Scrap, m2m: dict[str, Any]) -> None:
        scrap_validate(obj, by=request.user)
