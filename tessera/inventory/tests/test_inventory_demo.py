"""The inventory demo: two warehouses, stock settings, an opening stock worth exactly the opening
balances' stock lines, and a year of movements whose valuation agrees with the stock accounts; loaded once."""

import datetime
import io
from collections import Counter, defaultdict
from collections.abc import Iterator
from decimal import Decimal as D

import pytest
from django.db import transaction

from tessera.accounting.demo import load_accounting_demo
from tessera.accounting.models import JournalEntry, JournalLine
from tessera.accounting.verification import verify_ledger
from tessera.core import hooks
from tessera.core.demo import load_demo
from tessera.core.demo.products import catalogue
from tessera.core.models import AuditEntry, Company, Product
from tessera.core.services import system_user
from tessera.inventory.demo import load_inventory_demo
from tessera.inventory.models import (
    CategoryValuation,
    InventoryCount,
    Location,
    Lot,
    Move,
    MoveLine,
    ProcurementNeed,
    ProductStock,
    Quant,
    ReorderingRule,
    Scrap,
    Transfer,
    ValuationLayer,
    Warehouse,
)
from tessera.inventory.services import category_valuation

TODAY = datetime.date(2026, 3, 2)  # the accounting demo's year of activity, and so the opening day, as on any day of 2026
pytestmark = pytest.mark.django_db
MODELS = (
    Warehouse, Location, CategoryValuation, ProductStock, ReorderingRule, Lot, Transfer, Move, MoveLine, Quant,
    ValuationLayer, InventoryCount, Scrap, ProcurementNeed, JournalEntry, AuditEntry,
)  # fmt: skip


@pytest.fixture(scope="module")
def company(django_db_setup, django_db_blocker) -> Iterator[Company]:
    """The demo loaded once for the module (it takes seconds), the accounting part as on TODAY, and
    rolled back after it."""

    def loaders(company: Company, by) -> None:
        load_accounting_demo(company, by, today=TODAY)
        load_inventory_demo(company, by)

    with django_db_blocker.unblock(), transaction.atomic():
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hooks, "run_demo_loaders", loaders)
            load_demo(io.StringIO())
        yield Company.objects.get(name="Ferrano Metaalmeubelen NV")
        transaction.set_rollback(True)


def balance(company, code, until=None):
    """Summed here: SQLite adds NUMERIC columns as floating point."""
    lines = JournalLine.objects.filter(company=company, account__code=code, posted=True)
    if until is not None:
        lines = lines.filter(date__lte=until)
    return sum((line.debit - line.credit for line in lines), D(0))


def layers_by_account(layers):
    totals = defaultdict(D)
    for layer in layers.select_related("product__category"):
        totals[category_valuation(layer.product.category).valuation_account.code] += layer.value
    return dict(totals)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_two_warehouses_with_bins(company):
    warehouses = Warehouse.objects.filter(company=company).select_related("stock_location")
    assert [(w.code, w.name, w.stock_location.full_name) for w in warehouses] == [
        ("GNT", "Ghent distribution centre", "GNT/Stock"),
        ("WH", "Main warehouse", "WH/Stock"),
    ]
    bins = Location.objects.filter(company=company, parent__in=[w.stock_location for w in warehouses])
    assert sorted(bins.values_list("full_name", flat=True)) == [
        "GNT/Stock/Aisle 1", "GNT/Stock/Aisle 2", "GNT/Stock/Dock", "WH/Stock/A Sheet and plate", "WH/Stock/B Tubes and bars",
        "WH/Stock/C Components", "WH/Stock/D Worktops", "WH/Stock/E Paint store", "WH/Stock/F Finished goods",
    ]  # fmt: skip
    assert {location.warehouse.code for location in bins} == {"GNT", "WH"}
    opening = Location.objects.get(company=company, name="Opening stock")
    assert (opening.usage, opening.valuation_account.code, opening.full_name) == ("inventory", "499000", "Virtual/Opening stock")


def test_categories_are_valued_on_their_stock_accounts(company):
    valuations = {
        v.category.full_name: (v.cost_method, v.valuation_account.code, v.input_account.code, v.output_account.code)
        for v in CategoryValuation.objects.filter(company=company).select_related("category")
    }
    assert len(valuations) == 12
    assert valuations["Raw materials / Steel"] == ("fifo", "300000", "609000", "609000")
    assert valuations["Raw materials / Aluminium"] == ("average", "300000", "609000", "609000")
    assert valuations["Components / Worktops"] == ("fifo", "300000", "609000", "609000")
    assert valuations["Components / Castors"] == ("fifo", "340000", "609400", "609400")
    assert valuations["Finished goods / Cabinets"] == ("fifo", "330000", "713000", "713000")
    assert [name for name, (method, *_accounts) in valuations.items() if method == "average"] == ["Raw materials / Aluminium"]


def test_stocked_products_have_stock_settings(company):
    settings = ProductStock.objects.filter(company=company).select_related("product")
    assert Counter(settings.values_list("tracking", "use_expiry", "procurement_method")) == {
        ("none", False, "mts"): 129,
        ("lot", True, "mts"): 8,  # powder coatings, by the maker's batch
        ("lot", False, "mts"): 4,  # hot-rolled plate, by heat number
        ("serial", False, "mts"): 3,
        ("none", False, "mto"): 2,
    }
    assert set(settings.values_list("route", flat=True)) == {"manual"}
    assert sorted(s.product.sku for s in settings if s.tracking == "serial") == ["CB-FLAM", "WB-HA-1500", "WB-HA-1800"]
    assert sorted(s.product.sku for s in settings if s.procurement_method == "mto") == ["WB-HD-2000", "WB-PACK-1600"]
    assert not settings.filter(product__sku__startswith="TR-").exists()  # core's demo test deletes the trolleys
    stockable = Product.objects.filter(company=company, type="stockable").exclude(sku__startswith="TR-")
    assert set(stockable.values_list("pk", flat=True)) <= set(settings.values_list("product_id", flat=True))


def test_the_opening_stock_is_worth_exactly_the_opening_balances(company):
    opening = Transfer.objects.get(company=company, source_location__name="Opening stock")
    assert (opening.number, opening.state, opening.scheduled_date.date()) == ("IN/2025/00001", "done", datetime.date(2025, 1, 1))
    assert opening.moves.count() == 128
    layers = ValuationLayer.objects.filter(move__transfer=opening)
    assert layers_by_account(layers) == {"300000": D("142000.00"), "330000": D("96000.00")}
    # Every line at the catalogue cost; the last line of each group absorbs the remainder: the raw
    # materials' in kg to the gram, the finished goods' at a unit cost cents off the catalogue's.
    cost = {spec.sku: spec.cost for spec in catalogue()}
    at_other_cost = [
        (layer.product.sku, layer.quantity, layer.unit_cost) for layer in layers if layer.unit_cost != cost[layer.product.sku]
    ]
    assert at_other_cost == [("SH-LVL-900-400", D(60), D("14.508"))]
    assert layers.get(product__sku="ST-DC01-1.5").quantity == D("2811.905")
    [entry] = JournalEntry.objects.filter(pk__in=layers.values("entry"))
    assert entry.journal.code == "STJ"
    # The powder coatings (8 lines) are consumables: not valued.
    assert Counter(line.account.code for line in entry.lines.select_related("account")) == {
        "499000": 120,
        "300000": 70,
        "330000": 50,
    }


def test_the_stock_accounts_equal_the_valuation_and_the_suspense_account_is_cleared(company):
    layers = layers_by_account(ValuationLayer.objects.filter(company=company))
    assert layers == {"300000": D("162032.45"), "330000": D("78929.60"), "340000": D("13199.43")}
    assert {code: balance(company, code) for code in layers} == layers
    assert balance(company, "499000") == D("0.00")
    opening = JournalEntry.objects.get(company=company, ref="OPENING")
    assert sorted(line.debit for line in opening.lines.filter(account__code="499000")) == [D("96000.00"), D("142000.00")]
    assert not opening.lines.filter(account__code__in=("300000", "330000")).exists()


def test_stock_moved_on_the_days_of_the_demo_year(company):
    """Validated on their scheduled days, the moves and their stock entries fall in 2025: at the
    year's end the suspense account is already cleared and the stock accounts equal the valuation."""
    entries = JournalEntry.objects.filter(company=company, journal__code="STJ")
    assert {entry.date.year for entry in entries} == {2025}
    assert {move.date.year for move in Move.objects.filter(company=company, state="done")} == {2025}
    end = datetime.date(2025, 12, 31)
    assert balance(company, "499000", until=end) == D("0.00")
    assert balance(company, "300000", until=end) == D("162032.45")


def test_on_hand_is_what_the_done_moves_brought_in_and_took_out(company):
    moved = defaultdict(D)
    lines = MoveLine.objects.filter(company=company, done=True).select_related("source_location", "destination_location")
    for line in lines:
        if line.destination_location.holds_stock:
            moved[line.product_id, line.destination_location_id, line.lot_id] += line.quantity
        if line.source_location.holds_stock:
            moved[line.product_id, line.source_location_id, line.lot_id] -= line.quantity
    quants = {(q.product_id, q.location_id, q.lot_id): q.quantity for q in Quant.objects.filter(company=company)}
    assert {key: quantity for key, quantity in moved.items() if quantity} == {k: q for k, q in quants.items() if q}
    assert not Quant.objects.filter(company=company, quantity__lt=0).exists()
    stock = Quant.objects.filter(company=company, location__warehouse__code="GNT").exclude(quantity=0)
    assert set(stock.values_list("location__full_name", flat=True)) == {"GNT/Stock/Aisle 1"}


def test_lots_expire_on_different_days(company):
    lots = Lot.objects.filter(company=company).select_related("product")
    powders = [lot for lot in lots if lot.product.sku.startswith("PC-")]
    assert len(powders) == 18 and all(lot.expiry_date for lot in powders)
    by_product = defaultdict(set)
    for lot in powders:
        by_product[lot.product.sku].add(lot.expiry_date)
    assert len(by_product) == 8 and all(len(days) >= 2 for days in by_product.values())
    assert max(len(days) for days in by_product.values()) == 3  # two batches at the opening, a third received later
    heats = [lot for lot in lots if lot.product.sku.startswith("ST-S235-")]
    assert len(heats) == 8 + 6 and not any(lot.expiry_date for lot in heats)  # two of each plate at the opening
    serials = Quant.objects.filter(company=company, lot__product__sku__in=("CB-FLAM", "WB-HA-1500", "WB-HA-1800"))
    assert set(serials.exclude(quantity=0).values_list("quantity", flat=True)) == {D(1)}


def test_raw_materials_have_reordering_rules_in_the_main_warehouse(company):
    rules = ReorderingRule.objects.filter(company=company).select_related("product__category", "warehouse", "location")
    assert rules.count() == 10
    assert {(rule.warehouse.code, rule.location.full_name) for rule in rules} == {("WH", "WH/Stock")}
    assert all(rule.product.category.full_name.startswith("Raw materials") for rule in rules)
    assert all(0 < rule.min_quantity < rule.max_quantity for rule in rules)


def test_a_year_of_movements(company):
    transfers = Transfer.objects.filter(company=company)
    assert Counter(transfers.values_list("kind", "state")) == {
        ("receipt", "done"): 16,
        ("delivery", "done"): 33,
        ("delivery", "waiting"): 1,  # goods made to order
        ("internal", "done"): 1,
    }
    assert {day.year for day in transfers.values_list("scheduled_date", flat=True)} == {2025}
    receipts = transfers.filter(kind="receipt", return_of=None).exclude(source_location__name="Opening stock")
    assert set(receipts.values_list("partner__is_supplier", flat=True)) == {True}
    assert set(transfers.filter(kind="delivery").values_list("partner__is_customer", flat=True)) == {True}
    assert transfers.filter(warehouse__code="GNT", kind="delivery", state="done").count() == 9
    [backorder] = transfers.exclude(backorder_of=None)
    assert (backorder.state, backorder.backorder_of.state, backorder.moves.get().product_quantity) == ("done", "done", D(1))
    [returned] = transfers.exclude(return_of=None)
    assert (returned.kind, returned.state, returned.return_of.kind) == ("receipt", "done", "delivery")
    internal = transfers.get(kind="internal")
    assert (internal.source_location.full_name, internal.destination_location.full_name) == ("WH/Stock", "GNT/Stock/Aisle 1")
    waiting = transfers.get(state="waiting")
    needs = ProcurementNeed.objects.filter(company=company)
    assert sorted(needs.values_list("product__sku", "quantity", "state", "route", "move__transfer")) == [
        ("WB-HD-2000", D(2), "open", "manual", waiting.pk),
        ("WB-PACK-1600", D(1), "open", "manual", waiting.pk),
    ]


def test_a_count_with_differences_and_a_scrap(company):
    count = InventoryCount.objects.get(company=company)
    assert (count.state, count.date, count.location.full_name) == ("done", datetime.date(2025, 6, 30), "WH/Stock/C Components")
    adjusted = count.lines.exclude(move=None).select_related("product", "move__source_location")
    assert sorted((line.product.sku, line.counted_quantity - line.expected_quantity) for line in adjusted) == [
        ("HW-CLIP-SHELF", D(4)),
        ("HW-LABEL-100", D(-6)),
    ]
    assert count.lines.filter(counted_quantity=None).count() == 0
    scrap = Scrap.objects.select_related("move", "product").get(company=company)
    assert (scrap.product.sku, scrap.quantity, scrap.move.state, scrap.location.full_name) == (
        "WT-BEECH-1500",
        D(1),
        "done",
        "WH/Stock/D Worktops",
    )
    assert ValuationLayer.objects.get(move=scrap.move).value == D("-82.00")


def test_the_ledger_is_sound(company):
    report = verify_ledger(company)
    assert report.problems == []
    # The stock journal's: the opening, 12 receipts (3 bring consumables only), 33 deliveries, the count and the scrap.
    assert report.entries == JournalEntry.objects.filter(company=company).count() == 371 + 48


def test_a_second_load_creates_nothing(company):
    hooks.run_demo_loaders(company, system_user())  # the later modules' demo data, which the fixture leaves out
    before = counts()
    load_inventory_demo(company, system_user())
    load_demo(io.StringIO())  # as `manage.py demo` does, on the real date
    assert counts() == before
