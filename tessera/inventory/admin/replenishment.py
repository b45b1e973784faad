"""Reordering rules with the replenishment run, and procurement needs."""

from typing import Any

from django.contrib import admin, messages
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tessera.core.backoffice import ScopedRelatedFilter, Transition, WorkflowAdminMixin
from tessera.core.errors import BusinessError
from tessera.core.scoping import request_company

from ..models import (
    ProcurementNeed,
    ReorderingRule,
)
from ..services import (
    procurement_need_cancel,
    procurement_need_done,
    replenishment_run,
)
from ..states import NeedState
from .base import InventoryAdmin, StockLocationsMixin

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
