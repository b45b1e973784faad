"""Sales analysis pages in the back office: margin, open orders, backlog and on-time delivery, each
filtered by a form and exported as CSV or XLSX."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.core.exports import table_response
from tessera.core.models import Company, Partner, Product
from tessera.core.money import round_to
from tessera.core.report_tables import Table, exported_cell, rendered_table
from tessera.core.scoping import request_company

from .queries import Scope, backlog, on_time_delivery, open_orders, sales_margin

PERMISSION = "sales.view_saleorder"


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AnalysisForm(forms.Form):
    """The filters of every sales analysis page; choices are the current company's records."""

    date_from = _date(_("From"))
    date_to = _date(_("To"))
    customer = forms.ModelChoiceField(label=_("Customer"), queryset=Partner.objects.none(), required=False)
    product = forms.ModelChoiceField(label=_("Product"), queryset=Product.objects.none(), required=False)
    salesperson = forms.ModelChoiceField(label=_("Salesperson"), queryset=get_user_model().objects.none(), required=False)
    group = forms.ChoiceField(label=_("Per"), required=False, choices=[])

    def __init__(self, *args: Any, company: Company | None, groups: Sequence[tuple[str, Any]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Partner.objects.filter(company=company, is_customer=True, parent=None)
        self.fields["product"].queryset = Product.objects.filter(company=company)
        self.fields["salesperson"].queryset = get_user_model().objects.filter(companies=company, is_active=True)
        self.fields["group"].choices = groups
        if not groups:
            del self.fields["group"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The last day comes before the first."))
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        return Scope(data.get("date_from"), data.get("date_to"), data.get("customer"), data.get("product"),
                     data.get("salesperson"))  # fmt: skip


def _percent(value: Decimal | None) -> Any:
    return "" if value is None else value


def _margin(company: Company, scope: Scope, group: str) -> Table:
    group = group or "product"
    rows = sales_margin(company, scope, group=group)
    lines = [[row.label, row.revenue, row.cost, row.margin, _percent(row.margin_percent)] for row in rows]
    if len(rows) > 1:
        revenue, cost = sum((row.revenue for row in rows), Decimal(0)), sum((row.cost for row in rows), Decimal(0))
        percent = (revenue - cost) * 100 / revenue if revenue else None
        lines.append([_("Total"), revenue, cost, revenue - cost, _percent(None if percent is None else round_to(percent, 2))])
    header = [dict(MARGIN_GROUPS)[group], _("Revenue"), _("Cost of goods delivered"), _("Margin"), _("Margin %")]
    note = _("Revenue: posted customer invoices less credit notes, untaxed, by invoice date. Cost: stock value of the goods "
             "delivered for sales order lines (less returns), by delivery date. Margin = revenue − cost.")  # fmt: skip
    return Table(header, lines, note=note)


def _open_orders(company: Company, scope: Scope, group: str) -> Table:
    rows = open_orders(company, scope)
    header = [_("Order"), _("Date"), _("Customer"), _("Untaxed"), _("Left to deliver"), _("Left to invoice")]
    return Table(header, [[row.number, row.date_order, row.customer, row.amount_untaxed, row.to_deliver, row.to_invoice]
                          for row in rows])  # fmt: skip


def _backlog(company: Company, scope: Scope, group: str) -> Table:
    group = group or "order"
    rows = backlog(company, scope, group=group)
    header = [dict(BACKLOG_GROUPS)[group], _("Quantity left"), _("Value left")]
    note = _("Ordered but not yet delivered: (quantity − delivered) × unit price × (1 − discount), untaxed.")
    return Table(header, [[row.label, row.quantity, row.value] for row in rows], note=note)


def _on_time(company: Company, scope: Scope, group: str) -> Table:
    group = group or "customer"
    rows = on_time_delivery(company, scope, group=group)
    header = [dict(ON_TIME_GROUPS)[group], _("Lines delivered"), _("On time"), _("On-time rate %"), _("Average delay (days)"),
              _("Average difference (days)")]  # fmt: skip
    note = _("Lines fully delivered in the period that had a promised date. The average delay counts early deliveries "
             "as 0 days; the average difference counts them negative.")  # fmt: skip
    return Table(header, [[row.label, row.lines, row.on_time, row.rate, row.average_delay, row.average_difference]
                          for row in rows], note=note)  # fmt: skip


MARGIN_GROUPS = [("product", _("Product")), ("customer", _("Customer")), ("salesperson", _("Salesperson")), ("month", _("Month"))]
BACKLOG_GROUPS = [("order", _("Order")), ("customer", _("Customer"))]
ON_TIME_GROUPS = [("customer", _("Customer")), ("product", _("Product"))]


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    groups: Sequence[tuple[str, Any]]
    build: Callable[[Company, Scope, str], Table]


REPORTS = {
    report.slug: report
    for report in (
        Report("margin", _("Revenue and margin"), MARGIN_GROUPS, _margin),
        Report("open-orders", _("Open orders"), [], _open_orders),
        Report("backlog", _("Backlog"), BACKLOG_GROUPS, _backlog),
        Report("on-time", _("On-time delivery"), ON_TIME_GROUPS, _on_time),
    )
}


def report_view(request: HttpRequest, slug: str, *, site: AdminSite) -> HttpResponse:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied
    report = REPORTS[slug]
    company = request_company(request)
    form = AnalysisForm(request.GET or None, company=company, groups=report.groups)
    valid = not form.is_bound or form.is_valid()
    if company is None or not valid:
        table = Table([], [])
    elif form.is_bound:
        table = report.build(company, form.scope(), form.cleaned_data.get("group") or "")
    else:
        table = report.build(company, Scope(), "")
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        rows = [[exported_cell(cell) for cell in row] for row in table.rows]
        return table_response(export, f"sales-{slug}-{timezone.localdate().isoformat()}", table.header, rows)
    query = request.GET.copy()
    query.pop("export", None)
    rendered = rendered_table(table)
    context = {
        **site.each_context(request),
        "title": report.title,
        "form": form,
        "tables": [rendered],
        "query": query.urlencode(),
        "reports": [(r.title, reverse(f"admin:sales-report-{r.slug}")) for r in REPORTS.values()],
        "reports_label": _("Sales analysis"),
    }
    return TemplateResponse(request, "core/report_page.html", context)


def report_urlpatterns(site: AdminSite) -> list[URLPattern]:
    """The analysis pages, mounted by the back office under admin/sales/saleorder/…; named sales-report-<slug>."""
    return [
        path(f"reports/{slug}/", site.admin_view(partial(report_view, slug=slug, site=site)), name=f"sales-report-{slug}")
        for slug in REPORTS
    ]
