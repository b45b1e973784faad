"""The manufacturing demo: work centres, routings and a BOM in force for every finished good (but the
trolleys), three levels at most, a kit opened up, a locker in two versions, one cost worked out by hand;
the products it adds audited; a second load creates nothing."""

import datetime
import io
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from django.db import transaction
from django.utils import timezone

from tessera.accounting.demo import load_accounting_demo
from tessera.core import hooks
from tessera.core.demo import load_demo
from tessera.core.models import AuditAction, AuditEntry, Company, Product
from tessera.core.services import system_user
from tessera.inventory.demo import load_inventory_demo
from tessera.inventory.models import ProductStock
from tessera.manufacturing.demo import KIT, OFFCUTS, PRODUCTS, SKIPPED, VERSIONED, load_manufacturing_demo
from tessera.manufacturing.explosion import flat_components
from tessera.manufacturing.models import Bom, BomByProduct, BomLine, Routing, RoutingOperation, WorkCentre
from tessera.manufacturing.queries import bom_structure
from tessera.manufacturing.services import bom_for

pytestmark = pytest.mark.django_db
LOADERS = (load_accounting_demo, load_inventory_demo, load_manufacturing_demo)
MODELS = (WorkCentre, Routing, RoutingOperation, Bom, BomLine, BomByProduct, Product, ProductStock, AuditEntry)


def load(company: Company, by) -> None:
    for loader in LOADERS:
        loader(company, by)


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker) -> Iterator[Company]:
    """Core's demo with the accounting, inventory and manufacturing parts, loaded once for the module and
    rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hooks, "run_demo_loaders", load)
            load_demo(io.StringIO())
        yield Company.objects.get(name="Ferrano Metaalmeubelen NV")
        transaction.set_rollback(True)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def sku(sku: str) -> Product:
    return Product.objects.get(sku=sku)


def finished_goods(company: Company) -> list[Product]:
    """The finished goods made here: all but the trolleys."""
    finished = Product.objects.filter(company=company, category__full_name__startswith="Finished goods").order_by("sku")
    return [product for product in finished if not product.sku.startswith(SKIPPED)]


def test_six_work_centres_at_belgian_rates(company):
    centres = {centre.code: centre for centre in WorkCentre.objects.filter(company=company)}
    assert set(centres) == {"LASER", "BEND", "WELD", "COAT", "ASSY", "PACK"}
    assert all(D(36) <= centre.labour_cost_per_hour <= D(50) for centre in centres.values())
    assert max(centres.values(), key=lambda centre: centre.cost_per_hour).code == "LASER"
    assert (centres["LASER"].hours_per_day, centres["ASSY"].hours_per_day) == (16, D("7.6"))  # two shifts; the 38-hour week
    assert {centre.working_days for centre in centres.values()} == {"12345"}


def test_every_finished_good_has_a_bom_in_force_with_a_routing(company):
    made = finished_goods(company)
    assert len(made) == 52  # all but the 12 trolleys, left alone (see the demo's docstring)
    for product in [*made, *Product.objects.filter(sku__startswith="SA-")]:
        bom = bom_for(product)
        assert bom is not None and bom.kind == "manufacture", product.sku
        assert 2 <= bom.routing.operations.count() <= 4, product.sku
    assert not Bom.objects.filter(product__sku__startswith="TR-").exists()


def test_units_and_scrap_as_the_materials_are_counted(company):
    lines = BomLine.objects.filter(company=company).select_related("product", "uom")
    assert all(line.uom_id == line.product.uom_id for line in lines)
    units = {line.product.sku[:8]: line.uom.name for line in lines}
    assert (units["ST-DC01-"], units["ST-SQ-50"], units["PC-7035"], units["FX-B-M8x"], units["HW-DS-50"]) == (
        "kg", "m", "kg", "Unit", "Pair"
    )  # fmt: skip
    assert {line.scrap_percent for line in lines if line.product.sku.startswith("ST-DC01-")} == {D(8), D(12)}  # perforated: 12
    assert {line.scrap_percent for line in lines if line.product.sku.startswith("ST-SQ-")} == {D(3)}
    assert not [line for line in lines if line.product.sku.startswith(("FX-", "HW-", "WT-", "SA-")) and line.scrap_percent]


def test_the_deepest_structure_has_three_levels(company):
    structures = {product.sku: bom_structure(bom_for(product)) for product in finished_goods(company)}
    depths = {sku: 1 + max(row.level for row in structure.rows) for sku, structure in structures.items()}
    assert max(depths.values()) == 3 and min(depths.values()) == 2
    assert depths["SH-BL-1800-900-400"] == depths["CB-DRAW-10"] == depths["WB-HD-2000"] == 3  # via the uprights, drawers, frames


def test_the_locker_in_force_is_the_new_version_today_and_the_old_one_before_its_end(company):
    locker = sku(VERSIONED)
    old, new = Bom.objects.filter(product=locker).order_by("version")
    first = timezone.localdate().replace(day=1)
    assert (old.version, old.date_start, old.date_end) == ("1", None, first - datetime.timedelta(days=1))
    assert (new.version, new.date_start, new.date_end) == ("2", first, None)
    assert bom_for(locker) == new
    assert bom_for(locker, old.date_end) == old
    assert "HW-HASP" in old.lines.values_list("product__sku", flat=True)
    assert "SA-DOOR-LOCK" in new.lines.values_list("product__sku", flat=True)
    assert "WELD" in old.routing.operations.values_list("work_centre__code", flat=True)


def test_the_fixings_kit_is_opened_up_in_every_workbench(company):
    kit = Bom.objects.get(product__sku=KIT)
    assert kit.kind == "kit" and kit.routing is None
    users = set(BomLine.objects.filter(product=kit.product).values_list("bom__product__sku", flat=True))
    assert len(users) == 13 and all(user.startswith("WB-") for user in users)
    structure = bom_structure(bom_for(sku("WB-BEECH-1500")))
    [at] = [position for position, row in enumerate(structure.rows) if row.product_id == kit.product_id]
    assert (structure.rows[at].kind, structure.rows[at].level) == ("kit", 1)
    parts = structure.rows[at + 1 : at + 5]
    assert [(row.kind, row.level) for row in parts] == [("bought", 2)] * 4
    assert {row.product_id for row in parts} == set(kit.lines.values_list("product_id", flat=True))
    assert kit.product_id not in {row.product_id for row in flat_components(structure)}


def test_the_uprights_yield_steel_offcuts(company):
    offcuts = BomByProduct.objects.filter(product__sku=OFFCUTS).select_related("bom__product")
    assert sorted(offcut.bom.product.sku for offcut in offcuts) == ["SA-UPR-1800", "SA-UPR-2000", "SA-UPR-2250", "SA-UPR-2500"]
    upright = offcuts.get(bom__product__sku="SA-UPR-1800")
    assert upright.quantity == D("0.203")  # 8 % of the 2.543 kg of sheet its blank weighs


def test_the_boltless_shelving_unit_costs_what_was_worked_out_by_hand(company):
    """SH-BL-1800-900-400, one unit: 4 uprights of 1800 mm and 4 shelf levels of 900 x 400 mm, each made
    for the occasion (setups included), bundled and packed.

    Four uprights (a blank of 1.8 x 0.09 m of 2 mm sheet: 0.162 m² x 2 x 7.85 = 2.543 kg each):
        sheet 4 x 2.543 x 1.08 (scrap) = 10.98576 kg x 1.05          = 11.5350
        powder 4 x 0.049 kg (2 x 0.162 m² x 0.15) x 6.80            =  1.3328
        4 end caps x 0.07                                             =  0.2800
        laser (10 + 4 x 1.5) / 92 % = 17.3913 min at 112.50 an hour   = 32.6087
        press brake (12 + 4 x 0.6) / 85 % = 16.9412 min at 68.50      = 19.3412
        coating (15 + 4 x 0.8) / 90 % = 20.2222 min at 93.00          = 31.3444  → 96.4422
    Four shelf levels (a 960 x 460 mm panel of 0.8 mm: 2.773 kg; two 900 x 110 mm beams of 1.5 mm: 2.331 kg):
        panels 4 x 2.773 x 1.08 = 11.97936 kg x 1.05                  = 12.5783
        beams 4 x 2.331 x 1.08 = 10.06992 kg x 1.05                   = 10.5734
        powder 4 x 0.192 kg (2 x 0.6396 m² x 0.15) x 6.80           =  5.2224
        laser (10 + 4 x 1.2) / 92 % = 16.0870 min at 112.50           = 30.1630
        press brake (15 + 4 x 2.5) / 85 % = 29.4118 min at 68.50      = 33.5784
        coating (15 + 4 x 1.5) / 90 % = 23.3333 min at 93.00          = 36.1667  → 128.2822
    The unit: bundling 3 / 95 % = 3.1579 min at 42.00 = 2.2105; packing 5 + 4 = 9 min at 39.00 = 5.8500.
    96.4422 + 128.2822 + 2.2105 + 5.8500 = 232.7849, of which 8.0605 the unit's own operations."""
    one = bom_structure(bom_for(sku("SH-BL-1800-900-400")))
    made = {row.product_id: row.cost.quantize(D("0.0001")) for row in one.rows if row.kind == "made"}
    assert made == {sku("SA-UPR-1800").pk: D("96.4422"), sku("SH-LVL-900-400").pk: D("128.2823")}  # unrounded: 128.28227
    assert (one.cost.quantize(D("0.01")), one.operation_cost.quantize(D("0.0001"))) == (D("232.78"), D("8.0605"))


def test_the_products_made_here_are_audited_and_costed_per_batch(company):
    skus = [spec[0] for spec in PRODUCTS]
    products = Product.objects.filter(company=company, sku__in=skus)
    assert products.count() == len(skus) == 12
    assert not products.filter(can_be_purchased=True).exists()  # the purchasing demo prices what is bought
    created = AuditEntry.objects.filter(action=AuditAction.CREATE, actor=system_user(), content_type__model="product",
                                        object_id__in=[str(pk) for pk in products.values_list("pk", flat=True)])  # fmt: skip
    assert created.count() == 12
    assert ProductStock.objects.filter(product__in=products).count() == 11  # all but the kit, which is never stocked
    upright = bom_structure(bom_for(sku("SA-UPR-1800")), D(100))
    assert sku("SA-UPR-1800").cost == upright.unit_cost.quantize(D("0.01")) == D("9.15")  # a batch of 100 shares the setups


def test_a_second_load_creates_nothing(company):
    before = counts()
    load_manufacturing_demo(company, system_user())
    assert counts() == before
    with pytest.MonkeyPatch.context() as patch:  # nor does the inventory demo's, which sets up the stocked products
        patch.setattr(hooks, "run_demo_loaders", load)
        load_demo(io.StringIO())
    assert counts() == before
