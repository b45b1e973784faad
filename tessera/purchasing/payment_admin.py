"""Back office of supplier payment runs (due bills chosen, the SEPA file downloaded, marked sent)
and of landed costs (added to a done receipt, posted into the stock valuation)."""

import datetime
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tessera.accounting.models import Invoice, Journal, JournalType
from tessera.core.backoffice import LinesInline, RecordAdmin, RecordForm, Transition, WorkflowAdminMixin, export_csv, export_xlsx
from tessera.core.exports import document_response
from tessera.core.scoping import request_company
from tessera.inventory.models import TransferKind
from tessera.inventory.states import TransferState

from .models import LandedCost, PaymentRun, PaymentRunLine
from .services import (
    bills_due,
    landed_cost_post,
    landed_cost_save,
    payment_run_cancel,
    payment_run_create,
    payment_run_file,
    payment_run_mark_sent,
)
from .states import LandedCostState, PaymentRunState

FAR_AHEAD = 3650  # days: every bill still owed, whatever its due date


class PaymentRunForm(RecordForm):
    bills = forms.ModelMultipleChoiceField(
        queryset=Invoice.objects.none(), label=_("bills to pay"),
        help_text=_("Posted vendor bills still owed, not blocked, in no other run."),
    )  # fmt: skip

    class Meta:
        model = PaymentRun
        fields = ["journal", "execution_date"]


def _run_form(company: Any) -> type[PaymentRunForm]:
    """The new run's form, offering the company's bills still owed and its bank journals with an IBAN."""

    class CompanyPaymentRunForm(PaymentRunForm):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, **kwargs)
            self.fields["bills"].queryset = bills_due(company, timezone.localdate() + datetime.timedelta(days=FAR_AHEAD))
            self.fields["journal"].queryset = Journal.objects.filter(company=company, type=JournalType.BANK).exclude(bank_iban="")

    return CompanyPaymentRunForm


class PaymentRunLineInline(LinesInline):
    model = PaymentRunLine
    fields = ["invoice", "partner", "amount", "iban", "bic", "communication", "end_to_end_id"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PaymentRun)
class PaymentRunAdmin(WorkflowAdminMixin, RecordAdmin):
    """Due vendor bills paid by one SEPA credit transfer file; the bank statement pays them."""

    list_display = ["__str__", "journal", "execution_date", "state", "amount_total", "sent_at"]
    list_filter = ["state", "execution_date"]
    list_select_related = ["journal"]
    actions = [export_csv, export_xlsx]
    inlines = [PaymentRunLineInline]
    transitions = (
        Transition("mark-sent", _("Mark as sent to the bank"), lambda request, run: payment_run_mark_sent(run, by=request.user),
                   lambda run: run.state == PaymentRunState.DRAFT,
                   _("The run is marked as sent; the bank statement will pay the bills."), "purchasing.change_paymentrun"),
        Transition("cancel", _("Cancel"), lambda request, run: payment_run_cancel(run, by=request.user),
                   lambda run: run.state == PaymentRunState.DRAFT, _("The run is cancelled; its bills can go in another."),
                   "purchasing.change_paymentrun"),
    )  # fmt: skip

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = _run_form(request_company(request))
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["journal", "execution_date", "bills"]
        return ["number", "journal", "execution_date", "state", "amount_total", "sent_at", "sent_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> list:
        return [] if obj is None else self.inlines

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"execution_date": timezone.localdate()}

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        values = form.cleaned_data
        run = payment_run_create(request_company(request), list(values["bills"]), journal=values["journal"],
                                 execution_date=values["execution_date"], by=request.user)  # fmt: skip
        form.instance = run

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or obj.state == PaymentRunState.DRAFT)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:
        file = path("<path:object_id>/file/", self.admin_site.admin_view(self.file_view), name="purchasing_paymentrun_file")
        return [file, *super().get_urls()]

    def file_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        run = self.get_object(request, object_id)
        if run is None:
            raise PermissionDenied
        return document_response(payment_run_file(run), f"{run.number}.xml", "application/xml", download=True)

    def workflow_links(self, request: HttpRequest, obj: PaymentRun) -> list[tuple[Any, str]]:
        if obj.state == PaymentRunState.CANCELLED:
            return []
        return [(_("Download the SEPA file"), reverse("admin:purchasing_paymentrun_file", args=[obj.pk]))]


class LandedCostForm(RecordForm):
    class Meta:
        model = LandedCost
        fields = ["receipt", "description", "amount", "account", "split", "bill", "date"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if "receipt" in self.fields:
            receipts = self.fields["receipt"].queryset
            self.fields["receipt"].queryset = receipts.filter(kind=TransferKind.RECEIPT, state=TransferState.DONE)


@admin.register(LandedCost)
class LandedCostAdmin(WorkflowAdminMixin, RecordAdmin):
    """Freight, duties or insurance added to a done receipt; posting spreads it into the stock value."""

    form = LandedCostForm
    list_display = ["__str__", "receipt", "date", "split", "state"]
    list_filter = ["state", "date"]
    list_select_related = ["receipt"]
    search_fields = ["description", "receipt__number"]
    fields = LandedCostForm.Meta.fields
    transitions = (
        Transition("post", _("Post"), lambda request, cost: landed_cost_post(cost, by=request.user),
                   lambda cost: cost.state == LandedCostState.DRAFT,
                   _("The cost is spread over the receipt's goods and posted into the stock value."),
                   "purchasing.change_landedcost"),
    )  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.fields, "state", "entry"] if obj is not None and obj.state != LandedCostState.DRAFT else ["state"]

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {"date": timezone.localdate()}

    def save_record(self, request: HttpRequest, obj: Any, m2m: dict[str, Any]) -> None:
        landed_cost_save(obj, by=request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.state == LandedCostState.DRAFT)

    def workflow_links(self, request: HttpRequest, obj: LandedCost) -> list[tuple[Any, str]]:
        links = [(_("Receipt %(t)s") % {"t": obj.receipt}, reverse("admin:inventory_transfer_change", args=[obj.receipt_id]))]
        if obj.entry_id:
            links.append((_("Journal entry"), reverse("admin:accounting_journalentry_change", args=[obj.entry_id])))
        return links
