"""Inventory report pages in the back office: each shows tables filtered by a form, links down to the
moves and documents behind a figure, and exports its main table as CSV or XLSX."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tessera.core.exports import table_response
from tessera.core.models import Company, Product, ProductCategory
from tessera.core.report_tables import Link, Qty, Table, exported_cell, rendered_table, short_day, shown_cell
from tessera.core.scoping import request_company

from .models import Location, Lot, Warehouse
from .queries import forecast, forecast_summary, lot_trace, move_history, on_hand, on_hand_by_product, turnover, valuation_at

MOVE_HISTORY_PAGE = 500  # lines shown on the page; the export takes up to MOVE_HISTORY_EXPORT
MOVE_HISTORY_EXPORT = 20_000


# --- filters ---------------------------------------------------------------------------------------


class LookupField(forms.ModelChoiceField):
    """A record typed by its code (a product's SKU, a lot's number) or its id, instead of a list of
    thousands of options."""

    widget = forms.TextInput

    def __init__(self, *args: Any, lookup: str, **kwargs: Any):
        self.lookup = lookup
        super().__init__(*args, queryset=kwargs.pop("queryset", None), **kwargs)

    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        found = self.queryset.filter(**{self.lookup: text})[:2]
        if len(found) == 1:
            return found[0]
        if text.isdigit() and (by_id := self.queryset.filter(pk=text).first()) is not None:
            return by_id
        raise ValidationError(_("No %(what)s is known as %(text)s here.") % {"what": self.label.lower(), "text": text})

    def prepare_value(self, value: Any) -> Any:
        return getattr(value, self.lookup, value) if hasattr(value, "pk") else value


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    """The filters of a report page; choices are limited to the current company's records."""

    def bind(self, company: Company | None) -> None:
        querysets: dict[str, QuerySet] = {
            "warehouse": Warehouse.objects.filter(company=company, active=True),
            "location": Location.objects.filter(company=company, usage__in=("view", "internal", "transit")),
            "product": Product.objects.filter(company=company),
            "category": ProductCategory.objects.filter(company=company),
            "lot": Lot.objects.filter(company=company),
        }
        for name, queryset in querysets.items():
            if name in self.fields:
                self.fields[name].queryset = queryset

    def filters(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}


def _warehouse() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.none(), required=False)


def _location() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Location"), queryset=Location.objects.none(), required=False)


def _category() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(label=_("Category"), queryset=ProductCategory.objects.none(), required=False)


def _product() -> LookupField:
    return LookupField(label=_("Product"), lookup="sku", required=False, help_text=_("Internal reference or id"))


def _lot(required: bool = False) -> LookupField:
    return LookupField(label=_("Lot/serial"), lookup="name", required=required)


class OnHandForm(ReportForm):
    warehouse = _warehouse()
    location = _location()
    product = _product()
    category = _category()
    lot = _lot()
    group = forms.ChoiceField(
        label=_("Per"), required=False, choices=[("", _("Product, location and lot")), ("product", _("Product"))]
    )


class ForecastForm(ReportForm):
    warehouse = _warehouse()
    location = _location()
    product = _product()
    category = _category()
    until = _date_field(_("Until"))


class ValuationForm(ReportForm):
    as_of = _date_field(_("On"))
    category = _category()


class MoveHistoryForm(ReportForm):
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    product = _product()
    location = _location()
    lot = _lot()
    reference = forms.CharField(label=_("Reference"), required=False, max_length=100)


class TurnoverForm(ReportForm):
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    group = forms.ChoiceField(label=_("Per"), required=False, choices=[("", _("Product")), ("category", _("Category"))])
    category = _category()


class LotTraceForm(ReportForm):
    lot = _lot(required=True)


# --- links -----------------------------------------------------------------------------------------


def _url(name: str, *args: Any, **query: Any) -> str | None:
    """A page's address with a query, or None where the page is not there (so the text shows without a link)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return None
    query = {key: value for key, value in query.items() if value not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


def _report(slug: str, **query: Any) -> str | None:
    return _url(f"admin:inventory-report-{slug}", **query)


def _transfer(text: Any, transfer_id: int | None) -> Link:
    return Link(text, _url("admin:inventory_transfer_change", transfer_id) if transfer_id else None)


def _pk(record: Any) -> int | None:
    return record.pk if record is not None else None


def _product_label(sku: str, name: str) -> str:
    return f"[{sku}] {name}" if sku else name


# --- the reports -----------------------------------------------------------------------------------


def _place(data: dict[str, Any]) -> Location | None:
    """The location asked for, or the warehouse's whole tree."""
    if data.get("location") is not None:
        return data["location"]
    warehouse = data.get("warehouse")
    return warehouse.view_location if warehouse is not None else None


def _on_hand(company: Company, data: dict[str, Any]) -> list[Table]:
    place = _place(data)
    if data.get("group") == "product" and place is not None:
        rows = on_hand_by_product(place, product=data.get("product"), category=data.get("category"))
        lines = [
            [Link(_product_label(row["sku"], row["name"]), _report("move-history", product=row["product"], location=place.pk)),
             Qty(row["quantity"]), Qty(row["reserved"]), Qty(row["available"]), row["uom"]]
            for row in rows
        ]  # fmt: skip
        header = [_("Product"), _("On hand"), _("Reserved"), _("Available"), _("Unit")]
        return [Table(header, lines, _totals(lines, 1, 4), title=str(place))]
    quants = on_hand(company, location=place, product=data.get("product"), lot=data.get("lot"), category=data.get("category"))
    lines = []
    for quant in quants:
        product_link = _report("move-history", product=quant.product_id, location=quant.location_id)
        lot = Link(quant.lot.name, _report("lot-trace", lot=quant.lot_id)) if quant.lot_id else ""
        lines.append([Link(str(quant.product), product_link), quant.location.full_name, lot, Qty(quant.quantity),
                      Qty(quant.reserved_quantity), Qty(quant.available), quant.product.uom.name])  # fmt: skip
    header = [_("Product"), _("Location"), _("Lot/serial"), _("On hand"), _("Reserved"), _("Available"), _("Unit")]
    return [Table(header, lines, _totals(lines, 3, 6))]


def _totals(lines: list[list[Any]], first: int, last: int) -> list[Any] | None:
    """A totals row over the quantity columns first..last-1 (when there is more than one line)."""
    if len(lines) < 2:
        return None
    sums = [Qty(sum((line[i] for line in lines), Decimal(0))) for i in range(first, last)]
    return [_("Total"), *[""] * (first - 1), *sums, *[""] * (len(lines[0]) - last)]


def _forecast(company: Company, data: dict[str, Any]) -> list[Table]:
    place = _place(data)
    if place is None:
        warehouse = Warehouse.objects.filter(company=company, active=True).select_related("view_location").first()
        if warehouse is None:
            return [Table([_("No warehouse yet")], [])]
        place = warehouse.view_location
    until = data.get("until")
    product = data.get("product")
    if product is None:
        rows = forecast_summary(company, location=place, until=until, category=data.get("category"))
        lines = [
            [Link(_product_label(row.sku, row.name), _report("forecast", product=row.product_id, location=place.pk, until=until)),
             Qty(row.on_hand), Qty(row.reserved), Qty(row.incoming), Qty(row.outgoing), Qty(row.forecast)]
            for row in rows
        ]  # fmt: skip
        header = [_("Product"), _("On hand"), _("Reserved"), _("Incoming"), _("Outgoing"), _("Forecast")]
        return [Table(header, lines, title=str(place))]
    result = forecast(company, product, location=place, until=until)
    lines = [
        ["", _("On hand now"), "", "", "", Qty(result.on_hand)],
        ["", _("of which reserved"), "", "", "", Qty(result.reserved)],
    ]
    for line in result.lines:
        lines.append([line.date, _transfer(line.reference or _("(no reference)"), line.transfer_id), line.partner,
                      Qty(line.incoming), Qty(line.outgoing), Qty(line.projected)])  # fmt: skip
    header = [_("Date"), _("Reference"), _("Partner"), _("Incoming"), _("Outgoing"), _("Projected")]
    totals = [_("Forecast"), "", "", Qty(result.incoming), Qty(result.outgoing), Qty(result.forecast)]
    return [Table(header, lines, totals, title=f"{product} — {place}")]


def _valuation(company: Company, data: dict[str, Any]) -> list[Table]:
    day = data.get("as_of") or timezone.localdate()
    result = valuation_at(company, day, category=data.get("category"))
    lines = [
        [Link(_product_label(row.sku, row.name), _report("move-history", product=row.product_id, date_to=day)), row.category,
         Qty(row.quantity), row.unit_cost, row.value]
        for row in result.rows
    ]  # fmt: skip
    header = [_("Product"), _("Category"), _("Quantity"), _("Unit cost"), _("Value")]
    main = Table(header, lines, [_("Total"), "", "", "", result.total], title=_("Stock on %(day)s") % {"day": short_day(day)})
    categories = Table(
        [_("Category"), _("Quantity"), _("Value")],
        [[total.category, Qty(total.quantity), total.value] for total in result.categories],
        title=_("Per category"),
    )
    accounts = Table(
        [_("Account"), _("Name"), _("Stock value"), _("Account balance"), _("Difference")],
        [[Link(check.code, _url("admin:accounting_journalline_changelist", account__id__exact=check.account_id,
                                date__lte=day.isoformat())),
          check.name, check.layers, check.balance, check.difference] for check in result.accounts],
        title=_("Reconciliation with the stock accounts"),
        note="" if result.reconciled else _("The stock accounts differ from the valuation: see the difference column."),
    )  # fmt: skip
    return [main, categories, accounts]


def _move_history(company: Company, data: dict[str, Any], limit: int) -> list[Table]:
    lines_qs = move_history(
        company, date_from=data.get("date_from"), date_to=data.get("date_to"), product=data.get("product"),
        location=data.get("location"), lot=data.get("lot"), reference=data.get("reference", ""),
    )  # fmt: skip
    found = list(lines_qs[: limit + 1])
    lines = []
    for line in found[:limit]:
        transfer = line.move.transfer
        reference = _transfer((transfer.number if transfer else "") or line.move.reference, transfer.pk if transfer else None)
        lot = Link(line.lot.name, _report("lot-trace", lot=line.lot_id)) if line.lot_id else ""
        lines.append([line.date, reference, str(line.product), lot, line.source_location.full_name,
                      line.destination_location.full_name, Qty(line.quantity), line.product.uom.name])  # fmt: skip
    header = [_("Date"), _("Reference"), _("Product"), _("Lot/serial"), _("From"), _("To"), _("Quantity"), _("Unit")]
    note = _("Only the latest %(count)s lines are shown: narrow the filters.") % {"count": limit} if len(found) > limit else ""
    return [Table(header, lines, note=note)]


def _dates(company: Company, data: dict[str, Any]) -> tuple[datetime.date, datetime.date]:
    """The dates asked for; by default the current fiscal year up to today."""
    date_to = data.get("date_to") or timezone.localdate()
    return data.get("date_from") or company.fiscal_year_of(date_to)[0], date_to


def _turnover(company: Company, data: dict[str, Any]) -> list[Table]:
    date_from, date_to = _dates(company, data)
    group = data.get("group") or "product"
    rows = turnover(company, date_from, date_to, group=group, category=data.get("category"))
    lines = []
    for row in rows:
        link = _report("move-history", product=row.key, date_from=date_from, date_to=date_to) if group == "product" else None
        lines.append([Link(row.label, link), row.opening_value, row.closing_value, row.average_value, row.cost_out,
                      row.turnover, row.days_of_inventory])  # fmt: skip
    header = [_("Product") if group == "product" else _("Category"), _("Opening value"), _("Closing value"),
              _("Average stock"), _("Cost of goods out"), _("Turnover"), _("Days of inventory")]  # fmt: skip
    note = _("Turnover = cost of goods out of stock / average stock value (start and end of the period); "
             "days of inventory = days in the period / turnover.")  # fmt: skip
    return [Table(header, lines, title=f"{short_day(date_from)} – {short_day(date_to)}", note=note)]


def _lot_trace(company: Company, data: dict[str, Any]) -> list[Table]:
    lot = data.get("lot")
    if lot is None:
        return [Table([_("Choose a lot or serial number")], [])]
    trace = lot_trace(lot)
    header = [_("Direction"), _("Date"), _("Reference"), _("Partner"), _("From"), _("To"), _("Quantity")]
    lines = [
        [direction, step.date, _transfer(step.reference, step.transfer_id), step.partner, step.source, step.destination,
         Qty(step.quantity)]
        for direction, steps in ((_("Came from"), trace.upstream), (_("Went to"), trace.downstream))
        for step in steps
    ]  # fmt: skip
    title = _("%(lot)s of %(product)s: %(quantity)s on hand") % {
        "lot": lot.name,
        "product": lot.product,
        "quantity": shown_cell(Qty(trace.on_hand))[0],
    }
    return [Table(header, lines, title=title)]


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    permission: str
    form: type[ReportForm]
    build: Callable[[Company, dict[str, Any]], list[Table]]
    export_build: Callable[[Company, dict[str, Any]], list[Table]] | None = None  # when the export goes further


REPORTS = {
    report.slug: report
    for report in (
        Report("on-hand", _("On hand"), "inventory.view_quant", OnHandForm, _on_hand),
        Report("forecast", _("Forecast"), "inventory.view_quant", ForecastForm, _forecast),
        Report("valuation", _("Valuation"), "inventory.view_valuationlayer", ValuationForm, _valuation),
        Report("move-history", _("Move history"), "inventory.view_moveline", MoveHistoryForm,
               partial(_move_history, limit=MOVE_HISTORY_PAGE), partial(_move_history, limit=MOVE_HISTORY_EXPORT)),
        Report("turnover", _("Turnover"), "inventory.view_valuationlayer", TurnoverForm, _turnover),
        Report("lot-trace", _("Lot traceability"), "inventory.view_lot", LotTraceForm, _lot_trace),
    )
}  # fmt: skip


# --- the page --------------------------------------------------------------------------------------


def report_view(request: HttpRequest, slug: str, *, site: AdminSite) -> HttpResponse:
    report = REPORTS[slug]
    if not request.user.has_perm(report.permission):
        raise PermissionDenied
    company = request_company(request)
    form = report.form(request.GET or None)
    form.bind(company)
    valid = not form.is_bound or form.is_valid()
    data = form.filters() if form.is_bound and valid else {}
    export = request.GET.get("export")
    if company is None or not valid:
        tables = [Table([], [])]
    else:
        build = (report.export_build or report.build) if export in ("csv", "xlsx") else report.build
        tables = build(company, data)
    if export in ("csv", "xlsx"):
        main = tables[0]
        rows = [[exported_cell(cell) for cell in row] for row in main.rows]
        if main.totals:
            rows.append([exported_cell(cell) for cell in main.totals])
        return table_response(export, f"{slug}-{timezone.localdate().isoformat()}", main.header, rows)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        **site.each_context(request),
        "title": report.title,
        "form": form,
        "tables": [rendered_table(table) for table in tables],
        "query": query.urlencode(),
        "reports": [(r.title, reverse(f"admin:inventory-report-{r.slug}")) for r in REPORTS.values()
                    if request.user.has_perm(r.permission)],
        "reports_label": _("Inventory reports"),
    }  # fmt: skip
    return TemplateResponse(request, "core/report_page.html", context)


def report_urlpatterns(site: AdminSite) -> list[URLPattern]:
    """The report pages, mounted by the back office under admin/inventory/…; named inventory-report-<slug>."""
    return [
        path(f"reports/{slug}/", site.admin_view(partial(report_view, slug=slug, site=site)), name=f"inventory-report-{slug}")
        for slug in REPORTS
    ]
