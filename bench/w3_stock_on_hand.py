"""Benchmark W3 (../shared/BENCHMARKS.md): stock on hand, validating a delivery and stock valuation over
1,000,000 done stock moves of 10,000 products.

Builds a throw-away PostgreSQL database (test_<name> beside the one DATABASE_URL names): one Belgian
company created through core's service (so it has its chart, journals, locations and warehouse),
10,000 products, then the done moves loaded in bulk with SQL between the supplier, the warehouse's
stock and the customer locations — each with its done line and its valuation layer — and the quants
those moves leave. Then it times, after a warm-up: median and spread in milliseconds, SQL queries.

Targets (the issue): on hand of every product at a location < 50 ms (the API's on-hand endpoint for
one page, and the service layer for all products); validating a 10-line delivery < 30 ms; stock
valuation at a past date < 1 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tessera_w3 .venv/bin/python bench/w3_stock_on_hand.py
    ... bench/w3_stock_on_hand.py --moves 100000 --explain   # a quick run, with the plans of the report queries
"""

import argparse
import datetime
import time
from dataclasses import dataclass
from decimal import Decimal

from _common import Figure, explain_queries, figure, machine, print_figures, query_count, repeat, throwaway_postgres, timed
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from tessera.core.models import Company, Currency, Partner, Product, ProductCategory, Uom, User
from tessera.core.services import company_create, system_user
from tessera.inventory import queries, services
from tessera.inventory.models import Location, Quant, Transfer, TransferKind, Warehouse

PRODUCTS = 10_000
FIRST_DAY = datetime.datetime(2025, 1, 1, 8, tzinfo=datetime.UTC)
SPAN_DAYS = 700  # the moves spread over almost two years, up to a few weeks before today's runs
PAST_DAY = datetime.date(2025, 12, 31)
RECEIPTS_PER_CYCLE, CYCLE = 3, 5  # of every 5 moves of a product, 3 receive 10 units and 2 deliver 10
MOVED = Decimal(10)
DELIVERY_LINES, DELIVERIES, DELIVERY_WARM_UP = 10, 40, 5
TARGETS_MS = {"on hand": 50.0, "validate": 30.0, "valuation": 1000.0}


@dataclass(frozen=True)
class Stockroom:
    company: Company
    keeper: User
    warehouse: Warehouse
    stock: Location
    customer: Partner
    products: list[int]


# --- data ----------------------------------------------------------------------------------------


def build(moves: int) -> Stockroom:
    company = company_create(
        Company(name="W3 Magazijn NV", country="BE", currency=Currency.objects.get(code="EUR"), vat="BE0477472701"),
        by=system_user(),
    )
    warehouse = Warehouse.objects.select_related("stock_location").get(company=company)
    keeper = User.objects.create(username="w3-keeper", is_staff=True, current_company=company)
    keeper.companies.add(company)
    keeper.groups.add(Group.objects.get(name="Inventory / Manager"))
    category = ProductCategory.objects.create(company=company, name="Parts", full_name="Parts")
    unit = Uom.objects.get(name="Unit")
    Product.objects.bulk_create(
        Product(company=company, name=f"Part {n:05d}", sku=f"P{n:05d}", category=category, uom=unit, purchase_uom=unit,
                cost=Decimal(5 + n % 50), sale_price=Decimal(20 + n % 50))
        for n in range(PRODUCTS)
    )  # fmt: skip
    customer = Partner.objects.create(company=company, name="W3 Klant BV", country="BE", is_customer=True)
    room = Stockroom(
        company=company, keeper=keeper, warehouse=warehouse, stock=warehouse.stock_location, customer=customer,
        products=list(Product.objects.filter(company=company).order_by("pk").values_list("pk", flat=True)),
    )  # fmt: skip
    load_moves(room, moves)
    return room


# Triggers off for the load (session_replication_role = replica, a superuser setting): foreign keys
# are triggers, and the bulk load is checked afterwards against the quants it produces.
MOVES_SQL = """
INSERT INTO inventory_move
    (company_id, transfer_id, product_id, quantity, uom_id, product_quantity, reserved_quantity, source_location_id,
     destination_location_id, state, date, reference, unit_cost, returned_move_id)
SELECT %(company)s, NULL, (%(products)s::bigint[])[1 + mod(i, %(product_count)s)], %(moved)s, %(uom)s, %(moved)s, 0,
       CASE WHEN receipt THEN %(supplier)s ELSE %(stock)s END, CASE WHEN receipt THEN %(stock)s ELSE %(customer)s END,
       'done', %(first)s::timestamptz + (i * %(span)s::float / %(moves)s) * interval '1 day',
       CASE WHEN receipt THEN 'W3/IN/' ELSE 'W3/OUT/' END || i, NULL, NULL
FROM (SELECT i, mod(i / %(product_count)s, %(cycle)s) < %(receipts)s AS receipt
      FROM generate_series(0::bigint, %(moves)s - 1) AS i) AS m
"""
LINES_SQL = """
INSERT INTO inventory_moveline
    (company_id, move_id, product_id, lot_id, source_location_id, destination_location_id, reserved_quantity, quantity,
     done, date)
SELECT company_id, id, product_id, NULL, source_location_id, destination_location_id, 0, product_quantity, true, date
FROM inventory_move WHERE company_id = %(company)s
"""
QUANTS_SQL = """
INSERT INTO inventory_quant (company_id, product_id, location_id, lot_id, quantity, reserved_quantity, in_date)
SELECT %(company)s, product_id, %(stock)s, NULL,
       sum(CASE WHEN destination_location_id = %(stock)s THEN quantity ELSE -quantity END), 0, min(date)
FROM inventory_moveline WHERE company_id = %(company)s AND done GROUP BY product_id
"""
# Each move is valued at its product's cost; FIFO leaves the newest receipts holding what is on hand.
LAYERS_SQL = """
WITH on_hand AS (
    SELECT product_id, quantity FROM inventory_quant WHERE company_id = %(company)s AND location_id = %(stock)s
), receipts AS (
    SELECT id, sum(product_quantity) OVER (PARTITION BY product_id ORDER BY id DESC) AS received_since
    FROM inventory_move WHERE company_id = %(company)s AND destination_location_id = %(stock)s
)
INSERT INTO inventory_valuationlayer
    (company_id, product_id, move_id, date, quantity, unit_cost, value, remaining_quantity, remaining_value, entry_id,
     description)
SELECT m.company_id, m.product_id, m.id, m.date, s.sign * m.product_quantity, p.cost, s.sign * m.product_quantity * p.cost,
       CASE WHEN s.left_in_stock THEN m.product_quantity ELSE 0 END,
       CASE WHEN s.left_in_stock THEN m.product_quantity * p.cost ELSE 0 END, NULL, ''
FROM inventory_move m
JOIN core_product p ON p.id = m.product_id
LEFT JOIN on_hand h ON h.product_id = m.product_id
LEFT JOIN receipts r ON r.id = m.id
CROSS JOIN LATERAL (
    SELECT CASE WHEN r.id IS NULL THEN -1 ELSE 1 END AS sign,
           r.id IS NOT NULL AND r.received_since <= coalesce(h.quantity, 0) AS left_in_stock
) AS s
WHERE m.company_id = %(company)s
"""
NEGATIVE_SQL = "SELECT count(*) FROM inventory_quant WHERE company_id = %(company)s AND quantity < 0"
REMAINING_DIFFER_SQL = """
SELECT count(*) FROM inventory_quant q
JOIN (SELECT product_id, sum(remaining_quantity) AS remaining FROM inventory_valuationlayer
      WHERE company_id = %(company)s GROUP BY product_id) AS l USING (product_id)
WHERE q.company_id = %(company)s AND q.quantity <> l.remaining
"""


def load_moves(room: Stockroom, moves: int) -> None:
    params = {
        "company": room.company.pk, "products": room.products, "product_count": len(room.products), "moved": MOVED,
        "uom": Uom.objects.get(name="Unit").pk, "stock": room.stock.pk,
        "supplier": services.virtual_location(room.company, "supplier").pk,
        "customer": services.virtual_location(room.company, "customer").pk,
        "first": FIRST_DAY, "span": SPAN_DAYS, "moves": moves, "cycle": CYCLE, "receipts": RECEIPTS_PER_CYCLE,
    }  # fmt: skip
    steps = (("moves", MOVES_SQL), ("move lines", LINES_SQL), ("quants", QUANTS_SQL), ("valuation layers", LAYERS_SQL))
    for name, sql in steps:
        # One transaction per step, analysed after it: each step's plan needs the statistics of the rows before it.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            timed(f"  insert {name}", lambda sql=sql, cursor=cursor: cursor.execute(sql, params))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE inventory_move, inventory_moveline, inventory_quant, core_product")
    with connection.cursor() as cursor:
        cursor.execute(NEGATIVE_SQL, params)
        assert cursor.fetchone()[0] == 0, "the load left negative stock"
        cursor.execute(REMAINING_DIFFER_SQL, params)
        assert cursor.fetchone()[0] == 0, "FIFO layers do not hold what is on hand"
        timed("  vacuum analyze", lambda: cursor.execute("VACUUM ANALYZE inventory_move, inventory_moveline, inventory_quant, "
                                                         "inventory_valuationlayer"))  # fmt: skip


# --- measuring -----------------------------------------------------------------------------------


def measure_on_hand(room: Stockroom) -> list[Figure]:
    everything = {row["product"]: row["quantity"] for row in queries.on_hand_by_product(room.stock)}
    direct = dict(Quant.objects.filter(location=room.stock).values_list("product_id").annotate(q=Sum("quantity")))
    assert everything == direct, "on hand ≠ quants"
    client = APIClient()
    client.force_authenticate(room.keeper)
    url = f"/api/v1/inventory/on-hand/?location={room.stock.pk}"
    first_page = client.get(url)
    assert first_page.status_code == 200, first_page.content[:500]
    return [
        figure(f"on hand of all {len(everything):,} products at {room.stock} (queries.on_hand_by_product)",
               lambda: list(queries.on_hand_by_product(room.stock)), TARGETS_MS["on hand"]),
        figure(f"GET {url.split('?')[0]} first page, {len(first_page.json()['results'])} rows",
               lambda: client.get(url), TARGETS_MS["on hand"]),
    ]  # fmt: skip


def deliveries(room: Stockroom, count: int) -> list[Transfer]:
    """Confirmed 10-line deliveries of products in stock, made and reserved with the services."""
    made = []
    for n in range(count):
        products = Product.objects.filter(pk__in=room.products[n * DELIVERY_LINES : (n + 1) * DELIVERY_LINES])
        transfer = services.transfer_save(
            Transfer(company=room.company, kind=TransferKind.DELIVERY, warehouse=room.warehouse, partner=room.customer,
                     scheduled_date=timezone.now()),
            [services.MoveDraft(product, Decimal(2)) for product in products],
            by=room.keeper,
        )  # fmt: skip
        made.append(services.transfer_confirm(transfer, by=room.keeper))
    return made


def measure_validation(room: Stockroom) -> Figure:
    confirmed = iter(deliveries(room, DELIVERY_WARM_UP + 1 + DELIVERIES))

    def validate() -> None:
        services.transfer_validate(next(confirmed), by=room.keeper)

    for _ in range(DELIVERY_WARM_UP):
        validate()
    queries_per_validation = query_count(validate)
    timings = repeat(validate, times=DELIVERIES, warm_up=0)
    return Figure(f"validate a {DELIVERY_LINES}-line delivery (services.transfer_validate)", timings, queries_per_validation,
                  TARGETS_MS["validate"])  # fmt: skip


def measure_valuation(room: Stockroom) -> Figure:
    return figure(f"stock valuation on {PAST_DAY} (queries.valuation_at)",
                  lambda: queries.valuation_at(room.company, PAST_DAY), TARGETS_MS["valuation"])  # fmt: skip


# --- main ----------------------------------------------------------------------------------------


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=1_000_000, help="done stock moves to load")
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN ANALYZE of the report queries")
    args = parser.parse_args()
    if args.moves < PRODUCTS * CYCLE:
        parser.error(f"--moves must be at least {PRODUCTS * CYCLE:,} (a full cycle of moves per product)")
    return args


def main() -> None:
    args = arguments()
    with throwaway_postgres("W3") as database:
        print(machine())
        print(f"database {database}; {datetime.date.today()}")
        started = time.perf_counter()
        room = build(args.moves)
        print(f"loaded {args.moves:,} done moves of {PRODUCTS:,} products in {time.perf_counter() - started:.1f} s")
        print_figures([*measure_on_hand(room), measure_validation(room), measure_valuation(room)])
        if args.explain:
            explain_queries("on hand", lambda: list(queries.on_hand_by_product(room.stock)))
            explain_queries("valuation", lambda: queries.valuation_at(room.company, PAST_DAY))


if __name__ == "__main__":
    main()
