"""Perpetual valuation with exact figures: FIFO and AVCO layers, returns at the cost they left with,
negative stock at the product's cost, and the stock journal's entries on the right accounts."""

from decimal import Decimal as D

import pytest

from tessera.accounting.models import Account, JournalEntry, JournalLine
from tessera.core.models import Product
from tessera.core.tests.factories import ProductCategoryFactory
from tessera.inventory.models import CategoryValuation, Location, LocationUsage, Quant, Scrap, TransferKind, ValuationLayer
from tessera.inventory.services import (
    DoneQuantity,
    MoveDraft,
    category_valuation,
    location_save,
    scrap_validate,
    transfer_confirm,
    transfer_return,
    transfer_validate,
)

from .conftest import make_product
from .stockbook import balance, deliver, layers_value, on_hand, receive, transfer


def ship(company, warehouse, keeper, product, quantity, **options):
    delivery = deliver(company, warehouse, keeper, product, quantity)
    transfer_validate(delivery, by=keeper, **options)
    return delivery


def layer_of(transfer):
    """The layer of a one-line transfer's move (not a revaluation of zero quantity)."""
    return ValuationLayer.objects.filter(move__transfer=transfer).exclude(quantity=0).get()


def entry_lines(transfer):
    """(account, debit, credit) of the stock journal entry a validated transfer posted."""
    entry = JournalEntry.objects.get(pk=layer_of(transfer).entry_id)
    assert (entry.journal.code, entry.state, entry.ref) == ("STJ", "posted", transfer.number)
    return list(entry.lines.order_by("position").values_list("account__code", "debit", "credit"))


@pytest.fixture
def raw(company):
    """A category valued at the weighted average on the raw-materials accounts."""
    category = ProductCategoryFactory(company=company, name="Raw")
    accounts = {code: Account.objects.get(company=company, code=code) for code in ("300000", "609000")}
    CategoryValuation.objects.create(company=company, category=category, cost_method="average",
                                     valuation_account=accounts["300000"], input_account=accounts["609000"],
                                     output_account=accounts["609000"])  # fmt: skip
    return category


def test_fifo_deliveries_take_the_oldest_layers_first(company, warehouse, keeper, chair):
    first = receive(company, warehouse, keeper, chair, 10, 40)
    receive(company, warehouse, keeper, chair, 10, 50)
    assert entry_lines(first) == [("340000", D("400.00"), D(0)), ("609400", D(0), D("400.00"))]
    assert (balance(company, "340000"), balance(company, "609400")) == (D("900.00"), D("-900.00"))

    out = ship(company, warehouse, keeper, chair, 12)  # 10 × 40 + 2 × 50
    layer = layer_of(out)
    assert (layer.quantity, layer.value, layer.unit_cost) == (D(-12), D("-500.00"), D("41.666667"))
    assert entry_lines(out) == [("609400", D("500.00"), D(0)), ("340000", D(0), D("500.00"))]
    assert list(ValuationLayer.objects.filter(quantity__gt=0).values_list("remaining_quantity", "remaining_value")) == [
        (D(0), D("0.00")),
        (D(8), D("400.00")),
    ]
    second = ship(company, warehouse, keeper, chair, 5)
    assert layer_of(second).value == D("-250.00")
    assert balance(company, "340000") == layers_value(chair) == D("150.00")


def test_a_return_comes_back_at_the_cost_it_left_with(company, warehouse, keeper, chair):
    receive(company, warehouse, keeper, chair, 10, 40)
    receive(company, warehouse, keeper, chair, 10, 50)
    out = ship(company, warehouse, keeper, chair, 12)
    back = transfer_return(out, by=keeper, quantities={out.moves.get().pk: D(3)})
    transfer_validate(back, by=keeper)
    layer = layer_of(back)
    assert (layer.quantity, layer.unit_cost, layer.value, layer.remaining_quantity) == (D(3), D("41.666667"), D("125.00"), D(3))
    assert entry_lines(back) == [("340000", D("125.00"), D(0)), ("609400", D(0), D("125.00"))]
    assert balance(company, "340000") == layers_value(chair) == D("525.00")


def test_average_cost_with_a_category_on_its_own_accounts(company, warehouse, keeper, raw):
    wood = make_product(company, raw, "Wood", cost="0")
    receive(company, warehouse, keeper, wood, 10, 10)
    receive(company, warehouse, keeper, wood, 10, 13)
    wood.refresh_from_db()
    assert wood.cost == D("11.5")
    out = ship(company, warehouse, keeper, wood, 5)
    assert layer_of(out).value == D("-57.50")
    assert entry_lines(out) == [("609000", D("57.50"), D(0)), ("300000", D(0), D("57.50"))]
    receive(company, warehouse, keeper, wood, 5, 20)
    wood.refresh_from_db()
    assert wood.cost == D("13.625")  # (172.50 + 100) / 20
    last = ship(company, warehouse, keeper, wood, 20)
    assert layer_of(last).value == D("-272.50")
    assert balance(company, "300000") == layers_value(wood) == D(0)
    assert balance(company, "609000") == D(0)
    assert balance(company, "340000") == D(0)


def test_average_cost_leaves_no_rounding_crumbs_when_stock_runs_out(company, warehouse, keeper, raw):
    nails = make_product(company, raw, "Nails", cost="0")
    receive(company, warehouse, keeper, nails, 1, "10")
    receive(company, warehouse, keeper, nails, 2, "10.01")
    nails.refresh_from_db()
    assert nails.cost == D("10.006667")
    assert layer_of(ship(company, warehouse, keeper, nails, 1)).value == D("-10.01")
    assert layer_of(ship(company, warehouse, keeper, nails, 2)).value == D("-20.01")
    assert layers_value(nails) == balance(company, "300000") == D(0)


def test_negative_stock_is_valued_at_the_product_cost_then_corrected_by_the_next_receipt(
    company, warehouse, stock, keeper, chair
):
    receive(company, warehouse, keeper, chair, 2, 50)
    delivery = deliver(company, warehouse, keeper, chair, 5)
    transfer_validate(delivery, by=keeper, done={delivery.moves.get().pk: [DoneQuantity(D(5))]}, force=True)
    assert on_hand(chair, stock) == D(-3)
    layer = layer_of(delivery)
    assert (layer.value, layer.remaining_quantity, layer.remaining_value) == (
        D("-220.00"),
        D(-3),
        D("-120.00"),
    )  # 2 × 50 + 3 × 40
    assert balance(company, "340000") == D("-120.00")

    receipt = receive(company, warehouse, keeper, chair, 4, 45)
    # The 3 sent early cost 45, not 40: 15 more to the cost of goods; 1 chair at 45 stays in stock.
    layers = list(ValuationLayer.objects.filter(move__transfer=receipt).order_by("id").values_list(
        "quantity", "value", "remaining_quantity", "remaining_value"))  # fmt: skip
    assert layers == [(D(4), D("180.00"), D(1), D("45.00")), (D(0), D("-15.00"), D(0), D("0.00"))]
    assert entry_lines(receipt) == [
        ("340000", D("180.00"), D(0)), ("609400", D(0), D("180.00")),
        ("609400", D("15.00"), D(0)), ("340000", D(0), D("15.00")),
    ]  # fmt: skip
    layer.refresh_from_db()
    assert (layer.remaining_quantity, layer.remaining_value) == (D(0), D(0))
    assert on_hand(chair, stock) == D(1)
    assert balance(company, "340000") == layers_value(chair) == D("45.00")
    assert layer_of(ship(company, warehouse, keeper, chair, 1)).value == D("-45.00")
    assert balance(company, "340000") == D(0)


def test_a_virtual_location_books_against_its_own_account(company, warehouse, stock, keeper, chair):
    parent = Location.objects.get(company=company, name="Virtual", parent=None)
    suspense = Account.objects.get(company=company, code="499000")
    opening = location_save(Location(company=company, name="Opening stock", parent=parent, usage=LocationUsage.INVENTORY,
                                     valuation_account=suspense), by=keeper)  # fmt: skip
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, MoveDraft(chair, D(5), unit_cost=D(40)),
                       source_location=opening, destination_location=stock)  # fmt: skip
    transfer_confirm(receipt, by=keeper)
    transfer_validate(receipt, by=keeper)
    assert entry_lines(receipt) == [("340000", D("200.00"), D(0)), ("499000", D(0), D("200.00"))]
    assert balance(company, "609400") == D(0)


def test_scrap_is_a_loss_at_cost(company, warehouse, stock, keeper, chair):
    receive(company, warehouse, keeper, chair, 4, 40)
    scrap = scrap_validate(Scrap(company=company, product=chair, quantity=D(1), uom=chair.uom, location=stock,
                                 reason="Broken leg"), by=keeper)  # fmt: skip
    layer = ValuationLayer.objects.get(move=scrap.move)
    assert (layer.quantity, layer.value) == (D(-1), D("-40.00"))
    assert list(layer.entry.lines.order_by("position").values_list("account__code", "debit", "credit")) == [
        ("609400", D("40.00"), D(0)), ("340000", D(0), D("40.00")),
    ]  # fmt: skip
    assert balance(company, "340000") == layers_value(chair) == D("120.00")


def test_two_moves_of_one_product_in_one_transfer_see_each_other(company, warehouse, keeper, raw):
    glue = make_product(company, raw, "Glue", cost="0")
    receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT,
                       MoveDraft(glue, D(2), unit_cost=D(10)), MoveDraft(glue, D(2), unit_cost=D(20)))  # fmt: skip
    transfer_confirm(receipt, by=keeper)
    transfer_validate(receipt, by=keeper)
    assert Product.objects.get(pk=glue.pk).cost == D(15)
    assert JournalLine.objects.filter(entry__ref=receipt.number).count() == 4
    assert layers_value(glue) == balance(company, "300000") == D("60.00")


def test_the_default_category_valuation_is_fifo_on_goods_for_resale(company, category):
    valuation = category_valuation(category)
    assert (valuation.cost_method, valuation.valuation_account.code, valuation.output_account.code) == (
        "fifo",
        "340000",
        "609400",
    )
    assert not Quant.objects.exists()
