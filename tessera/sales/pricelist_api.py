"""The price lists API under /api/v1/sales/: pricelists/, pricelist-items/, customer-groups/ (with
add-customers) and customer-pricelists/ (a customer's own price list and group)."""

from typing import Any

from django.db.models import Count
from django.urls import include, path
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.core.models import Partner
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import RecordSerializer, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import RecordViewSet

from .models import CustomerPricelist, Pricelist, PricelistItem
from .models.pricelists import CustomerGroup
from .services.pricing import customer_group_assign

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False


class PricelistSerializer(RecordSerializer):
    class Meta:
        model = Pricelist
        fields = ["id", "name", "currency", "active", "is_default"]


class PricelistViewSet(RecordViewSet):
    """Sale prices in one currency; a customer without a price list of its own gets the default one."""

    queryset = Pricelist.objects.select_related("currency")
    serializer_class = PricelistSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]


class PricelistItemSerializer(RecordSerializer):
    class Meta:
        model = PricelistItem
        fields = ["id", "pricelist", "product", "category", "min_quantity", "fixed_price", "percent_discount", "date_start",
                  "date_end"]  # fmt: skip


class PricelistItemFilter(FilterSet):
    class Meta:
        model = PricelistItem
        fields = {"pricelist": ["exact"], "product": ["exact"], "category": ["exact"]}


class PricelistItemViewSet(RecordViewSet):
    """A fixed price or a discount on the sale price, for a product, a category or all products,
    from a quantity on and between two dates."""

    queryset = PricelistItem.objects.all()
    serializer_class = PricelistItemSerializer
    filterset_class = PricelistItemFilter
    ordering_fields = ["min_quantity", "date_start"]


class CustomerPricelistSerializer(RecordSerializer):
    class Meta:
        model = CustomerPricelist
        fields = ["id", "partner", "pricelist", "group"]
        extra_kwargs = {
            "pricelist": {"help_text": gettext_lazy("The customer's own price list; it comes before its group's.")},
            "group": {"help_text": gettext_lazy("The customer's group; its price list applies without one of its own.")},
        }


class CustomerPricelistFilter(FilterSet):
    class Meta:
        model = CustomerPricelist
        fields = {"partner": ["exact"], "pricelist": ["exact"], "group": ["exact"]}


class CustomerPricelistViewSet(RecordViewSet):
    """How each customer is priced: its own price list, else its group's, else the company's default."""

    queryset = CustomerPricelist.objects.select_related("partner", "pricelist", "group")
    serializer_class = CustomerPricelistSerializer
    filterset_class = CustomerPricelistFilter
    search_fields = ["partner__name", "pricelist__name", "group__name"]


class CustomerGroupSerializer(RecordSerializer):
    member_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Customers in the group."))

    class Meta:
        model = CustomerGroup
        fields = ["id", "name", "pricelist", "member_count"]

    def to_representation(self, instance: CustomerGroup) -> dict[str, Any]:
        if not hasattr(instance, "member_count"):  # just saved: not read through the annotated queryset
            instance.member_count = instance.members.count()
        return super().to_representation(instance)


class AddCustomersSerializer(serializers.Serializer):
    partners = serializers.ListField(child=ScopedPrimaryKeyRelatedField(queryset=Partner.objects.all()), allow_empty=False,
                                     help_text=gettext_lazy("The customers to put in the group."))  # fmt: skip


class CustomerGroupViewSet(RecordViewSet):
    """Customers priced alike: the group's price list applies to members without one of their own."""

    queryset = CustomerGroup.objects.select_related("pricelist").annotate(member_count=Count("members")).order_by("name", "id")
    serializer_class = CustomerGroupSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]

    @extend_schema(request=AddCustomersSerializer, responses=CustomerPricelistSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="add-customers")
    def add_customers(self, request: Request, pk: Any = None) -> Response:
        """Put customers into the group; those with a price list of their own keep it (it comes first)."""
        group = self.get_object()
        data = AddCustomersSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        links = customer_group_assign(group, data.validated_data["partners"], by=request.user)
        return Response(CustomerPricelistSerializer(links, many=True, context=self.get_serializer_context()).data)


router.register("pricelists", PricelistViewSet)
router.register("pricelist-items", PricelistItemViewSet)
router.register("customer-groups", CustomerGroupViewSet)
router.register("customer-pricelists", CustomerPricelistViewSet)

urlpatterns = [path("", include(router.urls))]
