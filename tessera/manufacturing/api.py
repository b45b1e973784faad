"""The manufacturing API under /api/v1/manufacturing/: work centres, routings with their operations, and
bills of materials with their components and by-products, and a BOM's structure and cost report."""

from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from tessera.core.models import Product
from tessera.core.money import round_to
from tessera.core.rest.filters import FilterSet
from tessera.core.rest.serializers import LinesSerializer, RecordSerializer, ReplacedLinesMixin, ScopedPrimaryKeyRelatedField
from tessera.core.rest.viewsets import RecordViewSet
from tessera.core.scoping import request_company

from .explosion import Structure
from .models import Bom, BomByProduct, BomLine, Routing, RoutingOperation, WorkCentre
from .queries import bom_structure
from .services import BomLineDraft, ByProductDraft, OperationDraft, bom_save, routing_save, work_centre_save

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False

QUANTITY_PLACES = 6
COST_PLACES = 2
REPORT_PRECISION = 60  # digits kept while rounding the report's figures: a large quantity never overflows the context


def _items_in_full(serializer: serializers.Serializer, name: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Nested items that replace the old ones, validated in full even on PATCH (DRF would skip their
    required fields and defaults), as ReplacedLinesMixin does for `lines`."""
    if not serializer.partial:
        return items
    child = serializer.fields[name].child
    full = type(child)(data=serializer.initial_data[name], many=True, context=serializer.context)
    full.is_valid(raise_exception=True)
    return full.validated_data


# --- work centres --------------------------------------------------------------------------------


class WorkCentreSerializer(RecordSerializer):
    cost_per_hour = serializers.DecimalField(max_digits=21, decimal_places=6, read_only=True,
                                             help_text=gettext_lazy("Labour plus machine cost per hour."))  # fmt: skip

    class Meta:
        model = WorkCentre
        fields = [
            "id", "code", "name", "hours_per_day", "working_days", "efficiency", "labour_cost_per_hour",
            "machine_cost_per_hour", "cost_per_hour", "active",
        ]  # fmt: skip

    def save_record(self, record: WorkCentre, m2m: dict[str, Any]) -> WorkCentre:
        return work_centre_save(record, by=self.actor)


class WorkCentreFilter(FilterSet):
    class Meta:
        model = WorkCentre
        fields = {"active": ["exact"], "code": ["exact"]}


class WorkCentreViewSet(RecordViewSet):
    """Machines, lines and teams that operations run on: their working days and hours, efficiency and
    cost per hour. A centre used by a routing cannot be deleted; archive it (active: false)."""

    queryset = WorkCentre.objects.all()
    serializer_class = WorkCentreSerializer
    filterset_class = WorkCentreFilter
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name"]


# --- routings ------------------------------------------------------------------------------------


class ManufacturingOperationSerializer(serializers.ModelSerializer):
    """An operation of a routing, on a work centre of the company."""

    serializer_related_field = ScopedPrimaryKeyRelatedField

    class Meta:
        model = RoutingOperation
        list_serializer_class = LinesSerializer
        fields = ["id", "sequence", "name", "work_centre", "setup_minutes", "run_minutes"]
        extra_kwargs = {
            "sequence": {"required": False, "allow_null": True,
                         "help_text": gettext_lazy("10, 20, 30… in the order given if omitted.")},
        }  # fmt: skip


def _routings() -> QuerySet[Routing]:
    return Routing.objects.prefetch_related(Prefetch("operations", queryset=RoutingOperation.objects.order_by("sequence", "id")))


class RoutingSerializer(RecordSerializer):
    operations = ManufacturingOperationSerializer(many=True, help_text=gettext_lazy("Replaced as a whole when given."))

    class Meta:
        model = Routing
        fields = ["id", "name", "active", "operations"]

    def validate_operations(self, operations: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _items_in_full(self, "operations", operations)

    def create(self, validated_data: dict[str, Any]) -> Routing:
        operations = validated_data.pop("operations")
        routing = Routing(company=request_company(self.context["request"]), **validated_data)
        return self._save(routing, [self._draft(values) for values in operations])

    def update(self, instance: Routing, validated_data: dict[str, Any]) -> Routing:
        operations = validated_data.pop("operations", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if operations is None:
            saved = RoutingOperation.objects.filter(routing=instance).select_related("work_centre").order_by("sequence", "id")
            drafts = [OperationDraft(op.name, op.work_centre, op.setup_minutes, op.run_minutes, op.sequence) for op in saved]
        else:
            drafts = [self._draft(values) for values in operations]
        return self._save(instance, drafts)

    @staticmethod
    def _draft(values: dict[str, Any]) -> OperationDraft:
        return OperationDraft(
            values["name"], values["work_centre"], values.get("setup_minutes", Decimal(0)), values.get("run_minutes", Decimal(0)),
            values.get("sequence"),
        )  # fmt: skip

    def _save(self, routing: Routing, drafts: list[OperationDraft]) -> Routing:
        routing = routing_save(routing, drafts, by=self.actor)
        return _routings().get(pk=routing.pk)


class RoutingFilter(FilterSet):
    class Meta:
        model = Routing
        fields = {"active": ["exact"]}


class RoutingViewSet(RecordViewSet):
    """The operations that make a product, in sequence, each on a work centre with its setup time (once
    per order) and run time (per unit)."""

    queryset = _routings()
    serializer_class = RoutingSerializer
    filterset_class = RoutingFilter
    search_fields = ["name"]
    ordering_fields = ["name"]


# --- bills of materials --------------------------------------------------------------------------


class BomLineSerializer(serializers.ModelSerializer):
    """A component: its quantity for the BOM's quantity, and the scrap added on top."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.select_related("uom"))  # its unit is the line's default

    class Meta:
        model = BomLine
        list_serializer_class = LinesSerializer
        fields = ["id", "product", "quantity", "uom", "scrap_percent"]
        extra_kwargs = {
            "uom": {"required": False, "help_text": gettext_lazy("The product's unit if omitted.")},
            "scrap_percent": {"required": False},
        }


class BomByProductSerializer(serializers.ModelSerializer):
    """Something else the BOM's quantity yields besides its product."""

    serializer_related_field = ScopedPrimaryKeyRelatedField
    product = ScopedPrimaryKeyRelatedField(queryset=Product.objects.select_related("uom"))

    class Meta:
        model = BomByProduct
        list_serializer_class = LinesSerializer
        fields = ["id", "product", "quantity", "uom"]
        extra_kwargs = {"uom": {"required": False, "help_text": gettext_lazy("The product's unit if omitted.")}}


def _boms() -> QuerySet[Bom]:
    return Bom.objects.prefetch_related(
        Prefetch("lines", queryset=BomLine.objects.order_by("position", "id")),
        Prefetch("by_products", queryset=BomByProduct.objects.order_by("id")),
    )


class BomSerializer(ReplacedLinesMixin, RecordSerializer):
    lines = BomLineSerializer(many=True, help_text=gettext_lazy("The components; replaced as a whole when given."))
    by_products = BomByProductSerializer(many=True, required=False,
                                         help_text=gettext_lazy("Replaced as a whole when given; none if omitted on "
                                                                "creation."))  # fmt: skip

    class Meta:
        model = Bom
        fields = [
            "id", "product", "version", "kind", "quantity", "uom", "routing", "date_start", "date_end", "active", "note",
            "lines", "by_products",
        ]  # fmt: skip
        extra_kwargs = {
            "uom": {"required": False, "help_text": gettext_lazy("The product's unit if omitted.")},
            "routing": {"required": False},
        }

    def validate_by_products(self, by_products: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return _items_in_full(self, "by_products", by_products)

    def create(self, validated_data: dict[str, Any]) -> Bom:
        lines = validated_data.pop("lines")
        by_products = validated_data.pop("by_products", [])
        bom = Bom(company=request_company(self.context["request"]), **validated_data)
        return self._save(bom, [self._line(values) for values in lines], [self._by_product(values) for values in by_products])

    def update(self, instance: Bom, validated_data: dict[str, Any]) -> Bom:
        lines = validated_data.pop("lines", None)
        by_products = validated_data.pop("by_products", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        if lines is None:
            line_drafts = [
                BomLineDraft(line.product, line.quantity, line.uom, line.scrap_percent)
                for line in BomLine.objects.filter(bom=instance).select_related("product__uom", "uom").order_by("position", "id")
            ]
        else:
            line_drafts = [self._line(values) for values in lines]
        if by_products is None:
            extra_drafts = [
                ByProductDraft(row.product, row.quantity, row.uom)
                for row in BomByProduct.objects.filter(bom=instance).select_related("product__uom", "uom").order_by("id")
            ]
        else:
            extra_drafts = [self._by_product(values) for values in by_products]
        return self._save(instance, line_drafts, extra_drafts)

    @staticmethod
    def _line(values: dict[str, Any]) -> BomLineDraft:
        return BomLineDraft(values["product"], values["quantity"], values.get("uom"), values.get("scrap_percent", Decimal(0)))

    @staticmethod
    def _by_product(values: dict[str, Any]) -> ByProductDraft:
        return ByProductDraft(values["product"], values["quantity"], values.get("uom"))

    def _save(self, bom: Bom, lines: list[BomLineDraft], by_products: list[ByProductDraft]) -> Bom:
        bom = bom_save(bom, lines, by_products, by=self.actor)
        return _boms().get(pk=bom.pk)


class BomStructureParamsSerializer(serializers.Serializer):
    quantity = serializers.DecimalField(
        max_digits=20, decimal_places=QUANTITY_PLACES, required=False,
        help_text=gettext_lazy("How much of the product to make, in its unit; the BOM's quantity if omitted."),
    )  # fmt: skip

    def validate_quantity(self, quantity: Decimal) -> Decimal:
        if quantity <= 0:
            raise serializers.ValidationError(_("Give a quantity above zero."))
        return quantity


def _figure(places: int, help_text: str = "") -> serializers.DecimalField:
    """A figure of the report: already rounded half up; no max_digits, so a large one is never refused."""
    return serializers.DecimalField(max_digits=None, decimal_places=places, rounding=ROUND_HALF_UP, read_only=True,
                                    help_text=help_text)  # fmt: skip


class BomStructureRowSerializer(serializers.Serializer):
    level = serializers.IntegerField(help_text=gettext_lazy("1 for the BOM's own components and operations, 2 a level down…"))
    kind = serializers.ChoiceField(
        choices=[("bought", "bought"), ("made", "made"), ("kit", "kit"), ("operation", "operation")],
        help_text=gettext_lazy("bought: costed at its cost; made: a sub-assembly, exploded below; kit: replaced by its "
                               "components, below; operation: a routing's operation."),
    )  # fmt: skip
    product = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("Null for an operation."))
    product_name = serializers.CharField(allow_null=True)
    uom = serializers.IntegerField(allow_null=True, help_text=gettext_lazy("The product's unit; null for an operation."))
    quantity = _figure(QUANTITY_PLACES, gettext_lazy("In the product's unit; for an operation, its minutes."))
    cost = _figure(COST_PLACES, gettext_lazy("A sub-assembly's or a kit's is that of the rows below it."))
    operation = serializers.CharField(allow_null=True, help_text=gettext_lazy("The operation's name; null for a product."))
    work_centre = serializers.IntegerField(allow_null=True)
    work_centre_name = serializers.CharField(allow_null=True)


class BomStructureSerializer(serializers.Serializer):
    bom = serializers.IntegerField()
    product = serializers.IntegerField()
    quantity = _figure(QUANTITY_PLACES, gettext_lazy("Made, in the product's unit."))
    rows = BomStructureRowSerializer(many=True, help_text=gettext_lazy("Depth first: each made or kit row is followed by "
                                                                       "its own rows."))  # fmt: skip
    material_cost = _figure(COST_PLACES)
    operation_cost = _figure(COST_PLACES)
    cost = _figure(COST_PLACES, gettext_lazy("Material and operations, rounded from their exact sum."))
    unit_cost = _figure(COST_PLACES, gettext_lazy("The exact cost divided by the quantity, rounded."))


def _structure_report(bom: Bom, structure: Structure) -> dict[str, Any]:
    """The structure with names, its figures rounded half up (quantities to 6 places, costs to 2)."""
    products = {row.product_id for row in structure.rows if row.product_id is not None}
    names = {pk: (name, uom) for pk, name, uom in Product.objects.filter(pk__in=products).values_list("pk", "name", "uom_id")}
    centres = {row.work_centre_id for row in structure.rows if row.work_centre_id is not None}
    centre_names = dict(WorkCentre.objects.filter(pk__in=centres).values_list("pk", "name"))
    rows = []
    for row in structure.rows:
        name, uom = names.get(row.product_id, (None, None)) if row.product_id is not None else (None, None)
        operation = row.kind == "operation"
        rows.append({
            "level": row.level, "kind": row.kind, "product": row.product_id, "product_name": name, "uom": uom,
            "quantity": round_to(row.quantity, QUANTITY_PLACES), "cost": round_to(row.cost, COST_PLACES),
            "operation": row.name if operation else None, "work_centre": row.work_centre_id,
            "work_centre_name": centre_names.get(row.work_centre_id) if operation else None,
        })  # fmt: skip
    return {
        "bom": bom.pk, "product": structure.product_id, "quantity": round_to(structure.quantity, QUANTITY_PLACES), "rows": rows,
        "material_cost": round_to(structure.material_cost, COST_PLACES),
        "operation_cost": round_to(structure.operation_cost, COST_PLACES),
        "cost": round_to(structure.cost, COST_PLACES), "unit_cost": round_to(structure.unit_cost, COST_PLACES),
    }  # fmt: skip


class BomFilter(FilterSet):
    class Meta:
        model = Bom
        fields = {"product": ["exact"], "kind": ["exact"], "active": ["exact"], "routing": ["exact"]}


class BomViewSet(RecordViewSet):
    """Bills of materials: what makes a quantity of a product (or, for a kit, what it stands for), in
    which version and between which dates, with the routing that makes it. Components and by-products
    are saved with the BOM; a BOM that would make a product contain itself is refused (bom_cycle)."""

    queryset = _boms()
    serializer_class = BomSerializer
    filterset_class = BomFilter
    search_fields = ["version", "product__name", "product__sku"]
    ordering_fields = ["version", "date_start", "date_end"]

    @extend_schema(parameters=[BomStructureParamsSerializer], responses=BomStructureSerializer, filters=False)
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def structure(self, request: Request, pk: Any = None) -> Response:
        """The structure and cost of making a quantity with this BOM: its components level by level
        (sub-assemblies by their BOMs in force today, kits opened up, bought components at their cost) and
        the routings' operations, with the material, operation, total and unit cost."""
        bom = self.get_record()  # another company's id is a 404 before any 400
        params = BomStructureParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        with localcontext() as context:
            context.prec = REPORT_PRECISION
            structure = bom_structure(bom, params.validated_data.get("quantity"))
            return Response(BomStructureSerializer(_structure_report(bom, structure)).data)


router.register("work-centres", WorkCentreViewSet)
router.register("routings", RoutingViewSet)
router.register("boms", BomViewSet)
