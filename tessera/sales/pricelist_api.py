"""The price lists API under /api/v1/sales/: pricelists/, pricelist-items/ and customer-pricelists/."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import RecordSerializer
from tessera.core.rest.viewsets import RecordViewSet

from .models import CustomerPricelist, Pricelist, PricelistItem

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
        fields = ["id", "partner", "pricelist"]


class CustomerPricelistViewSet(RecordViewSet):
    queryset = CustomerPricelist.objects.select_related("partner", "pricelist")
    serializer_class = CustomerPricelistSerializer
    search_fields = ["partner__name", "pricelist__name"]


router.register("pricelists", PricelistViewSet)
router.register("pricelist-items", PricelistItemViewSet)
router.register("customer-pricelists", CustomerPricelistViewSet)

urlpatterns = [path("", include(router.urls))]
