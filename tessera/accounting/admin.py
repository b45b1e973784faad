"""Back office of the general ledger."""

from decimal import Decimal
from functools import partial
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.core.backoffice import DraftLinesInline, LinesInline, RecordAdmin, Transition, WorkflowAdminMixin
from tessera.core.errors import BusinessError
from tessera.core.exports import document_response
from tessera.core.scoping import request_company

from .documents import invoice_pdf, invoice_pdf_filename
from .models import (
    Account,
    AccountingSettings,
    AccountRole,
    BankStatement,
    BankStatementLine,
    FiscalPosition,
    FiscalYear,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    Journal,
    JournalEntry,
    JournalLine,
    Payment,
    Period,
    ProductTaxes,
    Tax,
    TaxDistribution,
    TaxMapping,
)
from .services import (
    KEEP_OPEN,
    WRITE_OFF,
    DraftLine,
    bank_line_post,
    bank_line_proposals,
    bank_line_reconcile,
    bank_statement_auto_reconcile,
    bank_statement_import,
    csv_mapping,
    fiscal_year_close,
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
    payment_post,
    payment_register,
)
from .states import EntryState, InvoiceState
from .views import REPORTS, report_view


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


def _close_year(request: HttpRequest, fiscal_year: FiscalYear) -> FiscalYear:
    return fiscal_year_close(fiscal_year, by=request.user)


@admin.register(FiscalYear)
class FiscalYearAdmin(WorkflowAdminMixin, RecordAdmin):
    """Fiscal years are created with their periods when the first entry of a year is posted; closing
    one posts its result to equity and closes it to posting."""

    transitions = (
        Transition("close", _("Close the year"), _close_year, lambda year: year.state == "open",
                   _("The year is closed: its result is in equity."), "accounting.change_fiscalyear"),
    )  # fmt: skip

    list_display = ["name", "date_start", "date_end", "state"]
    readonly_fields = ["name", "date_start", "date_end", "state", "closing_entry"]
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


class JournalLineInline(DraftLinesInline):
    model = JournalLine
    fields = ["account", "partner", "label", "debit", "credit", "currency", "amount_currency"]
    autocomplete_fields = ["account", "partner"]
    extra = 2


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
        reports = [
            path(f"reports/{slug}/", self.admin_site.admin_view(partial(report_view, slug=slug, site=self.admin_site)),
                 name=f"accounting-{slug}")
            for slug in REPORTS
        ]  # fmt: skip
        return [*reports, *super().get_urls()]


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


class InvoiceLineInline(DraftLinesInline):
    model = InvoiceLine
    form = InvoiceLineForm
    autocomplete_fields = ["product", "account"]
    extra = 3


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

    def workflow_links(self, request: HttpRequest, obj: Invoice) -> list[tuple[Any, str]]:
        links = [(_("PDF"), reverse("admin:accounting_invoice_pdf", args=[obj.pk]))]
        if obj.state == InvoiceState.POSTED and obj.amount_residual and request.user.has_perm("accounting.add_payment"):
            links.append((_("Register payment"), reverse("admin:accounting_invoice_register_payment", args=[obj.pk])))
        return links

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        invoice = self.get_object(request, object_id)
        if invoice is None:
            raise PermissionDenied
        return document_response(invoice_pdf(invoice), invoice_pdf_filename(invoice), "application/pdf")

    def get_urls(self) -> list:
        payment = self.admin_site.admin_view(self.register_payment_view)
        pdf = self.admin_site.admin_view(self.pdf_view)
        return [
            path("<path:object_id>/register-payment/", payment, name="accounting_invoice_register_payment"),
            path("<path:object_id>/pdf/", pdf, name="accounting_invoice_pdf"),
            *super().get_urls(),
        ]

    def register_payment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Pay the invoice: amount, date and bank; the payment is posted and reconciled with it."""
        invoice = self.get_object(request, object_id)
        if invoice is None or not request.user.has_perm("accounting.add_payment"):
            raise PermissionDenied
        form = RegisterPaymentForm(
            request.POST or None, initial={"amount": invoice.amount_residual, "date": timezone.localdate()}
        )
        form.fields["journal"].queryset = Journal.objects.filter(company=invoice.company, type__in=("bank", "cash"))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                payment_register([invoice], amount=data["amount"], on=data["date"], journal=data["journal"], by=request.user,
                                 difference=data["difference"] or None, memo=data["memo"])  # fmt: skip
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("The payment is registered."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:accounting_invoice_change", args=[invoice.pk]))
        title = _("Register a payment of %(invoice)s") % {"invoice": invoice}
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "opts": self.opts, "invoice": invoice}
        return TemplateResponse(request, "accounting/register_payment.html", context)

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


# --- payments ------------------------------------------------------------------------------------


@admin.register(Payment)
class PaymentAdmin(RecordAdmin):
    """Payments are posted when they are made (from an invoice's "Register payment", or here for an
    advance); their entries are corrected by reversal, never edited."""

    list_display = ["__str__", "direction", "partner", "date", "amount", "currency", "journal", "memo"]
    list_filter = ["direction", "journal", "date"]
    search_fields = ["memo", "partner__name", "entry__number"]
    list_select_related = ["partner", "currency", "journal", "entry"]
    autocomplete_fields = ["partner"]
    fields = ["direction", "partner", "journal", "date", "amount", "currency", "memo"]
    date_hierarchy = "date"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.fields, "entry"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        company = request_company(request)
        journal = Journal.objects.filter(company=company, code="BNK1").first()
        return {"date": timezone.localdate(), "currency": company and company.currency_id, "journal": journal}

    def save_record(self, request: HttpRequest, obj: Payment, m2m: dict[str, Any]) -> None:
        payment_post(obj, by=request.user)


class RegisterPaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=20, decimal_places=4, min_value=Decimal("0.0001"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    journal = forms.ModelChoiceField(label=_("Bank or cash journal"), queryset=Journal.objects.none())
    difference = forms.ChoiceField(
        label=_("If the amount differs from what is due"), required=False,
        choices=[("", _("Leave what is not paid open")), (KEEP_OPEN, _("Keep an over-payment open as a credit")),
                 (WRITE_OFF, _("Write the difference off"))],
    )  # fmt: skip
    memo = forms.CharField(label=_("Memo"), max_length=200, required=False)


# --- bank statements -----------------------------------------------------------------------------


class StatementLineInline(admin.TabularInline):
    model = BankStatementLine
    fields = [
        "date",
        "amount",
        "counterpart_name",
        "communication",
        "structured_reference",
        "partner",
        "state",
        "payment",
        "entry",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StatementImportForm(forms.Form):
    journal = forms.ModelChoiceField(label=_("Bank journal"), queryset=Journal.objects.none())
    file = forms.FileField(label=_("Statement file (CAMT.053 or CODA; or CSV with the columns below)"))
    date = forms.CharField(label=_("CSV: column of the date"), required=False)
    amount = forms.CharField(label=_("CSV: column of the amount"), required=False)
    communication = forms.CharField(label=_("CSV: column of the communication"), required=False)
    counterpart_name = forms.CharField(label=_("CSV: column of the counterpart's name"), required=False)
    counterpart_iban = forms.CharField(label=_("CSV: column of the counterpart's IBAN"), required=False)
    date_format = forms.CharField(label=_("CSV: date format"), required=False, help_text="%d/%m/%Y, %Y-%m-%d…")
    decimal_separator = forms.ChoiceField(label=_("CSV: decimal separator"), choices=[("", "."), (",", ",")], required=False)
    delimiter = forms.ChoiceField(label=_("CSV: column separator"), choices=[("", ","), (";", ";")], required=False)


@admin.register(BankStatement)
class BankStatementAdmin(RecordAdmin):
    """Statements come from the bank's files (Import); their transactions are reconciled on the
    Reconcile page."""

    list_display = ["__str__", "date", "opening_balance", "closing_balance", "source_format", "filename"]
    list_filter = ["journal", "date"]
    readonly_fields = ["journal", "identifier", "date", "opening_balance", "closing_balance", "source_format", "filename"]
    inlines = [StatementLineInline]
    change_list_template = "accounting/statement_changelist.html"
    change_form_before_template = "accounting/statement_links.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="accounting_bankstatement_import"),
            path("<path:object_id>/reconcile/", self.admin_site.admin_view(self.reconcile_view),
                 name="accounting_bankstatement_reconcile"),
            *super().get_urls(),
        ]  # fmt: skip

    def import_view(self, request: HttpRequest) -> HttpResponse:
        company = request_company(request)
        form = StatementImportForm(request.POST or None, request.FILES or None)
        form.fields["journal"].queryset = Journal.objects.filter(company=company, type="bank")
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                mapping = csv_mapping(form.cleaned_data["journal"], form.cleaned_data)
                result = bank_statement_import(
                    form.cleaned_data["journal"], upload.read(), filename=upload.name, by=request.user, csv_mapping=mapping
                )
                reconciled = sum(bank_statement_auto_reconcile(s, by=request.user) for s in result.statements)
            except BusinessError as exc:
                form.add_error("file", exc.message)
            else:
                message = _(
                    "%(lines)s transactions imported (%(duplicates)s already there), %(reconciled)s reconciled automatically."
                )
                self.message_user(request, message % {"lines": result.lines, "duplicates": result.duplicates,
                                                      "reconciled": reconciled}, messages.SUCCESS)  # fmt: skip
                if len(result.statements) == 1:
                    return HttpResponseRedirect(
                        reverse("admin:accounting_bankstatement_reconcile", args=[result.statements[0].pk])
                    )
                return HttpResponseRedirect(reverse("admin:accounting_bankstatement_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a bank statement"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "accounting/statement_import.html", context)

    def reconcile_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The open transactions with the invoices they probably pay; pay them, or book them on an account."""
        statement = self.get_object(request, object_id)
        if statement is None:
            raise PermissionDenied
        if request.method == "POST":
            self._reconcile_posted(request, statement)
            return HttpResponseRedirect(request.path)
        open_lines = statement.lines.filter(state="open").select_related("partner")
        rows = [(line, bank_line_proposals(line)) for line in open_lines]
        context = {
            **self.admin_site.each_context(request), "title": _("Reconcile %(statement)s") % {"statement": statement},
            "statement": statement, "rows": rows, "opts": self.opts,
            "accounts": Account.objects.filter(company=statement.company, active=True).order_by("code"),
            "reconciled": statement.lines.filter(state="reconciled").count(),
        }  # fmt: skip
        return TemplateResponse(request, "accounting/statement_reconcile.html", context)

    def _reconcile_posted(self, request: HttpRequest, statement: BankStatement) -> None:
        line = (
            statement.lines.filter(pk=request.POST.get("line") or 0).first() if request.POST.get("line", "").isdigit() else None
        )
        if line is None:
            self.message_user(request, _("Choose a transaction."), messages.ERROR)
            return
        try:
            if request.POST.get("account"):
                account = Account.objects.get(company=statement.company, pk=int(request.POST["account"]))
                bank_line_post(line, account, by=request.user, label=request.POST.get("label", ""))
            else:
                ids = [int(pk) for pk in request.POST.getlist("invoices") if pk.isdigit()]
                invoices = list(Invoice.objects.filter(company=statement.company, pk__in=ids))
                bank_line_reconcile(line, invoices, by=request.user, difference=request.POST.get("difference") or None)
        except (BusinessError, Account.DoesNotExist, ValueError) as exc:
            self.message_user(request, getattr(exc, "message", _("Choose an account of this company.")), messages.ERROR)
        else:
            self.message_user(request, _("The transaction is reconciled."), messages.SUCCESS)
