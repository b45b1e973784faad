"""The buy route: needs from a make-to-order delivery and from reordering rules become lines of draft
RFQs at the best supplier, one RFQ per supplier, an open draft reused; a need without any price stays
open for a buyer."""

from decimal import Decimal as D

from tessera.inventory.models import ProcurementNeed, ProductStock, ReorderingRule, Transfer, TransferKind
from tessera.inventory.services import MoveDraft, replenishment_run, transfer_confirm, transfer_save
from tessera.inventory.states import NeedState
from tessera.purchasing.models import PurchaseOrder
from tessera.purchasing.states import OrderState

from .conftest import make_product, supplier_price


def test_a_make_to_order_delivery_is_bought_from_the_best_supplier(company, manager, supplier, other_supplier, warehouse,
                                                                   steel):  # fmt: skip
    ProductStock.objects.filter(product=steel).update(procurement_method="mto")
    supplier_price(company, steel, supplier, "12.00")
    supplier_price(company, steel, other_supplier, "11.90")
    delivery = transfer_save(Transfer(company=company, kind=TransferKind.DELIVERY, warehouse=warehouse),
                             [MoveDraft(steel, D(7))], by=manager)  # fmt: skip
    transfer_confirm(delivery, by=manager)
    need = ProcurementNeed.objects.get(product=steel)
    [order] = PurchaseOrder.objects.all()
    line = order.lines.get()
    assert (order.partner, order.state, line.quantity, line.price_unit, line.need) == (
        other_supplier, OrderState.DRAFT, D(7), D("11.90"), need,
    )  # fmt: skip
    assert (need.state, need.fulfilled_by, need.move.transfer) == (NeedState.IN_PROGRESS, order.number, delivery)


def test_needs_are_grouped_per_supplier_and_an_open_rfq_is_reused(company, manager, supplier, other_supplier, warehouse,
                                                                  category, steel, bolts):  # fmt: skip
    nuts = make_product(company, category, "Nut M8")
    unpriced = make_product(company, category, "Washer M8")
    supplier_price(company, steel, supplier, "12.00")
    supplier_price(company, bolts, supplier, "0.05")
    supplier_price(company, nuts, other_supplier, "0.03")
    for product in (steel, bolts, nuts, unpriced):
        ReorderingRule.objects.create(company=company, product=product, warehouse=warehouse, location=warehouse.stock_location,
                                      min_quantity=D(10), max_quantity=D(50))  # fmt: skip
    replenishment_run(company, by=manager)
    orders = {order.partner: order for order in PurchaseOrder.objects.all()}
    assert set(orders) == {supplier, other_supplier}
    assert sorted(orders[supplier].lines.values_list("product__name", "quantity")) == [("Bolt M8", D(50)), ("Steel plate", D(50))]
    assert list(orders[other_supplier].lines.values_list("product__name", "quantity")) == [("Nut M8", D(50))]
    assert ProcurementNeed.objects.get(product=unpriced).state == NeedState.OPEN  # left for a buyer

    ReorderingRule.objects.filter(product=nuts).update(max_quantity=D(80), min_quantity=D(60))  # 50 are on order: 30 more
    replenishment_run(company, by=manager)
    assert PurchaseOrder.objects.count() == 2
    assert list(orders[other_supplier].lines.order_by("position").values_list("quantity", flat=True)) == [D(50), D(30)]
