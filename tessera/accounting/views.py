"""Report pages of the back office: each shows a table filtered by dates, drills down to the journal
items, and exports what it shows as CSV or XLSX."""

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import floatformat
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from tessera.core.exports import table_response
from tessera.core.models import Company, Partner
from tessera.core.scoping import request_company

from .models import Account
from .queries import (
    AGE_BUCKETS,
    aged_balance,
    balance_sheet,
    general_ledger,
    partner_ledger,
    profit_and_loss,
    trial_balance,
    vat_return,
)

DateRange = tuple[datetime.date, datetime.date]


class DatesForm(forms.Form):
    def bind(self, company: Company | None) -> None:
        """Limit choices to the company's records (forms that have some)."""

    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def dates(self, company: Company | None) -> DateRange:
        """The dates asked for; by default the current fiscal year up to today."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        date_to = data.get("date_to") or timezone.localdate()
        default_from = company.fiscal_year_of(date_to)[0] if company else date_to.replace(month=1, day=1)
        return data.get("date_from") or default_from, date_to


class AsOfForm(forms.Form):
    def bind(self, company: Company | None) -> None:
        """No choices to limit."""

    as_of = forms.DateField(label=_("On"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def dates(self, company: Company | None) -> DateRange:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        day = data.get("as_of") or timezone.localdate()
        return day, day


class LedgerForm(DatesForm):
    account = forms.ModelChoiceField(label=_("Account"), queryset=Account.objects.none(), required=False)

    def bind(self, company: Company | None) -> None:
        self.fields["account"].queryset = Account.objects.filter(company=company).order_by("code")


class PartnerLedgerForm(DatesForm):
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=Partner.objects.none(), required=False)
    payable = forms.BooleanField(label=_("Payables"), required=False)

    def bind(self, company: Company | None) -> None:
        self.fields["partner"].queryset = Partner.objects.filter(company=company, parent=None).order_by("name")


@dataclass(frozen=True)
class Table:
    header: Sequence[Any]
    rows: list[tuple[list[Any], str | None]]  # cells, and the journal items they come from (or None)
    totals: list[Any] | None = None


@dataclass(frozen=True)
class Report:
    slug: str
    title: Any
    form: type[forms.Form]
    build: Callable[..., Table]
    needs_form: bool = False  # build takes the form as a third argument (account, partner…)


def _items(**filters: Any) -> str:
    """The journal items a figure comes from, as a filtered list."""
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return f"{reverse('admin:accounting_journalline_changelist')}?{query}"


def _total(values: Sequence[Decimal]) -> Decimal:
    return sum(values, Decimal(0))


def _trial_balance(company: Company, dates: DateRange) -> Table:
    rows = trial_balance(company, *dates)
    date_from, date_to = dates
    lines = []
    for row in rows:
        link = _items(account__id__exact=row.account_id, date__gte=date_from, date__lte=date_to) if row.account_id else None
        lines.append(([row.code, row.name, row.opening, row.debit, row.credit, row.closing], link))
    totals = [_total([getattr(row, name) for row in rows]) for name in ("opening", "debit", "credit", "closing")]
    return Table([_("Account"), _("Name"), _("Opening"), _("Debit"), _("Credit"), _("Closing")], lines, ["", _("Total"), *totals])


def _aged(payable: bool) -> Callable[[Company, DateRange], Table]:
    def build(company: Company, dates: DateRange) -> Table:
        rows = aged_balance(company, dates[0], payable=payable)
        lines = [([row.partner, *row.buckets, row.total], _items(partner__id__exact=row.partner_id)) for row in rows]
        totals = [_total([row.buckets[i] for row in rows]) for i in range(len(AGE_BUCKETS))]
        return Table([_("Partner"), *AGE_BUCKETS, _("Total")], lines, [_("Total"), *totals, _total(totals)])

    return build


def _statement_table(sections: dict[str, list], labels: dict[str, Any], dates: DateRange) -> Table:
    rows: list[tuple[list[Any], str | None]] = []
    for name, lines in sections.items():
        rows.append(([labels[name], "", _total([line.amount for line in lines])], None))
        for line in lines:
            link = _items(account__id__exact=line.account_id, date__lte=dates[1]) if line.account_id else None
            rows.append(([line.code, line.name, line.amount], link))
    return Table([_("Account"), _("Name"), _("Amount")], rows)


def _profit_and_loss(company: Company, dates: DateRange) -> Table:
    statement = profit_and_loss(company, *dates)
    table = _statement_table(statement.sections, {"income": _("Income"), "expense": _("Expenses")}, dates)
    return Table(table.header, table.rows, ["", _("Result"), statement.total("income") - statement.total("expense")])


def _balance_sheet(company: Company, dates: DateRange) -> Table:
    statement = balance_sheet(company, dates[1])
    labels = {"assets": _("Assets"), "liabilities": _("Liabilities"), "equity": _("Equity")}
    return _statement_table(statement.sections, labels, dates)


def _vat_return(company: Company, dates: DateRange) -> Table:
    rows = [
        ([row.grid, row.label, row.amount], _items(vat_grids__contains=row.grid, date__gte=dates[0], date__lte=dates[1]))
        for row in vat_return(company, *dates)
    ]
    return Table([_("Grid"), _("Description"), _("Amount")], rows)


def _ledger_table(opening: Decimal, lines: Sequence[Any]) -> Table:
    rows: list[tuple[list[Any], str | None]] = [(["", _("Opening balance"), "", "", "", opening], None)]
    for line in lines:
        link = reverse("admin:accounting_journalentry_change", args=[line.entry_id])
        rows.append(
            ([line.entry.number, line.label or (line.partner or ""), line.date, line.debit, line.credit, line.running], link)
        )
    return Table([_("Entry"), _("Label"), _("Date"), _("Debit"), _("Credit"), _("Balance")], rows)


def _general_ledger(company: Company, dates: DateRange, form: LedgerForm) -> Table:
    account = form.cleaned_data.get("account") if form.is_bound and form.is_valid() else None
    if account is None:
        return Table([_("Choose an account")], [])
    page = general_ledger(account, *dates, limit=1000)
    return _ledger_table(page.opening, page.lines)


def _partner_ledger(company: Company, dates: DateRange, form: PartnerLedgerForm) -> Table:
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    if not data.get("partner"):
        return Table([_("Choose a partner")], [])
    page = partner_ledger(company, data["partner"], *dates, payable=data.get("payable", False))
    return _ledger_table(page.opening, page.lines)


REPORTS = {
    report.slug: report
    for report in (
        Report("trial-balance", _("Trial balance"), DatesForm, _trial_balance),
        Report("profit-and-loss", _("Profit and loss"), DatesForm, _profit_and_loss),
        Report("balance-sheet", _("Balance sheet"), AsOfForm, _balance_sheet),
        Report("aged-receivables", _("Aged receivables"), AsOfForm, _aged(payable=False)),
        Report("aged-payables", _("Aged payables"), AsOfForm, _aged(payable=True)),
        Report("vat-return", _("VAT return"), DatesForm, _vat_return),
        Report("general-ledger", _("General ledger"), LedgerForm, _general_ledger, needs_form=True),
        Report("partner-ledger", _("Partner ledger"), PartnerLedgerForm, _partner_ledger, needs_form=True),
    )
}


def _shown(cell: Any) -> tuple[str, bool]:
    """A cell as the page shows it, and whether it is an amount (aligned right)."""
    if isinstance(cell, Decimal):
        return floatformat(cell, "2g"), True
    if isinstance(cell, datetime.date):
        return date_format(cell, "SHORT_DATE_FORMAT"), False
    return str(cell), False


def report_view(request: HttpRequest, slug: str, *, site: AdminSite) -> HttpResponse:
    if not request.user.has_perm("accounting.view_journalline"):
        raise PermissionDenied
    report = REPORTS[slug]
    company = request_company(request)
    form = report.form(request.GET or None)
    form.bind(company)
    dates = form.dates(company)
    if company is None:
        table = Table([], [])
    else:
        table = report.build(company, dates, form) if report.needs_form else report.build(company, dates)
    export = request.GET.get("export")
    if export in ("csv", "xlsx"):
        rows = [cells for cells, _link in table.rows] + ([table.totals] if table.totals else [])
        return table_response(export, f"{slug}-{dates[0]}-{dates[1]}", table.header, rows)
    query = request.GET.copy()
    query.pop("export", None)
    context = {
        **site.each_context(request),
        "title": report.title,
        "form": form,
        "header": table.header,
        "rows": [([_shown(cell) for cell in cells], link) for cells, link in table.rows],
        "totals": [_shown(cell) for cell in table.totals] if table.totals else None,
        "query": query.urlencode(),
        "reports": [(r.title, reverse(f"admin:accounting-{r.slug}")) for r in REPORTS.values()],
    }
    return TemplateResponse(request, "accounting/report.html", context)
