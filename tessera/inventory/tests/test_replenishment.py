"""Replenishment: reordering rules raise needs of the right size once; routes registered in the
procurement registry receive them and peg their documents; make-to-order moves raise their own needs."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.core.errors import BusinessError
from tessera.inventory import hooks
from tessera.inventory.models import ProcurementNeed, ProductStock, ReorderingRule, TransferKind
from tessera.inventory.services import (
    MoveDraft,
    forecast_quantity,
    procurement_need_assign,
    reorder_quantity,
    replenishment_run,
    transfer_confirm,
    transfer_reserve,
)
from tessera.inventory.states import NeedState

from .conftest import make_product
from .stockbook import deliver, receive, transfer


@pytest.fixture
def routed(monkeypatch):
    """A "test-buy" route registered for the test only; it records what it gets and pegs an order to each need."""
    monkeypatch.setattr(hooks, "_routes", dict(hooks._routes))
    received: list[list[ProcurementNeed]] = []

    def buy(needs, by):
        received.append(list(needs))
        for need in needs:
            procurement_need_assign(need, f"PO-{need.product.sku}", by=by)

    hooks.register_route("test-buy", "Test buy", buy)
    return received


def rule_for(company, warehouse, product, minimum, maximum, multiple="1"):
    return ReorderingRule.objects.create(company=company, product=product, warehouse=warehouse, location=warehouse.stock_location,
                                         min_quantity=D(minimum), max_quantity=D(maximum), multiple=D(multiple))  # fmt: skip


@pytest.mark.parametrize(
    ("forecast", "minimum", "maximum", "multiple", "expected"),
    [
        ("3", "5", "20", "1", "17"),
        ("3", "5", "20", "6", "18"),
        ("3", "5", "20", "0", "17"),
        ("3.3", "5", "20", "0.5", "17"),
        ("5", "5", "20", "6", "0"),
        ("-4", "0", "10", "5", "15"),
    ],
)
def test_reorder_quantity(forecast, minimum, maximum, multiple, expected):
    assert reorder_quantity(D(forecast), D(minimum), D(maximum), D(multiple)) == D(expected)


def test_a_run_raises_a_need_up_to_the_maximum_and_a_second_run_does_not_repeat_it(company, warehouse, stock, keeper, chair):
    ProductStock.objects.filter(product=chair).update(lead_days=3)
    receive(company, warehouse, keeper, chair, 3, 40)
    rule = rule_for(company, warehouse, chair, 5, 20, 6)
    [need] = replenishment_run(company, by=keeper)
    assert (need.product_id, need.quantity, need.location_id, need.route, need.rule_id, need.state) == (
        chair.pk, D(18), stock.pk, "manual", rule.pk, NeedState.OPEN
    )  # fmt: skip
    assert need.date_needed == timezone.localdate() + datetime.timedelta(days=3)
    assert forecast_quantity(rule) == D(21)
    assert replenishment_run(company, by=keeper) == []
    assert ProcurementNeed.objects.count() == 1


def test_the_forecast_counts_open_receipts_and_deliveries(company, warehouse, stock, keeper, chair, table):
    receive(company, warehouse, keeper, chair, 10, 40)
    deliver(company, warehouse, keeper, chair, 8)
    incoming = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(2)))
    transfer_confirm(incoming, by=keeper)
    transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(50)))  # a draft counts for nothing
    rule = rule_for(company, warehouse, chair, 5, 20)
    rule_for(company, warehouse, table, 0, 4)  # forecast 0 is not below a minimum of 0
    assert forecast_quantity(rule) == D(4)  # 10 on hand + 2 coming − 8 going
    [need] = replenishment_run(company, by=keeper)
    assert (need.product_id, need.quantity) == (chair.pk, D(16))


def test_a_registered_route_receives_the_needs_and_pegs_them(company, warehouse, keeper, category, routed):
    bolt = make_product(company, category, "Bolt", cost="1", route="test-buy")
    nut = make_product(company, category, "Nut", cost="1", route="test-buy")
    rule_for(company, warehouse, bolt, 10, 100, 25)
    rule_for(company, warehouse, nut, 1, 7)
    needs = replenishment_run(company, by=keeper)
    assert [[need.product.name for need in group] for group in routed] == [["Bolt", "Nut"]]
    assert sorted(ProcurementNeed.objects.values_list("product__name", "quantity", "state", "fulfilled_by")) == [
        ("Bolt", D(100), NeedState.IN_PROGRESS, "PO-BOLT"),
        ("Nut", D(7), NeedState.IN_PROGRESS, "PO-NUT"),
    ]
    assert len(needs) == 2
    assert replenishment_run(company, by=keeper) == []


def test_an_unknown_route_is_refused_and_nothing_is_written(company, warehouse, keeper, category):
    gadget = make_product(company, category, "Gadget", cost="1", route="teleport")
    rule_for(company, warehouse, gadget, 1, 5)
    with pytest.raises(BusinessError, match="No module provides the route teleport") as error:
        replenishment_run(company, by=keeper)
    assert error.value.code == "unknown_route"
    assert not ProcurementNeed.objects.exists()


def test_a_make_to_order_delivery_raises_a_need_pegged_to_its_move(company, warehouse, stock, keeper, category, routed):
    sofa = make_product(company, category, "Sofa", cost="500", route="test-buy", mto=True)
    receive(company, warehouse, keeper, sofa, 2, 500)
    delivery = deliver(company, warehouse, keeper, sofa, 5)
    move = delivery.moves.get()
    need = ProcurementNeed.objects.get()
    assert (need.move_id, need.product_id, need.quantity, need.location_id, need.origin, need.route) == (
        move.pk, sofa.pk, D(3), stock.pk, delivery.number, "test-buy"
    )  # fmt: skip
    assert (need.state, need.fulfilled_by) == (NeedState.IN_PROGRESS, "PO-SOFA")
    transfer_reserve(delivery, by=keeper)
    assert ProcurementNeed.objects.count() == 1
    # A reordering rule sees the pegged need: no second order for the same sofas.
    rule = rule_for(company, warehouse, sofa, 0, 0)
    assert forecast_quantity(rule) == D(0)  # 2 on hand − 5 going + 3 coming for the order
    assert replenishment_run(company, by=keeper) == []


def test_a_make_to_stock_product_raises_no_need_on_confirmation(company, warehouse, keeper, chair):
    deliver(company, warehouse, keeper, chair, 5)
    assert not ProcurementNeed.objects.exists()
