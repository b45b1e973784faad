"""The sales API under /api/v1/sales/: quotations and orders, and their confirm, cancel, invoice,
down-payment, send and mark-sent actions."""

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.accounting.models import Tax
from tessera.core.errors import BusinessError
from tessera.core.exports import document_response
from tessera.core.models import Product
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import LinesSerializer, RecordSerializer, ReplacedLinesMixin, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import RecordViewSet
from tessera.core.scoping import request_company

from .documents import order_pdf, order_pdf_filename
from .models import SaleDownPayment, SaleOrder, SaleOrderLine, down_payments_with_deducted
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
from .states import OrderState

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

AMOUNT = {"max_digits": 20, "decimal_places": 4}


class OrderLineSerializer(serializers.ModelSerializer):
    """A line as typed: what is left out comes from the product. The rest is computed and followed by the order."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    taxes = ScopedPrimaryKeyRelatedField(
        queryset=Tax.objects.all(), many=True, required=False,
        help_text=gettext_lazy(
            "Tax ids. If omitted, the product's sales taxes, mapped by the order's fiscal position; "
            "an empty list [] makes the line tax-free."
        ),
    )  # fmt: skip
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.select_related("uom"))  # its unit is the line's default

    class Meta:
        model = SaleOrderLine
        list_serializer_class = LinesSerializer
        fields = [
            "id", "product", "description", "quantity", "uom", "price_unit", "discount", "taxes", "amount_untaxed",
            "qty_delivered", "qty_invoiced", "promised_date", "delivered_date",
        ]  # fmt: skip
        read_only_fields = ["amount_untaxed", "qty_delivered", "qty_invoiced", "promised_date", "delivered_date"]
        extra_kwargs = {
            "description": {"required": False, "help_text": gettext_lazy("The product's name if omitted.")},
            "uom": {"required": False, "help_text": gettext_lazy("The product's unit if omitted.")},
            "price_unit": {"required": False, "help_text": gettext_lazy("The product's sales price if omitted.")},
            "discount": {"required": False},
        }

    def validate_quantity(self, quantity: Decimal) -> Decimal:
        if quantity <= 0:  # the model's check constraint would report it on no field
            raise serializers.ValidationError(_("Order a quantity above zero; remove the line instead."))
        return quantity


def _orders() -> QuerySet[SaleOrder]:
    """Orders with their lines in order, their down payments and the ids of their deliveries and invoices."""
    return SaleOrder.objects.select_related("partner").prefetch_related(
        Prefetch("lines", queryset=SaleOrderLine.objects.prefetch_related("taxes").order_by("position", "id")),
        Prefetch("down_payments", queryset=down_payments_with_deducted()),
        "transfers",
        "invoices",
    )


class DownPaymentLineSerializer(serializers.ModelSerializer):
    """A down payment invoiced on the order; the order's later invoices deduct it once it is posted."""

    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    invoice_state = serializers.CharField(source="invoice.state", read_only=True)
    amount_total = serializers.DecimalField(source="invoice.amount_total", **AMOUNT, read_only=True,
                                            help_text=gettext_lazy("With taxes."))  # fmt: skip
    deducted = serializers.DecimalField(**AMOUNT, read_only=True, help_text=gettext_lazy("Untaxed, by invoices not cancelled."))

    class Meta:
        model = SaleDownPayment
        fields = ["id", "invoice", "invoice_number", "invoice_state", "percentage", "amount", "amount_total", "deducted"]
        read_only_fields = fields


class SaleOrderSerializer(ReplacedLinesMixin, RecordSerializer):
    lines = OrderLineSerializer(many=True, help_text=gettext_lazy("Replaced as a whole when a quotation is updated."))
    transfers = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=gettext_lazy("Its deliveries."))
    invoices = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    down_payments = DownPaymentLineSerializer(many=True, read_only=True)

    class Meta:
        model = SaleOrder
        fields = [
            "id", "number", "partner", "date_order", "validity_date", "client_order_ref", "currency", "pricelist",
            "fiscal_position", "payment_term", "salesperson", "warehouse", "invoice_policy", "commitment_date", "note", "state",
            "delivery_status", "invoice_status", "confirmed_at", "amount_untaxed", "amount_tax", "amount_total",
            "transfers", "invoices", "down_payments", "lines",
        ]  # fmt: skip
        read_only_fields = ["number", "state", "delivery_status", "invoice_status", "confirmed_at", "amount_untaxed",
                            "amount_tax", "amount_total"]  # fmt: skip
        extra_kwargs = {
            "date_order": {"required": False, "help_text": gettext_lazy("Today if omitted.")},
            "currency": {"required": False, "help_text": gettext_lazy("The company's currency if omitted.")},
            "warehouse": {"required": False, "help_text": gettext_lazy("The company's first warehouse if omitted.")},
            "fiscal_position": {"required": False},
            "pricelist": {"required": False, "help_text": gettext_lazy("The customer's or the default price list if omitted.")},
            "payment_term": {"required": False, "help_text": gettext_lazy("The customer's payment term if omitted.")},
        }

    def create(self, validated_data: dict[str, Any]) -> SaleOrder:
        lines = validated_data.pop("lines")
        order = SaleOrder(company=request_company(self.context["request"]), **validated_data)
        return self._save(order, [self._draft(line) for line in lines])

    def update(self, instance: SaleOrder, validated_data: dict[str, Any]) -> SaleOrder:
        lines = validated_data.pop("lines", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if lines is None:
            drafts = [
                OrderLineDraft(line.product, line.quantity, line.price_unit, line.discount, line.uom, list(line.taxes.all()),
                               line.description)
                for line in instance.lines.prefetch_related("taxes").order_by("position", "id")
            ]  # fmt: skip
        else:
            drafts = [self._draft(line) for line in lines]
        return self._save(instance, drafts)

    @staticmethod
    def _draft(values: dict[str, Any]) -> OrderLineDraft:
        return OrderLineDraft(
            values["product"], values["quantity"], values.get("price_unit"), values.get("discount"), values.get("uom"),
            values.get("taxes"), values.get("description", ""),
        )  # fmt: skip

    def _save(self, order: SaleOrder, drafts: list[OrderLineDraft]) -> SaleOrder:
        order = sale_order_save(order, drafts, by=self.actor)
        return _orders().get(pk=order.pk)


class ConfirmOrderSerializer(serializers.Serializer):
    when = serializers.DateTimeField(
        required=False,
        help_text=gettext_lazy(
            "When the customer confirmed, if earlier: never in the future nor before the order's date; now by default."
        ),
    )


class InvoiceOrderSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=gettext_lazy("The invoice's date; today by default."))


class DownPaymentRequestSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        **AMOUNT, required=False, allow_null=True, help_text=gettext_lazy("Untaxed, in the order's currency; or a percentage.")
    )
    percentage = serializers.DecimalField(
        max_digits=7, decimal_places=4, required=False, allow_null=True,
        help_text=gettext_lazy("Of the order's untaxed amount; or an amount."),
    )  # fmt: skip
    date = serializers.DateField(required=False, help_text=gettext_lazy("The invoice's date; today by default."))


class OrderInvoiceSerializer(serializers.Serializer):
    """The draft invoice (or credit note) an order made; it is read, posted and paid under
    /api/v1/accounting/invoices/."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=gettext_lazy("out_invoice, or out_refund for a credit note."))
    number = serializers.CharField(read_only=True, help_text=gettext_lazy("Empty until the invoice is posted."))
    state = serializers.CharField(read_only=True)
    amount_untaxed = serializers.DecimalField(**AMOUNT, read_only=True)
    amount_tax = serializers.DecimalField(**AMOUNT, read_only=True)
    amount_total = serializers.DecimalField(**AMOUNT, read_only=True)


class SendOrderSerializer(serializers.Serializer):
    to = serializers.EmailField(required=False, help_text=gettext_lazy("The customer's e-mail address if omitted."))


class SaleOrderFilter(FilterSet):
    class Meta:
        model = SaleOrder
        fields = {
            "state": ["exact"], "partner": ["exact"], "delivery_status": ["exact"], "invoice_status": ["exact"],
            "date_order": ["gte", "lte"], "number": ["exact"], "salesperson": ["exact"], "warehouse": ["exact"],
        }  # fmt: skip


class SaleOrderViewSet(RecordViewSet):
    """Quotations and sales orders. Quotations are edited with their lines; confirming one reserves the
    goods in a delivery; an order is invoiced for what was ordered or delivered, by its invoice policy."""

    queryset = _orders()
    serializer_class = SaleOrderSerializer
    filterset_class = SaleOrderFilter
    search_fields = ["number", "client_order_ref", "partner__name"]
    ordering_fields = ["date_order", "number", "amount_total"]

    def perform_destroy(self, instance: SaleOrder) -> None:
        if instance.state not in (OrderState.DRAFT, OrderState.SENT):
            raise BusinessError(_("Only a quotation can be deleted; cancel the order instead."), code="order_not_draft")
        super().perform_destroy(instance)

    def _fresh(self, order: SaleOrder) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=order.pk)).data

    @extend_schema(request=ConfirmOrderSerializer, responses=SaleOrderSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        """Confirm a quotation: the goods are reserved in a delivery and each line gets a promised date."""
        data = ConfirmOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = sale_order_confirm(self.get_record(), by=request.user, when=data.validated_data.get("when"))
        return Response(self._fresh(order))

    @extend_schema(request=None, responses=SaleOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel a quotation, or what is not delivered yet of an order (its open deliveries are cancelled)."""
        return Response(self._fresh(sale_order_cancel(self.get_record(), by=request.user)))

    @extend_schema(request=InvoiceOrderSerializer, responses={201: OrderInvoiceSerializer})
    @action(detail=True, methods=["post"])
    def invoice(self, request: Request, pk: Any = None) -> Response:
        """A draft customer invoice for what can be invoiced now, less the posted down payments not yet
        deducted; or, when returned goods were invoiced, a draft credit note. Post it under
        /api/v1/accounting/invoices/."""
        data = InvoiceOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invoice = sale_order_invoice(self.get_record(), by=request.user, on=data.validated_data.get("date"))
        return Response(OrderInvoiceSerializer(invoice).data, status=201)

    @extend_schema(request=DownPaymentRequestSerializer, responses={201: OrderInvoiceSerializer})
    @action(detail=True, methods=["post"], url_path="down-payment")
    def down_payment(self, request: Request, pk: Any = None) -> Response:
        """A draft invoice of a down payment on a confirmed order: an amount (untaxed) or a percentage of
        the order. Post it under /api/v1/accounting/invoices/; the order's later invoices deduct it."""
        data = DownPaymentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        invoice = sale_order_down_payment(self.get_record(), by=request.user, amount=values.get("amount"),
                                          percentage=values.get("percentage"), on=values.get("date"))  # fmt: skip
        return Response(OrderInvoiceSerializer(invoice).data, status=201)

    @extend_schema(request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def pdf(self, request: Request, pk: Any = None) -> HttpResponse:
        """The quotation, or once confirmed the order confirmation, as a PDF in the customer's language."""
        order = self.get_object()
        return document_response(order_pdf(order), order_pdf_filename(order), "application/pdf")

    @extend_schema(request=SendOrderSerializer, responses=SaleOrderSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        """E-mail the PDF to the customer (or to `to`); a draft quotation becomes sent."""
        data = SendOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = self.get_object()
        sale_order_send(order, by=request.user, to=data.validated_data.get("to"))
        return Response(self._fresh(order))

    @extend_schema(request=None, responses=SaleOrderSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request: Request, pk: Any = None) -> Response:
        """Mark a draft quotation as sent without e-mailing it (handed over, posted or sent another way)."""
        return Response(self._fresh(sale_order_mark_sent(self.get_record(), by=request.user)))


router.register("orders", SaleOrderViewSet)
