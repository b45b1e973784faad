"""Bills of materials: a three-level desk costed by hand, kits opened up, setup spread over the
quantity; a BOM containing itself, a unit of the wrong kind or no component is refused, nothing saved."""

import datetime
from decimal import Decimal as D

import pytest

from tessera.core.errors import BusinessError, InvalidInput
from tessera.core.tests.factories import unit
from tessera.manufacturing.explosion import BomData, Component, find_cycle
from tessera.manufacturing.models import Bom, BomLine
from tessera.manufacturing.queries import bom_structure
from tessera.manufacturing.services import BomLineDraft, bom_for, bom_save

from .conftest import product


def test_the_desk_costs_what_was_worked_out_by_hand(desk):
    one = bom_structure(desk)
    names = {line.product_id: line.product.name for line in BomLine.objects.select_related("product")}
    rows = [(row.level, names.get(row.product_id, row.name), row.kind, row.quantity.quantize(D("0.0001")),
             row.cost.quantize(D("0.01"))) for row in one.rows]  # fmt: skip
    assert rows == [
        (1, "Desk top", "made", D("1.0000"), D("55.25")),  # 1.2 m² × 20.00 + (15 + 10) min / 80 % at 60.00 an hour
        (2, "Board", "bought", D("1.2000"), D("24.00")),
        (2, "Cut", "operation", D("31.2500"), D("31.25")),
        (1, "Leg", "bought", D("4.2000"), D("12.60")),  # 4 legs + 5 % scrap
        (1, "Fixings kit", "kit", D("1.0000"), D("3.40")),
        (2, "Screw", "bought", D("8.0000"), D("0.40")),
        (2, "Bracket", "bought", D("2.0000"), D("3.00")),
        (1, "Assemble", "operation", D("20.0000"), D("15.00")),
    ]
    assert (one.material_cost, one.operation_cost, one.cost) == (D("71.25"), D("15.00"), D("86.25"))
    ten = bom_structure(desk, D(10))  # the cutting setup is paid once for ten
    assert (ten.cost.quantize(D("0.01")), ten.unit_cost.quantize(D("0.0001"))) == (D("693.75"), D("69.3750"))


def test_a_bom_that_contains_itself_is_refused(company, category, planner, desk):
    top = desk.lines.get(position=0).product
    with pytest.raises(InvalidInput, match="would make a product contain itself: Desk top → Desk → Desk top") as refused:
        bom_save(Bom(company=company, product=top, version="2"), [BomLineDraft(desk.product, D(1))], by=planner)
    assert refused.value.code == "bom_cycle"
    assert Bom.objects.filter(product=top).count() == 1
    with pytest.raises(InvalidInput, match="cannot be a component of itself"):
        bom_save(Bom(company=company, product=top, version="3"), [BomLineDraft(top, D(1))], by=planner)


def test_a_unit_of_the_wrong_kind_or_no_component_is_refused(company, category, planner):
    chair, wood = product(company, category, "Chair"), product(company, category, "Beech", uom="m²")
    with pytest.raises(InvalidInput, match=r"Line 1: \[BEECH\] Beech is counted in m²; kg measures something else") as refused:
        bom_save(Bom(company=company, product=chair), [BomLineDraft(wood, D(2), uom=unit("kg"))], by=planner)
    assert list(refused.value.errors) == ["lines.0.uom"]
    with pytest.raises(InvalidInput, match="Add at least one component"):
        bom_save(Bom(company=company, product=chair), [], by=planner)
    with pytest.raises(InvalidInput) as scrap:
        bom_save(Bom(company=company, product=chair), [BomLineDraft(wood, D(2), scrap_percent=D(120))], by=planner)
    assert list(scrap.value.errors) == ["lines.0.scrap_percent"]
    assert Bom.objects.count() == 0


def test_the_bom_in_force_is_the_latest_valid_one(company, category, planner):
    table, wood = product(company, category, "Table"), product(company, category, "Oak")
    today = datetime.date.today()
    old = bom_save(Bom(company=company, product=table, version="1"), [BomLineDraft(wood, D(3))], by=planner)
    new = bom_save(Bom(company=company, product=table, version="2", date_start=today), [BomLineDraft(wood, D(2))], by=planner)
    later = bom_save(Bom(company=company, product=table, version="3", date_start=today + datetime.timedelta(days=30)),
                     [BomLineDraft(wood, D(1))], by=planner)  # fmt: skip
    assert bom_for(table) == new
    assert bom_for(table, today - datetime.timedelta(days=1)) == old
    assert bom_for(table, today + datetime.timedelta(days=31)) == later


def test_cycles_are_found_over_several_levels():
    def bom(product_id, *components):
        return BomData(product_id, product_id, D(1), "manufacture", tuple(Component(c, D(1)) for c in components))

    assert find_cycle({1: bom(1, 2), 2: bom(2, 3), 3: bom(3, 4)}) is None
    assert find_cycle({1: bom(1, 2), 2: bom(2, 3), 3: bom(3, 1)}) == [1, 2, 3, 1]
    assert find_cycle({1: bom(1, 2, 5), 5: bom(5, 6), 2: bom(2, 6), 6: bom(6, 5)}) == [6, 5, 6]  # reached through 1 → 2 → 6


def test_boms_coming_into_force_together_that_contain_each_other_are_reported(company, category, planner):
    """Each new version was fine when saved (the other was not in force yet); together they make a cycle."""
    chest, drawer, wood = (product(company, category, name) for name in ("Chest", "Drawer", "Pine"))
    later = datetime.date.today() + datetime.timedelta(days=10)
    for made in (chest, drawer):
        bom_save(Bom(company=company, product=made), [BomLineDraft(wood, D(1))], by=planner)
    new_chest = bom_save(Bom(company=company, product=chest, version="2", date_start=later), [BomLineDraft(drawer, D(2))],
                         by=planner)  # fmt: skip
    bom_save(Bom(company=company, product=drawer, version="2", date_start=later), [BomLineDraft(chest, D(1))], by=planner)
    assert bom_structure(new_chest).cost == D(0)  # today the drawer is still made of pine (at cost 0)
    with pytest.raises(BusinessError, match="contain itself: Chest → Drawer → Chest") as refused:
        bom_structure(new_chest, on=later)
    assert refused.value.code == "bom_cycle"


def test_a_kit_has_no_routing(company, category, planner, desk):
    routing = desk.routing
    kit, screw = product(company, category, "Hinge kit"), product(company, category, "Hinge")
    with pytest.raises(InvalidInput, match="A kit is not made"):
        bom_save(Bom(company=company, product=kit, kind="kit", routing=routing), [BomLineDraft(screw, D(2))], by=planner)
