"""Back office of inventory: warehouses and locations, transfers with their validation and return
pages, moves and on-hand stock, lots, counts, scrap, replenishment and valuation."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field, unquote
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from unfold.contrib.filters.admin import RelatedDropdownFilter

from tessera.core.backoffice import LinesInline, RecordAdmin, Transition, WorkflowAdminMixin, export_csv
from tessera.core.errors import BusinessError
from tessera.core.exports import table_response
from tessera.core.scoping import request_company
from tessera.core.services import record_save
from tessera.core.uom import convert_quantity

from . import hooks
from .models import (
    STOCK_USAGES,
    CategoryValuation,
    InventoryCount,
    InventoryCountLine,
    Location,
    Lot,
    Move,
    MoveLine,
    ProcurementNeed,
    ProductStock,
    Quant,
    ReorderingRule,
    Scrap,
    Transfer,
    TransferKind,
    ValuationLayer,
    Warehouse,
)
from .services import (
    Counted,
    DoneQuantity,
    MoveDraft,
    count_cancel,
    count_create,
    count_record,
    count_start,
    count_validate,
    location_save,
    procurement_need_cancel,
    procurement_need_done,
    replenishment_run,
    scrap_validate,
    transfer_cancel,
    transfer_confirm,
    transfer_reserve,
    transfer_return,
    transfer_save,
    transfer_unreserve,
    transfer_validate,
    warehouse_create,
)
from .states import OPEN_MOVE_STATES, CountState, MoveState, NeedState, TransferState
from .views import report_urlpatterns

ZERO = Decimal(0)


class ScopedRelatedFilter(RelatedDropdownFilter):
    """A list filter on a related record that offers only the current company's records."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=Q(company=request_company(request)))


def _cell(field_: Any, attr: Any, value: Any) -> Any:
    if value is None or (isinstance(value, Decimal | int) and not isinstance(value, bool)):
        return value
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field_ is not None and getattr(field_, "flatchoices", None):
        return str(display_for_field(value, field_, ""))
    return str(value)


@admin.action(description=_("Export selected to XLSX"))
def export_xlsx(modeladmin: Any, request: HttpRequest, queryset: models.QuerySet) -> HttpResponse:
    """The selected rows with the columns the list shows; quantities and amounts stay numbers."""
    columns = [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]
    header = [capfirst(label_for_field(name, modeladmin.model, modeladmin)) for name in columns]
    rows = [[_cell(*lookup_field(name, obj, modeladmin)) for name in columns] for obj in queryset]
    return table_response("xlsx", modeladmin.opts.model_name, header, rows)


class InventoryAdmin(RecordAdmin):
    actions = [export_csv, export_xlsx]


class StockLocationsMixin:
    """The location field offers only the current company's stock locations."""

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "location" and "queryset" not in kwargs:
            company = request_company(request)
            kwargs["queryset"] = Location.objects.filter(company=company, usage__in=STOCK_USAGES, active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReadOnlyAdmin(InventoryAdmin):
    """Records written only by the services (ledger rows): listed and exported, never edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _adopt(obj: models.Model, created: models.Model) -> None:
    """Give the form's instance what a service created, so the admin redirects and logs the record."""
    for field_ in obj._meta.concrete_fields:
        setattr(obj, field_.attname, getattr(created, field_.attname))
    obj._state.adding = False


def _change_url(obj: models.Model) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


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


# --- transfers -------------------------------------------------------------------------------------


class TransferForm(forms.ModelForm):
    """The locations may be left empty: the warehouse's defaults for the kind are used."""

    class Meta:
        model = Transfer
        fields = ["kind", "warehouse", "partner", "source_location", "destination_location", "scheduled_date", "origin", "note"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("source_location", "destination_location"):
            if name in self.fields:
                self.fields[name].required = False


class ProductUnitForm(forms.ModelForm):
    """The unit may be left empty: the product's unit is used."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "uom" in self.fields:
            self.fields["uom"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "uom" in self.fields and not data.get("uom") and data.get("product"):
            data["uom"] = data["product"].uom
        return data


class MoveForm(ProductUnitForm):
    class Meta:
        model = Move
        fields = ["product", "quantity", "uom", "unit_cost"]


class MoveInline(LinesInline):
    """The moves of a transfer: typed while it is a draft, read-only afterwards."""

    model = Move
    form = MoveForm
    fields = ["product", "quantity", "uom", "unit_cost", "reserved_quantity", "state"]
    readonly_fields = ["reserved_quantity", "state"]
    autocomplete_fields = ["product"]
    extra = 3

    def _editable(self, obj: Transfer | None) -> bool:
        return obj is None or obj.state == TransferState.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return self.extra if self._editable(obj) else 0

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("product", "uom")


def _open(transfer: Transfer) -> bool:
    return transfer.state in (TransferState.WAITING, TransferState.READY)


def _confirm(request: HttpRequest, transfer: Transfer) -> Transfer:
    return transfer_confirm(transfer, by=request.user)


def _reserve(request: HttpRequest, transfer: Transfer) -> Transfer:
    return transfer_reserve(transfer, by=request.user)


def _unreserve(request: HttpRequest, transfer: Transfer) -> Transfer:
    return transfer_unreserve(transfer, by=request.user)


def _cancel(request: HttpRequest, transfer: Transfer) -> Transfer:
    return transfer_cancel(transfer, by=request.user)


class DoneForm(forms.Form):
    """What was moved, per open move: a quantity in the move's unit and, for tracked products, the
    lots or serial numbers ("LOT-1: 3" per lot; serial numbers one a line or separated by commas)."""

    force = forms.BooleanField(label=_("Override: move more than reserved or than is on hand"), required=False)
    backorder = forms.BooleanField(label=_("Create a backorder for the rest"), required=False, initial=True)
    date = forms.DateTimeField(
        label=_("Moved on"), required=False, help_text=_("Leave empty for now; an earlier moment if the goods moved before.")
    )

    def __init__(self, moves: list[Move], tracking: dict[int, str], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.moves, self.tracking = moves, tracking
        for move in moves:
            self.fields[f"quantity_{move.pk}"] = forms.DecimalField(
                label=_("Done (%(unit)s)") % {"unit": move.uom}, min_value=ZERO, max_digits=20, decimal_places=6, required=False,
                initial=self._default_quantity(move),
            )  # fmt: skip
            if tracking.get(move.product_id, "none") != "none":
                self.fields[f"lots_{move.pk}"] = forms.CharField(
                    label=_("Lots or serial numbers"), required=False, initial=self._default_lots(move),
                    widget=forms.Textarea(attrs={"rows": 3}),
                )  # fmt: skip

    @staticmethod
    def _default_quantity(move: Move) -> Decimal:
        if not move.source_location.holds_stock:
            return move.quantity.normalize()
        return convert_quantity(move.reserved_quantity, move.product.uom, move.uom).normalize()

    @staticmethod
    def _default_lots(move: Move) -> str:
        lines = [line for line in move.lines.all() if not line.done and line.reserved_quantity > 0 and line.lot_id]
        return "\n".join(f"{line.lot.name}: {line.reserved_quantity.normalize()}" for line in lines)

    def rows(self) -> list[tuple[Move, Any, Any, list[MoveLine]]]:
        return [
            (move, self[f"quantity_{move.pk}"], self[f"lots_{move.pk}"] if f"lots_{move.pk}" in self.fields else None,
             [line for line in move.lines.all() if not line.done and line.reserved_quantity > 0])
            for move in self.moves
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.done: dict[int, list[DoneQuantity]] = {}
        for move in self.moves:
            quantity = data.get(f"quantity_{move.pk}")
            try:
                self.done[move.pk] = self._done_of(move, quantity, data.get(f"lots_{move.pk}", ""))
            except forms.ValidationError as error:
                self.add_error(f"lots_{move.pk}" if f"lots_{move.pk}" in self.fields else f"quantity_{move.pk}", error)
        return data

    def _done_of(self, move: Move, quantity: Decimal | None, text: str) -> list[DoneQuantity]:
        tracking = self.tracking.get(move.product_id, "none")
        if tracking == "none":
            return [DoneQuantity(quantity)] if quantity else []
        entries = _lot_entries(text)
        if not entries:
            if quantity:
                raise forms.ValidationError(
                    _("%(product)s is tracked: give the lots or serial numbers.") % {"product": move.product}
                )
            return []
        if tracking == "serial":
            if any(amount not in (None, 1) for _name, amount in entries):
                raise forms.ValidationError(_("A serial number is one unit: give one number per unit."))
            if quantity is not None and quantity != len(entries):
                raise forms.ValidationError(
                    _("%(count)s serial numbers for %(quantity)s units.")
                    % {"count": len(entries), "quantity": quantity.normalize()}
                )
            return [DoneQuantity(Decimal(1), lot=name) for name, _amount in entries]
        if len(entries) == 1 and entries[0][1] is None:
            return [DoneQuantity(quantity, lot=entries[0][0])] if quantity else []
        if any(amount is None for _name, amount in entries):
            raise forms.ValidationError(_("Give the quantity of each lot, such as LOT-1: 3."))
        total = sum((amount for _name, amount in entries), ZERO)
        if quantity is not None and quantity != total:
            raise forms.ValidationError(
                _("The lots add up to %(total)s, not %(quantity)s.")
                % {"total": total.normalize(), "quantity": quantity.normalize()}
            )
        return [DoneQuantity(amount, lot=name) for name, amount in entries]


def _lot_entries(text: str) -> list[tuple[str, Decimal | None]]:
    """ "LOT-1: 3, LOT-2: 2" or one serial number a line → [(name, quantity or None)]."""
    entries: list[tuple[str, Decimal | None]] = []
    for chunk in re.split(r"[\n,;]+", text or ""):
        name, separator, amount = chunk.partition(":")
        name = name.strip()
        if not name:
            continue
        if not separator or not amount.strip():
            entries.append((name, None))
            continue
        try:
            value = Decimal(amount.strip())
        except InvalidOperation:
            raise forms.ValidationError(_("%(amount)s is not a quantity.") % {"amount": amount.strip()}) from None
        if not value.is_finite() or value < 0:
            raise forms.ValidationError(_("%(amount)s is not a quantity.") % {"amount": amount.strip()})
        entries.append((name, value))
    return entries


class ReturnForm(forms.Form):
    def __init__(self, moves: list[Move], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.moves = moves
        for move in moves:
            self.fields[f"quantity_{move.pk}"] = forms.DecimalField(
                label=_("Return (%(unit)s)") % {"unit": move.product.uom}, min_value=ZERO, max_value=move.returnable,
                max_digits=20, decimal_places=6, required=False, initial=move.returnable.normalize(),
            )  # fmt: skip

    def rows(self) -> list[tuple[Move, Any]]:
        return [(move, self[f"quantity_{move.pk}"]) for move in self.moves]


@admin.register(Transfer)
class TransferAdmin(WorkflowAdminMixin, InventoryAdmin):
    form = TransferForm
    list_display = ["__str__", "kind", "partner", "warehouse", "scheduled_date", "origin", "state", "backorder_of"]
    list_filter = ["kind", "state", ("warehouse", ScopedRelatedFilter), ("partner", ScopedRelatedFilter), "scheduled_date"]
    list_select_related = ["partner", "warehouse", "backorder_of"]
    search_fields = ["number", "origin", "partner__name"]
    date_hierarchy = "scheduled_date"
    autocomplete_fields = ["partner"]
    inlines = [MoveInline]
    fields = ["kind", "warehouse", "partner", "source_location", "destination_location", "scheduled_date", "origin", "note"]
    done_fields = ["number", "date_done", "backorder_of", "return_of"]
    transitions = (
        Transition("confirm", _("Confirm"), _confirm, lambda t: t.state == TransferState.DRAFT,
                   _("The transfer is confirmed."), "inventory.change_transfer"),
        Transition("reserve", _("Check availability"), _reserve, lambda t: t.state == TransferState.WAITING,
                   _("What is available is reserved."), "inventory.change_transfer"),
        Transition("unreserve", _("Unreserve"), _unreserve, lambda t: _open(t) and t.source_location.holds_stock,
                   _("The reserved stock is released."), "inventory.change_transfer"),
        Transition("cancel", _("Cancel"), _cancel, lambda t: t.state == TransferState.DRAFT or _open(t),
                   _("The transfer is cancelled."), "inventory.change_transfer"),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.done_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.state != TransferState.DRAFT:
            return [*self.fields, *self.done_fields]
        return self.done_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        kind = request.GET.get("kind", TransferKind.RECEIPT)
        warehouse = Warehouse.objects.filter(company=request_company(request), active=True).order_by("id").first()
        return {"kind": kind if kind in TransferKind.values else TransferKind.RECEIPT, "warehouse": warehouse,
                "scheduled_date": timezone.now()}  # fmt: skip

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.state == TransferState.DRAFT) and super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        (moves,) = formsets
        moves.save(commit=False)  # sets the formset's new/changed/deleted lists the change message reads
        drafts = []
        for move_form in moves.forms:
            data = move_form.cleaned_data
            if not data or data.get("DELETE") or data.get("product") is None:
                continue
            drafts.append(MoveDraft(data["product"], data["quantity"], data.get("uom"), data.get("unit_cost")))
        transfer = transfer_save(form.instance, drafts, by=request.user)
        for move in moves.new_objects:  # named in the change message
            move.source_location, move.destination_location = transfer.source_location, transfer.destination_location

    def workflow_links(self, request: HttpRequest, obj: Transfer) -> list[tuple[Any, str]]:
        links = []
        if _open(obj) and request.user.has_perm("inventory.validate_transfer"):
            links.append((_("Validate"), reverse("admin:inventory_transfer_validate", args=[obj.pk])))
        if obj.state == TransferState.DONE and request.user.has_perm("inventory.add_transfer"):
            links.append((_("Return"), reverse("admin:inventory_transfer_return", args=[obj.pk])))
        if obj.backorder_of_id:
            links.append((_("Backorder of %(t)s") % {"t": obj.backorder_of}, _change_url(obj.backorder_of)))
        if obj.return_of_id:
            links.append((_("Return of %(t)s") % {"t": obj.return_of}, _change_url(obj.return_of)))
        for backorder in obj.backorders.all():
            links.append((_("Backorder %(t)s") % {"t": backorder}, _change_url(backorder)))
        for back in obj.returns.all():
            links.append((_("Return %(t)s") % {"t": back}, _change_url(back)))
        return links

    def get_urls(self) -> list:
        return [
            path(
                "<path:object_id>/validate/", self.admin_site.admin_view(self.validate_view), name="inventory_transfer_validate"
            ),
            path("<path:object_id>/return/", self.admin_site.admin_view(self.return_view), name="inventory_transfer_return"),
            *super().get_urls(),
        ]

    def _transfer(self, request: HttpRequest, object_id: str, permission: str) -> Transfer:
        transfer = self.get_object(request, unquote(object_id))
        if transfer is None:
            raise Http404(_("No such transfer."))
        if not request.user.has_perm(permission):
            raise PermissionDenied
        return transfer

    def validate_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Type what was moved per move; the rest becomes a backorder unless told otherwise."""
        transfer = self._transfer(request, object_id, "inventory.validate_transfer")
        if not _open(transfer):
            self.message_user(request, _("Only a confirmed transfer that is not done can be validated."), messages.ERROR)
            return HttpResponseRedirect(_change_url(transfer))
        moves = list(
            transfer.moves.filter(state__in=OPEN_MOVE_STATES)
            .select_related("product__uom", "uom", "source_location")
            .prefetch_related("lines__lot", "lines__source_location")
            .order_by("id")
        )
        tracking = dict(
            ProductStock.objects.filter(product_id__in={m.product_id for m in moves}).values_list("product_id", "tracking")
        )
        form = DoneForm(moves, tracking, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                result = transfer_validate(transfer, by=request.user, done=form.done, force=form.cleaned_data["force"],
                                           backorder=form.cleaned_data["backorder"], when=form.cleaned_data["date"])  # fmt: skip
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("The transfer is done."), messages.SUCCESS)
                if result.backorder is not None:
                    self.message_user(request, format_html(
                        _("What is left is in the backorder <a href=\"{}\">{}</a>."), _change_url(result.backorder),
                        result.backorder), messages.INFO)  # fmt: skip
                return HttpResponseRedirect(_change_url(transfer))
        context = {
            **self.admin_site.each_context(request), "title": _("Validate %(transfer)s") % {"transfer": transfer},
            "transfer": transfer, "form": form, "opts": self.opts,
        }  # fmt: skip
        return TemplateResponse(request, "admin/inventory/transfer_validate.html", context)

    def return_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """How much of each done move comes back; the return is created and confirmed."""
        transfer = self._transfer(request, object_id, "inventory.add_transfer")
        if transfer.state != TransferState.DONE:
            self.message_user(request, _("Only a done transfer can be returned."), messages.ERROR)
            return HttpResponseRedirect(_change_url(transfer))
        returned = Sum("returns__product_quantity", filter=~Q(returns__state=MoveState.CANCELLED), default=ZERO)
        moves = list(
            transfer.moves.filter(state=MoveState.DONE).select_related("product__uom").annotate(returned=returned).order_by("id")
        )
        for move in moves:
            move.returnable = move.product_quantity - move.returned
        form = ReturnForm(moves, request.POST or None)
        if request.method == "POST" and form.is_valid():
            quantities = {move.pk: form.cleaned_data.get(f"quantity_{move.pk}") or ZERO for move in moves}
            try:
                back = transfer_return(transfer, by=request.user, quantities=quantities)
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("The return is created: validate it when the goods are back."), messages.SUCCESS)
                return HttpResponseRedirect(_change_url(back))
        context = {
            **self.admin_site.each_context(request), "title": _("Return %(transfer)s") % {"transfer": transfer},
            "transfer": transfer, "form": form, "opts": self.opts,
        }  # fmt: skip
        return TemplateResponse(request, "admin/inventory/transfer_return.html", context)


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


# --- replenishment ---------------------------------------------------------------------------------


@admin.register(ReorderingRule)
class ReorderingRuleAdmin(StockLocationsMixin, InventoryAdmin):
    list_display = ["product", "warehouse", "location", "min_quantity", "max_quantity", "multiple", "active"]
    list_filter = [("warehouse", ScopedRelatedFilter), "active"]
    list_select_related = ["product", "warehouse", "location"]
    search_fields = ["product__sku", "product__name"]
    autocomplete_fields = ["product"]
    change_list_template = "admin/inventory/reorderingrule_changelist.html"

    def get_urls(self) -> list:
        run = self.admin_site.admin_view(self.run_view)
        return [path("run/", run, name="inventory_reorderingrule_run"), *super().get_urls()]

    def run_view(self, request: HttpRequest) -> HttpResponse:
        """Check every rule of the current company and raise the needs; their routes take them on."""
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:inventory_reorderingrule_changelist"))
        company = request_company(request)
        try:
            needs = replenishment_run(company, by=request.user)
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            message = ngettext(
                "Replenishment run: %(count)s need raised.", "Replenishment run: %(count)s needs raised.", len(needs)
            )
            self.message_user(request, message % {"count": len(needs)}, messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:inventory_reorderingrule_changelist"))


def _need_done(request: HttpRequest, need: ProcurementNeed) -> ProcurementNeed:
    return procurement_need_done(need, by=request.user)


def _need_cancel(request: HttpRequest, need: ProcurementNeed) -> ProcurementNeed:
    return procurement_need_cancel(need, by=request.user)


CHANGE_NEED = "inventory.change_procurementneed"


def _pending(need: ProcurementNeed) -> bool:
    return need.state in (NeedState.OPEN, NeedState.IN_PROGRESS)


@admin.register(ProcurementNeed)
class ProcurementNeedAdmin(WorkflowAdminMixin, InventoryAdmin):
    """Needs raised by reordering rules and make-to-order moves; their routes fill them."""

    list_display = ["product", "quantity", "date_needed", "warehouse", "location", "route", "origin", "state", "fulfilled_by"]
    list_filter = ["state", "route", ("warehouse", ScopedRelatedFilter), "date_needed"]
    list_select_related = ["product", "warehouse", "location"]
    search_fields = ["product__sku", "product__name", "origin", "fulfilled_by"]
    readonly_fields = ["product", "quantity", "date_needed", "warehouse", "location", "route", "origin", "rule", "move",
                       "state", "fulfilled_by"]  # fmt: skip
    fields = readonly_fields
    actions = [*InventoryAdmin.actions, "mark_done", "cancel"]
    transitions = (
        Transition("done", _("Mark done"), _need_done, _pending, _("The need is fulfilled."), CHANGE_NEED),
        Transition("cancel", _("Cancel"), _need_cancel, _pending, _("The need is cancelled."), CHANGE_NEED),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Mark selected needs done"), permissions=["change"])
    def mark_done(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        self._each(request, queryset, procurement_need_done, _("%(count)s needs marked done."))

    @admin.action(description=_("Cancel selected needs"), permissions=["change"])
    def cancel(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        self._each(request, queryset, procurement_need_cancel, _("%(count)s needs cancelled."))

    def _each(self, request: HttpRequest, queryset: models.QuerySet, service: Any, message: Any) -> None:
        count = 0
        with transaction.atomic():  # all of them or, on an error, none
            for need in queryset.filter(state__in=(NeedState.OPEN, NeedState.IN_PROGRESS)):
                service(need, by=request.user)
                count += 1
        self.message_user(request, message % {"count": count}, messages.SUCCESS)


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
    inlines = [CountLineInline]
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
            _adopt(count, count_create(count.location, by=request.user, day=count.date, note=count.note))
            return
        counted = []
        for formset in formsets:
            formset.save(commit=False)
            for line_form in formset.forms:
                line, quantity = line_form.instance, (line_form.cleaned_data or {}).get("counted_quantity")
                if line_form.has_changed() and quantity is not None:
                    lot = line.lot.name if line.lot_id else ""
                    counted.append(Counted(line.product, quantity, location=line.location, lot=lot))
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
