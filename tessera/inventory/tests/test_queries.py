"""The inventory reports on a small month of stock made through the services: exact on-hand,
forecast, valuation at a past date and now, reconciliation, history, turnover and lot trace."""

import datetime
from decimal import Decimal as D

import pytest
from django.utils import timezone

from tessera.accounting.services import account_for_role
from tessera.core.services import record_save
from tessera.core.tests.factories import ProductCategoryFactory
from tessera.inventory.models import CategoryValuation, CostMethod, Location, Lot, Scrap, Transfer, TransferKind
from tessera.inventory.queries import (
    TurnoverRow,
    forecast,
    forecast_summary,
    lot_trace,
    move_history,
    on_hand,
    on_hand_by_product,
    turnover,
    valuation_at,
)
from tessera.inventory.services import (
    Counted,
    DoneQuantity,
    MoveDraft,
    count_create,
    count_record,
    count_start,
    count_validate,
    location_save,
    scrap_validate,
    transfer_confirm,
    transfer_save,
    transfer_validate,
)

from .conftest import make_product

DAY = datetime.date


def at(day: DAY, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


class Clock:
    """Stands in for timezone.now() so the services date their moves on the days of the story."""

    def __init__(self, monkeypatch):
        self.now = at(DAY(2026, 3, 1))
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, day: DAY) -> None:
        self.now = at(day)


def transfer(company, warehouse, keeper, kind, lines, *, partner=None, source=None, destination=None, scheduled=None):
    document = transfer_save(
        Transfer(company=company, kind=kind, warehouse=warehouse, partner=partner, source_location=source,
                 destination_location=destination, scheduled_date=scheduled),
        lines,
        by=keeper,
    )  # fmt: skip
    return transfer_confirm(document, by=keeper)


def done(document, keeper, **kwargs):
    return transfer_validate(document, by=keeper, **kwargs)


class March:
    """What happened: see `march` below. Attributes: the products, the lot, the bin and the documents."""


@pytest.fixture
def march(monkeypatch, company, warehouse, stock, keeper, category, customer, supplier):
    """March 2026 at the main warehouse.

    Chair (Goods, FIFO): 10 in at 40 on the 2nd, 10 in at 50 on the 5th, 12 out on the 10th
    (500), counted 7 on the 20th (1 lost, 50): 7 left worth 350.
    Bolt (Raw, AVCO): 10 in at 2 on the 3rd, 10 in at 3 on the 6th (average 2.5), 4 out on the 12th
    (10): 16 left worth 40.
    Wine (Goods, FIFO, by lot): 6 of lot L1 in at 10 on the 4th, 2 moved to Shelf A on the 8th,
    3 delivered on the 15th, 1 scrapped on the 16th: 2 left on the shelf worth 20.
    Table (Goods): 1 in at 120 on the 25th.
    Then, on the 31st, open moves of chairs: 9 to deliver on 5 April (7 reserved), 5 to receive on 10 April."""
    clock = Clock(monkeypatch)
    raw = ProductCategoryFactory(company=company, name="Raw")
    record_save(
        CategoryValuation(company=company, category=raw, cost_method=CostMethod.AVERAGE,
                          valuation_account=account_for_role(company, "stock_raw"),
                          input_account=account_for_role(company, "stock_variation_raw"),
                          output_account=account_for_role(company, "stock_variation_raw")),
        by=keeper,
    )  # fmt: skip
    m = March()
    m.raw, m.clock = raw, clock
    m.chair = make_product(company, category, "Chair", cost="40")
    m.bolt = make_product(company, raw, "Bolt", cost="2")
    m.wine = make_product(company, category, "Wine", cost="10", tracking="lot")
    m.table = make_product(company, category, "Table", cost="120")
    m.shelf = location_save(Location(company=company, name="Shelf A", parent=stock), by=keeper)

    def receive(day, product, quantity, cost, **kwargs):
        clock.set(day)
        lines = [MoveDraft(product, D(quantity), unit_cost=D(cost))]
        document = transfer(company, warehouse, keeper, TransferKind.RECEIPT, lines, partner=supplier)
        done(document, keeper, **kwargs)
        return document

    def deliver(day, product, quantity):
        clock.set(day)
        document = transfer(
            company, warehouse, keeper, TransferKind.DELIVERY, [MoveDraft(product, D(quantity))], partner=customer
        )
        done(document, keeper)
        return document

    receive(DAY(2026, 3, 2), m.chair, "10", "40")
    receive(DAY(2026, 3, 3), m.bolt, "10", "2")
    clock.set(DAY(2026, 3, 4))
    m.wine_receipt = transfer(company, warehouse, keeper, TransferKind.RECEIPT, [MoveDraft(m.wine, D(6), unit_cost=D(10))],
                              partner=supplier)  # fmt: skip
    done(m.wine_receipt, keeper, done={m.wine_receipt.moves.get().pk: [DoneQuantity(D(6), lot="L1")]})
    m.lot = Lot.objects.get(product=m.wine, name="L1")
    receive(DAY(2026, 3, 5), m.chair, "10", "50")
    receive(DAY(2026, 3, 6), m.bolt, "10", "3")
    clock.set(DAY(2026, 3, 8))
    m.internal = transfer(company, warehouse, keeper, TransferKind.INTERNAL, [MoveDraft(m.wine, D(2))], source=stock,
                          destination=m.shelf)  # fmt: skip
    done(m.internal, keeper)
    m.chair_delivery = deliver(DAY(2026, 3, 10), m.chair, "12")
    deliver(DAY(2026, 3, 12), m.bolt, "4")
    m.wine_delivery = deliver(DAY(2026, 3, 15), m.wine, "3")
    clock.set(DAY(2026, 3, 16))
    m.scrap = scrap_validate(
        record_save(Scrap(company=company, product=m.wine, quantity=D(1), uom=m.wine.uom, lot=m.lot, location=stock,
                          reason="Broken bottle"), by=keeper),
        by=keeper,
    )  # fmt: skip
    clock.set(DAY(2026, 3, 20))
    count = count_create(stock, by=keeper, day=DAY(2026, 3, 20))
    count_start(count, by=keeper)
    count_record(count, [Counted(m.chair, D(7))], by=keeper)
    count_validate(count, by=keeper)
    receive(DAY(2026, 3, 25), m.table, "1", "120")
    clock.set(DAY(2026, 3, 31))
    m.outgoing = transfer(company, warehouse, keeper, TransferKind.DELIVERY, [MoveDraft(m.chair, D(9))], partner=customer,
                          scheduled=at(DAY(2026, 4, 5)))  # fmt: skip
    m.incoming = transfer(company, warehouse, keeper, TransferKind.RECEIPT, [MoveDraft(m.chair, D(5), unit_cost=D(55))],
                          partner=supplier, scheduled=at(DAY(2026, 4, 10)))  # fmt: skip
    return m


def test_on_hand_per_product_location_and_lot(company, stock, march):
    rows = [(q.product.name, q.location.full_name, q.lot.name if q.lot else "", q.quantity, q.reserved_quantity, q.available)
            for q in on_hand(company, location=stock)]  # fmt: skip
    assert rows == [
        ("Bolt", "WH/Stock", "", D(16), D(0), D(16)),
        ("Chair", "WH/Stock", "", D(7), D(7), D(0)),
        ("Table", "WH/Stock", "", D(1), D(0), D(1)),
        ("Wine", "WH/Stock/Shelf A", "L1", D(2), D(0), D(2)),
    ]
    assert [q.product.name for q in on_hand(company, location=march.shelf)] == ["Wine"]
    assert [q.product.name for q in on_hand(company, category=march.raw)] == ["Bolt"]
    assert [q.quantity for q in on_hand(company, lot=march.lot)] == [D(2)]
    assert list(on_hand(company, product=march.chair).values_list("quantity", flat=True)) == [D(7)]


def test_on_hand_by_product_adds_up_the_bins(warehouse, march):
    rows = list(on_hand_by_product(warehouse.view_location))
    assert [(row["name"], row["quantity"], row["reserved"], row["available"]) for row in rows] == [
        ("Bolt", D(16), D(0), D(16)),
        ("Chair", D(7), D(7), D(0)),
        ("Table", D(1), D(0), D(1)),
        ("Wine", D(2), D(0), D(2)),
    ]
    assert [row["name"] for row in on_hand_by_product(warehouse.view_location, category=march.raw)] == ["Bolt"]


def test_forecast_of_a_product_counts_outgoing_moves_once(company, warehouse, march):
    result = forecast(company, march.chair, warehouse=warehouse)
    assert (result.on_hand, result.reserved, result.incoming, result.outgoing, result.forecast) == (D(7), D(7), D(5), D(9), D(3))
    assert [(line.date.date(), line.reference, line.partner, line.incoming, line.outgoing, line.projected)
            for line in result.lines] == [
        (DAY(2026, 4, 5), march.outgoing.number, "Klant BV", D(0), D(9), D(-2)),
        (DAY(2026, 4, 10), march.incoming.number, "Leverancier BV", D(5), D(0), D(3)),
    ]  # fmt: skip
    assert [line.transfer_id for line in result.lines] == [march.outgoing.pk, march.incoming.pk]
    until = forecast(company, march.chair, warehouse=warehouse, until=DAY(2026, 4, 9))
    assert (len(until.lines), until.forecast) == (1, D(-2))
    # The internal move of wine stayed inside the warehouse: nothing in or out.
    assert forecast(company, march.wine, location=march.shelf).lines == []


def test_forecast_summary_for_the_warehouse(company, warehouse, march):
    rows = forecast_summary(company, warehouse=warehouse)
    assert [(row.name, row.on_hand, row.reserved, row.incoming, row.outgoing, row.forecast) for row in rows] == [
        ("Bolt", D(16), D(0), D(0), D(0), D(16)),
        ("Chair", D(7), D(7), D(5), D(9), D(3)),
        ("Table", D(1), D(0), D(0), D(0), D(1)),
        ("Wine", D(2), D(0), D(0), D(0), D(2)),
    ]
    assert [row.name for row in forecast_summary(company, warehouse=warehouse, category=march.raw)] == ["Bolt"]


def test_valuation_at_a_past_date_and_now_reconciles_with_the_accounts(company, march):
    past = valuation_at(company, DAY(2026, 3, 7))
    assert [(row.name, row.quantity, row.value, row.unit_cost) for row in past.rows] == [
        ("Chair", D(20), D("900.00"), D(45)),
        ("Wine", D(6), D("60.00"), D(10)),
        ("Bolt", D(20), D("50.00"), D("2.5")),
    ]
    assert past.total == D("1010.00")
    assert [(total.category, total.value) for total in past.categories] == [("Goods", D("960.00")), ("Raw", D("50.00"))]
    assert [(check.code, check.layers, check.balance, check.difference) for check in past.accounts] == [
        ("300000", D("50.00"), D("50.00"), D(0)),
        ("340000", D("960.00"), D("960.00"), D(0)),
    ]
    assert past.reconciled
    now = valuation_at(company, DAY(2026, 3, 31))
    assert [(row.name, row.quantity, row.value) for row in now.rows] == [
        ("Chair", D(7), D("350.00")),
        ("Table", D(1), D("120.00")),
        ("Wine", D(2), D("20.00")),
        ("Bolt", D(16), D("40.00")),
    ]
    assert [(check.code, check.layers, check.balance) for check in now.accounts] == [
        ("300000", D("40.00"), D("40.00")),
        ("340000", D("490.00"), D("490.00")),
    ]
    raw = valuation_at(company, DAY(2026, 3, 31), category=march.raw)
    assert [row.name for row in raw.rows] == ["Bolt"] and raw.total == D("40.00")
    assert len(raw.accounts) == 2  # the reconciliation covers the whole company
    assert valuation_at(company, DAY(2026, 3, 1)).rows == []


def test_a_manual_entry_on_a_stock_account_shows_as_a_difference(company, keeper, march):
    from tessera.accounting.models import Journal, JournalEntry, JournalLine
    from tessera.accounting.services import journal_entry_post_generated

    journal = Journal.objects.get(company=company, code="MISC")
    journal_entry_post_generated(
        JournalEntry(company=company, journal=journal, date=DAY(2026, 3, 31), ref="Manual"),
        [JournalLine(account=account_for_role(company, "stock_goods"), debit=D("5.00")),
         JournalLine(account=account_for_role(company, "stock_variation_goods"), credit=D("5.00"))],
        by=keeper,
    )  # fmt: skip
    result = valuation_at(company, DAY(2026, 3, 31))
    goods = next(check for check in result.accounts if check.code == "340000")
    assert (goods.layers, goods.balance, goods.difference) == (D("490.00"), D("495.00"), D("5.00"))
    assert not result.reconciled


def test_move_history_newest_first_with_filters(company, stock, march):
    lines = move_history(company, product=march.wine)
    assert [(line.date.date(), line.quantity, line.source_location.full_name, line.destination_location.full_name)
            for line in lines] == [
        (DAY(2026, 3, 16), D(1), "WH/Stock", "Virtual/Scrap"),
        (DAY(2026, 3, 15), D(3), "WH/Stock", "Partners/Customers"),
        (DAY(2026, 3, 8), D(2), "WH/Stock", "WH/Stock/Shelf A"),
        (DAY(2026, 3, 4), D(6), "Partners/Suppliers", "WH/Stock"),
    ]  # fmt: skip
    assert move_history(company, date_from=DAY(2026, 3, 10), date_to=DAY(2026, 3, 12)).count() == 2
    assert [line.move.reference for line in move_history(company, location=march.shelf)] == [march.internal.number]
    assert [line.product.name for line in move_history(company, reference=march.chair_delivery.number)] == ["Chair"]
    assert move_history(company, lot=march.lot).count() == 4


def test_turnover_and_days_of_inventory_per_product(company, march):
    rows = {row.label: row for row in turnover(company, DAY(2026, 3, 8), DAY(2026, 3, 31))}
    figures = {label: (row.opening_value, row.closing_value, row.average_value, row.cost_out, row.turnover,
                       row.days_of_inventory) for label, row in rows.items()}  # fmt: skip
    assert figures == {
        # (900 + 350) / 2 = 625 on average; 500 delivered and 50 lost: 550 / 625 = 0.88; 24 days × 625 / 550.
        "[CHAIR] Chair": (D("900.00"), D("350.00"), D("625.00"), D("550.00"), D("0.88"), D("27.27")),
        "[BOLT] Bolt": (D("50.00"), D("40.00"), D("45.00"), D("10.00"), D("0.22"), D("108.00")),
        "[WINE] Wine": (D("60.00"), D("20.00"), D("40.00"), D("40.00"), D("1.00"), D("24.00")),
        # Nothing left the stock: no turnover, and no days of inventory rather than a division by zero.
        "[TABLE] Table": (D(0), D("120.00"), D("60.00"), D(0), D("0.00"), None),
    }


def test_turnover_per_category_and_without_stock(company, march):
    rows = turnover(company, DAY(2026, 3, 8), DAY(2026, 3, 31), group="category")
    assert [(row.label, row.average_value, row.cost_out, row.turnover, row.days_of_inventory) for row in rows] == [
        ("Goods", D("725.00"), D("590.00"), D("0.81"), D("29.49")),
        ("Raw", D("45.00"), D("10.00"), D("0.22"), D("108.00")),
    ]
    assert turnover(company, DAY(2026, 2, 1), DAY(2026, 2, 28)) == []
    assert turnover(company, DAY(2026, 3, 1), DAY(2026, 3, 2), category=march.raw) == []
    # Stock received and sold out within the period: an average of zero, no turnover rather than a crash.
    sold_out = TurnoverRow(key=1, label="Sold out", opening_value=D(0), closing_value=D(0), cost_out=D("10.00"), days=30)
    assert (sold_out.average_value, sold_out.turnover, sold_out.days_of_inventory) == (D(0), None, None)


def test_lot_trace_upstream_and_downstream(march):
    trace = lot_trace(march.lot)
    assert [(step.reference, step.partner, step.quantity, step.source, step.destination) for step in trace.upstream] == [
        (march.wine_receipt.number, "Leverancier BV", D(6), "Partners/Suppliers", "WH/Stock"),
    ]
    assert [(step.date.date(), step.reference, step.partner, step.quantity, step.destination)
            for step in trace.downstream] == [
        (DAY(2026, 3, 8), march.internal.number, "", D(2), "WH/Stock/Shelf A"),
        (DAY(2026, 3, 15), march.wine_delivery.number, "Klant BV", D(3), "Partners/Customers"),
        (DAY(2026, 3, 16), march.scrap.number, "", D(1), "Virtual/Scrap"),
    ]  # fmt: skip
    assert trace.upstream[0].transfer_id == march.wine_receipt.pk and trace.downstream[2].transfer_id is None
    assert trace.on_hand == D(2)
