"""Manufacturing master data: work centres, routings and bills of materials, saved with their lines.
A BOM that would contain its own product, directly or through sub-assemblies, is refused."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tessera.core.errors import InvalidInput
from tessera.core.models import Product, Uom, User
from tessera.core.services import invalid_input_from, record_save, require_company, require_permission
from tessera.core.transactions import operation

from .explosion import find_cycle
from .models import Bom, BomByProduct, BomKind, BomLine, Routing, RoutingOperation, WorkCentre
from .queries import bom_graph

ZERO = Decimal(0)


@dataclass(frozen=True)
class BomLineDraft:
    """A component as typed; its unit is the product's when left out."""

    product: Product
    quantity: Decimal
    uom: Uom | None = None
    scrap_percent: Decimal = ZERO


@dataclass(frozen=True)
class ByProductDraft:
    product: Product
    quantity: Decimal
    uom: Uom | None = None


@dataclass(frozen=True)
class OperationDraft:
    name: str
    work_centre: WorkCentre
    setup_minutes: Decimal = ZERO
    run_minutes: Decimal = ZERO
    sequence: int | None = None


def work_centre_save(centre: WorkCentre, *, by: User) -> WorkCentre:
    require_permission(by, WorkCentre, "add" if centre._state.adding else "change")
    return record_save(centre, by=by)


def routing_save(routing: Routing, operations: Sequence[OperationDraft], *, by: User) -> Routing:
    """Save a routing with its operations (replacing the previous ones), in the order given unless
    they carry their own sequence numbers."""
    require_permission(by, Routing, "add" if routing._state.adding else "change")
    require_company(by, routing)
    rows = []
    for position, draft in enumerate(operations):
        row = RoutingOperation(company_id=routing.company_id, name=draft.name, work_centre=draft.work_centre,
                               setup_minutes=draft.setup_minutes, run_minutes=draft.run_minutes,
                               sequence=draft.sequence if draft.sequence is not None else (position + 1) * 10)  # fmt: skip
        _clean(row, f"operations.{position}", exclude={"routing"})
        if draft.work_centre.company_id != routing.company_id:
            raise _refused(f"operations.{position}.work_centre", _("Operation %(n)s: this work centre is of another company.")
                           % {"n": position + 1})  # fmt: skip
        rows.append(row)
    with operation():
        adding = routing._state.adding
        record_save(routing, by=by)
        if not adding:
            routing.operations.all().delete()
        for row in rows:
            row.routing = routing
        RoutingOperation.objects.bulk_create(rows)
    return routing


def bom_save(bom: Bom, lines: Sequence[BomLineDraft], by_products: Sequence[ByProductDraft] = (), *, by: User) -> Bom:
    """Save a BOM with its components and by-products (replacing the previous ones). Units default to
    the products'; a unit must measure what the product is counted in; a BOM cannot contain its own
    product, directly or through the BOMs of its components."""
    require_permission(by, Bom, "add" if bom._state.adding else "change")
    require_company(by, bom)
    if not lines:
        raise InvalidInput(_("Add at least one component."), code="empty_bom", field="lines")
    if bom.product_id and not bom.uom_id:
        bom.uom = bom.product.uom
    if bom.kind == BomKind.KIT and bom.routing_id:
        raise InvalidInput(_("A kit is not made: it is used as its components, without a routing."), field="routing")
    _clean(bom, "", exclude=set())
    components = [_line(bom, position, draft) for position, draft in enumerate(lines)]
    extras = [_by_product(bom, position, draft) for position, draft in enumerate(by_products)]
    with operation():
        _refuse_cycle(bom, components)
        adding = bom._state.adding
        record_save(bom, by=by, extra_changes=_line_changes(bom, components))
        if not adding:
            bom.lines.all().delete()
            bom.by_products.all().delete()
        for row in [*components, *extras]:
            row.bom = bom
        BomLine.objects.bulk_create(components)
        BomByProduct.objects.bulk_create(extras)
    return bom


def _line(bom: Bom, position: int, draft: BomLineDraft) -> BomLine:
    line = BomLine(company_id=bom.company_id, position=position, product=draft.product, quantity=draft.quantity,
                   uom=draft.uom or draft.product.uom, scrap_percent=draft.scrap_percent)  # fmt: skip
    field = f"lines.{position}"
    _clean(line, field, exclude={"bom"})
    if draft.product.company_id != bom.company_id:
        raise _refused(f"{field}.product", _("Line %(n)s: this product is of another company.") % {"n": position + 1})
    if draft.product.pk == bom.product_id:
        raise _refused(f"{field}.product", _("Line %(n)s: a product cannot be a component of itself.") % {"n": position + 1},
                       code="bom_cycle")  # fmt: skip
    if line.uom.category_id != draft.product.uom.category_id:
        raise _refused(f"{field}.uom", _("Line %(n)s: %(product)s is counted in %(unit)s; %(other)s measures something else.")
                       % {"n": position + 1, "product": draft.product, "unit": draft.product.uom, "other": line.uom})  # fmt: skip
    return line


def _by_product(bom: Bom, position: int, draft: ByProductDraft) -> BomByProduct:
    row = BomByProduct(company_id=bom.company_id, product=draft.product, quantity=draft.quantity,
                       uom=draft.uom or draft.product.uom)  # fmt: skip
    field = f"by_products.{position}"
    _clean(row, field, exclude={"bom"})
    if row.uom.category_id != draft.product.uom.category_id:
        raise _refused(f"{field}.uom", _("By-product %(n)s: %(product)s is counted in %(unit)s; %(other)s measures something "
                                         "else.") % {"n": position + 1, "product": draft.product, "unit": draft.product.uom,
                                                      "other": row.uom})  # fmt: skip
    return row


def _refuse_cycle(bom: Bom, components: Sequence[BomLine]) -> None:
    """With this BOM in place of the product's others, no product may contain itself."""
    graph = bom_graph(bom.company, replacing=bom, components=components)
    cycle = find_cycle(graph)
    if cycle:
        names = dict(Product.objects.filter(pk__in=cycle).values_list("pk", "name"))
        chain = " → ".join(names[pk] for pk in cycle)
        raise InvalidInput(_("This bill of materials would make a product contain itself: %(chain)s.") % {"chain": chain},
                           code="bom_cycle", field="lines")  # fmt: skip


def _line_changes(bom: Bom, components: Sequence[BomLine]) -> dict:
    described = [f"{line.product_id} {line.quantity} {line.uom_id} +{line.scrap_percent}%" for line in components]
    old = [] if bom._state.adding else [f"{line.product_id} {line.quantity} {line.uom_id} +{line.scrap_percent}%"
                                        for line in bom.lines.all()]  # fmt: skip
    return {} if old == described else {"lines": {"old": old, "new": described}}


def _clean(record: models.Model, field: str, *, exclude: set[str]) -> None:
    try:
        record.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = invalid_input_from(exc).errors
        prefixed = {f"{field}.{name}" if field else name: messages for name, messages in errors.items()}
        first = next(iter(errors.values()))[0]
        raise InvalidInput(first, errors=prefixed) from None


def _refused(field: str, message: str, *, code: str = "invalid") -> InvalidInput:
    return InvalidInput(message, code=code, errors={field: [message]})


def bom_for(product: Product, on: datetime.date | None = None) -> Bom | None:
    """The product's BOM in force on a day (today by default): active, valid then, the latest to start."""
    on = on or timezone.localdate()
    return (
        Bom.objects.filter(product=product, active=True)
        .filter(Q(date_start__isnull=True) | Q(date_start__lte=on), Q(date_end__isnull=True) | Q(date_end__gte=on))
        .order_by(F("date_start").desc(nulls_last=True), "-id")
        .first()
    )
