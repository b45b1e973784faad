"""Manufacturing demo data for the demo company: its workshop's six work centres at Belgian labour and
machine rates, the routings of what it makes, and a bill of materials for every finished good, up to
three levels deep (finished good → sub-assemblies made here → sheet, tube, powder and bought parts):
scrap on what is cut, a fixings kit (phantom) opened up in every workbench, steel offcuts yielded by
the uprights, and the two-door locker in two versions, the old one ended last month.

The demo catalogue has no sub-assemblies: the uprights, workbench frames, drawers and locker doors are
created here as products, with the fixings kit and the offcuts; the stocked ones get the stock
settings the inventory demo gives the others (else its next load would add them), and each product
made here is costed at its BOM's rolled-up cost.

Registered with core's `demo` command, after the other modules; creates only what is missing (work
centres by code, products by SKU, BOMs by product and version, routings by name with their first BOM).
Quantities are worked out from the products' sizes (sheet in kg from its area and thickness, tube in
metres), so nothing is drawn at random. The trolleys are left alone, as the inventory and sales demos
leave them: core's demo test deletes them to check that a second load completes a partial one, which
a BOM (its product is protected) would prevent."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import product as cross

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tessera.core.models import Company, Product, ProductCategory, ProductType, Uom, User
from tessera.core.services import record_save
from tessera.inventory.models import ProcurementMethod, ProductStock

from .models import Bom, BomKind, Routing, WorkCentre
from .queries import bom_structure
from .services import BomLineDraft, ByProductDraft, OperationDraft, bom_for, bom_save, routing_save, work_centre_save

ZERO = Decimal(0)
THOUSANDTH = Decimal("0.001")
CENT = Decimal("0.01")
DENSITY = Decimal("7.85")  # kg of steel per m² and mm of thickness
POWDER = Decimal("0.15")  # kg of powder per m² coated, overspray included
TUBE_POWDER = Decimal("0.03")  # kg of powder per metre of tube
FOLDS = Decimal("1.15")  # a folded part's blank is 15 % larger than its faces
SHEET_SCRAP, PERFORATED_SCRAP, TUBE_SCRAP = Decimal(8), Decimal(12), Decimal(3)  # % lost when cut (the skeleton, the slugs)
MADE_LEAD_DAYS = 3
# The batches the sub-assemblies are made in, which their cost is rolled up for (the setups shared); the rest for one.
BATCHES = (("SA-UPR-", 100), ("SA-WBF-", 10), ("SA-DRAWER", 40), ("SA-DOOR-", 30))
SKIPPED = ("TR-",)

# (code, name, hours a working day, working days, efficiency %, labour and machine cost an hour in EUR)
WORK_CENTRES = (
    ("LASER", gettext_noop("Fibre laser, sheet and tube"), "16", "12345", "92", "44.50", "68.00"),
    ("BEND", gettext_noop("Press brake"), "16", "12345", "85", "44.50", "24.00"),
    ("WELD", gettext_noop("Welding cell"), "7.6", "12345", "80", "47.00", "9.50"),
    ("COAT", gettext_noop("Powder coating line"), "16", "12345", "90", "41.00", "52.00"),
    ("ASSY", gettext_noop("Assembly"), "7.6", "12345", "95", "39.50", "2.50"),
    ("PACK", gettext_noop("Packing and dispatch"), "7.6", "12345", "100", "36.00", "3.00"),
)  # two shifts on the machines, the 38-hour week on the benches

UPRIGHTS = (1800, 2000, 2250, 2500)
FRAMES = (1200, 1500, 1800, 2000)
COMPONENTS, STEEL, FASTENERS = "Components", "Raw materials / Steel", "Fasteners"
OFFCUTS, KIT, DRAWER, DOOR = "ST-OFFCUT", "FX-KIT-WB", "SA-DRAWER", "SA-DOOR-LOCK"
VERSIONED = "CB-LOCK-2"
# (SKU, name, category, unit, type, cost: None for its BOM's rolled-up cost)
PRODUCTS = (
    *((f"SA-UPR-{h}", f"Boltless upright {h} mm, slotted, powder-coated RAL 7035", COMPONENTS, "Unit", ProductType.STOCKABLE,
       None) for h in UPRIGHTS),
    *((f"SA-WBF-{w}", f"Workbench frame {w} x 750 mm, welded, powder-coated RAL 5010", COMPONENTS, "Unit",
       ProductType.STOCKABLE, None) for w in FRAMES),
    (DRAWER, "Drawer 560 x 500 x 100 mm on full-extension slides", COMPONENTS, "Unit", ProductType.STOCKABLE, None),
    (DOOR, "Locker door 300 x 1750 mm with cam lock", COMPONENTS, "Unit", ProductType.STOCKABLE, None),
    (KIT, "Workbench fixings kit", FASTENERS, "Unit", ProductType.CONSUMABLE, None),
    (OFFCUTS, "Steel offcuts for recycling", STEEL, "kg", ProductType.STOCKABLE, Decimal("0.18")),
)  # fmt: skip

CUT, CUT_TUBES = gettext_noop("Cut on the laser"), gettext_noop("Cut the tubes on the laser")
FOLD, WELD, COAT = gettext_noop("Fold"), gettext_noop("Weld"), gettext_noop("Pre-treat, powder-coat and cure")
ASSEMBLE, PACK = gettext_noop("Assemble"), gettext_noop("Pack and label")


@dataclass(frozen=True)
class Line:
    sku: str
    quantity: Decimal  # in the product's unit
    scrap: Decimal = ZERO


@dataclass(frozen=True)
class Op:
    centre: str
    name: str  # marked for translation, translated when saved
    setup: Decimal
    run: Decimal


@dataclass(frozen=True)
class Routed:
    """A routing: shared by name, or the product's own when it has no name."""

    operations: tuple[Op, ...]
    name: str = ""


@dataclass(frozen=True)
class BomSpec:
    sku: str
    lines: tuple[Line, ...]
    routing: Routed | None
    version: str = "1"
    kind: str = BomKind.MANUFACTURE
    date_start: datetime.date | None = None
    date_end: datetime.date | None = None
    by_products: tuple[Line, ...] = ()


def load_manufacturing_demo(company: Company, by: User) -> None:
    """Registered with core: adds what is missing. Needs core's demo catalogue (else does nothing)."""
    specs = bom_specs(timezone.localdate())
    products = {product.sku: product for product in Product.objects.filter(company=company).select_related("uom")}
    ours = [spec[0] for spec in PRODUCTS]
    needed = {line.sku for spec in specs for line in (*spec.lines, *spec.by_products)} | {spec.sku for spec in specs}
    if not needed - set(ours) <= products.keys():
        return
    with transaction.atomic():
        centres = _work_centres(company, by)
        _products(company, by, products)
        _stock_settings(company, by, [products[sku] for sku in ours])
        _boms(company, by, products, centres, specs)
        _costs(by, [products[sku] for sku in ours])


# --- saving -----------------------------------------------------------------------------------------


def _work_centres(company: Company, by: User) -> dict[str, WorkCentre]:
    centres = {centre.code: centre for centre in WorkCentre.objects.filter(company=company)}
    for code, name, hours, days, efficiency, labour, machine in WORK_CENTRES:
        if code not in centres:
            centres[code] = work_centre_save(
                WorkCentre(company=company, code=code, name=_(name), hours_per_day=Decimal(hours), working_days=days,
                           efficiency=Decimal(efficiency), labour_cost_per_hour=Decimal(labour),
                           machine_cost_per_hour=Decimal(machine)),
                by=by,
            )  # fmt: skip
    return centres


def _products(company: Company, by: User, products: dict[str, Product]) -> None:
    """Creates the sub-assemblies, the kit and the offcuts that are missing, into `products`."""
    categories = {category.full_name: category for category in ProductCategory.objects.filter(company=company)}
    units = {unit.name: unit for unit in Uom.objects.all()}
    for sku, name, category, unit, kind, cost in PRODUCTS:
        if sku in products:
            continue
        products[sku] = record_save(
            Product(company=company, sku=sku, name=name, category=categories[category], type=kind, uom=units[unit],
                    purchase_uom=units[unit], cost=cost or ZERO, can_be_sold=False, can_be_purchased=False),
            by=by,
        )  # fmt: skip


def _stock_settings(company: Company, by: User, products: Iterable[Product]) -> None:
    """What the inventory demo gives every stocked product, made to stock in a few days (the offcuts at once)."""
    done = set(ProductStock.objects.filter(company=company).values_list("product_id", flat=True))
    for product in products:
        if product.type == ProductType.STOCKABLE and product.pk not in done:
            lead_days = 0 if product.sku == OFFCUTS else MADE_LEAD_DAYS
            record_save(ProductStock(company=company, product=product, route="manual", lead_days=lead_days,
                                     procurement_method=ProcurementMethod.MAKE_TO_STOCK), by=by)  # fmt: skip


def _boms(company: Company, by: User, products: dict[str, Product], centres: dict[str, WorkCentre], specs: list[BomSpec]) -> None:
    done = set(Bom.objects.filter(company=company).values_list("product__sku", "version"))
    routings = {routing.name: routing for routing in Routing.objects.filter(company=company)}
    for spec in specs:
        if (spec.sku, spec.version) in done:
            continue
        product = products[spec.sku]
        routing = None
        if spec.routing is not None:
            name = _(spec.routing.name) if spec.routing.name else _routing_name(product, spec.version)
            if name not in routings:
                operations = [OperationDraft(_(op.name), centres[op.centre], op.setup, op.run) for op in spec.routing.operations]
                routings[name] = routing_save(Routing(company=company, name=name), operations, by=by)
            routing = routings[name]
        bom = Bom(company=company, product=product, version=spec.version, kind=spec.kind, routing=routing,
                  date_start=spec.date_start, date_end=spec.date_end)  # fmt: skip
        lines = [BomLineDraft(products[line.sku], line.quantity, scrap_percent=line.scrap) for line in spec.lines]
        by_products = [ByProductDraft(products[line.sku], line.quantity) for line in spec.by_products]
        bom_save(bom, lines, by_products, by=by)


def _routing_name(product: Product, version: str) -> str:
    return (
        product.name if version == "1" else _("%(product)s, version %(version)s") % {"product": product.name, "version": version}
    )


def _costs(by: User, products: Iterable[Product]) -> None:
    """Each product made here that has no cost yet costs what its BOM in force rolls up to, a unit of its usual batch."""
    for product in products:
        bom = bom_for(product) if not product.cost else None
        if bom is not None:
            batch = next((size for prefix, size in BATCHES if product.sku.startswith(prefix)), 1)
            product.cost = bom_structure(bom, Decimal(batch)).unit_cost.quantize(CENT)
            record_save(product, by=by)


# --- the bills of materials -------------------------------------------------------------------------


def bom_specs(today: datetime.date) -> list[BomSpec]:
    """A BOM for each product made here (the two-door locker's two versions dated from `today`)."""
    return [*shelving(), *workbenches(), *cabinets(today)]


def line(sku: str, quantity, scrap: Decimal = ZERO) -> Line:
    return Line(sku, Decimal(quantity).quantize(THOUSANDTH), scrap)


def sheet(sku: str, area: Decimal, scrap: Decimal = SHEET_SCRAP) -> Line:
    """The kg of a blank of `area` m² cut from a sheet whose SKU ends with its thickness in mm."""
    return line(sku, area * Decimal(sku.rsplit("-", 1)[1]) * DENSITY, scrap)


def powder(sku: str, area: Decimal) -> Line:
    """The powder to coat `area` m² (both faces of a blank count)."""
    return line(sku, area * POWDER)


def tubes(colour: str, *lengths: tuple[str, Decimal]) -> tuple[Line, ...]:
    """Lengths of tube cut with their scrap, and the powder that coats them."""
    return (
        *(line(sku, metres, TUBE_SCRAP) for sku, metres in lengths),
        line(colour, sum(metres for _sku, metres in lengths) * TUBE_POWDER),
    )


def m(millimetres: int) -> Decimal:
    return Decimal(millimetres) / 1000


def op(centre: str, name: str, setup, run) -> Op:
    return Op(centre, name, Decimal(setup), Decimal(run).quantize(THOUSANDTH))


def routed(*operations: Op, name: str = "") -> Routed:
    return Routed(operations, name)


UPRIGHT = routed(op("LASER", CUT, 10, "1.5"), op("BEND", FOLD, 12, "0.6"), op("COAT", COAT, 15, "0.8"),
                 name=gettext_noop("Boltless upright: cut, fold and coat"))  # fmt: skip
LEVEL = routed(op("LASER", CUT, 10, "1.2"), op("BEND", FOLD, 15, "2.5"), op("COAT", COAT, 15, "1.5"),
               name=gettext_noop("Shelf level: cut, fold and coat"))  # fmt: skip
BOLTLESS = routed(op("ASSY", gettext_noop("Bundle the uprights and shelf levels"), 0, 3), op("PACK", PACK, 5, 4),
                  name=gettext_noop("Boltless shelving: bundle and pack"))  # fmt: skip
FRAME = routed(op("LASER", CUT_TUBES, 15, 6), op("WELD", WELD, 20, 38), op("COAT", COAT, 15, 9),
               name=gettext_noop("Workbench frame: cut, weld and coat"))  # fmt: skip
BENCH = routed(op("ASSY", gettext_noop("Fit the worktop and the feet"), 5, 18), op("PACK", PACK, 5, 8),
               name=gettext_noop("Workbench: assemble and pack"))  # fmt: skip
DRAWER_UNIT = routed(op("LASER", CUT, 10, 5), op("BEND", FOLD, 15, 8), op("COAT", COAT, 15, 5),
                     op("ASSY", ASSEMBLE, 10, 40),
                     name=gettext_noop("Heavy-duty workbench: drawer unit, assembly and pack"))  # fmt: skip
ADJUSTABLE = routed(op("LASER", CUT_TUBES, 15, 8), op("WELD", WELD, 20, 45), op("COAT", COAT, 15, 11),
                    op("ASSY", ASSEMBLE, 10, 35),
                    name=gettext_noop("Height-adjustable workbench: cut, weld, coat and assemble"))  # fmt: skip
PANEL = routed(op("LASER", gettext_noop("Cut and perforate on the laser"), 10, 7), op("BEND", FOLD, 10, 2),
               op("COAT", COAT, 15, 3), op("PACK", PACK, 5, 3),
               name=gettext_noop("Tool panel: cut, fold, coat and pack"))  # fmt: skip
DRAWERS = routed(op("LASER", CUT, 10, "1.2"), op("BEND", FOLD, 15, 3), op("COAT", COAT, 15, "1.2"),
                 op("ASSY", gettext_noop("Fit the slides and the handle"), 5, 5),
                 name=gettext_noop("Drawer: cut, fold, coat and fit"))  # fmt: skip
DOORS = routed(op("LASER", CUT, 10, "1.5"), op("BEND", FOLD, 15, "2.5"), op("COAT", COAT, 15, "1.5"),
               op("ASSY", gettext_noop("Fit the lock and the hinges"), 5, 4),
               name=gettext_noop("Locker door: cut, fold, coat and fit"))  # fmt: skip


def shelving() -> list[BomSpec]:
    """Uprights and shelf levels (sold on their own too) made from sheet; the boltless units bundle
    them; garage and archive shelving have their shelves made with them."""
    specs = []
    for height in UPRIGHTS:
        blank = m(height) * Decimal("0.09")  # a 40 x 40 mm slotted angle: 90 mm of 2 mm sheet unfolded
        steel = sheet("ST-DC01-2.0", blank)
        offcuts = line(OFFCUTS, steel.quantity * SHEET_SCRAP / 100)  # what the nesting loses comes back as scrap
        specs.append(BomSpec(f"SA-UPR-{height}", (steel, powder("PC-7035", 2 * blank), line("HW-CAP-40", 1)), UPRIGHT,
                             by_products=(offcuts,)))  # fmt: skip
    for width, depth in cross((900, 1200), (400, 600)):
        panel, beams = m(width + 60) * m(depth + 60), 2 * m(width) * Decimal("0.11")  # folded edges; two 110 mm beams
        lines = (sheet("ST-DC01-0.8", panel), sheet("ST-DC01-1.5", beams), powder("PC-7035", 2 * (panel + beams)))
        specs.append(BomSpec(f"SH-LVL-{width}-{depth}", lines, LEVEL))
    for (height, shelves), width, depth in cross(((1800, 4), (2000, 5), (2500, 6)), (900, 1200), (400, 600)):
        lines = (line(f"SA-UPR-{height}", 4), line(f"SH-LVL-{width}-{depth}", shelves))
        specs.append(BomSpec(f"SH-BL-{height}-{width}-{depth}", lines, BOLTLESS))
    for depth, (height, shelves) in cross((400, 600), ((2000, 5), (2500, 6))):  # an add-on bay shares an upright pair
        lines = (line(f"SA-UPR-{height}", 2), line(f"SH-LVL-1200-{depth}", shelves))
        specs.append(BomSpec(f"SH-BL-ADD-{height}-1200-{depth}", lines, BOLTLESS))
    for sku, height, width, depth, shelves in (("SH-GAR-1800", 1800, 1000, 500, 4), ("SH-GAR-2000", 2000, 1500, 600, 5)):
        panel, beams = m(width + 60) * m(depth + 60) * shelves, 2 * m(width) * Decimal("0.12") * shelves  # bolted, 250 kg
        lines = (line(f"SA-UPR-{height}", 4), sheet("ST-DC01-1.0", panel), sheet("ST-DC01-1.5", beams),
                 powder("PC-7035", 2 * (panel + beams)), line("FX-B-M8x16", 8 * shelves),
                 line("FX-FN-M8", 8 * shelves))  # fmt: skip
        operations = (op("LASER", CUT, 10, shelves), op("BEND", FOLD, 15, 2 * shelves),
                      op("COAT", COAT, 15, Decimal("1.2") * shelves), op("PACK", PACK, 5, 6))  # fmt: skip
        specs.append(BomSpec(sku, lines, routed(*operations)))
    for sku, height, shelves in (("SH-ARC-2000", 2000, 6), ("SH-ARC-2250", 2250, 7)):  # 1000 x 300 mm shelves on clips
        panel = m(1060) * m(360) * shelves
        lines = (line(f"SA-UPR-{height}", 4), sheet("ST-DC01-0.8", panel), powder("PC-7035", 2 * panel),
                 line("HW-CLIP-SHELF", 4 * shelves), line("HW-LABEL-100", shelves))  # fmt: skip
        operations = (op("LASER", CUT, 10, Decimal("0.8") * shelves), op("BEND", FOLD, 15, Decimal("1.5") * shelves),
                      op("COAT", COAT, 15, shelves), op("PACK", PACK, 5, 6))  # fmt: skip
        specs.append(BomSpec(sku, lines, routed(*operations)))
    return specs


def workbenches() -> list[BomSpec]:
    """Welded frames under the standard benches; the fixings kit in every bench; the worktops bought."""
    specs = []
    for width in FRAMES:
        span = m(width - 100)
        lengths = (("ST-SQ-50x50x2", 4 * m(840)), ("ST-RE-60x40x2", 2 * span + 2 * m(650)), ("ST-SQ-40x40x2", span + 2 * m(650)))
        specs.append(BomSpec(f"SA-WBF-{width}", (*tubes("PC-5010", *lengths), line("FX-N-M10", 4)), FRAME))  # nuts for the feet
    kit = (line("FX-B-M8x20", 8), line("FX-W-M8", 8), line("FX-FN-M8", 8), line("HW-FOOT-M10", 4))
    specs.append(BomSpec(KIT, kit, None, kind=BomKind.KIT))
    fixed = (line("FX-WS-5x40", 8), line(KIT, 1))  # the worktop screwed on; the frame bolted, on its feet

    def bench(sku: str, frame: int, top: str, *extra: Line, routing: Routed = BENCH) -> BomSpec:
        return BomSpec(sku, (line(f"SA-WBF-{frame}", 1), line(top, 1), *extra, *fixed), routing)

    specs += [bench(f"WB-BEECH-{width}", width, f"WT-BEECH-{width}") for width in FRAMES]
    specs.append(bench("WB-STEEL-1500", 1500, "WT-STEEL-1500"))
    cladding = (sheet("ST-DX51-1.0", m(2100) * m(850), Decimal(5)), line("FX-BR-4.0x10", 30))  # no 2000 steel-clad top is bought
    clad = routed(op("LASER", CUT, 10, 4), op("BEND", FOLD, 15, 6), op("ASSY", ASSEMBLE, 5, 30), op("PACK", PACK, 5, 8))
    specs.append(bench("WB-STEEL-2000", 2000, "WT-BEECH-2000", *cladding, routing=clad))
    specs.append(bench("WB-ESD-1500", 1500, "WT-ESD-1500"))
    specs.append(bench("WB-ESD-1800", 1800, "WT-BEECH-1800"))  # the closest worktop bought: no 1800 ESD one
    housing = (m(400) * m(600) * 2 + m(560) * m(600) * 2 + m(560) * m(400)) * FOLDS  # the drawer unit's box
    unit = (line(DRAWER, 3), sheet("ST-DC01-1.0", housing), powder("PC-5010", 2 * housing), line("HW-LOCK-CYL", 1),
            line("FX-B-M8x20", 4), line("FX-FN-M8", 4))  # fmt: skip
    specs += [bench(f"WB-HD-{width}", width, f"WT-BEECH-{width}", *unit, routing=DRAWER_UNIT) for width in (1500, 2000)]
    for width in (1500, 1800):  # telescopic legs locked by bolts, no frame sub-assembly
        lengths = (("ST-SQ-60x60x3", 4 * m(550)), ("ST-SQ-50x50x2", 4 * m(600)),
                   ("ST-RE-60x40x2", 2 * m(width - 100) + 2 * m(650)), ("ST-FL-50x8", 4 * m(120)))  # fmt: skip
        lines = (*tubes("PC-5010", *lengths), line("FX-B-M12x50", 4), line("FX-N-M12", 4), line(f"WT-BEECH-{width}", 1), *fixed)
        specs.append(BomSpec(f"WB-HA-{width}", lines, ADJUSTABLE))
    lengths = (("ST-SQ-40x40x2", 4 * m(840) + 2 * m(600)), ("ST-RE-60x40x2", 2 * m(1500) + 2 * m(700)), ("ST-RD-32x2", m(1000)),
               ("ST-FL-30x5", m(400)))  # the frame, the roll holder's uprights, its axle and brackets  # fmt: skip
    lines = (*tubes("PC-5010", *lengths), line("WT-BEECH-1800", 1), *fixed)  # the top cut down to 1600
    operations = (op("LASER", CUT_TUBES, 15, 8), op("WELD", WELD, 20, 45), op("COAT", COAT, 15, 10), op("ASSY", ASSEMBLE, 10, 30))
    specs.append(BomSpec("WB-PACK-1600", lines, routed(*operations)))
    for width in (1500, 2000):
        blank = m(width + 40) * m(540)
        lines = (sheet("ST-DC01-1.5", blank, PERFORATED_SCRAP), powder("PC-5010", 2 * blank), line("FX-B-M8x16", 4),
                 line("FX-FN-M8", 4))  # fmt: skip
        specs.append(BomSpec(f"WB-PANEL-{width}", lines, PANEL))
    return specs


def box(height: int, width: int, depth: int) -> Decimal:
    """The faces of a cabinet's body in m²: its sides, top and bottom, and back."""
    h, w, d = m(height), m(width), m(depth)
    return 2 * h * d + 2 * w * d + h * w


def cabinet(sku: str, size: tuple[int, int, int], steel: str, *parts: Line, shelves: int = 0, doors: bool = True,
            walls: int = 1, colour: str = "PC-7035", version: str = "1", extra: Decimal = ZERO, **dates) -> BomSpec:  # fmt: skip
    """A folded sheet cabinet: its body (double-walled for `walls` 2), shelves, doors and `extra` m² from one
    sheet, coated both sides; the routing's times grow with its area and the parts fitted."""
    height, width, depth = size
    area = (box(*size) * walls + shelves * m(width) * m(depth) + (m(height) * m(width) if doors else ZERO) + extra) * FOLDS
    operations = (op("LASER", CUT, 15, 2 * area), op("BEND", FOLD, 20, 3 * area), op("COAT", COAT, 20, Decimal("1.2") * area),
                  op("ASSY", gettext_noop("Assemble and pack"), 10, 15 + 2 * len(parts)))  # fmt: skip
    return BomSpec(sku, (sheet(steel, area), powder(colour, 2 * area), *parts), routed(*operations), version=version, **dates)


def cabinets(today: datetime.date) -> list[BomSpec]:
    """Cabinets folded from sheet; lockers with ready-made doors; drawer cabinets with drawers made here.
    The two-door locker's doors were cut with its body and hung on weld-on hinges with padlock hasps
    until the end of last month; since the first of this month it takes the ready-made doors."""
    this_month = today.replace(day=1)
    drawer = m(560) * m(500) + m(600) * m(130) + 2 * m(500) * m(100) + m(560) * m(100)
    door = m(380) * m(1830)  # with its folded edges
    specs = [
        BomSpec(DRAWER, (sheet("ST-DC01-1.0", drawer * FOLDS), powder("PC-5010", 2 * drawer * FOLDS), line("HW-DS-500", 1),
                         line("HW-HANDLE-REC", 1), line("FX-BR-4.0x10", 12)), DRAWERS),
        BomSpec(DOOR, (sheet("ST-DC01-0.8", door), powder("PC-7035", 2 * door), line("HW-LOCK-CYL", 1), line("HW-HINGE-CAB", 2),
                       line("HW-LABEL-100", 1)), DOORS),
    ]  # fmt: skip

    def locker(doors: int, *parts: Line, extra: Decimal = ZERO, **options) -> BomSpec:
        """1800 x 300 x 500 mm a door: a divider between compartments, a hat shelf in each."""
        inside = (doors - 1) * m(1800) * m(500) + doors * m(300) * m(500) + extra
        return cabinet(f"CB-LOCK-{doors}", (1800, 300 * doors, 500), "ST-DC01-0.8", line("HW-FOOT-M10", 4),
                       line("FX-BR-4.0x10", 20 * doors), *parts, doors=False, extra=inside, **options)  # fmt: skip

    versioned = {"version": "2", "date_start": this_month}
    specs += [locker(doors, line(DOOR, doors), **(versioned if doors == 2 else {})) for doors in (1, 2, 3)]
    old = locker(
        2, line("HW-HINGE-WELD-80", 6), line("HW-HASP", 2), extra=2 * door, date_end=this_month - datetime.timedelta(days=1)
    )
    cut, fold, coat, _assemble = old.routing.operations
    welded = op("WELD", gettext_noop("Weld on the hinges and hasps, hang the doors"), 10, 12)
    specs.append(replace(old, routing=routed(cut, fold, welded, coat)))
    specs += [
        cabinet("CB-LOCK-4C", (1800, 300, 500), "ST-DC01-0.8", line("HW-LOCK-CYL", 4), line("HW-HINGE-CAB", 8),
                line("HW-LABEL-100", 4), line("HW-FOOT-M10", 4), line("FX-BR-4.0x10", 20), shelves=3),
        cabinet("CB-TOOL-1950", (1950, 1000, 500), "ST-DC01-1.0", line("HW-LOCK-ROD", 1), line("HW-HINGE-CAB", 6),
                line("HW-CLIP-SHELF", 16), line("HW-FOOT-M12", 4), shelves=4),
        cabinet("CB-TOOL-1000", (1000, 1000, 500), "ST-DC01-1.0", line("HW-LOCK-CYL", 1), line("HW-HINGE-CAB", 4),
                line("HW-CLIP-SHELF", 8), line("HW-FOOT-M12", 4), shelves=2),
        *(cabinet(f"CB-DRAW-{n}", (100 * n + 200, 600, 600), "ST-DC01-1.5", line(DRAWER, n), line("HW-LOCK-CYL", 1),
                  line("HW-LOCK-ROD", 1), line("HW-LABEL-100", n), line("HW-FOOT-M12", 4), doors=False, colour="PC-5010")
          for n in (5, 7, 10)),
        cabinet("CB-FLAM", (1950, 1200, 600), "ST-DX51-1.0", line("HW-LOCK-ROD", 1), line("HW-HINGE-PIANO-1000", 4),
                line("HW-FOOT-M12", 4), shelves=3, walls=2, colour="PC-1023"),
        cabinet("CB-FILE-4", (1320, 470, 620), "ST-DC01-1.0", line(DRAWER, 4), line("HW-LOCK-CYL", 1), line("HW-LABEL-100", 4),
                line("HW-FOOT-M10", 4), doors=False),
        cabinet("CB-SLIDE", (1000, 1200, 450), "ST-DC01-0.8", line("HW-HANDLE-REC", 2), line("HW-LOCK-CYL", 1),
                line("HW-CLIP-SHELF", 4), line("ST-FL-20x3", m(2400), TUBE_SCRAP), shelves=1),
        cabinet("CB-WALL", (600, 800, 300), "ST-DC01-0.8", line("HW-HINGE-CAB", 4), line("HW-HANDLE-120", 2),
                line("HW-LOCK-CYL", 1), line("HW-CLIP-SHELF", 4), shelves=1),
    ]  # fmt: skip
    return specs
