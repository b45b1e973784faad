"""The read side of manufacturing: the BOMs in force as plain data, and the structure and cost report."""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import BusinessError
from tessera.core.models import Company, Product

from .explosion import BomCycle, BomData, Component, Operation, Structure, explode
from .models import Bom, BomLine, RoutingOperation

ZERO = Decimal(0)
HUNDRED = Decimal(100)


def _in_force(company: Company, on: datetime.date) -> dict[int, Bom]:
    """Per product, its active BOM valid on the day that started last."""
    boms = (
        Bom.objects.filter(company=company, active=True)
        .filter(Q(date_start__isnull=True) | Q(date_start__lte=on), Q(date_end__isnull=True) | Q(date_end__gte=on))
        .select_related("uom", "product__uom")
        .order_by("product_id", F("date_start").asc(nulls_first=True), "id")
    )
    chosen: dict[int, Bom] = {}
    for bom in boms:  # ascending, no start first: the last one kept per product starts last
        chosen[bom.product_id] = bom
    return chosen


def bom_graph(
    company: Company,
    on: datetime.date | None = None,
    *,
    replacing: Bom | None = None,
    components: Sequence[BomLine] | None = None,
) -> dict[int, BomData]:
    """The BOMs in force on a day as plain data keyed by product, in three queries for the company;
    `replacing` (with its `components`, maybe unsaved) stands in for its product's BOM."""
    chosen = _in_force(company, on or timezone.localdate())
    if replacing is not None:
        chosen[replacing.product_id] = replacing
    lines: dict[int, list[BomLine]] = defaultdict(list)
    saved = [bom.pk for bom in chosen.values() if bom.pk and bom is not replacing]
    for line in BomLine.objects.filter(bom_id__in=saved).select_related("uom", "product__uom").order_by("position", "id"):
        lines[line.bom_id].append(line)
    operations: dict[int, list[RoutingOperation]] = defaultdict(list)
    routings = {bom.routing_id for bom in chosen.values() if bom.routing_id}
    for op in RoutingOperation.objects.filter(routing_id__in=routings).select_related("work_centre").order_by("sequence", "id"):
        operations[op.routing_id].append(op)
    graph = {}
    for product_id, bom in chosen.items():
        rows = list(components or []) if bom is replacing else lines[bom.pk]
        graph[product_id] = BomData(
            bom_id=bom.pk or 0, product_id=product_id, quantity=_in_product_unit(bom.quantity, bom.uom, bom.product.uom),
            kind=bom.kind,
            components=tuple(Component(line.product_id, _in_product_unit(line.quantity, line.uom, line.product.uom),
                                       line.scrap_percent) for line in rows),
            operations=tuple(Operation(op.name, op.work_centre_id, op.setup_minutes, op.run_minutes, op.work_centre.efficiency,
                                       op.work_centre.cost_per_hour) for op in operations.get(bom.routing_id, ())),
        )  # fmt: skip
    return graph


def _in_product_unit(quantity: Decimal, unit, product_unit) -> Decimal:
    return quantity if unit.pk == product_unit.pk else quantity * unit.ratio / product_unit.ratio


def bom_structure(bom: Bom, quantity: Decimal | None = None, on: datetime.date | None = None) -> Structure:
    """The structure and cost of making `quantity` (the BOM's own by default, in the product's unit) with
    this BOM, its components' BOMs in force on the day, bought components at their cost."""
    graph = bom_graph(bom.company, on, replacing=bom, components=list(bom.lines.select_related("uom", "product__uom")))
    products = {component.product_id for data in graph.values() for component in data.components}
    costs = dict(Product.objects.filter(pk__in=products).values_list("pk", "cost"))
    root = graph[bom.product_id]
    try:
        return explode(bom.product_id, quantity if quantity is not None else root.quantity, graph, costs)
    except BomCycle as cycle:  # BOMs saved apart that came into force together and contain each other
        names = dict(Product.objects.filter(pk__in=cycle.products).values_list("pk", "name"))
        chain = " → ".join(names[pk] for pk in cycle.products)
        raise BusinessError(_("These bills of materials make a product contain itself: %(chain)s.") % {"chain": chain},
                            code="bom_cycle") from None  # fmt: skip
