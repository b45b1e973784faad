"""The CRM API under /api/v1/sales/: leads/ (with convert, move-stage, won, lost, reopen and quote),
activities/ (with done), stages/, lost-reasons/, and the pipeline forecast at reports/pipeline/."""

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import include, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import APIView

from tessera.core.models import Partner
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import RecordSerializer, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import RecordViewSet
from tessera.core.scoping import is_company_allowed, request_company

from .api import OrderLineSerializer, SaleOrderSerializer, SaleOrderViewSet
from .crm_queries import pipeline_forecast
from .models import Activity, Lead, LostReason, Stage
from .services import (
    activity_done,
    activity_schedule,
    lead_convert,
    lead_save,
    opportunity_mark_lost,
    opportunity_mark_won,
    opportunity_move_stage,
    opportunity_quote,
)
from .services.crm import opportunity_reopen

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
AMOUNT = {"max_digits": 20, "decimal_places": 2}


@extend_schema_field(OpenApiTypes.INT)
class CompanyUserField(serializers.PrimaryKeyRelatedField):
    """A user who works for the current company; others are 'does not exist'."""

    def get_queryset(self) -> Any:
        company = request_company(self.context["request"])
        return get_user_model().objects.filter(companies=company) if company else get_user_model().objects.none()


class StageSerializer(RecordSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "sequence", "probability", "is_won"]


class StageViewSet(RecordViewSet):
    """The pipeline's columns, in order; an opportunity moved into one takes its probability."""

    queryset = Stage.objects.all()
    serializer_class = StageSerializer
    ordering_fields = ["sequence", "name"]


class LostReasonSerializer(RecordSerializer):
    class Meta:
        model = LostReason
        fields = ["id", "name", "active"]


class LostReasonViewSet(RecordViewSet):
    queryset = LostReason.objects.all()
    serializer_class = LostReasonSerializer
    search_fields = ["name"]


class LeadSerializer(RecordSerializer):
    salesperson = CompanyUserField(required=False, allow_null=True)
    weighted_revenue = serializers.DecimalField(**AMOUNT, read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id", "kind", "name", "partner", "contact_name", "company_name", "email", "phone", "salesperson", "stage",
            "expected_revenue", "probability", "weighted_revenue", "expected_closing", "state", "lost_reason", "closed_on",
            "order", "description",
        ]  # fmt: skip
        read_only_fields = ["kind", "state", "lost_reason", "closed_on", "order"]

    def save_record(self, record: Lead, m2m: dict[str, Any]) -> Lead:
        return lead_save(record, by=self.actor)


class LeadFilter(FilterSet):
    class Meta:
        model = Lead
        fields = {
            "kind": ["exact"], "state": ["exact"], "stage": ["exact"], "salesperson": ["exact"], "partner": ["exact"],
            "expected_closing": ["gte", "lte"],
        }  # fmt: skip


class ConvertSerializer(serializers.Serializer):
    partner = ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all(), required=False, allow_null=True)
    create_partner = serializers.BooleanField(
        default=False, help_text=gettext_lazy("Create the customer from the lead's contact details.")
    )
    salesperson = CompanyUserField(required=False, allow_null=True)


class MoveStageSerializer(serializers.Serializer):
    stage = ScopedPrimaryKeyRelatedField(queryset=Stage.objects.all())
    probability = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, allow_null=True,
        help_text=gettext_lazy("The stage's probability if omitted."),
    )  # fmt: skip


class LostSerializer(serializers.Serializer):
    lost_reason = ScopedPrimaryKeyRelatedField(queryset=LostReason.objects.all())
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReopenSerializer(serializers.Serializer):
    stage = ScopedPrimaryKeyRelatedField(
        queryset=Stage.objects.all(), required=False, allow_null=True,
        help_text=gettext_lazy("An open stage; the one it was lost in (else the first) if omitted."),
    )  # fmt: skip


class QuoteSerializer(serializers.Serializer):
    lines = OrderLineSerializer(many=True, required=False, default=list)


class LeadViewSet(RecordViewSet):
    """Leads and, once converted, opportunities moving through the stages until won or lost."""

    queryset = Lead.objects.select_related("partner", "stage")
    serializer_class = LeadSerializer
    filterset_class = LeadFilter
    search_fields = ["name", "contact_name", "company_name", "email", "partner__name"]
    ordering_fields = ["expected_closing", "expected_revenue", "probability", "id"]

    def _read(self, serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
        data = serializer_class(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _fresh(self, lead: Lead) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=lead.pk)).data)

    @extend_schema(request=ConvertSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: Any = None) -> Response:
        """Turn a lead into an opportunity in the first stage, for an existing or a new customer."""
        data = self._read(ConvertSerializer, request)
        return self._fresh(lead_convert(self.get_record(), by=request.user, partner=data.get("partner"),
                                        create_partner=data["create_partner"], salesperson=data.get("salesperson")))  # fmt: skip

    @extend_schema(request=MoveStageSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], url_path="move-stage")
    def move_stage(self, request: Request, pk: Any = None) -> Response:
        """Move an open opportunity into a stage; a won stage wins it."""
        data = self._read(MoveStageSerializer, request)
        return self._fresh(opportunity_move_stage(self.get_object(), data["stage"], by=request.user,
                                                  probability=data.get("probability")))  # fmt: skip

    @extend_schema(request=None, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def won(self, request: Request, pk: Any = None) -> Response:
        """The customer said yes."""
        return self._fresh(opportunity_mark_won(self.get_record(), by=request.user))

    @extend_schema(request=LostSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def lost(self, request: Request, pk: Any = None) -> Response:
        """The customer said no; the reason is required."""
        data = self._read(LostSerializer, request)
        return self._fresh(opportunity_mark_lost(self.get_object(), data["lost_reason"], by=request.user, note=data["note"]))

    @extend_schema(request=ReopenSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: Any = None) -> Response:
        """The customer is interested again: a lost opportunity is open again, at its stage's probability."""
        lead = self.get_object()
        data = self._read(ReopenSerializer, request)
        return self._fresh(opportunity_reopen(lead, by=request.user, stage=data.get("stage")))

    @extend_schema(request=QuoteSerializer, responses={201: SaleOrderSerializer})
    @action(detail=True, methods=["post"])
    def quote(self, request: Request, pk: Any = None) -> Response:
        """A draft quotation for the opportunity's customer, linked to it; edit it under orders/."""
        data = self._read(QuoteSerializer, request)
        order = opportunity_quote(self.get_object(), [SaleOrderSerializer._draft(line) for line in data["lines"]],
                                  by=request.user)  # fmt: skip
        order = SaleOrderViewSet.queryset.get(pk=order.pk)
        return Response(SaleOrderSerializer(order, context=self.get_serializer_context()).data, status=201)


class ActivitySerializer(RecordSerializer):
    assigned_to = CompanyUserField(required=False, allow_null=True)

    class Meta:
        model = Activity
        fields = ["id", "lead", "kind", "summary", "due_date", "assigned_to", "note", "done", "done_on"]
        read_only_fields = ["done", "done_on"]

    def save_record(self, record: Activity, m2m: dict[str, Any]) -> Activity:
        return activity_schedule(record, by=self.actor)


class ActivityFilter(FilterSet):
    class Meta:
        model = Activity
        fields = {"lead": ["exact"], "kind": ["exact"], "assigned_to": ["exact"], "done": ["exact"], "due_date": ["gte", "lte"]}


class ActivityViewSet(RecordViewSet):
    """Calls, meetings, e-mails and to-dos planned on leads. ?overdue=true lists those not done whose
    due date has passed."""

    queryset = Activity.objects.select_related("lead")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["summary", "lead__name"]
    ordering_fields = ["due_date", "id"]

    def get_queryset(self) -> Any:
        queryset = super().get_queryset()
        if self.request.query_params.get("overdue") in ("true", "1"):
            queryset = queryset.filter(done=False, due_date__lt=timezone.localdate())
        return queryset

    @extend_schema(request=None, responses=ActivitySerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: Any = None) -> Response:
        """Mark the activity done today."""
        activity = activity_done(self.get_record(), by=request.user)
        return Response(self.get_serializer(activity).data)


class PipelineParams(serializers.Serializer):
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    salesperson = CompanyUserField(required=False)

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise serializers.ValidationError({"date_to": [_("The last day comes before the first.")]})
        return data


class ForecastRowSerializer(serializers.Serializer):
    month = serializers.DateField(allow_null=True, help_text=gettext_lazy("First day of the month; null: no closing date."))
    salesperson = serializers.IntegerField(source="salesperson_id", allow_null=True)
    salesperson_name = serializers.CharField(source="salesperson")
    count = serializers.IntegerField()
    expected_revenue = serializers.DecimalField(**AMOUNT)
    weighted_revenue = serializers.DecimalField(**AMOUNT)


class PipelineView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    def check_permissions(self, request: Request) -> None:
        super().check_permissions(request)
        if not request.user.has_perm("sales.view_lead"):
            self.permission_denied(request, message=_("You are not allowed to read the pipeline."))

    @extend_schema(parameters=[PipelineParams], responses=ForecastRowSerializer(many=True))
    def get(self, request: Request) -> Response:
        """Open opportunities' expected revenue weighted by probability, by month of expected closing and salesperson."""
        params = PipelineParams(data=request.query_params, context={"request": request})
        params.is_valid(raise_exception=True)
        company = request_company(request)
        if company is None or not is_company_allowed(request.user, company):
            self.permission_denied(request)
        rows = pipeline_forecast(company, **params.validated_data)
        return Response({"rows": ForecastRowSerializer(rows, many=True).data})


router.register("leads", LeadViewSet)
router.register("activities", ActivityViewSet)
router.register("stages", StageViewSet)
router.register("lost-reasons", LostReasonViewSet)

urlpatterns = [path("", include(router.urls)), path("reports/pipeline/", PipelineView.as_view(), name="sales-pipeline")]
