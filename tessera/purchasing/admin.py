"""Back office of purchasing: RFQs and purchase orders typed with their lines, sent, confirmed,
approved, received, billed and cancelled by the workflow buttons, with links to their receipts and
bills; supplier prices; the matches of bills with their orders, accepted when blocked; the company's
purchasing rules."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from unfold.widgets import UnfoldBooleanWidget

from tessera.accounting.models import Invoice, InvoiceKind, Tax, TaxUse
from tessera.accounting.states import InvoiceState
from tessera.core.backoffice import (
    DraftLinesInline,
    LinesInline,
    ReadOnlyRecordAdmin,
    RecordAdmin,
    ScopedRelatedFilter,
    Transition,
    WorkflowAdminMixin,
    export_csv,
    export_xlsx,
)
from tessera.core.errors import BusinessError
from tessera.core.exports import document_response
from tessera.core.scoping import request_company
from tessera.inventory.models import Warehouse

from .documents import order_pdf, order_pdf_filename
from .models import BillMatch, BillMatchLine, PurchaseOrder, PurchaseOrderLine, PurchaseSettings, SupplierPrice
from .queries import with_called_off
from .services import (
    PurchaseLineDraft,
    bill_match_accept,
    purchase_bill_link,
    purchase_order_approve,
    purchase_order_bill,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_mark_sent,
    purchase_order_receive,
    purchase_order_save,
    purchase_order_send,
    purchase_settings,
)
from .states import MatchState, OrderState, ReceiptStatus

EDITABLE_STATES = (OrderState.DRAFT, OrderState.SENT)
CHANGE_ORDER = "purchasing.change_purchaseorder"


class SupplierFilter(ScopedRelatedFilter):
    """The current company's suppliers."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> list[tuple[Any, str]]:
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering,
                                 limit_choices_to=Q(company=request_company(request), is_supplier=True))  # fmt: skip


# --- RFQs and purchase orders --------------------------------------------------------------------


class PurchaseOrderForm(forms.ModelForm):
    """The date, currency and warehouse may be left empty: today, the company's currency and its
    first warehouse are used."""

    class Meta:
        model = PurchaseOrder
        fields = ["partner", "partner_ref", "date_order", "currency", "fiscal_position", "payment_term", "buyer", "warehouse",
                  "note"]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("date_order", "currency", "warehouse"):
            if name in self.fields:
                self.fields[name].required = False


class PurchaseOrderLineForm(forms.ModelForm):
    """The unit price, unit and expected date may be left empty: the supplier's price for the quantity
    gives them. Empty taxes are the product's purchase taxes; "No tax" makes a line without any."""

    no_tax = forms.BooleanField(
        label=_("No tax"), required=False, widget=UnfoldBooleanWidget,
        help_text=_("Tick for a line without tax; leave the taxes empty for the product's taxes."),
    )  # fmt: skip

    class Meta:
        model = PurchaseOrderLine
        fields = ["product", "description", "quantity", "uom", "price_unit", "taxes", "date_planned"]

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for name in ("uom", "price_unit", "description", "date_planned"):
            if name in self.fields:
                self.fields[name].required = False
        if self.instance.pk and "no_tax" in self.fields:  # a saved line without taxes stays without taxes
            self.fields["no_tax"].initial = not self.instance.taxes.all()  # prefetched by the inline

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("no_tax") and data.get("taxes"):
            self.add_error("no_tax", _("Either tick “No tax” or choose taxes, not both."))
        return data


class PurchaseOrderLineInline(DraftLinesInline):
    """The lines of an order: typed while it is an RFQ; afterwards read-only, with what was received
    and billed."""

    model = PurchaseOrderLine
    form = PurchaseOrderLineForm
    autocomplete_fields = ["product"]
    extra = 3
    typed = ["product", "description", "quantity", "uom", "price_unit", "taxes", "no_tax", "date_planned", "amount_untaxed"]
    followed = ["qty_received", "qty_billed", "received_date"]
    readonly_fields = ["amount_untaxed", *followed]

    def _editable(self, obj: Any) -> bool:
        return obj is None or obj.state in EDITABLE_STATES

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if self._editable(obj) and self.has_change_permission(request, obj):
            return self.typed
        read_only = [name for name in self.typed if name != "no_tax"]  # shown read-only, a line without taxes has none
        return read_only if self._editable(obj) else [*read_only, *self.followed]

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("product", "uom", "need").prefetch_related("taxes")

    def formfield_for_manytomany(self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "taxes":
            kwargs["queryset"] = Tax.objects.filter(company=request_company(request), use=TaxUse.PURCHASE, active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class LinkBillForm(forms.Form):
    bill = forms.ModelChoiceField(queryset=Invoice.objects.none(), label=_("vendor bill"))

    def __init__(self, order: PurchaseOrder, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["bill"].queryset = (
            Invoice.objects.filter(company_id=order.company_id, partner_id=order.partner_id, state=InvoiceState.DRAFT,
                                   kind__in=(InvoiceKind.VENDOR_BILL, InvoiceKind.VENDOR_REFUND))
            .exclude(purchase_orders=order).order_by("-date", "-id")
        )  # fmt: skip


def _send(request: HttpRequest, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_send(order, by=request.user)


def _mark_sent(request: HttpRequest, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_mark_sent(order, by=request.user)


def _confirm(request: HttpRequest, order: PurchaseOrder) -> PurchaseOrder:
    order = purchase_order_confirm(order, by=request.user)
    if order.state == OrderState.TO_APPROVE:
        messages.warning(request, _("Its amount is above the company's approval amount: it waits for a purchasing manager's "
                                    "approval before it is placed."))  # fmt: skip
    return order


def _approve(request: HttpRequest, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_approve(order, by=request.user)


def _receive(request: HttpRequest, order: PurchaseOrder) -> PurchaseOrder:
    purchase_order_receive(order, by=request.user)
    return order


def _bill(request: HttpRequest, order: PurchaseOrder) -> Invoice:
    return purchase_order_bill(order, by=request.user)


def _cancel(request: HttpRequest, order: PurchaseOrder) -> PurchaseOrder:
    return purchase_order_cancel(order, by=request.user)


def _cancellable(order: PurchaseOrder) -> bool:
    return order.state in (*EDITABLE_STATES, OrderState.TO_APPROVE) or (
        order.state == OrderState.PURCHASE and order.receipt_status != ReceiptStatus.FULL
    )


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(WorkflowAdminMixin, RecordAdmin):
    form = PurchaseOrderForm
    list_display = ["__str__", "partner", "date_order", "buyer", "state", "receipt_status", "bill_status", "amount_total"]
    list_filter = ["state", "receipt_status", "bill_status", ("partner", SupplierFilter), "date_order"]
    search_fields = ["number", "partner__name", "partner_ref"]
    list_select_related = ["partner__parent", "buyer", "currency"]
    date_hierarchy = "date_order"
    autocomplete_fields = ["partner"]
    actions = [export_csv, export_xlsx]
    inlines = [PurchaseOrderLineInline]
    fields = PurchaseOrderForm.Meta.fields
    totals = ["number", "amount_untaxed", "amount_tax", "amount_total", "receipt_status", "bill_status", "approval",
              "confirmed_at"]  # fmt: skip
    transitions = (
        Transition("send", _("Send by e-mail"), _send, lambda o: o.state != OrderState.CANCELLED,
                   _("The e-mail with the PDF is on its way to the supplier."), CHANGE_ORDER),
        Transition("mark-sent", _("Mark as sent"), _mark_sent, lambda o: o.state == OrderState.DRAFT,
                   _("The RFQ is marked as sent; no e-mail was sent."), CHANGE_ORDER),
        Transition("confirm", _("Confirm"), _confirm, lambda o: o.state in EDITABLE_STATES, _("The order is confirmed."),
                   CHANGE_ORDER),
        Transition("approve", _("Approve"), _approve, lambda o: o.state == OrderState.TO_APPROVE,
                   _("The order is approved and placed: its goods are expected in a receipt."),
                   "purchasing.approve_purchaseorder"),
        Transition("receive", _("Receive everything expected"), _receive,
                   lambda o: o.state == OrderState.PURCHASE and o.receipt_status != ReceiptStatus.FULL,
                   _("Everything expected is received."), "inventory.validate_transfer"),
        Transition("bill", _("Create bill"), _bill, lambda o: o.state == OrderState.PURCHASE,
                   _("Here is the draft bill: check it against the supplier's and post it."), "accounting.add_invoice"),
        Transition("cancel", _("Cancel"), _cancel, _cancellable, _("The order is cancelled."), CHANGE_ORDER),
    )  # fmt: skip

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return self.fields if obj is None else [*self.fields, *self.totals]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        if obj.state not in EDITABLE_STATES:
            return [*self.fields, *self.totals]
        return self.totals

    @admin.display(description=_("approval"))
    def approval(self, obj: PurchaseOrder) -> str:
        """Whether the order needs a purchasing manager's approval, and who gave it."""
        if obj.approved_by_id:
            return _("Approved by %(user)s") % {"user": obj.approved_by.get_full_name() or obj.approved_by.username}
        if obj.state == OrderState.TO_APPROVE:
            return str(_("Waiting for a purchasing manager's approval"))
        if obj.state in EDITABLE_STATES:
            limit = purchase_settings(obj.company).approval_amount
            return _("Needed when the untaxed total is above %(amount)s %(currency)s") % {
                "amount": number_format(limit, 2, force_grouping=True), "currency": obj.company.currency.code,
            }  # fmt: skip
        return str(_("Not needed")) if obj.state == OrderState.PURCHASE else "—"

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        company = request_company(request)
        warehouse = Warehouse.objects.filter(company=company, active=True).order_by("id").first()
        return {"date_order": timezone.localdate(), "currency": company and company.currency_id, "warehouse": warehouse,
                "buyer": request.user.pk}  # fmt: skip

    def get_urls(self) -> list:
        from .report_views import report_urlpatterns

        pdf = path("<path:object_id>/pdf/", self.admin_site.admin_view(self.pdf_view), name="purchasing_purchaseorder_pdf")
        link = path("<path:object_id>/link-bill/", self.admin_site.admin_view(self.link_bill_view),
                    name="purchasing_purchaseorder_link_bill")  # fmt: skip
        return [*report_urlpatterns(self.admin_site), pdf, link, *super().get_urls()]

    def link_bill_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Link a draft vendor bill that came another way (typed, scanned, e-invoice) to this order."""
        order = self.get_object(request, object_id)
        if order is None or not request.user.has_perm("accounting.change_invoice"):
            raise PermissionDenied
        form = LinkBillForm(order, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                purchase_bill_link(form.cleaned_data["bill"], [order], by=request.user)
            except BusinessError as exc:
                form.add_error(None, exc.message)
            else:
                self.message_user(request, _("The bill is linked: posting it matches it with the order."), messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:purchasing_purchaseorder_change", args=[order.pk]))
        title = _("Link a vendor bill to %(order)s") % {"order": order}
        context = {**self.admin_site.each_context(request), "title": title, "form": form, "opts": self.opts, "order": order}
        return TemplateResponse(request, "purchasing/link_bill.html", context)

    def pdf_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        order = self.get_object(request, object_id)
        if order is None:
            raise PermissionDenied
        return document_response(order_pdf(order), order_pdf_filename(order), "application/pdf")

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Cancelled, never deleted: cancelling also releases the procurement needs its lines cover."""
        return False

    def workflow_links(self, request: HttpRequest, obj: PurchaseOrder) -> list[tuple[Any, str]]:
        links = [(_("Download PDF"), reverse("admin:purchasing_purchaseorder_pdf", args=[obj.pk]))]
        if request.user.has_perm("inventory.view_transfer"):
            for transfer in obj.transfers.order_by("id"):
                url = reverse("admin:inventory_transfer_change", args=[transfer.pk])
                links.append((_("Receipt %(t)s") % {"t": transfer}, url))
        if request.user.has_perm("accounting.view_invoice"):
            for bill in obj.invoices.order_by("id"):
                links.append((_("Bill %(b)s") % {"b": bill}, reverse("admin:accounting_invoice_change", args=[bill.pk])))
        if obj.state == OrderState.PURCHASE and request.user.has_perm("accounting.change_invoice"):
            links.append((_("Link a vendor bill"), reverse("admin:purchasing_purchaseorder_link_bill", args=[obj.pk])))
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
            need = line_form.instance.need if line_form.instance.pk else None  # a line filling a need keeps it
            drafts.append(PurchaseLineDraft(data["product"], data["quantity"], price_unit=data.get("price_unit"),
                                            uom=data.get("uom"), taxes=taxes, description=data.get("description") or "",
                                            date_planned=data.get("date_planned"), need=need))  # fmt: skip
        purchase_order_save(form.instance, drafts, by=request.user)


# --- supplier prices -----------------------------------------------------------------------------


@admin.register(SupplierPrice)
class SupplierPriceAdmin(RecordAdmin):
    list_display = ["product", "partner", "supplier_code", "min_quantity", "price", "currency", "uom", "lead_days", "date_start",
                    "date_end", "committed_quantity", "called_off"]  # fmt: skip
    list_filter = [("partner", SupplierFilter), ("product", ScopedRelatedFilter)]
    list_select_related = ["product", "partner__parent", "currency", "uom"]
    search_fields = ["product__sku", "product__name", "partner__name", "supplier_code", "supplier_name"]
    autocomplete_fields = ["product", "partner"]
    actions = [export_csv, export_xlsx]
    fields = ["product", "partner", "supplier_code", "supplier_name", "min_quantity", "price", "currency", "uom", "lead_days",
              "date_start", "date_end", "committed_quantity", "priority"]  # fmt: skip

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        company = request_company(request)
        return {"currency": company and company.currency_id}

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return with_called_off(super().get_queryset(request))

    @admin.display(description=_("called off"))
    def called_off(self, obj: SupplierPrice) -> Any:
        return obj.called_off


# --- bill matches --------------------------------------------------------------------------------


class BillMatchLineInline(LinesInline):
    """What the bill billed of each order line, beside what was ordered and received."""

    model = BillMatchLine
    fields = ["order", "order_line", "ordered", "received", "quantity", "ordered_price", "price_unit"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).select_related("order_line__product", "order_line__order")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description=_("order"))
    def order(self, obj: BillMatchLine) -> str:
        return str(obj.order_line.order)

    @admin.display(description=_("ordered"))
    def ordered(self, obj: BillMatchLine) -> Any:
        return obj.order_line.quantity

    @admin.display(description=_("ordered unit price"))
    def ordered_price(self, obj: BillMatchLine) -> Any:
        return obj.order_line.price_unit


def _accept(request: HttpRequest, match: BillMatch) -> BillMatch:
    return bill_match_accept(match, by=request.user)


@admin.register(BillMatch)
class BillMatchAdmin(WorkflowAdminMixin, ReadOnlyRecordAdmin):
    """Posted vendor bills matched with their orders; a blocked one waits for a purchasing manager."""

    list_display = ["invoice", "supplier", "bill_total", "state", "reason", "accepted_by", "accepted_at"]
    list_filter = ["state", ("invoice__partner", SupplierFilter)]
    list_select_related = ["invoice__partner__parent", "invoice__currency", "accepted_by"]
    search_fields = ["invoice__number", "invoice__ref", "invoice__partner__name", "reason"]
    fields = ["invoice", "supplier", "bill_total", "state", "reason", "accepted_by", "accepted_at"]
    readonly_fields = fields
    inlines = [BillMatchLineInline]
    actions = [export_csv, export_xlsx, "accept_selected"]
    transitions = (
        Transition("accept", _("Accept"), _accept, lambda m: m.state == MatchState.BLOCKED,
                   _("The bill is accepted: it can be paid."), "purchasing.accept_billmatch"),
    )  # fmt: skip

    @admin.display(description=_("supplier"), ordering="invoice__partner__name")
    def supplier(self, obj: BillMatch) -> str:
        return str(obj.invoice.partner)

    @admin.display(description=_("bill total"))
    def bill_total(self, obj: BillMatch) -> str:
        return f"{number_format(obj.invoice.amount_total, 2, force_grouping=True)} {obj.invoice.currency.code}"

    def has_accept_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("purchasing.accept_billmatch")

    @admin.action(description=_("Accept selected blocked bills"), permissions=["accept"])
    def accept_selected(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        count = 0
        with transaction.atomic():  # all of them or, on an error, none
            for match in queryset.filter(state=MatchState.BLOCKED):
                bill_match_accept(match, by=request.user)
                count += 1
        self.message_user(request, _("%(count)s bills accepted: they can be paid.") % {"count": count}, messages.SUCCESS)

    def workflow_links(self, request: HttpRequest, obj: BillMatch) -> list[tuple[Any, str]]:
        links = []
        if request.user.has_perm("accounting.view_invoice"):
            url = reverse("admin:accounting_invoice_change", args=[obj.invoice_id])
            links.append((_("Bill %(b)s") % {"b": obj.invoice}, url))
        for order in obj.invoice.purchase_orders.order_by("id"):
            links.append((_("Order %(o)s") % {"o": order}, reverse("admin:purchasing_purchaseorder_change", args=[order.pk])))
        return links


# --- settings ------------------------------------------------------------------------------------


@admin.register(PurchaseSettings)
class PurchaseSettingsAdmin(RecordAdmin):
    """The company's one row of purchasing rules, created with the company; saved through record_save."""

    list_display = ["__str__", "approval_amount", "quantity_tolerance", "price_tolerance"]
    fields = ["approval_amount", "quantity_tolerance", "price_tolerance"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


from . import payment_admin  # noqa: E402,F401
