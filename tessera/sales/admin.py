"""Back office of sales: quotations typed with their lines, confirmed, invoiced and cancelled by
the workflow buttons, with links to their deliveries and invoices."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldBooleanWidget

from tessera.accounting.models import Invoice, Tax, TaxUse
from tessera.core.backoffice import DraftLinesInline, RecordAdmin, Transition, WorkflowAdminMixin
from tessera.core.errors import BusinessError
from tessera.core.exports import document_response
from tessera.core.scoping import request_company
from tessera.inventory.models import Warehouse

from .documents import order_pdf, order_pdf_filename
from .models import SaleOrder, SaleOrderLine, down_payments_with_deducted
from .services import (
    OrderLineDraft,
    sale_order_cancel,
    sale_order_confirm,
    sale_order_down_payment,
    sale_order_invoice,
    sale_order_mark_sent,
    sale_order_save,
    sale_order_send,
)
from .states import DeliveryStatus, OrderState

QUOTATION_STATES = (OrderState.DRAFT, OrderState.SENT)


class SaleOrderForm(forms.ModelForm):
    """The date, currency and warehouse may be left empty: today, the company's currency and its
    first warehouse are used."""

    class Meta:
        model = SaleOrder
        fields = ["partner", "date_order", "validity_date", "client_order_ref", "currency", "pricelist", "fiscal_position",
                  "payment_term", "salesperson", "warehouse", "invoice_policy", "commitment_date", "note"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("date_order", "currency", "warehouse"):
            if name in self.fields:
                self.fields[name].required = False


class DownPaymentForm(forms.Form):
    """A down payment: a percentage of the order or an untaxed amount, and the invoice's date."""

    percentage = forms.DecimalField(label=_("Percentage of the order"), required=False, max_digits=7, decimal_places=4)
    amount = forms.DecimalField(label=_("Or an amount (untaxed)"), required=False, max_digits=20, decimal_places=2)
    date = forms.DateField(label=_("Invoice date"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and (data.get("percentage") is None) == (data.get("amount") is None):
            raise forms.ValidationError(_("Give either a percentage or an amount."))
        return data


class SaleOrderLineForm(forms.ModelForm):
    """The unit price, unit and taxes may be left empty: the product's are used. "No tax" makes a line
    without any tax (an export, an exempt service), which empty taxes cannot say."""

    no_tax = forms.BooleanField(
        label=_("No tax"), required=False, widget=UnfoldBooleanWidget,
        help_text=_("Tick for a line without tax; leave the taxes empty for the product's taxes."),
    )  # fmt: skip

    class Meta:
        model = SaleOrderLine
        fields = ["product", "description", "quantity", "uom", "price_unit", "discount", "taxes"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("uom", "price_unit", "description"):
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk and "no_tax" in self.fields:  # a saved line without taxes stays without taxes
            self.fields["no_tax"].initial = not self.instance.taxes.all()  # prefetched by the inline

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("no_tax") and data.get("taxes"):
            self.add_error("no_tax", _("Either tick “No tax” or choose taxes, not both."))
        return data


class SaleOrderLineInline(DraftLinesInline):
    """The lines of an order: typed while it is a quotation; afterwards read-only, with what was
    delivered and invoiced."""

    model = SaleOrderLine
    form = SaleOrderLineForm
    autocomplete_fields = ["product"]
    extra = 3
    typed = ["product", "description", "quantity", "uom", "price_unit", "discount", "taxes", "no_tax", "amount_untaxed"]
    followed = ["qty_delivered", "qty_invoiced", "promised_date", "delivered_date"]
    readonly_fields = ["amount_untaxed", *followed]

    def _editable(self, obj: Any) -> bool:
        return obj is None or obj.state in QUOTATION_STATES

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self._editable(obj) and self.has_change_permission(request, obj):
            return self.typed
        read_only = [name for name in self.typed if name != "no_tax"]  # shown read-only, a line without taxes has none
        return read_only if self._editable(obj) else [*read_only, *self.followed]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("product", "uom").prefetch_related("taxes")

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "taxes":
            kwargs["queryset"] = Tax.objects.filter(company=request_company(request), use=TaxUse.SALE, active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _confirm(request: HttpRequest, order: SaleOrder) -> SaleOrder:
    return sale_order_confirm(order, by=request.user)


def _invoice(request: HttpRequest, order: SaleOrder) -> Invoice:
    return sale_order_invoice(order, by=request.user)


def _cancel(request: HttpRequest, order: SaleOrder) -> SaleOrder:
    return sale_order_cancel(order, by=request.user)


def _send(request: HttpRequest, order: SaleOrder) -> Any:
    return sale_order_send(order, by=request.user)


def _mark_sent(request: HttpRequest, order: SaleOrder) -> SaleOrder:
    return sale_order_mark_sent(order, by=request.user)


def _cancellable(order: SaleOrder) -> bool:
    return order.state in QUOTATION_STATES or (order.state == OrderState.SALE and order.delivery_status != DeliveryStatus.FULL)


@admin.register(SaleOrder)
class SaleOrderAdmin(WorkflowAdminMixin, RecordAdmin):
    form = SaleOrderForm
    list_display = ["__str__", "partner", "date_order", "amount_total", "state", "delivery_status", "invoice_status"]
    list_filter = ["state", "delivery_status", "invoice_status", "date_order"]
    search_fields = ["number", "partner__name", "client_order_ref"]
    list_select_related = ["partner", "currency"]
    date_hierarchy = "date_order"
    autocomplete_fields = ["partner"]
    inlines = [SaleOrderLineInline]
    fields = SaleOrderForm.Meta.fields
    totals = ["number", "amount_untaxed", "amount_tax", "amount_total", "delivery_status", "invoice_status", "confirmed_at",
              "down_payments_made"]  # fmt: skip
    transitions = (
        Transition("confirm", _("Confirm"), _confirm, lambda o: o.state in QUOTATION_STATES,
                   _("The order is confirmed: its goods are reserved in a delivery."), "sales.change_saleorder"),
        Transition("invoice", _("Create invoice"), _invoice, lambda o: o.state == OrderState.SALE,
                   _("Here is the draft invoice: check it and post it."), "accounting.add_invoice"),
        Transition("cancel", _("Cancel"), _cancel, _cancellable, _("The order is cancelled."), "sales.change_saleorder"),
        Transition("send", _("Send by e-mail"), _send, lambda o: o.state != OrderState.CANCELLED,
                   _("The e-mail with the PDF is on its way to the customer."), "sales.change_saleorder"),
        Transition("mark-sent", _("Mark as sent"), _mark_sent, lambda o: o.state == OrderState.DRAFT,
                   _("The quotation is marked as sent; no e-mail was sent."), "sales.change_saleorder"),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.totals]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.state not in QUOTATION_STATES:
            return [*self.fields, *self.totals]
        return self.totals

    @admin.display(description=_("down payments"))
    def down_payments_made(self, obj: SaleOrder) -> str:
        """Each down payment: its invoice, untaxed amount and state, and what later invoices deducted."""
        rows = down_payments_with_deducted().filter(order=obj)
        return format_html_join(
            "", "<div>{} · {} {} · {} · {}</div>",
            ((dp.invoice, number_format(dp.amount, 2), obj.currency.code, dp.invoice.get_state_display(),
              _("deducted: %(amount)s") % {"amount": number_format(dp.deducted, 2)}) for dp in rows),
        ) or "—"  # fmt: skip

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        company = request_company(request)
        warehouse = Warehouse.objects.filter(company=company, active=True).order_by("id").first()
        return {"date_order": timezone.localdate(), "currency": company and company.currency_id, "warehouse": warehouse,
                "salesperson": request.user.pk}  # fmt: skip

    def get_urls(self) -> list:
        from .views import report_urlpatterns

        pdf = path("<path:object_id>/pdf/", self.admin_site.admin_view(self.pdf_view), name="sales_saleorder_pdf")
        down_payment = path("<path:object_id>/down-payment/", self.admin_site.admin_view(self.down_payment_view),
                            name="sales_saleorder_down_payment")  # fmt: skip
        return [*report_urlpatterns(self.admin_site), pdf, down_payment, *super().get_urls()]

    def down_payment_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Invoice a down payment on a confirmed order; the draft invoice opens to be checked and posted."""
        order = self.get_object(request, object_id)
        if order is None or not request.user.has_perm("accounting.add_invoice"):
            raise PermissionDenied
        form = DownPaymentForm(request.POST or None, initial={"date": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                invoice = sale_order_down_payment(order, by=request.user, amount=data["amount"],
                                                  percentage=data["percentage"], on=data["date"])  # fmt: skip
            except BusinessError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, exc.message)
            else:
                self.message_user(request, _("Here is the down payment invoice: check it and post it."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:accounting_invoice_change", args=[invoice.pk]))
        title = _("Create a down payment invoice for %(order)s") % {"order": order}
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "opts": self.opts, "order": order}
        return TemplateResponse(request, "sales/down_payment.html", context)

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self.get_object(request, object_id)
        if order is None:
            raise PermissionDenied
        return document_response(order_pdf(order), order_pdf_filename(order), "application/pdf")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return (obj is None or obj.state in QUOTATION_STATES) and super().has_delete_permission(request, obj)

    def workflow_links(self, request: HttpRequest, obj: SaleOrder) -> list[tuple[Any, str]]:
        links = [(_("PDF"), reverse("admin:sales_saleorder_pdf", args=[obj.pk]))]
        if obj.state == OrderState.SALE and request.user.has_perm("accounting.add_invoice"):
            links.append((_("Create down payment invoice"), reverse("admin:sales_saleorder_down_payment", args=[obj.pk])))
        if request.user.has_perm("inventory.view_transfer"):
            for transfer in obj.transfers.order_by("id"):
                links.append(
                    (_("Delivery %(t)s") % {"t": transfer}, reverse("admin:inventory_transfer_change", args=[transfer.pk]))
                )
        if request.user.has_perm("accounting.view_invoice"):
            for invoice in obj.invoices.order_by("id"):
                links.append((_("Invoice %(i)s") % {"i": invoice}, reverse("admin:accounting_invoice_change", args=[invoice.pk])))
        return links

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        (lines,) = formsets
        lines.save(commit=False)  # sets the formset's new/changed/deleted lists the change message reads
        drafts = []
        for line_form in lines.forms:
            data = line_form.cleaned_data
            if not data or data.get("DELETE") or data.get("product") is None:
                continue
            taxes = [] if data.get("no_tax") else list(data.get("taxes") or []) or None  # None: the product's taxes
            drafts.append(OrderLineDraft(data["product"], data["quantity"], price_unit=data.get("price_unit"),
                                         discount=data.get("discount"), uom=data.get("uom"), taxes=taxes,
                                         description=data.get("description") or ""))  # fmt: skip
        sale_order_save(form.instance, drafts, by=request.user)


from . import crm_admin, pricelist_admin  # noqa: E402,F401
