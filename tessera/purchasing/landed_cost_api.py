"""Landed costs under /api/v1/purchasing/landed-costs/: freight, duties or insurance added to a done
receipt, and their post action that spreads them into the stock valuation."""

from typing import Any

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import RecordSerializer
from tessera.core.rest.viewsets import RecordViewSet

from .models import LandedCost
from .services import landed_cost_post, landed_cost_save

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False


class LandedCostSerializer(RecordSerializer):
    class Meta:
        model = LandedCost
        fields = ["id", "receipt", "description", "amount", "account", "split", "bill", "date", "state", "entry"]
        read_only_fields = ["state", "entry"]

    def save_record(self, record: LandedCost, m2m: dict[str, Any]) -> LandedCost:
        return landed_cost_save(record, by=self.actor)


class LandedCostFilter(FilterSet):
    class Meta:
        model = LandedCost
        fields = {"receipt": ["exact"], "state": ["exact"], "date": ["gte", "lte"]}


class LandedCostViewSet(RecordViewSet):
    """Costs of bringing goods in, added to a done receipt; posting one spreads it into the stock value."""

    queryset = LandedCost.objects.select_related("receipt")
    serializer_class = LandedCostSerializer
    filterset_class = LandedCostFilter
    ordering_fields = ["date", "amount"]

    @extend_schema(request=None, responses=LandedCostSerializer)
    @action(detail=True, methods=["post"])
    def post(self, request: Request, pk: Any = None) -> Response:
        """Spread the cost over the receipt's goods and post it into the stock valuation."""
        cost = landed_cost_post(self.get_record(), by=request.user)
        return Response(self.get_serializer(LandedCost.objects.get(pk=cost.pk)).data)


router.register("landed-costs", LandedCostViewSet)
urlpatterns = [path("", include(router.urls))]
