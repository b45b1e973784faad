"""Transfers: the draft form with its moves, the workflow buttons, and the validate and return pages."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import (
    DraftLinesInline,
    ScopedRelatedFilter,
    Transition,
    WorkflowAdminMixin,
)
from tessera.core.errors import BusinessError
from tessera.core.scoping import request_company
from tessera.core.uom import convert_quantity

from ..models import (
    Move,
    MoveLine,
    ProductStock,
    Transfer,
    TransferKind,
    Warehouse,
)
from ..services import (
    DoneQuantity,
    MoveDraft,
    transfer_cancel,
    transfer_confirm,
    transfer_reserve,
    transfer_return,
    transfer_save,
    transfer_unreserve,
    transfer_validate,
)
from ..states import OPEN_MOVE_STATES, MoveState, TransferState
from .base import ZERO, InventoryAdmin, ProductUnitForm, change_url

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


class MoveForm(ProductUnitForm):
    class Meta:
        model = Move
        fields = ["product", "quantity", "uom", "unit_cost"]


class MoveInline(DraftLinesInline):
    """The moves of a transfer: typed while it is a draft, read-only afterwards."""

    model = Move
    form = MoveForm
    fields = ["product", "quantity", "uom", "unit_cost", "reserved_quantity", "state"]
    readonly_fields = ["reserved_quantity", "state"]
    autocomplete_fields = ["product"]
    extra = 3

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
            links.append((_("Backorder of %(t)s") % {"t": obj.backorder_of}, change_url(obj.backorder_of)))
        if obj.return_of_id:
            links.append((_("Return of %(t)s") % {"t": obj.return_of}, change_url(obj.return_of)))
        for backorder in obj.backorders.all():
            links.append((_("Backorder %(t)s") % {"t": backorder}, change_url(backorder)))
        for back in obj.returns.all():
            links.append((_("Return %(t)s") % {"t": back}, change_url(back)))
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
            return HttpResponseRedirect(change_url(transfer))
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
                        _("What is left is in the backorder <a href=\"{}\">{}</a>."), change_url(result.backorder),
                        result.backorder), messages.INFO)  # fmt: skip
                return HttpResponseRedirect(change_url(transfer))
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
            return HttpResponseRedirect(change_url(transfer))
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
                return HttpResponseRedirect(change_url(back))
        context = {
            **self.admin_site.each_context(request), "title": _("Return %(transfer)s") % {"transfer": transfer},
            "transfer": transfer, "form": form, "opts": self.opts,
        }  # fmt: skip
        return TemplateResponse(request, "admin/inventory/transfer_return.html", context)
