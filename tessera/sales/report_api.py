"""The sales analysis under /api/v1/sales/reports/: margin, open orders, backlog and on-time delivery.
Parameters are checked (problem+json 400 with per-field errors); ids of another company's records
are unknown; figures are exact decimal strings. Definitions: see tessera.sales.queries."""

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tessera.core.models import Partner, Product
from tessera.core.rest.serializers import ScopedPrimaryKeyRelatedField
from tessera.core.scoping import request_company

from .queries import GROUPS, Scope, backlog, on_time_delivery, open_orders, sales_margin

AMOUNT = {"max_digits": 20, "decimal_places": 2}
QUANTITY = {"max_digits": 20, "decimal_places": 6}


class ScopeParams(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    customer = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False)
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.all(), required=False)
    salesperson = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all(), required=False)

    def validate_salesperson(self, user: Any) -> Any:
        if not user.companies.filter(pk=getattr(request_company(self.context["request"]), "pk", None)).exists():
            raise serializers.ValidationError(_("This salesperson does not work in this company."))
        return user

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day comes before the first.")]})
        return data

    @staticmethod
    def scope(data: dict[str, Any]) -> Scope:
        return Scope(data.get("date_from"), data.get("date_to"), data.get("customer"), data.get("product"),
                     data.get("salesperson"))  # fmt: skip


class MarginParams(ScopeParams):
    group = serializers.ChoiceField(choices=list(GROUPS), default="product")


class BacklogParams(ScopeParams):
    group = serializers.ChoiceField(choices=["order", "customer"], default="order")


class OnTimeParams(ScopeParams):
    group = serializers.ChoiceField(choices=["customer", "product"], default="customer")


class MarginRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True, help_text="Product, customer or salesperson id; or the month (YYYY-MM-DD).")
    label = serializers.CharField()
    revenue = serializers.DecimalField(**AMOUNT)
    cost = serializers.DecimalField(**AMOUNT)
    margin = serializers.DecimalField(**AMOUNT)
    margin_percent = serializers.DecimalField(allow_null=True, **AMOUNT)


class OpenOrderRowSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="order_id")
    number = serializers.CharField()
    date_order = serializers.DateField()
    customer = serializers.IntegerField(source="customer_id")
    customer_name = serializers.CharField(source="customer")
    salesperson = serializers.IntegerField(source="salesperson_id", allow_null=True)
    amount_untaxed = serializers.DecimalField(**AMOUNT)
    to_deliver = serializers.DecimalField(**AMOUNT)
    to_invoice = serializers.DecimalField(**AMOUNT)


class BacklogRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="The order's or the customer's id.")
    label = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY)
    value = serializers.DecimalField(**AMOUNT)


class OnTimeRowSerializer(serializers.Serializer):
    key = serializers.IntegerField(help_text="The customer's or the product's id.")
    label = serializers.CharField()
    lines = serializers.IntegerField()
    on_time = serializers.IntegerField()
    rate = serializers.DecimalField(**AMOUNT)
    average_delay = serializers.DecimalField(**AMOUNT)
    average_difference = serializers.DecimalField(**AMOUNT)


class AnalysisView(APIView):
    """A sales analysis: needs the permission to see sales orders, and checked parameters."""

    permission_classes = [permissions.IsAuthenticated]
    params: type[ScopeParams] = ScopeParams

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not request.user.has_perm("sales.view_saleorder"):
            self.permission_denied(request, message=_("You are not allowed to read the sales analysis."))

    def read(self, request: Request) -> tuple[dict[str, Any], Scope]:
        params = self.params(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        return params.validated_data, self.params.scope(params.validated_data)


class MarginView(AnalysisView):
    params = MarginParams

    @extend_schema(parameters=[MarginParams], responses=MarginRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Revenue (posted customer invoices less credit notes, untaxed, company currency, by invoice date),
        cost of the goods delivered for sales order lines (by delivery date) and margin, per product,
        customer, salesperson or month."""
        data, scope = self.read(request)
        rows = sales_margin(request_company(request), scope, group=data["group"])
        return Response({"group": data["group"], "rows": MarginRowSerializer(rows, many=True).data})


class OpenOrdersView(AnalysisView):
    @extend_schema(parameters=[ScopeParams], responses=OpenOrderRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Confirmed orders not fully delivered or invoiced, with the untaxed value left to deliver and to invoice."""
        _data, scope = self.read(request)
        return Response({"rows": OpenOrderRowSerializer(open_orders(request_company(request), scope), many=True).data})


class BacklogView(AnalysisView):
    params = BacklogParams

    @extend_schema(parameters=[BacklogParams], responses=BacklogRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Ordered but not delivered: (quantity − delivered) × unit price × (1 − discount), per order or customer."""
        data, scope = self.read(request)
        rows = backlog(request_company(request), scope, group=data["group"])
        return Response({"group": data["group"], "rows": BacklogRowSerializer(rows, many=True).data})


class OnTimeView(AnalysisView):
    params = OnTimeParams

    @extend_schema(parameters=[OnTimeParams], responses=OnTimeRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Lines fully delivered in the period with a promised date: how many on time (delivered on or before
        the promise), the rate, the average delay (early = 0) and the average difference (early negative)."""
        data, scope = self.read(request)
        rows = on_time_delivery(request_company(request), scope, group=data["group"])
        return Response({"group": data["group"], "rows": OnTimeRowSerializer(rows, many=True).data})


urlpatterns = [
    path("margin/", MarginView.as_view(), name="sales-report-margin"),
    path("open-orders/", OpenOrdersView.as_view(), name="sales-report-open-orders"),
    path("backlog/", BacklogView.as_view(), name="sales-report-backlog"),
    path("on-time/", OnTimeView.as_view(), name="sales-report-on-time"),
]
