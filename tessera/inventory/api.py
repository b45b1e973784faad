"""The inventory API under /api/v1/inventory/: resources and their actions."""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.models import Product
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.idempotency import IdempotencyMixin
from tessera.core.rest.serializers import LinesSerializer, RecordSerializer, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import ReadOnlyViewSet, RecordViewSet, ScopedMixin
from tessera.core.scoping import request_company, scope_queryset

from . import hooks
from .models import (
    CategoryValuation,
    InventoryCount,
    InventoryCountLine,
    Location,
    Lot,
    Move,
    MoveLine,
    ProcurementNeed,
    ProductStock,
    Quant,
    ReorderingRule,
    Scrap,
    Transfer,
    Warehouse,
)
from .services import (
    Counted,
    DoneQuantity,
    MoveDraft,
    count_cancel,
    count_create,
    count_record,
    count_start,
    count_validate,
    location_save,
    procurement_need_cancel,
    procurement_need_done,
    replenishment_run,
    scrap_validate,
    transfer_cancel,
    transfer_confirm,
    transfer_reserve,
    transfer_return,
    transfer_save,
    transfer_unreserve,
    transfer_validate,
    warehouse_create,
)
from .states import TransferState

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

ZERO = Decimal(0)
DEFAULT_LOCATION = gettext_lazy("The warehouse's default for the kind if omitted.")
QUANTITY = {"max_digits": 20, "decimal_places": 6}


def _scoped(model: type) -> Callable[[Request | None], QuerySet]:
    """A filter's choices: the rows of the request's company (none while the schema is generated)."""

    def queryset(request: Request | None) -> QuerySet:
        if request is None or not request.user.is_authenticated:
            return model.objects.none()
        return scope_queryset(model.objects.all(), request.user, request_company(request))

    return queryset


def _renamed(exc: InvalidInput, old: str, new: str) -> InvalidInput:
    """The service's error with its field names as the API spells them (its "lines.0.uom" is our "moves.0.uom")."""
    errors = {(f"{new}{key[len(old) :]}" if key.startswith(f"{old}.") else key): messages for key, messages in exc.errors.items()}
    renamed = InvalidInput(exc.message, code=exc.code, errors=errors)
    renamed.field = exc.field
    return renamed


# --- warehouses and locations --------------------------------------------------------------------


class WarehouseSerializer(RecordSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "name", "code", "partner", "view_location", "stock_location", "active"]
        read_only_fields = ["view_location", "stock_location"]

    def validate_code(self, code: str) -> str:
        if self.instance is not None and code.strip().upper() != self.instance.code:
            raise serializers.ValidationError(_("A warehouse keeps its code: its locations and transfers are named after it."))
        return code

    def save_record(self, record: Warehouse, m2m: dict[str, Any]) -> Warehouse:
        if record._state.adding:
            return warehouse_create(record, by=self.actor)
        return super().save_record(record, m2m)


class WarehouseViewSet(RecordViewSet):
    """Warehouses; creating one creates its view and stock locations. Archive one instead of deleting it."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_fields = ["active", "code"]
    search_fields = ["name", "code"]
    ordering_fields = ["code", "name"]


class LocationSerializer(RecordSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "parent", "full_name", "usage", "warehouse", "barcode", "valuation_account", "active"]
        read_only_fields = ["full_name", "warehouse"]

    def save_record(self, record: Location, m2m: dict[str, Any]) -> Location:
        return location_save(record, by=self.actor)


class LocationViewSet(RecordViewSet):
    """Locations: a warehouse's stock and bins, and the virtual partner and adjustment locations."""

    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_fields = ["warehouse", "usage", "parent", "active", "barcode"]
    search_fields = ["full_name", "barcode"]
    ordering_fields = ["full_name"]


# --- product settings, valuation, lots -----------------------------------------------------------


class ProductStockSerializer(RecordSerializer):
    class Meta:
        model = ProductStock
        fields = ["id", "product", "tracking", "use_expiry", "route", "procurement_method", "lead_days"]

    def validate_product(self, product: Any) -> Any:
        if self.instance is not None and product.pk != self.instance.product_id:
            raise serializers.ValidationError(_("Settings stay with their product; change the other product's settings."))
        return product

    def validate_route(self, route: str) -> str:
        names = [item.name for item in hooks.routes()]
        if route not in names:
            message = _("No module provides the route %(route)s. Choose one of: %(routes)s.")
            raise serializers.ValidationError(message % {"route": route, "routes": ", ".join(names)})
        return route


class ProductStockViewSet(RecordViewSet):
    """How inventory handles each product: tracking by lot or serial, expiry, route and lead time."""

    queryset = ProductStock.objects.all()
    serializer_class = ProductStockSerializer
    filterset_fields = ["product", "tracking", "route", "procurement_method"]


class CategoryValuationSerializer(RecordSerializer):
    class Meta:
        model = CategoryValuation
        fields = ["id", "category", "cost_method", "valuation_account", "input_account", "output_account"]


class CategoryValuationViewSet(RecordViewSet):
    """A product category's costing method and stock accounts (FIFO on the default accounts without one)."""

    queryset = CategoryValuation.objects.all()
    serializer_class = CategoryValuationSerializer
    filterset_fields = ["category", "cost_method"]


class LotSerializer(RecordSerializer):
    on_hand = serializers.SerializerMethodField(help_text=gettext_lazy("In stock locations, in the product's unit."))

    class Meta:
        model = Lot
        fields = ["id", "product", "name", "expiry_date", "note", "on_hand"]

    def validate_product(self, product: Any) -> Any:
        if self.instance is not None and product.pk != self.instance.product_id:
            raise serializers.ValidationError(_("A lot stays with its product."))
        return product

    @extend_schema_field(serializers.DecimalField(**QUANTITY))
    def get_on_hand(self, lot: Lot) -> str:
        on_hand = getattr(lot, "on_hand", None)
        if on_hand is None:
            on_hand = Quant.objects.filter(lot=lot).aggregate(total=Sum("quantity"))["total"] or ZERO
        return serializers.DecimalField(**QUANTITY).to_representation(on_hand)


class LotViewSet(RecordViewSet):
    """Lots and serial numbers, with how much of each is in stock."""

    queryset = Lot.objects.annotate(
        on_hand=Coalesce(Sum("quants__quantity"), Value(ZERO), output_field=DecimalField(**QUANTITY))
    ).order_by("product_id", "name", "id")
    serializer_class = LotSerializer
    filterset_fields = {"product": ["exact"], "name": ["exact"], "expiry_date": ["lte", "gte"]}
    search_fields = ["name"]
    ordering_fields = ["name", "expiry_date"]


# --- transfers and moves -------------------------------------------------------------------------


class MoveLineSerializer(serializers.ModelSerializer):
    lot_name = serializers.CharField(source="lot.name", read_only=True, allow_null=True)

    class Meta:
        model = MoveLine
        fields = ["id", "lot", "lot_name", "source_location", "destination_location", "reserved_quantity", "quantity", "done"]
        read_only_fields = fields


class MoveSerializer(serializers.ModelSerializer):
    """A transfer's move: product, quantity, unit and unit cost are written; the rest is the ledger's."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    lines = MoveLineSerializer(many=True, read_only=True)

    class Meta:
        model = Move
        list_serializer_class = LinesSerializer
        fields = [
            "id", "transfer", "product", "quantity", "uom", "product_quantity", "reserved_quantity", "unit_cost",
            "source_location", "destination_location", "state", "date", "reference", "returned_move", "lines",
        ]  # fmt: skip
        read_only_fields = ["transfer", "source_location", "destination_location", "date", "reference"]
        extra_kwargs = {"uom": {"required": False, "help_text": gettext_lazy("The product's unit if omitted.")}}


def _transfers() -> QuerySet[Transfer]:
    """Transfers with their moves and lines in the order they were entered."""
    return Transfer.objects.prefetch_related(
        Prefetch("moves", queryset=Move.objects.order_by("id")),
        Prefetch("moves__lines", queryset=MoveLine.objects.select_related("lot").order_by("id")),
    )


class TransferSerializer(RecordSerializer):
    moves = MoveSerializer(many=True, help_text=gettext_lazy("Replaced as a whole when a draft is updated."))

    class Meta:
        model = Transfer
        fields = [
            "id", "kind", "number", "warehouse", "source_location", "destination_location", "partner", "scheduled_date",
            "date_done", "origin", "state", "backorder_of", "return_of", "note", "moves",
        ]  # fmt: skip
        read_only_fields = ["number", "date_done", "state", "backorder_of", "return_of"]
        extra_kwargs = {
            "source_location": {"required": False, "help_text": DEFAULT_LOCATION},
            "destination_location": {"required": False, "help_text": DEFAULT_LOCATION},
            "scheduled_date": {"required": False},
        }

    def validate_moves(self, moves: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if self.partial:  # on PATCH DRF skips defaults inside nested items; the moves replace the old ones
            full = MoveSerializer(data=self.initial_data["moves"], many=True, context=self.context)
            full.is_valid(raise_exception=True)
            return full.validated_data
        return moves

    def create(self, validated_data: dict[str, Any]) -> Transfer:
        moves = validated_data.pop("moves")
        transfer = Transfer(company=request_company(self.context["request"]), **validated_data)
        return self._save(transfer, [self._draft(move) for move in moves])

    def update(self, instance: Transfer, validated_data: dict[str, Any]) -> Transfer:
        moves = validated_data.pop("moves", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if moves is None:
            drafts = [MoveDraft(move.product, move.quantity, move.uom, move.unit_cost) for move in instance.moves.order_by("id")]
        else:
            drafts = [self._draft(move) for move in moves]
        return self._save(instance, drafts)

    @staticmethod
    def _draft(values: dict[str, Any]) -> MoveDraft:
        return MoveDraft(values["product"], values["quantity"], values.get("uom"), values.get("unit_cost"))

    def _save(self, transfer: Transfer, drafts: list[MoveDraft]) -> Transfer:
        try:
            transfer = transfer_save(transfer, drafts, by=self.actor)
        except InvalidInput as exc:
            raise _renamed(exc, "lines", "moves") from None
        return _transfers().get(pk=transfer.pk)


class DoneItemSerializer(serializers.Serializer):
    move = serializers.IntegerField(help_text=gettext_lazy("The id of an open move of the transfer."))
    quantity = serializers.DecimalField(**QUANTITY, min_value=ZERO, help_text=gettext_lazy("In the move's unit."))
    lot = serializers.CharField(max_length=100, required=False, allow_blank=True, default="",
                                help_text=gettext_lazy("The lot or serial number; required for tracked products."))  # fmt: skip
    expiry_date = serializers.DateField(required=False, allow_null=True, help_text=gettext_lazy("Of a lot received."))
    location = ScopedPrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True,
        help_text=gettext_lazy("The bin the goods came from (outgoing) or went to (incoming)."),
    )  # fmt: skip


class ValidateSerializer(serializers.Serializer):
    moves = DoneItemSerializer(
        many=True, required=False,
        help_text=gettext_lazy("What was moved. Omitted: everything reserved goes (or everything planned comes in)."),
    )  # fmt: skip
    force = serializers.BooleanField(
        default=False, help_text=gettext_lazy("Move more than reserved or than on hand: stock may go below zero.")
    )
    backorder = serializers.BooleanField(
        default=True, help_text=gettext_lazy("What is not moved goes to a backorder; otherwise it is cancelled.")
    )
    date = serializers.DateTimeField(
        required=False, help_text=gettext_lazy("When the goods moved, if earlier than now (not on or before the lock date).")
    )


class ReturnItemSerializer(serializers.Serializer):
    move = serializers.IntegerField(help_text=gettext_lazy("The id of a done move of the transfer."))
    quantity = serializers.DecimalField(**QUANTITY, min_value=ZERO, help_text=gettext_lazy("In the product's unit."))


class ReturnSerializer(serializers.Serializer):
    moves = ReturnItemSerializer(
        many=True, required=False, help_text=gettext_lazy("Omitted: everything not returned yet comes back.")
    )


class TransferFilter(FilterSet):
    class Meta:
        model = Transfer
        fields = {
            "kind": ["exact"], "state": ["exact"], "partner": ["exact"], "warehouse": ["exact"], "origin": ["exact"],
            "number": ["exact"], "scheduled_date": ["gte", "lte"], "backorder_of": ["exact"], "return_of": ["exact"],
        }  # fmt: skip


class TransferViewSet(RecordViewSet):
    """Receipts, deliveries and internal transfers. Drafts are edited with their moves; confirming
    reserves stock, validating moves the goods (what is left goes to a backorder)."""

    queryset = _transfers()
    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    search_fields = ["number", "origin", "partner__name"]
    ordering_fields = ["scheduled_date", "number", "date_done"]

    def perform_destroy(self, instance: Transfer) -> None:
        if instance.state != TransferState.DRAFT:
            raise BusinessError(_("Only a draft transfer can be deleted; cancel it instead."), code="transfer_not_draft")
        super().perform_destroy(instance)

    def _fresh(self, transfer: Transfer) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=transfer.pk)).data

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: Any = None) -> Response:
        """Confirm a draft: stock is reserved for what leaves stock, needs are raised for make-to-order products."""
        return Response(self._fresh(transfer_confirm(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def reserve(self, request: Request, pk: Any = None) -> Response:
        """Reserve what has become available for a waiting transfer."""
        return Response(self._fresh(transfer_reserve(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def unreserve(self, request: Request, pk: Any = None) -> Response:
        """Give the transfer's reserved stock back."""
        return Response(self._fresh(transfer_unreserve(self.get_record(), by=request.user)))

    @extend_schema(request=None, responses=TransferSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Cancel a transfer that is not done; its reservations are released."""
        return Response(self._fresh(transfer_cancel(self.get_record(), by=request.user)))

    @extend_schema(
        request=ValidateSerializer,
        responses=inline_serializer(
            "TransferValidated",
            {"transfer": TransferSerializer(), "backorder": serializers.IntegerField(allow_null=True)},
        ),
    )
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: Any = None) -> Response:
        """Record what was moved. Moving more than reserved or than on hand needs `force`."""
        data = ValidateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        done = None
        if "moves" in values:
            done = defaultdict(list)
            for item in values["moves"]:
                done[item["move"]].append(
                    DoneQuantity(item["quantity"], item["lot"], item.get("expiry_date"), item.get("location"))
                )
        result = transfer_validate(
            self.get_record(), by=request.user, done=done, force=values["force"], backorder=values["backorder"],
            when=values.get("date"),
        )  # fmt: skip
        backorder = result.backorder.pk if result.backorder else None
        return Response({"transfer": self._fresh(result.transfer), "backorder": backorder})

    @extend_schema(request=ReturnSerializer, responses={201: TransferSerializer})
    @action(detail=True, methods=["post"], url_path="return")
    def return_goods(self, request: Request, pk: Any = None) -> Response:
        """Create and confirm the return of a done transfer: the goods go back where they came from."""
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quantities = None
        if "moves" in data.validated_data:
            quantities = defaultdict(Decimal)
            for item in data.validated_data["moves"]:
                quantities[item["move"]] += item["quantity"]
        back = transfer_return(self.get_record(), by=request.user, quantities=quantities)
        return Response(self._fresh(back), status=201)


class MoveFilter(FilterSet):
    location = filters.ModelChoiceFilter(
        queryset=_scoped(Location), method="filter_location", label=gettext_lazy("From or to this location")
    )

    class Meta:
        model = Move
        fields = {"product": ["exact"], "state": ["exact"], "transfer": ["exact"], "date": ["gte", "lte"]}

    def filter_location(self, queryset: QuerySet, name: str, value: Location) -> QuerySet:
        return queryset.filter(Q(source_location=value) | Q(destination_location=value))


class StockMoveViewSet(ReadOnlyViewSet):
    """The quantity ledger: every move, planned or done, with its lines (lots and exact locations)."""

    queryset = Move.objects.prefetch_related(Prefetch("lines", queryset=MoveLine.objects.select_related("lot").order_by("id")))
    serializer_class = MoveSerializer
    filterset_class = MoveFilter
    search_fields = ["reference"]
    ordering_fields = ["date", "id"]


# --- on hand -------------------------------------------------------------------------------------


class QuantSerializer(serializers.ModelSerializer):
    location_name = serializers.CharField(source="location.full_name", read_only=True)
    lot_name = serializers.CharField(source="lot.name", read_only=True, allow_null=True)
    available_quantity = serializers.DecimalField(**QUANTITY, read_only=True)

    class Meta:
        model = Quant
        fields = [
            "id", "product", "location", "location_name", "lot", "lot_name", "quantity", "reserved_quantity",
            "available_quantity", "in_date",
        ]  # fmt: skip
        read_only_fields = fields


class QuantFilter(FilterSet):
    location = filters.ModelChoiceFilter(
        queryset=_scoped(Location), method="filter_location", label=gettext_lazy("At this location or inside it")
    )
    warehouse = filters.ModelChoiceFilter(queryset=_scoped(Warehouse), field_name="location__warehouse")

    class Meta:
        model = Quant
        fields = ["product", "lot"]

    def filter_location(self, queryset: QuerySet, name: str, value: Location) -> QuerySet:
        # The location ids first (a small subquery), so the database walks the quants' (location, product) index.
        return queryset.filter(location__in=Location.objects.under(value).values("pk"))


class OnHandViewSet(ReadOnlyViewSet):
    """What is in stock, per product, location and lot, and how much of it is reserved. Empty quants are left out."""

    queryset = (
        Quant.objects.exclude(quantity=0)
        .select_related("location", "lot")
        .only(
            "id", "product_id", "location_id", "lot_id", "quantity", "reserved_quantity", "in_date", "location__full_name",
            "lot__name",
        )
        .order_by("location_id", "product_id", "id")
    )  # fmt: skip
    serializer_class = QuantSerializer
    filterset_class = QuantFilter
    ordering_fields = ["quantity", "reserved_quantity", "in_date"]


# --- replenishment -------------------------------------------------------------------------------


class ProcurementNeedSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcurementNeed
        fields = [
            "id", "product", "quantity", "date_needed", "warehouse", "location", "route", "origin", "rule", "move", "state",
            "fulfilled_by",
        ]  # fmt: skip
        read_only_fields = fields


class ReorderingRuleSerializer(RecordSerializer):
    class Meta:
        model = ReorderingRule
        fields = ["id", "product", "warehouse", "location", "min_quantity", "max_quantity", "multiple", "active"]
        extra_kwargs = {"location": {"required": False, "help_text": gettext_lazy("The warehouse's stock location if omitted.")}}

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and not data.get("location") and data.get("warehouse"):
            data["location"] = data["warehouse"].stock_location
        return data


class ReplenishmentRunSerializer(serializers.Serializer):
    warehouse = ScopedPrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True,
        help_text=gettext_lazy("Only this warehouse's rules; all of them if omitted."),
    )  # fmt: skip


class ReorderingRuleViewSet(RecordViewSet):
    """Minimum and maximum stock per product and warehouse; running them raises procurement needs."""

    queryset = ReorderingRule.objects.all()
    serializer_class = ReorderingRuleSerializer
    filterset_fields = ["product", "warehouse", "location", "active"]

    @extend_schema(request=ReplenishmentRunSerializer, responses=ProcurementNeedSerializer(many=True), filters=False)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None,
            permission_classes=[permissions.IsAuthenticated])  # fmt: skip  # the service checks its permission
    def run(self, request: Request) -> Response:
        """Check the active rules now and hand the needs raised to their routes."""
        data = ReplenishmentRunSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        needs = replenishment_run(self.company, by=request.user, warehouse=data.validated_data.get("warehouse"))
        fresh = ProcurementNeed.objects.filter(pk__in=[need.pk for need in needs]).order_by("id")
        return Response(ProcurementNeedSerializer(fresh, many=True).data)


class NeedDoneSerializer(serializers.Serializer):
    document = serializers.CharField(max_length=100, required=False, allow_blank=True,
                                     help_text=gettext_lazy("The document that filled the need."))  # fmt: skip


class ProcurementNeedViewSet(ReadOnlyViewSet):
    """Goods needed by a date, raised by reordering rules and make-to-order moves, filled by their routes."""

    queryset = ProcurementNeed.objects.all()
    serializer_class = ProcurementNeedSerializer
    filterset_fields = {"state": ["exact"], "route": ["exact"], "product": ["exact"], "warehouse": ["exact"],
                        "date_needed": ["gte", "lte"]}  # fmt: skip
    ordering_fields = ["date_needed", "id"]

    @extend_schema(request=NeedDoneSerializer, responses=ProcurementNeedSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])  # the service checks its permission
    def done(self, request: Request, pk: Any = None) -> Response:
        """Mark the need as filled."""
        data = NeedDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        need = procurement_need_done(self.get_record(), by=request.user, document=data.validated_data.get("document", ""))
        return Response(ProcurementNeedSerializer(ProcurementNeed.objects.get(pk=need.pk)).data)

    @extend_schema(request=None, responses=ProcurementNeedSerializer)
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])  # the service checks its permission
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Drop a need that will not be filled."""
        need = procurement_need_cancel(self.get_record(), by=request.user)
        return Response(ProcurementNeedSerializer(ProcurementNeed.objects.get(pk=need.pk)).data)


# --- counts and scrap ----------------------------------------------------------------------------


class CountLineSerializer(serializers.ModelSerializer):
    lot_name = serializers.CharField(source="lot.name", read_only=True, allow_null=True)

    class Meta:
        model = InventoryCountLine
        fields = ["id", "product", "location", "lot", "lot_name", "expected_quantity", "counted_quantity", "move"]
        read_only_fields = fields


class CountSerializer(RecordSerializer):
    lines = CountLineSerializer(many=True, read_only=True)

    class Meta:
        model = InventoryCount
        fields = ["id", "number", "location", "date", "state", "note", "lines"]
        read_only_fields = ["number", "state"]
        extra_kwargs = {"date": {"required": False, "help_text": gettext_lazy("Today if omitted.")}}

    def create(self, validated_data: dict[str, Any]) -> InventoryCount:
        return count_create(
            validated_data["location"], by=self.actor, day=validated_data.get("date"), note=validated_data.get("note", "")
        )


class CountedSerializer(serializers.Serializer):
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.all())
    quantity = serializers.DecimalField(**QUANTITY, help_text=gettext_lazy("Counted, in the product's unit."))
    location = ScopedPrimaryKeyRelatedField(
        queryset=Location.objects.all(), required=False, allow_null=True,
        help_text=gettext_lazy("A bin inside the counted location; the counted location if omitted."),
    )  # fmt: skip
    lot = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class CountRecordSerializer(serializers.Serializer):
    lines = CountedSerializer(many=True)


class CountViewSet(IdempotencyMixin, ScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):  # fmt: skip
    """Physical counts: start one to freeze what the books expect, record what was counted, validate to
    post the differences as adjustments."""

    queryset = InventoryCount.objects.prefetch_related(
        Prefetch("lines", queryset=InventoryCountLine.objects.select_related("lot").order_by("location_id", "product_id", "id"))
    )
    serializer_class = CountSerializer
    filterset_fields = {"state": ["exact"], "location": ["exact"], "date": ["gte", "lte"]}
    ordering_fields = ["date", "number"]

    def _fresh(self, count: InventoryCount) -> dict[str, Any]:
        return self.get_serializer(self.get_queryset().get(pk=count.pk)).data

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: Any = None) -> Response:
        """Freeze the quantities the books expect at the location and inside it."""
        return Response(self._fresh(count_start(self.get_record(), by=request.user)))

    @extend_schema(request=CountRecordSerializer, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request: Request, pk: Any = None) -> Response:
        """Record counted quantities; products and lots the books did not expect get their own lines."""
        data = CountRecordSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        counted = [
            Counted(line["product"], line["quantity"], line.get("location"), line["lot"]) for line in data.validated_data["lines"]
        ]
        return Response(self._fresh(count_record(self.get_object(), counted, by=request.user)))

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def validate(self, request: Request, pk: Any = None) -> Response:
        """Post the differences between counted and on-hand quantities as adjustment moves."""
        count = self.get_object()
        count_validate(count, by=request.user)
        return Response(self._fresh(count))

    @extend_schema(request=None, responses=CountSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: Any = None) -> Response:
        """Drop a count that was not validated."""
        return Response(self._fresh(count_cancel(self.get_record(), by=request.user)))


class ScrapSerializer(RecordSerializer):
    class Meta:
        model = Scrap
        fields = ["id", "number", "product", "quantity", "uom", "lot", "location", "reason", "date", "move"]
        read_only_fields = ["number", "date", "move"]
        extra_kwargs = {"uom": {"required": False, "help_text": gettext_lazy("The product's unit if omitted.")}}

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        lot = data.get("lot")
        if lot is not None and lot.product_id != data["product"].pk:
            raise serializers.ValidationError({"lot": [_("This lot is of another product.")]})
        return data

    def create(self, validated_data: dict[str, Any]) -> Scrap:
        scrap = Scrap(company=request_company(self.context["request"]), **validated_data)
        if scrap.uom_id is None:
            scrap.uom = scrap.product.uom
        return scrap_validate(scrap, by=self.actor)


class ScrapViewSet(IdempotencyMixin, ScopedMixin, mixins.CreateModelMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                   viewsets.GenericViewSet):  # fmt: skip
    """Goods thrown away. Creating a scrap moves the goods to the scrap location at once."""

    queryset = Scrap.objects.all()
    serializer_class = ScrapSerializer
    filterset_fields = {"product": ["exact"], "location": ["exact"], "lot": ["exact"], "date": ["gte", "lte"]}
    ordering_fields = ["date", "number"]


router.register("warehouses", WarehouseViewSet)
router.register("locations", LocationViewSet)
router.register("product-settings", ProductStockViewSet)
router.register("category-valuations", CategoryValuationViewSet)
router.register("lots", LotViewSet)
router.register("transfers", TransferViewSet)
router.register("moves", StockMoveViewSet)
router.register("on-hand", OnHandViewSet)
router.register("reordering-rules", ReorderingRuleViewSet)
router.register("procurement-needs", ProcurementNeedViewSet)
router.register("counts", CountViewSet)
router.register("scraps", ScrapViewSet)
