"""Back office of the CRM: leads and opportunities with their workflow buttons and the pipeline board,
activities with an overdue filter, stages and lost reasons."""

from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import RecordAdmin, Transition, WorkflowAdminMixin
from tessera.core.errors import BusinessError

from .crm_views import lost_view, move_view, pipeline_view
from .models import Activity, Lead, LeadKind, LeadState, LostReason, SaleOrder, Stage
from .services import activity_done, activity_schedule, lead_convert, lead_save, opportunity_mark_won, opportunity_quote


def _convert(request: HttpRequest, lead: Lead) -> Lead:
    return lead_convert(
        lead, by=request.user, create_partner=lead.partner_id is None and bool(lead.company_name or lead.contact_name)
    )


def _won(request: HttpRequest, lead: Lead) -> Lead:
    return opportunity_mark_won(lead, by=request.user)


def _quote(request: HttpRequest, lead: Lead) -> SaleOrder:
    return opportunity_quote(lead, by=request.user)


def _open_opportunity(lead: Lead) -> bool:
    return lead.kind == LeadKind.OPPORTUNITY and lead.state == LeadState.OPEN


@admin.register(Stage)
class StageAdmin(RecordAdmin):
    list_display = ["name", "sequence", "probability", "is_won"]
    fields = ["name", "sequence", "probability", "is_won"]
    ordering = ["sequence", "id"]


@admin.register(LostReason)
class LostReasonAdmin(RecordAdmin):
    list_display = ["name", "active"]
    fields = ["name", "active"]
    search_fields = ["name"]


@admin.register(Lead)
class LeadAdmin(WorkflowAdminMixin, RecordAdmin):
    list_display = ["name", "kind", "partner", "salesperson", "stage", "expected_revenue", "probability", "expected_closing",
                    "state"]  # fmt: skip
    list_filter = ["kind", "state", "stage", "expected_closing"]
    search_fields = ["name", "contact_name", "company_name", "email", "partner__name"]
    list_select_related = ["partner", "salesperson", "stage"]
    autocomplete_fields = ["partner"]
    fields = ["name", "partner", "contact_name", "company_name", "email", "phone", "salesperson", "stage", "expected_revenue",
              "probability", "expected_closing", "description"]  # fmt: skip
    followed = ["kind", "lost_reason", "closed_on", "order"]
    transitions = (
        Transition("convert", _("Convert to opportunity"), _convert,
                   lambda o: o.kind == LeadKind.LEAD and o.state == LeadState.OPEN,
                   _("The lead is now an opportunity."), "sales.change_lead"),
        Transition("won", _("Mark won"), _won, _open_opportunity, _("The opportunity is won."), "sales.change_lead"),
        Transition("quote", _("Create quotation"), _quote,
                   lambda o: o.kind == LeadKind.OPPORTUNITY and o.state != LeadState.LOST and o.order_id is None,
                   _("Here is the draft quotation: add its lines."), "sales.add_saleorder"),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.followed]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [*self.fields, *self.followed] if obj.state != LeadState.OPEN else self.followed

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"salesperson": request.user.pk}

    def save_record(self, request: HttpRequest, obj: Lead, m2m: dict[str, Any]) -> None:
        lead_save(obj, by=request.user)

    def workflow_links(self, request: HttpRequest, obj: Lead) -> list[tuple[Any, str]]:
        links = []
        if obj.state == LeadState.OPEN and request.user.has_perm("sales.change_lead"):
            links.append((_("Mark lost"), reverse("admin:sales_lead_lost", args=[obj.pk])))
        if obj.order_id and request.user.has_perm("sales.view_saleorder"):
            links.append((_("Quotation %(o)s") % {"o": obj.order}, reverse("admin:sales_saleorder_change", args=[obj.order_id])))
        return links

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("pipeline/", wrap(partial(pipeline_view, site=self.admin_site)), name="sales_lead_pipeline"),
            path("<path:object_id>/move/", wrap(move_view), name="sales_lead_move"),
            path("<path:object_id>/lost/", wrap(self.lost_view), name="sales_lead_lost"),
            *super().get_urls(),
        ]

    def lost_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        lead = self.get_object(request, object_id)
        if lead is None or not request.user.has_perm("sales.change_lead"):
            raise PermissionDenied
        return lost_view(request, lead, site=self.admin_site, opts=self.opts)


class OverdueFilter(admin.SimpleListFilter):
    title = _("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("overdue", _("Overdue")), ("today", _("Today")), ("open", _("To do")), ("done", _("Done"))]

    def queryset(self, request: HttpRequest, queryset: models.QuerySet) -> models.QuerySet:
        today = timezone.localdate()
        return {
            "overdue": lambda: queryset.filter(done=False, due_date__lt=today),
            "today": lambda: queryset.filter(done=False, due_date=today),
            "open": lambda: queryset.filter(done=False),
            "done": lambda: queryset.filter(done=True),
        }.get(self.value(), lambda: queryset)()


@admin.action(description=_("Mark done"), permissions=["change"])
def mark_done(modeladmin: Any, request: HttpRequest, queryset: models.QuerySet) -> None:
    count = 0
    for activity in queryset.filter(done=False):
        try:
            activity_done(activity, by=request.user)
            count += 1
        except BusinessError as exc:
            modeladmin.message_user(request, exc.message, messages.ERROR)
    modeladmin.message_user(request, _("%(n)s activities marked done.") % {"n": count}, messages.SUCCESS)


@admin.register(Activity)
class ActivityAdmin(RecordAdmin):
    list_display = ["summary", "kind", "lead", "due_date", "assigned_to", "done"]
    list_filter = [OverdueFilter, "kind"]
    search_fields = ["summary", "lead__name"]
    list_select_related = ["lead", "assigned_to"]
    autocomplete_fields = ["lead"]
    fields = ["lead", "kind", "summary", "due_date", "assigned_to", "note"]
    actions = [*RecordAdmin.actions, mark_done]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.fields, "done", "done_on"] if obj is not None and obj.done else []

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"assigned_to": request.user.pk, "due_date": timezone.localdate()}

    def save_record(self, request: HttpRequest, obj: Activity, m2m: dict[str, Any]) -> None:
        activity_schedule(obj, by=request.user)
