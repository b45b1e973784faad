"""Landed costs: freight spread over a receipt's goods by value; what is still in stock takes its
share into the stock value, what was sold since goes to the stock variation; figures exact."""

from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.models import Account, JournalLine
from tessera.core.errors import BusinessError, InvalidInput
from tessera.inventory.models import Transfer, TransferKind, ValuationLayer
from tessera.inventory.services import MoveDraft, transfer_confirm, transfer_save, transfer_validate
from tessera.purchasing.models import LandedCost, PurchaseOrder, SplitMethod
from tessera.purchasing.services import (
    PurchaseLineDraft,
    landed_cost_post,
    landed_cost_save,
    purchase_order_confirm,
    purchase_order_receive,
    purchase_order_save,
)
from tessera.purchasing.services.landed_costs import spread
from tessera.purchasing.states import LandedCostState


def balance(company, code):
    lines = JournalLine.objects.filter(account=Account.objects.get(company=company, code=code), posted=True)
    return sum((line.debit - line.credit for line in lines), D(0))


def test_freight_spread_by_value_into_stock_and_cost_of_goods(company, manager, supplier, warehouse, steel, bolts):
    order = purchase_order_save(
        PurchaseOrder(company=company, partner=supplier),
        [PurchaseLineDraft(steel, D(100), price_unit=D(10)), PurchaseLineDraft(bolts, D(1000), price_unit=D("0.50"))],
        by=manager,
    )
    order = purchase_order_confirm(order, by=manager)
    [receipt] = purchase_order_receive(order, by=manager)
    delivery = transfer_save(Transfer(company=company, kind=TransferKind.DELIVERY, warehouse=warehouse),
                             [MoveDraft(steel, D(50))], by=manager)  # fmt: skip
    transfer_validate(transfer_confirm(delivery, by=manager), by=manager)  # half the steel leaves at 10.00
    assert (balance(company, "340000"), balance(company, "609400")) == (D("1000.00"), D("-1000.00"))

    freight = landed_cost_save(
        LandedCost(company=company, receipt=receipt, description="Freight", amount=D("150.00"), split=SplitMethod.VALUE,
                   account=Account.objects.get(company=company, code="604000"), date=timezone.localdate()),
        by=manager,
    )  # fmt: skip
    freight = landed_cost_post(freight, by=manager)
    freight.refresh_from_db()
    assert freight.state == LandedCostState.POSTED
    # by value: steel 1,000.00 of 1,500.00 takes 100.00 (50 of its 100 still in stock: 50.00 into stock, 50.00 sold);
    # bolts take 50.00, all in stock.
    assert balance(company, "340000") == D("1100.00")
    assert balance(company, "609400") == D("-950.00")  # 50.00 of cost of the goods sold
    assert balance(company, "604000") == D("-150.00")
    steel_layer = ValuationLayer.objects.get(move__transfer=receipt, product=steel, quantity__gt=0)
    assert (steel_layer.remaining_quantity, steel_layer.remaining_value) == (D(50), D("550.00"))
    assert [(line.account.code, line.debit, line.credit) for line in freight.entry.lines.order_by("id")] == [
        ("340000", D("50.00"), D("0")), ("604000", D("0"), D("50.00")),
        ("609400", D("50.00"), D("0")), ("604000", D("0"), D("50.00")),
        ("340000", D("50.00"), D("0")), ("604000", D("0"), D("50.00")),
    ]  # fmt: skip
    with pytest.raises(BusinessError, match="already posted"):
        landed_cost_post(freight, by=manager)


def test_a_landed_cost_needs_a_done_receipt(company, manager, supplier, steel):
    lines = [PurchaseLineDraft(steel, D(5), price_unit=D(10))]
    order = purchase_order_save(PurchaseOrder(company=company, partner=supplier), lines, by=manager)
    order = purchase_order_confirm(order, by=manager)
    [receipt] = order.transfers.all()
    with pytest.raises(InvalidInput, match="receipt that is done"):
        landed_cost_save(LandedCost(company=company, receipt=receipt, description="Duties", amount=D(20),
                                    date=timezone.localdate(), account=Account.objects.get(company=company, code="604000")),
                         by=manager)  # fmt: skip
    assert LandedCost.objects.count() == 0


def test_shares_add_up_exactly(company):
    shares = spread(D("100.00"), [(D(1), D(1)), (D(1), D(1)), (D(1), D(1))], SplitMethod.EQUAL, company.currency)
    assert shares == [D("33.33"), D("33.33"), D("33.34")]
    assert spread(D(10), [(D(3), D(0)), (D(1), D(0))], SplitMethod.QUANTITY, company.currency) == [D("7.50"), D("2.50")]


def test_landed_costs_through_the_api(api, company, manager, supplier, steel):
    lines = [PurchaseLineDraft(steel, D(10), price_unit=D(10))]
    order = purchase_order_confirm(purchase_order_save(PurchaseOrder(company=company, partner=supplier), lines, by=manager),
                                   by=manager)  # fmt: skip
    [receipt] = purchase_order_receive(order, by=manager)
    account = Account.objects.get(company=company, code="604000")
    created = api.post("/api/v1/purchasing/landed-costs/", {"receipt": receipt.pk, "description": "Duties", "amount": "12.00",
                                                            "account": account.pk, "date": timezone.localdate().isoformat()},
                       format="json")  # fmt: skip
    assert (created.status_code, created.json()["state"]) == (201, "draft"), created.content
    posted = api.post(f"/api/v1/purchasing/landed-costs/{created.json()['id']}/post/")
    assert (posted.status_code, posted.json()["state"]) == (200, "posted")
    assert balance(company, "340000") == D("112.00")
    zero = api.post("/api/v1/purchasing/landed-costs/", {"receipt": receipt.pk, "description": "Nothing", "amount": "0",
                                                         "account": account.pk, "date": timezone.localdate().isoformat()},
                    format="json")  # fmt: skip
    assert (zero.status_code, list(zero.json()["errors"])) == (400, ["amount"])
