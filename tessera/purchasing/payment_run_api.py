"""Supplier payment runs under /api/v1/purchasing/: payment-runs/ (create from bills, the SEPA file,
mark-sent, cancel) and payment-runs/due-bills/ (what could go in a run)."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.accounting.models import Invoice, Journal
from tessera.core.exports import document_response
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import ReadOnlyViewSet
from tessera.core.scoping import request_company

from .models import PaymentRun, PaymentRunLine
from .services import bills_due, payment_run_cancel, payment_run_create, payment_run_file, payment_run_mark_sent

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
AMOUNT = {"max_digits": 20, "decimal_places": 4}


class PaymentRunLineSerializer(serializers.ModelSerializer):
    bill_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = PaymentRunLine
        fields = ["id", "invoice", "bill_number", "partner", "amount", "iban", "bic", "communication", "end_to_end_id"]
        read_only_fields = fields


class PaymentRunSerializer(serializers.ModelSerializer):
    lines = PaymentRunLineSerializer(many=True, read_only=True)

    class Meta:
        model = PaymentRun
        fields = ["id", "number", "journal", "execution_date", "state", "amount_total", "sent_at", "sent_by", "lines"]
        read_only_fields = fields


class CreatePaymentRunSerializer(serializers.Serializer):
    bills = ScopedPrimaryKeyRelatedField(queryset=Invoice.objects.all(), many=True,
                                         help_text=gettext_lazy("Posted vendor bills to pay what is left of."))  # fmt: skip
    journal = ScopedPrimaryKeyRelatedField(queryset=Journal.objects.all(), help_text=gettext_lazy("The bank journal paying."))
    execution_date = serializers.DateField(required=False, help_text=gettext_lazy("Today if omitted."))


class DueBillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "partner",
            "ref",
            "payment_reference",
            "due_date",
            "currency",
            "amount_total",
            "amount_residual",
        ]
        read_only_fields = fields


class DueBillsParams(serializers.Serializer):
    until = serializers.DateField(required=False, help_text=gettext_lazy("Due by this day; today if omitted."))


class PaymentRunFilter(FilterSet):
    class Meta:
        model = PaymentRun
        fields = {"state": ["exact"], "journal": ["exact"], "execution_date": ["gte", "lte"]}


def _runs() -> QuerySet[PaymentRun]:
    return PaymentRun.objects.select_related("journal").prefetch_related(
        Prefetch("lines", queryset=PaymentRunLine.objects.select_related("invoice").order_by("id"))
    )


class PaymentRunViewSet(ReadOnlyViewSet):
    """Due vendor bills paid together by one SEPA credit transfer file. Sending the file does not pay
    the bills: the bank statement does, when it shows the transfers."""

    queryset = _runs()
    serializer_class = PaymentRunSerializer
    filterset_class = PaymentRunFilter
    ordering_fields = ["execution_date", "amount_total"]

    def _fresh(self, run: PaymentRun) -> dict[str, Any]:
        return PaymentRunSerializer(_runs().get(pk=run.pk)).data

    @extend_schema(request=CreatePaymentRunSerializer, responses={201: PaymentRunSerializer})
    def create(self, request: Request) -> Response:
        """A draft run paying what is left of the bills, from the journal's bank account."""
        data = CreatePaymentRunSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        values = data.validated_data
        on = values.get("execution_date") or timezone.localdate()
        run = payment_run_create(request_company(request), values["bills"], journal=values["journal"], execution_date=on,
                                 by=request.user)  # fmt: skip
        return Response(self._fresh(run), status=201)

    @extend_schema(responses=DueBillSerializer(many=True), filters=False, parameters=[DueBillsParams])
    @action(detail=False, methods=["get"], url_path="due-bills", pagination_class=None, filter_backends=[])
    def due_bills(self, request: Request) -> Response:
        """Posted vendor bills still owed and due, not blocked for payment, in no open run."""
        params = DueBillsParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        until = params.validated_data.get("until") or timezone.localdate()
        return Response(DueBillSerializer(bills_due(request_company(request), until), many=True).data)

    @extend_schema(request=None, responses={(200, "application/xml"): OpenApiTypes.BINARY}, filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])
    def file(self, request: Request, pk: Any = None) -> HttpResponse:
        """The SEPA credit transfer file (pain.001.001.03) to upload to the bank."""
        run = self.get_object()
        return document_response(payment_run_file(run), f"{run.number}.xml", "application/xml", download=True)

    @extend_schema(request=None, responses=PaymentRunSerializer)
    @action(detail=True, methods=["post"], url_path="mark-sent")
    def mark_sent(self, request: Request, pk: Any = None) -> Response:
        """The file went to the bank; the bills stay owed until the bank statement shows the transfers."""
        return Response(self._fresh(payment_run_mark_sent(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=PaymentRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Drop a draft run: its bills can go in another."""
        return Response(self._fresh(payment_run_cancel(self.get_record(), by=request.user)))


router.register("payment-runs", PaymentRunViewSet)
urlpatterns = [path("", include(router.urls))]
