"""Back office of the CRM: leads and opportunities with their workflow buttons, their activities
inline and the pipeline board, activities with an overdue filter, stages and lost reasons."""

from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import RecordAdmin, RecordForm, RecordInline, Transition, WorkflowAdminMixin
from tessera.core.errors import BusinessError
from tessera.core.services import record_delete

from .crm_queries import overdue_activities
from .crm_views import lost_view, move_view, pipeline_view, reopen_view
from .models import Activity, Lead, LeadKind, LeadState, LostReason, SaleOrder, Stage
from .services import activity_done, activity_schedule, lead_convert, lead_save, opportunity_mark_won, opportunity_quote
from .services.crm import opportunity_reopen


def _convert(request: HttpRequest, lead: Lead) -> Lead:
    return lead_convert(
        lead, by=request.user, create_partner=lead.partner_id is None and bool(lead.company_name or lead.contact_name)
    )


def _won(request: HttpRequest, lead: Lead) -> Lead:
    return opportunity_mark_won(lead, by=request.user)


def _quote(request: HttpRequest, lead: Lead) -> SaleOrder:
    return opportunity_quote(lead, by=request.user)


def _reopen(request: HttpRequest, lead: Lead) -> Lead:
    return opportunity_reopen(lead, by=request.user)


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


class ActivityInlineForm(RecordForm):
    """A done activity is shown as it was done: its fields cannot be changed any more."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.done:
            for field in self.fields.values():
                field.disabled = True


class ActivityInline(RecordInline):
    """The lead's activities, planned from the lead's page (saved by activity_schedule)."""

    model = Activity
    form = ActivityInlineForm
    fields = ["kind", "summary", "due_date", "assigned_to", "note", "status"]
    readonly_fields = ["status"]
    ordering = ["done", "due_date", "id"]
    extra = 1

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("assigned_to")

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        kwargs.setdefault("widgets", {})["note"] = forms.Textarea(attrs={"rows": 1})
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.base_fields["assigned_to"].initial = request.user.pk
        return formset

    @admin.display(description=_("status"))
    def status(self, obj: Activity) -> Any:
        if obj.pk is None:
            return ""
        if obj.done:
            return _("Done on %(day)s") % {"day": obj.done_on}
        return _("Overdue") if obj.due_date < timezone.localdate() else _("To do")


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
    inlines = [ActivityInline]
    transitions = (
        Transition("convert", _("Convert to opportunity"), _convert,
                   lambda o: o.kind == LeadKind.LEAD and o.state == LeadState.OPEN,
                   _("The lead is now an opportunity."), "sales.change_lead"),
        Transition("won", _("Mark won"), _won, _open_opportunity, _("The opportunity is won."), "sales.change_lead"),
        Transition("reopen", _("Reopen"), _reopen, lambda o: o.kind == LeadKind.OPPORTUNITY and o.state == LeadState.LOST,
                   _("The opportunity is open again."), "sales.change_lead"),
        Transition("quote", _("Create quotation"), _quote,
                   lambda o: o.kind == LeadKind.OPPORTUNITY and o.state != LeadState.LOST and o.order_id is None,
                   _("Here is the draft quotation: add its lines."), "sales.add_saleorder"),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.followed]

    def get_inline_instances(self, request: HttpRequest, obj: Any = None) -> list:
        return [] if obj is None else super().get_inline_instances(request, obj)  # activities once the lead exists

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [*self.fields, *self.followed] if obj.state != LeadState.OPEN else self.followed

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"salesperson": request.user.pk}

    def save_record(self, request: HttpRequest, obj: Lead, m2m: dict[str, Any]) -> None:
        lead_save(obj, by=request.user)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The lead is saved only when its fields changed: the page of a closed lead (read-only) still
        plans activities."""
        if not change or form.has_changed():
            self.save_record(request, form.instance, {})
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not Activity:
            return super().save_formset(request, form, formset, change)
        for activity in formset.save(commit=False):
            activity.lead = form.instance
            activity_schedule(activity, by=request.user)
        for activity in formset.deleted_objects:
            record_delete(activity, by=request.user)

    def workflow_links(self, request: HttpRequest, obj: Lead) -> list[tuple[Any, str]]:
        links = []
        if obj.state == LeadState.OPEN and request.user.has_perm("sales.change_lead"):
            links.append((_("Mark lost"), reverse("admin:sales_lead_lost", args=[obj.pk])))
        if request.user.has_perm("sales.view_activity"):
            overdue = overdue_activities(obj.company, lead=obj).count()
            query = urlencode({"lead__id__exact": obj.pk, "due": "overdue"})
            links.append((_("Overdue activities (%(n)s)") % {"n": overdue},
                          f"{reverse('admin:sales_activity_changelist')}?{query}"))  # fmt: skip
        if obj.order_id and request.user.has_perm("sales.view_saleorder"):
            links.append((_("Quotation %(o)s") % {"o": obj.order}, reverse("admin:sales_saleorder_change", args=[obj.order_id])))
        return links

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        return [
            path("pipeline/", wrap(partial(pipeline_view, site=self.admin_site)), name="sales_lead_pipeline"),
            path("<path:object_id>/move/", wrap(move_view), name="sales_lead_move"),
            path("<path:object_id>/lost/", wrap(self.lost_view), name="sales_lead_lost"),
            path("<path:object_id>/board-reopen/", wrap(reopen_view), name="sales_lead_reopen"),
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
