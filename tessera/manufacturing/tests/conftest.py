from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from tessera.core.models import Company, Currency
from tessera.core.services import company_create, system_user
from tessera.core.tests.factories import ProductCategoryFactory, ProductFactory, UserFactory, unit
from tessera.manufacturing.models import Bom, Routing, WorkCentre
from tessera.manufacturing.services import BomLineDraft, OperationDraft, bom_save, routing_save


@pytest.fixture
def company(db):
    return company_create(
        Company(name="Productie NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )


@pytest.fixture
def planner(company):
    return UserFactory(username="planner", companies=[company], roles=["Manufacturing / Manager"])


@pytest.fixture
def api(planner):
    client = APIClient()
    client.force_authenticate(planner)
    return client


@pytest.fixture
def category(company):
    return ProductCategoryFactory(company=company, name="Furniture")


def product(company, category, name, cost="0", uom="Unit"):
    return ProductFactory(company=company, category=category, name=name, sku=name.upper()[:12], cost=Decimal(cost),
                          uom=unit(uom), purchase_uom=unit(uom))  # fmt: skip


@pytest.fixture
def workshop(company):
    """Cutting at 60.00 an hour (40 labour + 20 machine), at 80 % efficiency; assembly at 45.00, 100 %."""
    cutting = WorkCentre.objects.create(company=company, code="CUT", name="Cutting", efficiency=Decimal(80),
                                        labour_cost_per_hour=Decimal(40), machine_cost_per_hour=Decimal(20))  # fmt: skip
    assembly = WorkCentre.objects.create(company=company, code="ASM", name="Assembly", labour_cost_per_hour=Decimal(45))
    return cutting, assembly


@pytest.fixture
def desk(company, category, planner, workshop):
    """A desk: a top (made: 1.2 m² of board + 10 min cutting, setup 15) and 4 legs of 3.00 with 5 % scrap,
    a kit of 8 screws (0.05 each) + 2 brackets (1.50 each), assembled in 20 minutes."""
    cutting, assembly = workshop
    board = product(company, category, "Board", cost="20", uom="m²")
    leg, screw, bracket = (product(company, category, name, cost) for name, cost in (("Leg", "3"), ("Screw", "0.05"),
                                                                                      ("Bracket", "1.50")))  # fmt: skip
    fixings = product(company, category, "Fixings kit")
    top = product(company, category, "Desk top")
    desk = product(company, category, "Desk")
    cut = routing_save(Routing(company=company, name="Cut a top"), [OperationDraft("Cut", cutting, Decimal(15), Decimal(10))],
                       by=planner)  # fmt: skip
    assemble = routing_save(Routing(company=company, name="Assemble a desk"), [OperationDraft("Assemble", assembly,
                                                                                              run_minutes=Decimal(20))],
                            by=planner)  # fmt: skip
    bom_save(Bom(company=company, product=top, routing=cut), [BomLineDraft(board, Decimal("1.2"))], by=planner)
    kit = [BomLineDraft(screw, Decimal(8)), BomLineDraft(bracket, Decimal(2))]
    bom_save(Bom(company=company, product=fixings, kind="kit"), kit, by=planner)
    return bom_save(
        Bom(company=company, product=desk, routing=assemble),
        [
            BomLineDraft(top, Decimal(1)),
            BomLineDraft(leg, Decimal(4), scrap_percent=Decimal(5)),
            BomLineDraft(fixings, Decimal(1)),
        ],
        by=planner,
    )
