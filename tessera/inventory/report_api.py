"""The inventory reports under /api/v1/inventory/reports/: on hand, forecast, valuation, move history,
turnover and lot traceability. Parameters are checked (problem+json 400 with per-field errors); ids
of another company's records are unknown; figures are exact decimal strings."""

from typing import Any

from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.core.models import Product, ProductCategory
from tessera.core.rest.serializers import ScopedPrimaryKeyRelatedField
from tessera.core.scoping import request_company

from .models import Location, Lot, MoveLine, Quant, Warehouse
from .queries import forecast, forecast_summary, lot_trace, move_history, on_hand, on_hand_by_product, turnover, valuation_at

QUANTITY = {"max_digits": 20, "decimal_places": 6}
AMOUNT = {"max_digits": 20, "decimal_places": 4}
RATIO = {"max_digits": 20, "decimal_places": 2}


def _field(model: type, **kwargs: Any) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(queryset=model.objects.all(), required=False, **kwargs)


# --- parameters ------------------------------------------------------------------------------------


class DatesParams(serializers.Serializer):
    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day comes before the first.")]})
        return data


class PlaceParams(serializers.Serializer):
    warehouse = _field(Warehouse)
    location = _field(Location)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("warehouse") and data.get("location"):
            raise serializers.ValidationError({"location": [_("Give a warehouse or a location, not both.")]})
        return data

    @staticmethod
    def place(data: dict[str, Any]) -> Location | None:
        if data.get("location") is not None:
            return data["location"]
        return data["warehouse"].view_location if data.get("warehouse") is not None else None


class OnHandParams(PlaceParams):
    product = _field(Product)
    category = _field(ProductCategory)
    lot = _field(Lot)
    group = serializers.ChoiceField(
        choices=["lot", "product"], default="lot", help_text="lot: per product, location and lot; product: per product."
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super().validate(data)
        if data["group"] == "product" and self.place(data) is None:
            raise serializers.ValidationError({"location": [_("Give a warehouse or a location to add up per product.")]})
        if data["group"] == "product" and data.get("lot"):
            raise serializers.ValidationError({"lot": [_("A lot filter needs the rows per lot.")]})
        return data


class ForecastParams(PlaceParams):
    product = _field(Product, help_text="Without a product: the summary of every product.")
    category = _field(ProductCategory)
    until = serializers.DateField(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        data = super().validate(data)
        if self.place(data) is None:
            raise serializers.ValidationError({"warehouse": [_("Give a warehouse or a location.")]})
        return data


class ValuationParams(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="The day the stock is valued at the end of; today by default.")
    category = _field(ProductCategory)


class MoveHistoryParams(DatesParams):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    product = _field(Product)
    location = _field(Location)
    lot = _field(Lot)
    reference = serializers.CharField(required=False, allow_blank=True, max_length=100)


class TurnoverParams(DatesParams):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    group = serializers.ChoiceField(choices=["product", "category"], default="product")
    category = _field(ProductCategory)


class LotTraceParams(serializers.Serializer):
    lot = ScopedPrimaryKeyRelatedField(queryset=Lot.objects.all())


# --- rows ------------------------------------------------------------------------------------------


class QuantRowSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    location = serializers.IntegerField(source="location_id")
    location_name = serializers.CharField(source="location.full_name")
    lot = serializers.IntegerField(source="lot_id", allow_null=True)
    lot_name = serializers.CharField(source="lot.name", allow_null=True, default=None)
    quantity = serializers.DecimalField(**QUANTITY)
    reserved = serializers.DecimalField(source="reserved_quantity", **QUANTITY)
    available = serializers.DecimalField(**QUANTITY)
    uom = serializers.CharField(source="product.uom.name")


class ProductStockRowSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    sku = serializers.CharField()
    name = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY)
    reserved = serializers.DecimalField(**QUANTITY)
    available = serializers.DecimalField(**QUANTITY)
    uom = serializers.CharField()


class ForecastLineSerializer(serializers.Serializer):
    move = serializers.IntegerField(source="move_id")
    date = serializers.DateTimeField()
    reference = serializers.CharField()
    transfer = serializers.IntegerField(source="transfer_id", allow_null=True)
    partner = serializers.CharField()
    incoming = serializers.DecimalField(**QUANTITY)
    outgoing = serializers.DecimalField(**QUANTITY)
    projected = serializers.DecimalField(**QUANTITY)


class ForecastSummarySerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField()
    name = serializers.CharField()
    on_hand = serializers.DecimalField(**QUANTITY)
    reserved = serializers.DecimalField(**QUANTITY)
    incoming = serializers.DecimalField(**QUANTITY)
    outgoing = serializers.DecimalField(**QUANTITY)
    forecast = serializers.DecimalField(**QUANTITY)


class ForecastSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    on_hand = serializers.DecimalField(**QUANTITY)
    reserved = serializers.DecimalField(**QUANTITY)
    incoming = serializers.DecimalField(**QUANTITY)
    outgoing = serializers.DecimalField(**QUANTITY)
    forecast = serializers.DecimalField(**QUANTITY)
    lines = ForecastLineSerializer(many=True)


class ValuationRowSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    sku = serializers.CharField()
    name = serializers.CharField()
    category = serializers.IntegerField(source="category_id")
    category_name = serializers.CharField(source="category")
    quantity = serializers.DecimalField(**QUANTITY)
    unit_cost = serializers.DecimalField(allow_null=True, **QUANTITY)
    value = serializers.DecimalField(**AMOUNT)


class CategoryTotalSerializer(serializers.Serializer):
    category = serializers.IntegerField(source="category_id")
    name = serializers.CharField(source="category")
    quantity = serializers.DecimalField(**QUANTITY)
    value = serializers.DecimalField(**AMOUNT)


class AccountCheckSerializer(serializers.Serializer):
    account = serializers.IntegerField(source="account_id")
    code = serializers.CharField()
    name = serializers.CharField()
    stock_value = serializers.DecimalField(source="layers", **AMOUNT)
    balance = serializers.DecimalField(**AMOUNT)
    difference = serializers.DecimalField(**AMOUNT)


class ValuationSerializer(serializers.Serializer):
    as_of = serializers.DateField(source="day")
    total = serializers.DecimalField(**AMOUNT)
    reconciled = serializers.BooleanField()
    rows = ValuationRowSerializer(many=True)
    categories = CategoryTotalSerializer(many=True)
    accounts = AccountCheckSerializer(many=True)


class MoveLineRowSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateTimeField()
    move = serializers.IntegerField(source="move_id")
    reference = serializers.SerializerMethodField()
    transfer = serializers.IntegerField(source="move.transfer_id", allow_null=True)
    product = serializers.IntegerField(source="product_id")
    lot = serializers.IntegerField(source="lot_id", allow_null=True)
    lot_name = serializers.CharField(source="lot.name", allow_null=True, default=None)
    source_location = serializers.IntegerField(source="source_location_id")
    source_name = serializers.CharField(source="source_location.full_name")
    destination_location = serializers.IntegerField(source="destination_location_id")
    destination_name = serializers.CharField(source="destination_location.full_name")
    quantity = serializers.DecimalField(**QUANTITY)

    def get_reference(self, line: Any) -> str:
        transfer = line.move.transfer
        return (transfer.number if transfer else "") or line.move.reference


class TurnoverRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="The product's or the category's id.")
    label = serializers.CharField()
    opening_value = serializers.DecimalField(**AMOUNT)
    closing_value = serializers.DecimalField(**AMOUNT)
    average_value = serializers.DecimalField(**AMOUNT)
    cost_out = serializers.DecimalField(**AMOUNT)
    turnover = serializers.DecimalField(allow_null=True, **RATIO)
    days_of_inventory = serializers.DecimalField(allow_null=True, **RATIO)


class TraceStepSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line_id")
    move = serializers.IntegerField(source="move_id")
    date = serializers.DateTimeField()
    quantity = serializers.DecimalField(**QUANTITY)
    source_location = serializers.IntegerField(source="source_id")
    source_name = serializers.CharField(source="source")
    source_usage = serializers.CharField()
    destination_location = serializers.IntegerField(source="destination_id")
    destination_name = serializers.CharField(source="destination")
    destination_usage = serializers.CharField()
    reference = serializers.CharField()
    transfer = serializers.IntegerField(source="transfer_id", allow_null=True)
    partner = serializers.CharField()


class LotTraceSerializer(serializers.Serializer):
    lot = serializers.IntegerField(source="lot.pk")
    name = serializers.CharField(source="lot.name")
    product = serializers.IntegerField(source="lot.product_id")
    on_hand = serializers.DecimalField(**QUANTITY)
    upstream = TraceStepSerializer(many=True)
    downstream = TraceStepSerializer(many=True)


# --- views -----------------------------------------------------------------------------------------


class ReportMixin:
    """Reads a report: the model permission named by `permission`, and checked parameters."""

    permission_classes = [permissions.IsAuthenticated]
    permission = ""

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)  # type: ignore[misc]
        if not request.user.has_perm(self.permission):
            self.permission_denied(request, message=_("You are not allowed to read this inventory report."))  # type: ignore[attr-defined]

    def params(self, request: Request, serializer: type[serializers.Serializer]) -> dict[str, Any]:
        params = serializer(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        return params.validated_data


class OnHandView(ReportMixin, GenericAPIView):
    permission = "inventory.view_quant"
    queryset = Quant.objects.none()  # for the schema: the rows come from queries.on_hand

    @extend_schema(parameters=[OnHandParams], responses=QuantRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Stock per product, location and lot (group=lot), or per product over a warehouse or location
        and those inside it (group=product): on hand, reserved and available. Paginated."""
        data = self.params(request, OnHandParams)
        place = OnHandParams.place(data)
        if data["group"] == "product":
            rows = on_hand_by_product(place, product=data.get("product"), category=data.get("category"))
            serializer: type[serializers.Serializer] = ProductStockRowSerializer
        else:
            rows = on_hand(request_company(request), location=place, product=data.get("product"), lot=data.get("lot"),
                           category=data.get("category"))  # fmt: skip
            serializer = QuantRowSerializer
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializer(page, many=True).data)


class ForecastView(ReportMixin, APIView):
    permission = "inventory.view_quant"

    @extend_schema(
        parameters=[ForecastParams],
        responses=inline_serializer("InventoryForecast", {"product": serializers.IntegerField(required=False),
                                                          "rows": ForecastSummarySerializer(many=True, required=False)}),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        """With a product: on hand and reserved now, then each open move in or out of the warehouse (or
        location) by date with the projected quantity (on hand + incoming − outgoing). Without: per
        product, on hand, reserved, incoming, outgoing and forecast."""
        data = self.params(request, ForecastParams)
        company, place = request_company(request), ForecastParams.place(data)
        if data.get("product") is not None:
            result = forecast(company, data["product"], location=place, until=data.get("until"))
            return Response(ForecastSerializer(result).data)
        rows = forecast_summary(company, location=place, until=data.get("until"), category=data.get("category"))
        return Response({"location": place.pk, "rows": ForecastSummarySerializer(rows, many=True).data})


class ValuationView(ReportMixin, APIView):
    permission = "inventory.view_valuationlayer"

    @extend_schema(parameters=[ValuationParams], responses=ValuationSerializer)
    def get(self, request: Request) -> Response:
        """Stock quantity and value per product at the end of a day, totals per category, and each stock
        valuation account's balance against the value of the layers booked to it."""
        data = self.params(request, ValuationParams)
        result = valuation_at(request_company(request), data.get("as_of") or timezone.localdate(), category=data.get("category"))
        return Response(ValuationSerializer(result).data)


class MoveHistoryView(ReportMixin, GenericAPIView):
    permission = "inventory.view_moveline"
    queryset = MoveLine.objects.none()  # for the schema: the rows come from queries.move_history

    @extend_schema(parameters=[MoveHistoryParams], responses=MoveLineRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Done move lines, newest first. Paginated."""
        data = self.params(request, MoveHistoryParams)
        lines = move_history(
            request_company(request), date_from=data.get("date_from"), date_to=data.get("date_to"), product=data.get("product"),
            location=data.get("location"), lot=data.get("lot"), reference=data.get("reference", ""),
        )  # fmt: skip
        page = self.paginate_queryset(lines)
        return self.get_paginated_response(MoveLineRowSerializer(page, many=True).data)


class TurnoverView(ReportMixin, APIView):
    permission = "inventory.view_valuationlayer"

    @extend_schema(
        parameters=[TurnoverParams],
        responses=inline_serializer(
            "InventoryTurnover",
            {"date_from": serializers.DateField(), "date_to": serializers.DateField(), "rows": TurnoverRowSerializer(many=True)},
        ),
    )
    def get(self, request: Request) -> Response:
        """Per product or category: cost of goods out of stock in the period / average stock value
        (start and end) = turnover; days in the period / turnover = days of inventory (null without)."""
        data = self.params(request, TurnoverParams)
        rows = turnover(request_company(request), data["date_from"], data["date_to"], group=data["group"],
                        category=data.get("category"))  # fmt: skip
        return Response(
            {"date_from": data["date_from"], "date_to": data["date_to"], "rows": TurnoverRowSerializer(rows, many=True).data}
        )


class LotTraceView(ReportMixin, APIView):
    permission = "inventory.view_lot"

    @extend_schema(parameters=[LotTraceParams], responses=LotTraceSerializer)
    def get(self, request: Request) -> Response:
        """Where a lot came from (upstream) and every move of it after that (downstream)."""
        data = self.params(request, LotTraceParams)
        return Response(LotTraceSerializer(lot_trace(data["lot"])).data)


urlpatterns = [
    path("on-hand/", OnHandView.as_view(), name="inventory-report-on-hand"),
    path("forecast/", ForecastView.as_view(), name="inventory-report-forecast"),
    path("valuation/", ValuationView.as_view(), name="inventory-report-valuation"),
    path("move-history/", MoveHistoryView.as_view(), name="inventory-report-move-history"),
    path("turnover/", TurnoverView.as_view(), name="inventory-report-turnover"),
    path("lot-trace/", LotTraceView.as_view(), name="inventory-report-lot-trace"),
]
