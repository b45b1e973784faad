"""The purchasing analysis under /api/v1/purchasing/reports/: spend, open order lines, late receipts and
supplier performance. Parameters are checked (problem+json 400 with per-field errors); ids of another
company's records are unknown; figures are exact decimal strings; `export=csv` or `export=xlsx` downloads
the rows instead. Definitions: see tessera.purchasing.queries."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.core.exports import XLSX, table_response
from tessera.core.models import Partner, Product
from tessera.core.report_tables import exported_cell
from tessera.core.rest.serializers import ScopedPrimaryKeyRelatedField
from tessera.core.scoping import request_company

from .queries import SPEND_GROUPS, ExpectedLine, Scope, expected_lines, late_receipts, spend, supplier_performance

AMOUNT = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 20, "decimal_places": 6}
PERMISSION = "purchasing.view_purchaseorder"


# --- parameters -------------------------------------------------------------------------------------


class ScopeParams(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    supplier = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    export = serializers.ChoiceField(choices=["csv", "xlsx"], required=False,
                                     help_text=gettext_lazy("Download the rows as CSV or XLSX instead of JSON."))  # fmt: skip

    def validate_supplier(self, partner: Partner) -> Partner:
        if not partner.is_supplier:
            raise serializers.ValidationError(_("This partner is not a supplier."))
        return partner

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day comes before the first.")]})
        return data

    @staticmethod
    def scope(data: dict[str, Any]) -> Scope:
        return Scope(data.get("date_from"), data.get("date_to"), data.get("supplier"), data.get("product"))


class SpendParams(ScopeParams):
    group = serializers.ChoiceField(choices=list(SPEND_GROUPS), default="supplier")


class ExpectedParams(ScopeParams):
    """The period filters the orders by their date."""

    as_of = serializers.DateField(required=False, help_text=gettext_lazy("The day lateness is counted to; today by default."))


# --- responses --------------------------------------------------------------------------------------


class SpendRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text=gettext_lazy("Supplier or category id (null: lines without "
                                                                        "a product); or the month (YYYY-MM-DD)."))  # fmt: skip
    label = serializers.CharField()
    billed = serializers.DecimalField(**AMOUNT)
    refunded = serializers.DecimalField(**AMOUNT)
    spend = serializers.DecimalField(**AMOUNT)


class SpendTotalSerializer(serializers.Serializer):
    billed = serializers.DecimalField(**AMOUNT)
    refunded = serializers.DecimalField(**AMOUNT)
    spend = serializers.DecimalField(**AMOUNT)


class SpendReportSerializer(serializers.Serializer):
    group = serializers.ChoiceField(choices=list(SPEND_GROUPS))
    rows = SpendRowSerializer(many=True)
    total = SpendTotalSerializer()


class ExpectedLineSerializer(serializers.Serializer):
    line = serializers.IntegerField(source="line_id")
    order = serializers.IntegerField(source="order_id")
    number = serializers.CharField()
    date_order = serializers.DateField()
    supplier = serializers.IntegerField(source="supplier_id")
    supplier_name = serializers.CharField(source="supplier")
    product = serializers.IntegerField(source="product_id")
    product_name = serializers.CharField(source="product")
    uom = serializers.CharField()
    ordered = serializers.DecimalField(**QUANTITY)
    received = serializers.DecimalField(**QUANTITY)
    expected = serializers.DecimalField(**QUANTITY)
    date_planned = serializers.DateField()
    days_late = serializers.IntegerField()
    value = serializers.DecimalField(**AMOUNT, help_text=gettext_lazy("Expected × unit price, untaxed, in the order's currency."))
    currency = serializers.CharField()


class ExpectedReportSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    rows = ExpectedLineSerializer(many=True)


class PerformanceRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text=gettext_lazy("The supplier's id."))
    label = serializers.CharField()
    lines_received = serializers.IntegerField()
    on_time = serializers.IntegerField()
    on_time_rate = serializers.DecimalField(allow_null=True, **AMOUNT)
    average_lead_days = serializers.DecimalField(allow_null=True, max_digits=20, decimal_places=1)
    ordered_value = serializers.DecimalField(**AMOUNT)
    billed_value = serializers.DecimalField(**AMOUNT)
    price_variance = serializers.DecimalField(**AMOUNT)
    price_variance_percent = serializers.DecimalField(allow_null=True, **AMOUNT)


class PerformanceReportSerializer(serializers.Serializer):
    rows = PerformanceRowSerializer(many=True)


def _responses(report: type[serializers.Serializer]) -> dict:
    return {(200, "application/json"): report, (200, "text/csv"): OpenApiTypes.STR, (200, XLSX): OpenApiTypes.BINARY}


# --- exports ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    attribute: str
    header: Promise


SPEND_COLUMNS = (Column("billed", gettext_lazy("Billed")), Column("refunded", gettext_lazy("Refunded")),
                 Column("spend", gettext_lazy("Spend")))  # fmt: skip
SPEND_HEADERS = {
    "supplier": gettext_lazy("Supplier"), "category": gettext_lazy("Product category"), "month": gettext_lazy("Month"),
}  # fmt: skip
EXPECTED_COLUMNS = (
    Column("number", gettext_lazy("Order")), Column("date_order", gettext_lazy("Order date")),
    Column("supplier", gettext_lazy("Supplier")), Column("product", gettext_lazy("Product")), Column("uom", gettext_lazy("Unit")),
    Column("ordered", gettext_lazy("Ordered")), Column("received", gettext_lazy("Received")),
    Column("expected", gettext_lazy("Expected")), Column("date_planned", gettext_lazy("Expected on")),
    Column("days_late", gettext_lazy("Days late")), Column("value", gettext_lazy("Value expected")),
    Column("currency", gettext_lazy("Currency")),
)  # fmt: skip
PERFORMANCE_COLUMNS = (
    Column("label", gettext_lazy("Supplier")), Column("lines_received", gettext_lazy("Lines received")),
    Column("on_time", gettext_lazy("On time")), Column("on_time_rate", gettext_lazy("On-time rate %")),
    Column("average_lead_days", gettext_lazy("Average lead time (days)")),
    Column("ordered_value", gettext_lazy("Billed quantities at ordered prices")),
    Column("billed_value", gettext_lazy("Billed quantities at billed prices")),
    Column("price_variance", gettext_lazy("Price variance")), Column("price_variance_percent", gettext_lazy("Price variance %")),
)  # fmt: skip


def _export(kind: str, slug: str, columns: Sequence[Column], rows: Sequence[Any]) -> HttpResponse:
    table = [[exported_cell(getattr(row, column.attribute)) for column in columns] for row in rows]
    return table_response(kind, f"purchasing-{slug}-{timezone.localdate().isoformat()}", [c.header for c in columns], table)


# --- views ------------------------------------------------------------------------------------------


class AnalysisView(APIView):
    """A purchasing analysis: needs the permission to see purchase orders, and checked parameters."""

    permission_classes = [permissions.IsAuthenticated]
    params: type[ScopeParams] = ScopeParams

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not request.user.has_perm(PERMISSION):
            self.permission_denied(request, message=_("You are not allowed to read the purchasing analysis."))

    def read(self, request: Request) -> tuple[dict[str, Any], Scope]:
        params = self.params(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        return params.validated_data, self.params.scope(params.validated_data)


class SpendView(AnalysisView):
    params = SpendParams

    @extend_schema(parameters=[SpendParams], responses=_responses(SpendReportSerializer))
    def get(self, request: Request) -> Response | HttpResponse:
        """Untaxed posted vendor bills less vendor refunds, in the company currency, by bill date, per supplier,
        product category or month, with the total."""
        data, scope = self.read(request)
        group = data["group"]
        rows = spend(request_company(request), scope, group=group)
        if data.get("export"):
            columns = (Column("label", SPEND_HEADERS[group]), *SPEND_COLUMNS)
            return _export(data["export"], f"spend-{group}", columns, rows)
        total = {name: sum((getattr(row, name) for row in rows), Decimal(0)) for name in ("billed", "refunded", "spend")}
        return Response(SpendReportSerializer({"group": group, "rows": rows, "total": total}).data)


class ExpectedView(AnalysisView):
    params = ExpectedParams

    def respond(self, request: Request, query: Callable[..., list[ExpectedLine]], slug: str) -> Response | HttpResponse:
        data, scope = self.read(request)
        as_of = data.get("as_of") or timezone.localdate()
        rows = query(request_company(request), scope, as_of=as_of)
        if data.get("export"):
            return _export(data["export"], slug, EXPECTED_COLUMNS, rows)
        return Response(ExpectedReportSerializer({"as_of": as_of, "rows": rows}).data)


class OpenOrdersView(ExpectedView):
    @extend_schema(parameters=[ExpectedParams], responses=_responses(ExpectedReportSerializer))
    def get(self, request: Request) -> Response | HttpResponse:
        """The lines of confirmed orders (dated in the period) whose goods are still expected: ordered, received,
        expected, when, days late, and the untaxed value expected in the order's currency, by expected date."""
        return self.respond(request, expected_lines, "open-orders")


class LateReceiptsView(ExpectedView):
    @extend_schema(parameters=[ExpectedParams], responses=_responses(ExpectedReportSerializer))
    def get(self, request: Request) -> Response | HttpResponse:
        """The expected lines whose expected date is before `as_of` (today by default), the latest first."""
        return self.respond(request, late_receipts, "late-receipts")


class PerformanceView(AnalysisView):
    @extend_schema(parameters=[ScopeParams], responses=_responses(PerformanceReportSerializer))
    def get(self, request: Request) -> Response | HttpResponse:
        """Per supplier: lines fully received in the period and how many on or before their expected date, the
        average lead time from order to receipt, and the price variance of what the period's bills billed."""
        data, scope = self.read(request)
        rows = supplier_performance(request_company(request), scope)
        if data.get("export"):
            return _export(data["export"], "supplier-performance", PERFORMANCE_COLUMNS, rows)
        return Response(PerformanceReportSerializer({"rows": rows}).data)


urlpatterns = [
    path("spend/", SpendView.as_view(), name="purchasing-report-spend"),
    path("open-orders/", OpenOrdersView.as_view(), name="purchasing-report-open-orders"),
    path("late-receipts/", LateReceiptsView.as_view(), name="purchasing-report-late-receipts"),
    path("supplier-performance/", PerformanceView.as_view(), name="purchasing-report-supplier-performance"),
]
