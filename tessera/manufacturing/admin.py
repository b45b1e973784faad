"""Back office of manufacturing master data: work centres, routings typed with their operations and bills
of materials typed with their components and by-products, each saved through its service; a service's
refusal is shown on the form, with what was typed kept and nothing saved. Each BOM has a "Structure and
cost" page: its indented explosion for a quantity, costed, exported as CSV or XLSX."""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import LinesInline, RecordAdmin, ScopedRelatedFilter, export_csv, export_xlsx
from tessera.core.errors import BusinessError
from tessera.core.exports import table_response
from tessera.core.models import Product
from tessera.core.scoping import request_company

from .explosion import Structure
from .models import Bom, BomByProduct, BomLine, Routing, RoutingOperation, WorkCentre
from .queries import bom_structure
from .services import BomLineDraft, ByProductDraft, OperationDraft, bom_save, routing_save, work_centre_save

REFUSAL = "_manufacturing_refusal"  # the request attribute carrying a service's refusal to the form shown again
QUANTITY_PLACES = Decimal("0.000001")
CENT = Decimal("0.01")


# --- a service's refusal shown on the form -------------------------------------------------------


class _Refused(Exception):
    """A service refused the record typed in the form: `positions` maps each formset's prefix to the
    index of the form each draft came from, so that "lines.1.uom" lands on the right row."""

    def __init__(self, error: BusinessError, positions: dict[str, list[int]]):
        super().__init__(error.message)
        self.error = error
        self.positions = positions

    def _errors(self) -> Iterator[tuple[str, str]]:
        errors = getattr(self.error, "errors", None) or {}
        if not errors:
            yield (self.error.field or ""), self.error.message
        for key, texts in errors.items():
            for message in texts:
                yield key, str(message)

    def for_record(self, fields: Any) -> Iterator[tuple[str | None, str]]:
        """The errors of the record itself (or of no line in particular), by form field when there is one."""
        for key, message in self._errors():
            if self._line_of(key) is None:
                yield (key if key in fields else None), message

    def _line_of(self, key: str) -> tuple[str, int, str] | None:
        """The formset prefix, form index and field of an error of a draft ("lines.1.uom"), or None."""
        head, _dot, rest = key.partition(".")
        position, _dot, name = rest.partition(".")
        indices = self.positions.get(head, [])
        if position.isdigit() and int(position) < len(indices):
            return head, indices[int(position)], name
        return None

    def for_lines(self, prefix: str) -> Iterator[tuple[int, str, str]]:
        """The errors of the drafts of one formset: the form's index, the field and the message."""
        for key, message in self._errors():
            line = self._line_of(key)
            if line is not None and line[0] == prefix:
                yield line[1], line[2], message


class RefusalOnFormMixin:
    """The service's refusal (a BusinessError) rolls the request's transaction back and the form is shown
    again as submitted, with the refusal as form errors, where RecordAdmin would redirect and lose the input."""

    def changeform_view(self, request: HttpRequest, object_id: str | None = None, form_url: str = "",
                        extra_context: Any = None) -> Any:  # fmt: skip
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as refused:  # raised inside Django's atomic block: nothing was written
            setattr(request, REFUSAL, refused)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as again:  # the refusal could not be placed on the form: shown as a message
            self.message_user(request, again.error.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change, **kwargs)
        refused: _Refused | None = getattr(request, REFUSAL, None)
        if refused is None:
            return form_class

        class RefusedForm(form_class):
            def clean(self) -> dict[str, Any]:
                data = super().clean()
                for name, message in refused.for_record(self.fields):
                    self.add_error(name, message)
                return data

        RefusedForm.__name__ = form_class.__name__
        return RefusedForm

    def save_through(self, request: HttpRequest, save: Callable[[], Any], positions: dict[str, list[int]]) -> None:
        try:
            save()
        except BusinessError as exc:
            raise _Refused(exc, positions) from exc


class RefusedLinesInline(LinesInline):
    """Lines saved by their parent's service: the rows the service refused show its errors."""

    extra = 3

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset_class = super().get_formset(request, obj, **kwargs)
        refused: _Refused | None = getattr(request, REFUSAL, None)
        if refused is None:
            return formset_class

        class RefusedFormSet(formset_class):
            def clean(self) -> None:
                super().clean()
                for index, name, message in refused.for_lines(self.prefix):
                    form = self.forms[index]
                    form.add_error(name if name in form.fields else None, message)

        return RefusedFormSet


def _typed(formset: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    """The index and data of each filled-in form of a formset that is kept (not deleted)."""
    formset.save(commit=False)  # sets the formset's new/changed/deleted lists the change message reads
    for index, line_form in enumerate(formset.forms):
        data = line_form.cleaned_data
        if data and not data.get("DELETE"):
            yield index, data


def _formset(formsets: Any, model: type[models.Model]) -> Any:
    return next((formset for formset in formsets if formset.model is model), None)


# --- work centres --------------------------------------------------------------------------------


@admin.register(WorkCentre)
class WorkCentreAdmin(RefusalOnFormMixin, RecordAdmin):
    list_display = ["code", "name", "hours_per_day", "working_days", "efficiency", "labour_cost_per_hour",
                    "machine_cost_per_hour", "active"]  # fmt: skip
    list_filter = ["active"]
    search_fields = ["code", "name"]
    actions = [export_csv, export_xlsx]
    fields = ["code", "name", "hours_per_day", "working_days", "efficiency", "labour_cost_per_hour", "machine_cost_per_hour",
              "active"]  # fmt: skip

    def save_record(self, request: HttpRequest, obj: WorkCentre, m2m: dict[str, Any]) -> None:
        self.save_through(request, lambda: work_centre_save(obj, by=request.user), {})


# --- routings ------------------------------------------------------------------------------------


class RoutingOperationForm(forms.ModelForm):
    """The sequence may be left empty: the operations follow in the order typed, 10, 20, 30…"""

    class Meta:
        model = RoutingOperation
        fields = ["sequence", "name", "work_centre", "setup_minutes", "run_minutes"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "sequence" in self.fields:
            self.fields["sequence"].required = False
            if self.instance.pk is None:
                self.fields["sequence"].initial = None


class RoutingOperationInline(RefusedLinesInline):
    model = RoutingOperation
    form = RoutingOperationForm
    fields = RoutingOperationForm.Meta.fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("work_centre")


@admin.register(Routing)
class RoutingAdmin(RefusalOnFormMixin, RecordAdmin):
    list_display = ["name", "operation_count", "active"]
    list_filter = ["active"]
    search_fields = ["name", "operations__name"]
    actions = [export_csv, export_xlsx]
    fields = ["name", "active"]
    inlines = [RoutingOperationInline]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).annotate(operation_count=Count("operations"))

    @admin.display(description=_("operations"), ordering="operation_count")
    def operation_count(self, obj: Routing) -> int:
        return obj.operation_count

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        drafts, indices = [], []
        for index, data in _typed(_formset(formsets, RoutingOperation)):
            if data.get("work_centre") is None:
                continue
            drafts.append(OperationDraft(data["name"], data["work_centre"], sequence=data.get("sequence"),
                                         setup_minutes=data.get("setup_minutes") or Decimal(0),
                                         run_minutes=data.get("run_minutes") or Decimal(0)))  # fmt: skip
            indices.append(index)
        self.save_through(request, lambda: routing_save(form.instance, drafts, by=request.user), {"operations": indices})


# --- bills of materials --------------------------------------------------------------------------


class BomForm(forms.ModelForm):
    """The unit may be left empty: the product's is used."""

    class Meta:
        model = Bom
        fields = ["product", "version", "kind", "quantity", "uom", "routing", "date_start", "date_end", "active", "note"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "uom" in self.fields:
            self.fields["uom"].required = False


class BomLineForm(forms.ModelForm):
    """The unit may be left empty: the component's is used."""

    class Meta:
        model = BomLine
        fields = ["product", "quantity", "uom", "scrap_percent"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "uom" in self.fields:
            self.fields["uom"].required = False


class ByProductForm(forms.ModelForm):
    """The unit may be left empty: the by-product's is used."""

    class Meta:
        model = BomByProduct
        fields = ["product", "quantity", "uom"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "uom" in self.fields:
            self.fields["uom"].required = False


class BomLineInline(RefusedLinesInline):
    model = BomLine
    form = BomLineForm
    fields = BomLineForm.Meta.fields
    autocomplete_fields = ["product"]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("product", "uom")


class ByProductInline(RefusedLinesInline):
    model = BomByProduct
    form = ByProductForm
    fields = ByProductForm.Meta.fields
    autocomplete_fields = ["product"]
    extra = 1

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("product", "uom")


class BomProductFilter(ScopedRelatedFilter):
    """The current company's products that have a bill of materials."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        company = request_company(request)
        ordering = self.field_admin_ordering(field, request, model_admin)
        with_bom = Bom.objects.filter(company=company).values("product_id")
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=Q(company=company, pk__in=with_bom))


@admin.register(Bom)
class BomAdmin(RefusalOnFormMixin, RecordAdmin):
    form = BomForm
    list_display = ["product", "version", "kind", "quantity", "uom", "routing", "validity", "active"]
    list_filter = ["kind", "active", ("product", BomProductFilter)]
    list_select_related = ["product", "uom", "routing"]
    search_fields = ["product__sku", "product__name", "version"]
    autocomplete_fields = ["product"]
    actions = [export_csv, export_xlsx]
    fields = BomForm.Meta.fields
    inlines = [BomLineInline, ByProductInline]
    change_form_before_template = "manufacturing/bom_links.html"

    @admin.display(description=_("validity"), ordering="date_start")
    def validity(self, obj: Bom) -> str:
        start = date_format(obj.date_start, "SHORT_DATE_FORMAT") if obj.date_start else None
        end = date_format(obj.date_end, "SHORT_DATE_FORMAT") if obj.date_end else None
        if start and end:
            return _("%(start)s to %(end)s") % {"start": start, "end": end}
        if start:
            return _("from %(start)s") % {"start": start}
        if end:
            return _("until %(end)s") % {"end": end}
        return str(_("always"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        lines, line_indices = [], []
        for index, data in _typed(_formset(formsets, BomLine)):
            if data.get("product") is None:
                continue
            lines.append(BomLineDraft(data["product"], data["quantity"], uom=data.get("uom"),
                                      scrap_percent=data.get("scrap_percent") or Decimal(0)))  # fmt: skip
            line_indices.append(index)
        extras, extra_indices = [], []
        by_products = _formset(formsets, BomByProduct)
        for index, data in _typed(by_products) if by_products is not None else ():
            if data.get("product") is None:
                continue
            extras.append(ByProductDraft(data["product"], data["quantity"], uom=data.get("uom")))
            extra_indices.append(index)
        self.save_through(request, lambda: bom_save(form.instance, lines, extras, by=request.user),
                          {"lines": line_indices, "by_products": extra_indices})  # fmt: skip

    # --- the structure and cost page -----------------------------------------------------------

    def get_urls(self) -> list:
        structure = path("<path:object_id>/structure/", self.admin_site.admin_view(self.structure_view),
                         name="manufacturing_bom_structure")  # fmt: skip
        return [structure, *super().get_urls()]

    def render_change_form(self, request: HttpRequest, context: dict, add: bool = False, change: bool = False, form_url: str = "",
                           obj: Any = None) -> Any:  # fmt: skip
        if obj is not None and obj.pk:
            context["bom_links"] = [(_("Structure and cost"), reverse("admin:manufacturing_bom_structure", args=[obj.pk]))]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def structure_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The BOM exploded for a quantity: each component, sub-assembly and operation indented by level,
        with its cost; the material, operation and total cost and the cost of one unit."""
        bom = self.get_object(request, unquote(object_id))
        if bom is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, bom):
            raise PermissionDenied
        form = StructureForm(request.GET or None, unit=bom.product.uom)
        structure = None
        try:
            if not form.is_bound:
                structure = bom_structure(bom)
                form = StructureForm(initial={"quantity": plain(structure.quantity)}, unit=bom.product.uom)
            elif form.is_valid():
                structure = bom_structure(bom, form.cleaned_data["quantity"], form.cleaned_data.get("on"))
        except BusinessError as exc:  # BOMs that came into force together and contain each other
            messages.error(request, exc.message)
        report = StructureReport.of(structure) if structure is not None else StructureReport()
        export = request.GET.get("export")
        if export in ("csv", "xlsx") and structure is not None:
            return table_response(export, f"bom-{bom.pk}-structure", report.header, report.exported_rows())
        query = request.GET.copy()
        query.pop("export", None)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Structure and cost of %(bom)s") % {"bom": bom},
            "bom": bom,
            "opts": self.opts,
            "form": form,
            "report": report,
            "query": query.urlencode() or (f"quantity={plain(structure.quantity)}" if structure else ""),
            "change_url": reverse("admin:manufacturing_bom_change", args=[bom.pk]),
        }
        return TemplateResponse(request, "manufacturing/bom_structure.html", context)


class StructureForm(forms.Form):
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=20, decimal_places=6, min_value=QUANTITY_PLACES)
    on = forms.DateField(label=_("BOMs in force on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                         help_text=_("Today when left empty."))  # fmt: skip

    def __init__(self, *args: Any, unit: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].label = _("Quantity (%(unit)s)") % {"unit": unit}


KINDS = {"made": _("Made"), "bought": _("Bought"), "kit": _("Kit"), "operation": _("Operation")}


@dataclass(frozen=True)
class StructureRow:
    level: int
    label: str
    kind: str
    quantity: Decimal
    unit: str
    cost: Decimal
    link: str | None = None

    @property
    def indent(self) -> str:
        return f"{(self.level - 1) * 1.5:g}rem"

    @property
    def shown_quantity(self) -> str:
        return number_format(plain(self.quantity), force_grouping=True)

    @property
    def shown_cost(self) -> str:
        return money(self.cost)


def plain(value: Decimal) -> Decimal:
    """The quantity without trailing zeros and never in exponent notation (10, not 1E+1)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def money(value: Decimal) -> str:
    """Two decimals, rounded half up, with the locale's thousands separator."""
    return floatformat(value, "2g")


@dataclass
class StructureReport:
    rows: Sequence[StructureRow] = field(default_factory=list)
    totals: Sequence[tuple[Any, str]] = field(default_factory=list)

    header = (_("Level"), _("Product or operation"), _("Kind"), _("Quantity"), _("Unit"), _("Cost"))

    @classmethod
    def of(cls, structure: Structure) -> "StructureReport":
        """Two queries whatever the size: the products and the work centres the rows name."""
        products = Product.objects.filter(pk__in={row.product_id for row in structure.rows if row.product_id})
        products = {product.pk: product for product in products.select_related("uom")}
        centres = WorkCentre.objects.filter(pk__in={row.work_centre_id for row in structure.rows if row.work_centre_id})
        centres = {centre.pk: centre for centre in centres}
        rows = []
        for row in structure.rows:
            if row.product_id:
                product = products[row.product_id]
                label, unit = str(product), str(product.uom)
            else:
                centre = centres.get(row.work_centre_id)
                label = _("%(operation)s at %(centre)s") % {"operation": row.name, "centre": centre} if centre else row.name
                unit = str(_("min"))
            rows.append(StructureRow(row.level, str(label), str(KINDS.get(row.kind, row.kind)),
                                     row.quantity.quantize(QUANTITY_PLACES), unit, row.cost.quantize(CENT)))  # fmt: skip
        totals = [
            (_("Material cost"), money(structure.material_cost)),
            (_("Operation cost"), money(structure.operation_cost)),
            (_("Total cost"), money(structure.cost)),
            (_("Unit cost"), money(structure.unit_cost)),
        ]
        return cls(rows, totals)

    def exported_rows(self) -> list[list[Any]]:
        return [[row.level, row.label, row.kind, plain(row.quantity), row.unit, row.cost] for row in self.rows]
