"""Purchasing analysis pages in the back office: spend (per supplier, product category or month), open
order lines, late receipts and supplier performance, each filtered by a form and exported as CSV or XLSX
(the rows shown, with their total). Definitions: see tessera.purchasing.queries."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.core.exports import table_response
from tessera.core.models import Company, Partner, Product
from tessera.core.report_tables import Link, Qty, Table, exported_cell, rendered_table, short_day
from tessera.core.scoping import request_company

from .queries import ExpectedLine, Scope, expected_lines, late_receipts, spend, supplier_performance

PERMISSION = "purchasing.view_purchaseorder"


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AnalysisForm(forms.Form):
    """The filters of every purchasing analysis page; choices are the current company's records. The grouping
    and the day lateness is counted to are there only on the pages that take them."""

    date_from = _date(_("From"))
    date_to = _date(_("To"))
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Partner.objects.none(), required=False)
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    group = forms.ChoiceField(label=_("Per"), required=False, choices=[])
    as_of = _date(_("Late as of"))  # today when empty

    def __init__(self, *args: Any, company: Company | None, groups: Sequence[tuple[str, Any]], as_of: bool, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["supplier"].queryset = Partner.objects.filter(company=company, is_supplier=True, parent=None)
        self.fields["product"].queryset = Product.objects.filter(company=company)
        self.fields["group"].choices = groups
        if not groups:
            del self.fields["group"]
        if not as_of:
            del self.fields["as_of"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The last day comes before the first."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(data.get("date_from"), data.get("date_to"), data.get("supplier"), data.get("product"))


def _optional(value: Decimal | None) -> Any:
    return "" if value is None else value


def _spend(company: Company, scope: Scope, data: dict[str, Any]) -> Table:
    group = data.get("group") or "supplier"
    rows = spend(company, scope, group=group)
    header = [dict(SPEND_GROUPS)[group], _("Billed"), _("Refunded"), _("Spend")]
    totals = None
    if len(rows) > 1:
        totals = [
            _("Total"),
            *(sum((getattr(row, column) for row in rows), Decimal(0)) for column in ("billed", "refunded", "spend")),
        ]
    note = _("Untaxed lines of posted vendor bills less those of posted vendor refunds, by bill date, in the company "
             "currency (bills in another currency at their posted rate). Lines without a product have no category.")  # fmt: skip
    return Table(header, [[row.label, row.billed, row.refunded, row.spend] for row in rows], totals=totals, note=note)


def _order(line: ExpectedLine) -> Link:
    return Link(line.number, reverse("admin:purchasing_purchaseorder_change", args=[line.order_id]))


def _expected(company: Company, scope: Scope, data: dict[str, Any], *, query: Callable[..., list[ExpectedLine]]) -> Table:
    as_of = data.get("as_of") or timezone.localdate()
    rows = query(company, scope, as_of=as_of)
    header = [_("Order"), _("Order date"), _("Supplier"), _("Product"), _("Unit"), _("Ordered"), _("Received"), _("Expected"),
              _("Expected on"), _("Days late"), _("Value expected"), _("Currency")]  # fmt: skip
    lines = [
        [_order(row), row.date_order, row.supplier, row.product, row.uom, Qty(row.ordered), Qty(row.received), Qty(row.expected),
         row.date_planned, row.days_late, row.value, row.currency]
        for row in rows
    ]  # fmt: skip
    title = _("Days late counted to %(day)s") % {"day": short_day(as_of)}
    note = _("Lines of confirmed orders (dated in the period) whose goods are still expected: ordered − received, in the "
             "line's unit. Value expected = expected × unit price, untaxed, in the order's currency.")  # fmt: skip
    return Table(header, lines, title=title, note=note)


def _performance(company: Company, scope: Scope, data: dict[str, Any]) -> Table:
    rows = supplier_performance(company, scope)
    header = [_("Supplier"), _("Lines received"), _("On time"), _("On-time rate %"), _("Average lead time (days)"),
              _("Billed quantities at ordered prices"), _("Billed quantities at billed prices"), _("Price variance"),
              _("Price variance %")]  # fmt: skip
    lines = [
        [row.label, row.lines_received, row.on_time, _optional(row.on_time_rate),
         _optional(row.average_lead_days), row.ordered_value, row.billed_value,
         row.price_variance, _optional(row.price_variance_percent)]
        for row in rows
    ]  # fmt: skip
    note = _("On time: order lines fully received in the period on or before their expected date; lead time: from the "
             "order date to the full receipt. Price variance: what the period's posted bills billed of order lines, at the "
             "billed prices less the ordered prices, in the company currency.")  # fmt: skip
    return Table(header, lines, note=note)


SPEND_GROUPS = [("supplier", _("Supplier")), ("category", _("Product category")), ("month", _("Month"))]


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    groups: Sequence[tuple[str, Any]]
    build: Callable[[Company, Scope, dict[str, Any]], Table]
    as_of: bool = False  # whether the page counts lateness to a day


REPORTS = {
    report.slug: report
    for report in (
        Report("spend", _("Spend"), SPEND_GROUPS, _spend),
        Report("open-orders", _("Open orders"), [], partial(_expected, query=expected_lines), as_of=True),
        Report("late-receipts", _("Late receipts"), [], partial(_expected, query=late_receipts), as_of=True),
        Report("supplier-performance", _("Supplier performance"), [], _performance),
    )
}


def report_view(request: HttpRequest, slug: str, *, site: AdminSite) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    report = REPORTS[slug]
    company = request_company(request)
    form = AnalysisForm(request.GET or None, company=company, groups=report.groups, as_of=report.as_of)
    valid = not form.is_bound or form.is_valid()
    if company is None or not valid:
        table = Table([], [])
    elif form.is_bound:
        table = report.build(company, form.scope(), form.cleaned_data)
    else:
        table = report.build(company, Scope(), {})
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and valid:
        rows = [[exported_cell(cell) for cell in row] for row in table.rows]
        if table.totals:
            rows.append([exported_cell(cell) for cell in table.totals])
        return table_response(export, f"purchasing-{slug}-{timezone.localdate().isoformat()}", table.header, rows)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        **site.each_context(request),
        "title": report.title,
        "form": form,
        "tables": [rendered_table(table)],
        "query": query.urlencode(),
        "reports": [(r.title, reverse(f"admin:purchasing-report-{r.slug}")) for r in REPORTS.values()],
        "reports_label": _("Purchasing analysis"),
    }
    return TemplateResponse(request, "core/report_page.html", context)


def report_urlpatterns(site: AdminSite) -> list[URLPattern]:
    """The analysis pages, mounted by the back office under admin/purchasing/purchaseorder/…; named
    purchasing-report-<slug>."""
    return [
        path(f"reports/{slug}/", site.admin_view(partial(report_view, slug=slug, site=site)), name=f"purchasing-report-{slug}")
        for slug in REPORTS
    ]
