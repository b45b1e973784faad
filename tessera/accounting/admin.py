"""Back office of the general ledger."""

import csv
import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import LinesInline, RecordAdmin, Transition, WorkflowAdminMixin
from tessera.core.scoping import request_company

from .models import (
    Account,
    AccountingSettings,
    AccountRole,
    FiscalPosition,
    FiscalYear,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Journal,
    JournalEntry,
    JournalLine,
    Period,
    ProductTaxes,
    Tax,
    TaxDistribution,
    TaxMapping,
)
from .queries import trial_balance
from .services import (
    DraftLine,
    invoice_cancel,
    invoice_credit_note,
    invoice_line_defaults,
    invoice_post,
    invoice_save,
    journal_entry_delete,
    journal_entry_post,
    journal_entry_reverse,
    journal_entry_save,
    journal_save,
)
from .states import EntryState, InvoiceState


@admin.register(Account)
class AccountAdmin(RecordAdmin):
    list_display = ["code", "name", "type", "reconcile", "active"]
    list_filter = ["type", "reconcile", "active"]
    search_fields = ["code", "name"]
    ordering = ["code"]


@admin.register(AccountRole)
class AccountRoleAdmin(RecordAdmin):
    list_display = ["role", "account"]
    list_select_related = ["account"]
    search_fields = ["role", "account__code", "account__name"]
    autocomplete_fields = ["account"]


@admin.register(Journal)
class JournalAdmin(RecordAdmin):
    list_display = ["code", "name", "type", "default_account", "active"]
    list_filter = ["type", "active"]
    list_select_related = ["default_account"]
    autocomplete_fields = ["default_account"]

    def save_record(self, request: HttpRequest, obj: Journal, m2m: dict[str, Any]) -> None:
        journal_save(obj, by=request.user)


class PeriodInline(admin.TabularInline):
    model = Period
    fields = ["number", "date_start", "date_end"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FiscalYear)
class FiscalYearAdmin(RecordAdmin):
    """Fiscal years are created with their periods when the first entry of a year is posted."""

    list_display = ["name", "date_start", "date_end", "closed"]
    readonly_fields = ["name", "date_start", "date_end", "closed"]
    inlines = [PeriodInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccountingSettings)
class AccountingSettingsAdmin(RecordAdmin):
    list_display = ["company", "lock_date"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class JournalLineInline(LinesInline):
    model = JournalLine
    fields = ["account", "partner", "label", "debit", "credit", "currency", "amount_currency"]
    autocomplete_fields = ["account", "partner"]
    extra = 2

    def _editable(self, obj: JournalEntry | None) -> bool:
        return obj is None or obj.state == EntryState.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return self.extra if self._editable(obj) else 0


def _post(request: HttpRequest, entry: JournalEntry) -> JournalEntry:
    return journal_entry_post(entry, by=request.user)


def _reverse(request: HttpRequest, entry: JournalEntry) -> JournalEntry:
    return journal_entry_reverse(entry, on=timezone.localdate(), by=request.user)


@admin.register(JournalEntry)
class JournalEntryAdmin(WorkflowAdminMixin, RecordAdmin):
    list_display = ["__str__", "date", "journal", "ref", "state", "reverses"]
    list_filter = ["state", "journal", "date"]
    search_fields = ["number", "ref", "narration"]
    list_select_related = ["journal", "reverses"]
    date_hierarchy = "date"
    inlines = [JournalLineInline]
    fields = ["journal", "date", "ref", "narration"]
    transitions = (
        Transition("post", _("Post"), _post, lambda e: e.state == EntryState.DRAFT, _("The entry is posted."),
                   "accounting.post_journalentry"),
        Transition("reverse", _("Reverse"), _reverse, lambda e: e.state == EntryState.POSTED and not e.reversals.exists(),
                   _("The entry is reversed by the entry shown."), "accounting.post_journalentry"),
    )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None and obj.state != EntryState.DRAFT:
            return [*self.fields, "number", "period", "posted_at", "posted_by", "reverses", "hash"]
        return []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.get_readonly_fields(request, obj) or self.fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.state == EntryState.DRAFT) and super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        (lines,) = formsets
        lines.save(commit=False)  # sets the formset's new/changed/deleted lists the change message reads
        kept = [f.instance for f in lines.forms if f.cleaned_data and not f.cleaned_data.get("DELETE") and _has_amount(f)]
        journal_entry_save(form.instance, kept, by=request.user)

    def delete_model(self, request: HttpRequest, obj: JournalEntry) -> None:
        journal_entry_delete(obj, by=request.user)


def _has_amount(form: forms.ModelForm) -> bool:
    """Blank extra rows (no account) are not lines."""
    return form.cleaned_data.get("account") is not None


@admin.register(JournalLine)
class JournalLineAdmin(RecordAdmin):
    """Posted journal items: the general ledger, filterable by account, partner, journal and date."""

    list_display = ["date", "entry", "account", "partner", "label", "debit", "credit"]
    list_filter = ["account", "entry__journal", "date"]
    search_fields = ["label", "entry__number", "account__code", "partner__name"]
    list_select_related = ["entry", "account", "partner__parent"]
    date_hierarchy = "date"
    ordering = ["-date", "-id"]

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).filter(posted=True)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path("trial-balance/", self.admin_site.admin_view(self.trial_balance_view), name="accounting-trial-balance"),
            *super().get_urls(),
        ]

    def trial_balance_view(self, request: HttpRequest) -> HttpResponse:
        """Opening balance, debit, credit and closing balance per account between two dates."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        company = request_company(request)
        form = PeriodForm(request.GET or None, company=company)
        date_from, date_to = form.dates()
        rows = trial_balance(company, date_from, date_to) if company else []
        if request.GET.get("export") == "csv":
            return _trial_balance_csv(rows, date_from, date_to, company.currency.minor_unit)
        items_url = reverse("admin:accounting_journalline_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Trial balance"),
            "form": form,
            "rows": [
                (row, f"{items_url}?account__id__exact={row.account_id}&date__gte={date_from}&date__lte={date_to}")
                for row in rows
            ],
            "totals": [sum((getattr(row, name) for row in rows), start=0) for name in ("opening", "debit", "credit", "closing")],
            "opts": self.opts,
            "date_from": date_from,
            "date_to": date_to,
        }
        return TemplateResponse(request, "accounting/trial_balance.html", context)


class PeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, company: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.company = company

    def dates(self) -> tuple[datetime.date, datetime.date]:
        """The dates asked for, by default the current fiscal year up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        date_to = data.get("date_to") or today
        default_from = self.company.fiscal_year_of(date_to)[0] if self.company else date_to.replace(month=1, day=1)
        return data.get("date_from") or default_from, date_to


def _trial_balance_csv(rows: list, date_from: datetime.date, date_to: datetime.date, decimals: int) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trial-balance-{date_from}-{date_to}.csv"'
    writer = csv.writer(response)
    writer.writerow([_("Account"), _("Name"), _("Opening"), _("Debit"), _("Credit"), _("Closing")])
    for row in rows:
        amounts = (row.opening, row.debit, row.credit, row.closing)
        writer.writerow([row.code, row.name, *(f"{amount:.{decimals}f}" for amount in amounts)])
    return response


# --- taxes -----------------------------------------------------------------------------------------


class TaxDistributionInline(LinesInline):
    model = TaxDistribution
    fields = ["refund", "factor", "account", "grid"]
    autocomplete_fields = ["account"]


@admin.register(Tax)
class TaxAdmin(RecordAdmin):
    list_display = ["code", "name", "use", "rate", "price_include", "invoice_base_grids", "active"]
    list_filter = ["use", "price_include", "active"]
    search_fields = ["code", "name"]
    inlines = [TaxDistributionInline]


class TaxMappingInline(LinesInline):
    model = TaxMapping
    fields = ["source", "target"]
    fk_name = "position"


@admin.register(FiscalPosition)
class FiscalPositionAdmin(RecordAdmin):
    list_display = ["code", "name", "kind", "active"]
    inlines = [TaxMappingInline]


@admin.register(ProductTaxes)
class ProductTaxesAdmin(RecordAdmin):
    list_display = ["product", "income_account", "expense_account"]
    list_select_related = ["product", "income_account", "expense_account"]
    autocomplete_fields = ["product", "income_account", "expense_account"]
    filter_horizontal = ["sale_taxes", "purchase_taxes"]
    search_fields = ["product__sku", "product__name"]


# --- invoices --------------------------------------------------------------------------------------


class InvoiceLineForm(forms.ModelForm):
    """The account and the description may be left empty: the product's (or the company's) are used."""

    class Meta:
        model = InvoiceLine
        fields = ["product", "description", "account", "quantity", "uom", "price_unit", "discount", "taxes"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["account"].required = False
        self.fields["description"].required = False


class InvoiceLineInline(LinesInline):
    model = InvoiceLine
    form = InvoiceLineForm
    autocomplete_fields = ["product", "account"]
    extra = 3

    def _editable(self, obj: Invoice | None) -> bool:
        return obj is None or obj.state == InvoiceState.DRAFT

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return self.extra if self._editable(obj) else 0


def _post_invoice(request: HttpRequest, invoice: Invoice) -> Invoice:
    return invoice_post(invoice, by=request.user)


def _cancel_invoice(request: HttpRequest, invoice: Invoice) -> Invoice:
    return invoice_cancel(invoice, by=request.user)


def _credit_invoice(request: HttpRequest, invoice: Invoice) -> Invoice:
    return invoice_credit_note(invoice, by=request.user, on=timezone.localdate())


@admin.register(Invoice)
class InvoiceAdmin(WorkflowAdminMixin, RecordAdmin):
    list_display = ["__str__", "kind", "partner", "date", "due_date", "amount_total", "amount_residual", "state", "payment_state"]
    list_filter = ["kind", "state", "payment_state", "date", "journal"]
    search_fields = ["number", "ref", "payment_reference", "partner__name"]
    list_select_related = ["partner", "currency"]
    date_hierarchy = "date"
    autocomplete_fields = ["partner"]
    inlines = [InvoiceLineInline]
    fields = ["kind", "partner", "journal", "date", "payment_term", "due_date", "currency", "fiscal_position", "ref", "narration"]
    totals = ["number", "payment_reference", "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "entry", "origin"]
    transitions = (
        Transition("post", _("Post"), _post_invoice, lambda i: i.state == InvoiceState.DRAFT, _("The invoice is posted."),
                   "accounting.post_invoice"),
        Transition("cancel", _("Cancel"), _cancel_invoice, lambda i: i.state == InvoiceState.DRAFT, _("The draft is cancelled."),
                   "accounting.change_invoice"),
        Transition("credit", _("Credit note"), _credit_invoice,
                   lambda i: i.state == InvoiceState.POSTED and not i.is_refund,
                   _("Here is a draft credit note: adjust it and post it."), "accounting.add_invoice"),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.totals]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.state != InvoiceState.DRAFT:
            return [*self.fields, *self.totals]
        return ["kind", *self.totals]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        company = request_company(request)
        kind = request.GET.get("kind", InvoiceKind.CUSTOMER_INVOICE)
        journal_code = "INV" if kind in ("out_invoice", "out_refund") else "BILL"
        journal = Journal.objects.filter(company=company, code=journal_code).first()
        return {"kind": kind, "date": timezone.localdate(), "currency": company and company.currency_id, "journal": journal}

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.state == InvoiceState.DRAFT) and super().has_delete_permission(request, obj)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        (lines,) = formsets
        lines.save(commit=False)  # sets the formset's new/changed/deleted lists the change message reads
        invoice = form.instance
        drafts = []
        for line_form in lines.forms:
            data = line_form.cleaned_data
            if not data or data.get("DELETE") or not (data.get("product") or data.get("description")):
                continue
            line = line_form.instance
            if line.account_id is None:
                line.account, _taxes = invoice_line_defaults(invoice, data.get("product"))
            if not line.description and data.get("product"):
                line.description = str(data["product"])
            drafts.append(DraftLine(line, list(data.get("taxes") or [])))
        invoice_save(invoice, drafts, by=request.user)
