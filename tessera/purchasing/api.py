"""The purchasing API under /api/v1/purchasing/: supplier prices, requests for quotation and purchase
orders (confirm, approve, cancel, mark-sent, receive, bill, link-bill), bill matches (accept) and the
company's purchasing settings."""

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.accounting.models import Invoice, InvoiceLine, Tax
from tessera.core.exports import document_response
from tessera.core.models import Product
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import LinesSerializer, RecordSerializer, ReplacedLinesMixin, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import ReadOnlyViewSet, RecordViewSet, UpdateOnlyViewSet
from tessera.core.scoping import request_company

from .documents import order_pdf, order_pdf_filename
from .models import BillMatch, BillMatchLine, PurchaseOrder, PurchaseOrderLine, PurchaseSettings, SupplierPrice
from .queries import with_called_off
from .services import (
    PurchaseLineDraft,
    bill_match_accept,
    line_drafts,
    purchase_bill_link,
    purchase_order_approve,
    purchase_order_bill,
    purchase_order_cancel,
    purchase_order_confirm,
    purchase_order_mark_sent,
    purchase_order_receive,
    purchase_order_save,
    purchase_order_send,
)

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

QUANTITY = {"max_digits": 20, "decimal_places": 6}


# --- supplier prices -----------------------------------------------------------------------------


class SupplierPriceSerializer(RecordSerializer):
    called_off = serializers.DecimalField(
        max_digits=20, decimal_places=6, read_only=True, allow_null=True, default=None,
        help_text=gettext_lazy("Of a framework agreement: what orders not cancelled took of it, in the price's unit."),
    )  # fmt: skip

    class Meta:
        model = SupplierPrice
        fields = [
            "id", "product", "partner", "supplier_code", "supplier_name", "min_quantity", "price", "currency", "uom",
            "lead_days", "date_start", "date_end", "committed_quantity", "called_off", "priority",
        ]  # fmt: skip
        extra_kwargs = {
            "currency": {"required": False, "help_text": gettext_lazy("The company's currency if omitted.")},
            "uom": {"required": False, "help_text": gettext_lazy("The product's purchase unit (else its unit) if omitted.")},
        }

    def create(self, validated_data: dict[str, Any]) -> SupplierPrice:
        product: Product = validated_data["product"]
        validated_data.setdefault("currency", request_company(self.context["request"]).currency)
        validated_data.setdefault("uom", product.purchase_uom or product.uom)
        return super().create(validated_data)


class SupplierPriceFilter(FilterSet):
    class Meta:
        model = SupplierPrice
        fields = {"product": ["exact"], "partner": ["exact"], "currency": ["exact"]}


class SupplierPriceViewSet(RecordViewSet):
    """What suppliers charge for products, from a quantity on and between two dates; with a committed
    quantity, a framework agreement. RFQ lines without a price take the best one."""

    queryset = with_called_off(SupplierPrice.objects.all())
    serializer_class = SupplierPriceSerializer
    filterset_class = SupplierPriceFilter
    search_fields = ["supplier_code", "supplier_name", "product__name", "partner__name"]
    ordering_fields = ["price", "min_quantity", "priority", "date_start"]


# --- orders --------------------------------------------------------------------------------------


class PurchaseOrderLineSerializer(serializers.ModelSerializer):
    """A line as typed: what is left out comes from the supplier's price for the quantity, else from the product."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    taxes = ScopedPrimaryKeyRelatedField(
        queryset=Tax.objects.all(), many=True, required=False,
        help_text=gettext_lazy(
            "Tax ids. If omitted, the product's purchase taxes, mapped by the order's fiscal position; "
            "an empty list [] makes the line tax-free."
        ),
    )  # fmt: skip
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.select_related("uom", "purchase_uom"))

    class Meta:
        model = PurchaseOrderLine
        list_serializer_class = LinesSerializer
        fields = [
            "id", "product", "description", "quantity", "uom", "price_unit", "taxes", "date_planned", "amount_untaxed",
            "qty_received", "qty_billed", "received_date",
        ]  # fmt: skip
        read_only_fields = ["amount_untaxed", "qty_received", "qty_billed", "received_date"]
        extra_kwargs = {
            "description": {"required": False, "help_text": gettext_lazy("The product's name if omitted.")},
            "uom": {"required": False,
                    "help_text": gettext_lazy("The supplier price's unit, else the product's purchase unit, if omitted.")},
            "price_unit": {"required": False, "help_text": gettext_lazy(
                "The supplier's price for this quantity on the order date if omitted; refused when the supplier has none.")},
            "date_planned": {"required": False,
                             "help_text": gettext_lazy("The order date plus the supplier price's lead time if omitted.")},
        }  # fmt: skip

    def validate_quantity(self, quantity: Decimal) -> Decimal:
        if quantity <= 0:  # the model's check constraint would report it on no field
            raise serializers.ValidationError(_("Order a quantity above zero; remove the line instead."))
        return quantity


def _orders() -> QuerySet[PurchaseOrder]:
    """Orders with their lines in order and the ids of their receipts and bills."""
    return PurchaseOrder.objects.prefetch_related(
        Prefetch("lines", queryset=PurchaseOrderLine.objects.prefetch_related("taxes").order_by("position", "id")),
        "transfers",
        "invoices",
    )


class PurchaseOrderSerializer(ReplacedLinesMixin, RecordSerializer):
    lines = PurchaseOrderLineSerializer(many=True, help_text=gettext_lazy("Replaced as a whole when an RFQ is updated."))
    transfers = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=gettext_lazy("Its receipts."))
    invoices = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=gettext_lazy("Its vendor bills."))

    class Meta:
        model = PurchaseOrder
        fields = [
            "id", "number", "partner", "partner_ref", "date_order", "currency", "fiscal_position", "payment_term", "buyer",
            "warehouse", "note", "state", "receipt_status", "bill_status", "approved_by", "confirmed_at", "amount_untaxed",
            "amount_tax", "amount_total", "transfers", "invoices", "lines",
        ]  # fmt: skip
        read_only_fields = ["number", "state", "receipt_status", "bill_status", "approved_by", "confirmed_at",
                            "amount_untaxed", "amount_tax", "amount_total"]  # fmt: skip
        extra_kwargs = {
            "date_order": {"required": False, "help_text": gettext_lazy("Today if omitted.")},
            "currency": {"required": False, "help_text": gettext_lazy("The company's currency if omitted.")},
            "warehouse": {"required": False, "help_text": gettext_lazy("The company's first warehouse if omitted.")},
            "buyer": {"required": False, "help_text": gettext_lazy("The user saving it if omitted.")},
            "fiscal_position": {"required": False},
            "payment_term": {"required": False, "help_text": gettext_lazy("The supplier's payment term if omitted.")},
        }

    def create(self, validated_data: dict[str, Any]) -> PurchaseOrder:
        lines = validated_data.pop("lines")
        order = PurchaseOrder(company=request_company(self.context["request"]), **validated_data)
        return self._save(order, [self._draft(line) for line in lines])

    def update(self, instance: PurchaseOrder, validated_data: dict[str, Any]) -> PurchaseOrder:
        lines = validated_data.pop("lines", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if lines is None:
            drafts = line_drafts(instance)
        else:
            drafts = [self._draft(line) for line in lines]
        return self._save(instance, drafts)

    @staticmethod
    def _draft(values: dict[str, Any]) -> PurchaseLineDraft:
        return PurchaseLineDraft(
            values["product"], values["quantity"], price_unit=values.get("price_unit"), uom=values.get("uom"),
            taxes=values.get("taxes"), description=values.get("description", ""), date_planned=values.get("date_planned"),
        )  # fmt: skip

    def _save(self, order: PurchaseOrder, drafts: list[PurchaseLineDraft]) -> PurchaseOrder:
        order = purchase_order_save(order, drafts, by=self.actor)
        return _orders().get(pk=order.pk)


class ReceiveLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(help_text=gettext_lazy("The id of one of the order's lines."))
    quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal(0), help_text=gettext_lazy("Received, in the line's unit."))


class ReceiveOrderSerializer(serializers.Serializer):
    lines = ReceiveLineSerializer(
        many=True, required=False, allow_empty=False,
        help_text=gettext_lazy("What came in, per order line; everything still expected if omitted."),
    )  # fmt: skip
    backorder = serializers.BooleanField(
        default=True,
        help_text=gettext_lazy("Keep what did not come in expected in a backorder (true), or cancel it (false)."),
    )

    def validate_lines(self, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        known: set[int] = self.context["line_ids"]
        seen: set[int] = set()
        errors: list[dict[str, list[str]]] = []
        for item in lines:
            if item["line"] not in known:
                errors.append({"line": [_("Not a line of this order.")]})
            elif item["line"] in seen:
                errors.append({"line": [_("This line is already given above; give its quantity once.")]})
            else:
                errors.append({})
            seen.add(item["line"])
        if any(errors):
            raise serializers.ValidationError(errors)
        return lines


class BillOrderSerializer(serializers.Serializer):
    date = serializers.DateField(required=False, help_text=gettext_lazy("The bill's date; today by default."))
    ref = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                help_text=gettext_lazy("The supplier's bill number."))  # fmt: skip


class ConfirmPurchaseOrderSerializer(serializers.Serializer):
    when = serializers.DateTimeField(
        required=False,
        help_text=gettext_lazy(
            "When the order was placed, if earlier: never in the future nor before the order's date; now by default."
        ),
    )


class SendPurchaseOrderSerializer(serializers.Serializer):
    to = serializers.EmailField(required=False, help_text=gettext_lazy("The supplier's e-mail address if omitted."))


class LinkBillSerializer(serializers.Serializer):
    bill = ScopedPrimaryKeyRelatedField(
        queryset=Invoice.objects.all(),
        help_text=gettext_lazy("A draft vendor bill or refund of the order's supplier; posting it matches it with the order."),
    )


class PurchaseBillLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = ["id", "product", "description", "account", "quantity", "uom", "price_unit", "discount", "taxes", "subtotal"]
        read_only_fields = fields


class PurchaseBillSerializer(serializers.ModelSerializer):
    """The draft vendor bill (or refund) an order made, as /api/v1/accounting/invoices/ shows it; it is
    edited, posted and paid there."""

    kind = serializers.CharField(read_only=True, help_text=gettext_lazy("in_invoice, or in_refund for a vendor refund."))
    lines = PurchaseBillLineSerializer(many=True, read_only=True)

    class Meta:
        model = Invoice
        fields = [
            "id", "kind", "partner", "journal", "date", "due_date", "payment_term", "fiscal_position", "currency", "ref",
            "narration", "payment_reference", "origin", "state", "payment_state", "number", "entry", "exchange_rate",
            "amount_untaxed", "amount_tax", "amount_total", "amount_residual", "lines",
        ]  # fmt: skip
        read_only_fields = fields


class PurchaseOrderFilter(FilterSet):
    class Meta:
        model = PurchaseOrder
        fields = {
            "state": ["exact"], "partner": ["exact"], "receipt_status": ["exact"], "bill_status": ["exact"],
            "date_order": ["gte", "lte"], "number": ["exact"], "buyer": ["exact"], "warehouse": ["exact"],
        }  # fmt: skip


class PurchaseOrderViewSet(RecordViewSet):
    """Requests for quotation and purchase orders. RFQs are edited with their lines; confirming one
    (approved by a purchasing manager above the company's amount) expects its goods in a receipt; an
    order is billed for what was received."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # cancel an order; it is never deleted
    queryset = _orders()
    serializer_class = PurchaseOrderSerializer
    filterset_class = PurchaseOrderFilter
    search_fields = ["number", "partner_ref", "partner__name"]
    ordering_fields = ["date_order", "number", "amount_total"]

    def _fresh(self, order: PurchaseOrder) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=order.pk)).data

    @extend_schema(request=ConfirmPurchaseOrderSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        """Confirm an RFQ into a purchase order: its goods are expected in a receipt. Above the company's
        approval amount it waits for a purchasing manager's approval (to_approve) unless one confirms it."""
        data = ConfirmPurchaseOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = purchase_order_confirm(self.get_record(), by=request.user, when=data.validated_data.get("when"))
        return Response(self._fresh(order))

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: Any = None) -> Response:
        """A purchasing manager approves an order waiting for approval: it is placed."""
        return Response(self._fresh(purchase_order_approve(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel an RFQ, or what is not received yet of an order (its open receipts are cancelled)."""
        return Response(self._fresh(purchase_order_cancel(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request: Request, pk: Any = None) -> Response:
        """Mark a draft RFQ as sent to the supplier (by e-mail or otherwise); it stays editable until confirmed."""
        return Response(self._fresh(purchase_order_mark_sent(self.get_record(), by=request.user)))

    @extend_schema(request=ReceiveOrderSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk: Any = None) -> Response:
        """Receive goods of a confirmed order without opening its receipts: what came in per line, or
        everything still expected. What is left stays expected in a backorder unless `backorder` is false."""
        order = self.get_record()
        line_ids = set(order.lines.values_list("pk", flat=True))
        data = ReceiveOrderSerializer(data=request.data, context={**self.get_serializer_context(), "line_ids": line_ids})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        quantities = {item["line"]: item["quantity"] for item in values["lines"]} if "lines" in values else None
        purchase_order_receive(order, by=request.user, quantities=quantities, backorder=values["backorder"])
        return Response(self._fresh(order))

    @extend_schema(request=BillOrderSerializer, responses={201: PurchaseBillSerializer})
    @action(detail=True, methods=["post"])
    def bill(self, request: Request, pk: Any = None) -> Response:
        """A draft vendor bill for what was received (services: ordered) and not billed yet, at the order's
        prices; or a draft refund when goods went back after being billed. Post it under
        /api/v1/accounting/invoices/; posting matches it with the order."""
        order = self.get_record()
        data = BillOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        bill = purchase_order_bill(order, by=request.user, on=values.get("date"), ref=values.get("ref", ""))
        bill = Invoice.objects.prefetch_related("lines__taxes").get(pk=bill.pk)
        return Response(PurchaseBillSerializer(bill).data, status=201)

    @extend_schema(request=LinkBillSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"], url_path="link-bill")
    def link_bill(self, request: Request, pk: Any = None) -> Response:
        """Link a draft vendor bill that came by other ways (typed, scanned, e-invoice) to this order;
        posting the bill matches it with the order."""
        order = self.get_record()
        data = LinkBillSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        purchase_bill_link(data.validated_data["bill"], [order], by=request.user)
        return Response(self._fresh(order))

    @extend_schema(request=None, responses={(200, "application/pdf"): OpenApiTypes.BINARY}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def pdf(self, request: Request, pk: Any = None) -> HttpResponse:
        """The RFQ, or once confirmed the purchase order, as a PDF in the supplier's language."""
        order = self.get_object()
        return document_response(order_pdf(order), order_pdf_filename(order), "application/pdf")

    @extend_schema(request=SendPurchaseOrderSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk: Any = None) -> Response:
        """E-mail the PDF to the supplier (or to `to`); a draft RFQ becomes sent."""
        data = SendPurchaseOrderSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order = purchase_order_send(self.get_record(), by=request.user, to=data.validated_data.get("to"))
        return Response(self._fresh(order))


# --- bill matches --------------------------------------------------------------------------------


class BillMatchLineSerializer(serializers.ModelSerializer):
    order = serializers.IntegerField(source="order_line.order_id", read_only=True)
    order_number = serializers.CharField(source="order_line.order.number", read_only=True)
    product = serializers.IntegerField(source="order_line.product_id", read_only=True)
    ordered = serializers.DecimalField(source="order_line.quantity", **QUANTITY, read_only=True,
                                       help_text=gettext_lazy("The order line's quantity, in its unit."))  # fmt: skip
    ordered_price = serializers.DecimalField(source="order_line.price_unit", **QUANTITY, read_only=True,
                                             help_text=gettext_lazy("The order line's unit price."))  # fmt: skip

    class Meta:
        model = BillMatchLine
        fields = ["id", "order", "order_number", "order_line", "product", "ordered", "ordered_price", "quantity", "price_unit",
                  "received"]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {
            "quantity": {"help_text": gettext_lazy("Billed by this bill, in the order line's unit; negative on a refund.")},
            "price_unit": {"help_text": gettext_lazy("The billed unit price, in the order's currency and the line's unit.")},
            "received": {"help_text": gettext_lazy("What the order line had received when the bill was posted.")},
        }


class BillMatchSerializer(serializers.ModelSerializer):
    bill_number = serializers.CharField(source="invoice.number", read_only=True)
    partner = serializers.IntegerField(source="invoice.partner_id", read_only=True)
    lines = BillMatchLineSerializer(many=True, read_only=True)

    class Meta:
        model = BillMatch
        fields = ["id", "invoice", "bill_number", "partner", "state", "reason", "accepted_by", "accepted_at", "lines"]
        read_only_fields = fields


class BillMatchFilter(FilterSet):
    order = filters.NumberFilter(field_name="lines__order_line__order", distinct=True,
                                 help_text=gettext_lazy("Matches of bills of this purchase order."))  # fmt: skip

    class Meta:
        model = BillMatch
        fields = {"state": ["exact"], "invoice": ["exact"]}


class BillMatchViewSet(ReadOnlyViewSet):
    """The three-way match of each posted vendor bill with its purchase orders. A bill outside the
    company's tolerance is blocked for payment, with the reason, until a purchasing manager accepts it."""

    queryset = BillMatch.objects.select_related("invoice").prefetch_related(
        Prefetch("lines", queryset=BillMatchLine.objects.select_related("order_line__order"))
    )
    serializer_class = BillMatchSerializer
    filterset_class = BillMatchFilter

    @extend_schema(request=None, responses=BillMatchSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])  # the service checks its permission
    def accept(self, request: Request, pk: Any = None) -> Response:
        """A purchasing manager accepts a blocked bill: it can be paid."""
        match = bill_match_accept(self.get_record(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=match.pk)).data)


# --- settings ------------------------------------------------------------------------------------


class PurchaseSettingsSerializer(RecordSerializer):
    class Meta:
        model = PurchaseSettings
        fields = ["id", "approval_amount", "quantity_tolerance", "price_tolerance"]


class PurchaseSettingsViewSet(UpdateOnlyViewSet):
    """The company's purchasing rules (one record): the approval amount and the receipt and bill tolerances."""

    queryset = PurchaseSettings.objects.order_by("id")
    serializer_class = PurchaseSettingsSerializer


router.register("supplier-prices", SupplierPriceViewSet)
router.register("orders", PurchaseOrderViewSet)
router.register("bill-matches", BillMatchViewSet)
router.register("settings", PurchaseSettingsViewSet)
