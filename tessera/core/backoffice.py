"""Back-office building blocks every module's admin uses: company scoping, saving and deleting
through services, the audit history page, CSV export, and the sidebar."""

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_field, label_for_field, lookup_field, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import RelatedDropdownFilter

from .audit import history_of
from .errors import BusinessError
from .exports import table_response
from .models import CompanyOwned
from .scoping import request_company, scope_queryset
from .services import record_delete, record_save


class RecordForm(forms.ModelForm):
    """Validates the fields set by code (the company, computed paths) along with the typed ones,
    so that a duplicate inside the company is a form error, not a database error."""

    def _get_validation_exclusions(self) -> set[str]:
        return super()._get_validation_exclusions() - set(getattr(self._meta.model, "validated_computed_fields", ()))


def _bind_company(form_class: type[forms.ModelForm], company: Any) -> type[forms.ModelForm]:
    """The form class, with new records placed in `company` before they are validated."""

    class CompanyBoundForm(form_class):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            if isinstance(self.instance, CompanyOwned) and self.instance.company_id is None and company is not None:
                self.instance.company = company

    CompanyBoundForm.__name__ = form_class.__name__
    return CompanyBoundForm


class ScopedFieldsMixin:
    """Choices of related records are limited to what the user sees in the current company."""

    def formfield_for_foreignkey(self, db_field: models.ForeignKey, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(queryset, request.user, request_company(request))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any) -> Any:
        if "queryset" not in kwargs:
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = scope_queryset(queryset, request.user, request_company(request))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RecordInline(ScopedFieldsMixin, TabularInline):
    """An inline of owned records (bank accounts of a partner…), saved through the services by its parent."""

    form = RecordForm
    extra = 0

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = _bind_company(formset.form, request_company(request))
        return formset


class LinesInline(RecordInline):
    """The lines of a document (instalments of a payment term, lines of an entry…): whoever may edit
    the document may edit its lines, which have no permissions of their own."""

    def _parent_perm(self, request: HttpRequest, action: str) -> bool:
        opts = self.parent_model._meta
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_perm(request, "view") or self._parent_perm(request, "change")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._parent_perm(request, "change") or self._parent_perm(request, "add")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_add_permission(request, obj)


class DraftLinesInline(LinesInline):
    """The lines of a document that can be typed only while it is a draft (state "draft"), and are
    read-only afterwards."""

    def _editable(self, obj: Any) -> bool:
        return obj is None or obj.state == "draft"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return self.extra if self._editable(obj) else 0


@admin.action(description=_("Export selected to CSV"))
def export_csv(modeladmin: ModelAdmin, request: HttpRequest, queryset: models.QuerySet) -> HttpResponse:
    """The selected rows with the columns the list shows."""
    columns = [name for name in modeladmin.get_list_display(request) if name != "action_checkbox"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{modeladmin.opts.model_name}.csv"'
    writer = csv.writer(response)
    writer.writerow([str(capfirst(label_for_field(name, modeladmin.model, modeladmin))) for name in columns])
    for obj in queryset:
        writer.writerow([_export_value(*lookup_field(name, obj, modeladmin)) for name in columns])
    return response


@admin.display(description=_("country"), ordering="country")
def country_name(obj: Any) -> str:
    """A country column. Django would rebuild the whole list of country choices for every row."""
    return obj.country.name


def _export_value(field_: Any, attr: Any, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field_ is not None and getattr(field_, "flatchoices", None):
        return str(display_for_field(value, field_, ""))
    return str(value)


class RecordAdmin(ScopedFieldsMixin, ModelAdmin):
    """The admin of a business record: scoped to the current company, saved through services,
    with the audit trail as its history."""

    form = RecordForm
    actions = [export_csv]
    list_filter_submit = True
    show_full_result_count = False
    # Unfold rebuilds the column headers for every row, so a page costs rows × columns²: 50 rows
    # keep list pages well under 300 ms.
    list_per_page = 50
    history_template = "core/admin/record_history.html"

    # --- reading -------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return scope_queryset(super().get_queryset(request), request.user, request_company(request))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        return _bind_company(super().get_form(request, obj, change, **kwargs), request_company(request))

    # --- writing through services --------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Saved in save_related, with its many-to-many fields, as one audited change."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Iterable[Any], change: bool) -> None:
        m2m = {f.name: form.cleaned_data[f.name] for f in form.instance._meta.many_to_many if f.name in form.cleaned_data}
        self.save_record(request, form.instance, m2m)
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_record(self, request: HttpRequest, obj: Any, m2m: dict[str, Any]) -> None:
        """The service call that saves the record; admins of records with their own service override it."""
        record_save(obj, by=request.user, m2m=m2m)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for obj in formset.save(commit=False):
            record_save(obj, by=request.user)
        for obj in formset.deleted_objects:
            record_delete(obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        record_delete(obj, by=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        with transaction.atomic():
            for obj in queryset:
                record_delete(obj, by=request.user)

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "", extra_context: Any = None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id]))

    def response_action(self, request: HttpRequest, queryset: models.QuerySet) -> Any:
        try:
            return super().response_action(request, queryset)
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    # --- history -------------------------------------------------------------------------------

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> TemplateResponse:
        """The record's audit trail: who changed which field from what to what, and when."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = [(entry, self._readable_changes(entry.changes)) for entry in history_of(obj)]
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "entries": entries,
            "module_name": str(capfirst(self.opts.verbose_name_plural)),
            "object": obj,
            "opts": self.opts,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def _readable_changes(self, changes: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        rows = []
        for name, change in changes.items():
            try:
                field_ = self.opts.get_field(name)
            except FieldDoesNotExist:
                label, choices = capfirst(name.replace("_", " ")), {}
            else:  # a reverse relation (an order's "lines") has no verbose name of its own: its model's plural
                verbose = getattr(field_, "verbose_name", None) or field_.related_model._meta.verbose_name_plural
                label, choices = capfirst(verbose), dict(getattr(field_, "flatchoices", None) or ())
            old, new = (_display(change, side, choices) for side in ("old", "new"))
            rows.append((label, _readable(old), _readable(new)))
        return rows


def _display(change: dict[str, Any], side: str, choices: dict[Any, Any]) -> Any:
    """A side of a change as a person reads it: the related record's label or the choice's name."""
    if f"{side}_label" in change:
        return change[f"{side}_label"]
    value = change.get(side)
    return choices.get(value, value) if isinstance(value, str | int) else value


def _readable(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


# --- sidebar ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    title: Any
    icon: str
    url_name: str
    permission: str  # the model permission needed to see it, such as "core.view_partner"


@dataclass(frozen=True)
class NavSection:
    title: Any
    order: int
    items: tuple[NavItem, ...] = field(default_factory=tuple)


_sections: list[NavSection] = []


def register_section(section: NavSection) -> None:
    """Modules add their sidebar sections from their AppConfig.ready()."""
    _sections.append(section)
    _sections.sort(key=lambda s: s.order)


def sidebar_navigation(request: HttpRequest) -> list[dict[str, Any]]:
    groups = []
    for section in _sections:
        items = [
            {"title": item.title, "icon": item.icon, "link": reverse(item.url_name), "permission": _has_perm(item.permission)}
            for item in section.items
        ]
        if any(request.user.has_perm(item.permission) for item in section.items):
            groups.append({"title": section.title, "separator": True, "collapsible": True, "items": items})
    return groups


def _has_perm(permission: str) -> Callable[[HttpRequest], bool]:
    return lambda request: request.user.has_perm(permission)


def environment_label(request: HttpRequest) -> list[str] | None:
    return [str(_("Development")), "warning"] if settings.DEBUG else None


# --- workflows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """A button on a document's change form that calls a service, such as "Post"."""

    verb: str  # in the URL: …/<id>/do/<verb>/
    label: Any
    run: Callable[[HttpRequest, Any], Any]  # calls the service; may return another record to show
    shown: Callable[[Any], bool]  # whether the record is in a state where the button applies
    done_message: Any
    permission: str = ""


class WorkflowAdminMixin:
    """A status bar with the document's states and buttons for the transitions allowed now. Each
    button POSTs to a view that calls the service and shows its BusinessError as a message."""

    state_field = "state"
    transitions: tuple[Transition, ...] = ()
    change_form_before_template = "core/admin/workflow_bar.html"

    def get_urls(self) -> list:
        from django.urls import path

        opts = self.model._meta
        own = [
            path(
                "<path:object_id>/do/<slug:verb>/",
                self.admin_site.admin_view(self.transition_view),
                name=f"{opts.app_label}_{opts.model_name}_transition",
            )
        ]
        return own + super().get_urls()

    def workflow_links(self, request: HttpRequest, obj: Any) -> list[tuple[Any, str]]:
        """Buttons that open a page of their own (a form to fill in) rather than act at once."""
        return []

    def allowed_transitions(self, request: HttpRequest, obj: Any) -> list[Transition]:
        return [t for t in self.transitions if t.shown(obj) and (not t.permission or request.user.has_perm(t.permission))]

    def render_change_form(self, request: HttpRequest, context: dict, add: bool = False, change: bool = False, form_url: str = "",
                           obj: Any = None) -> Any:  # fmt: skip
        if obj is not None and obj.pk:
            field_ = self.model._meta.get_field(self.state_field)
            context["workflow"] = {
                "states": [(value, label, value == getattr(obj, self.state_field)) for value, label in field_.flatchoices],
                "buttons": [
                    (t.label, reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_transition", args=[obj.pk, t.verb]))
                    for t in self.allowed_transitions(request, obj)
                ],
                "links": self.workflow_links(request, obj),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def transition_view(self, request: HttpRequest, object_id: str, verb: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        transition = next((t for t in self.allowed_transitions(request, obj) if t.verb == verb), None)
        if transition is None:
            raise PermissionDenied
        shown = obj
        try:
            result = transition.run(request, obj)
        except BusinessError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, transition.done_message, messages.SUCCESS)
            shown = result if isinstance(result, models.Model) else obj
        opts = shown._meta
        return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[shown.pk]))


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


class ReadOnlyRecordAdmin(RecordAdmin):
    """Records written only by the services (ledger rows): listed and exported, never edited here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
